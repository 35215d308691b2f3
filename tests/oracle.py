"""An independent reading of the clinical reference: may the injection be given now?

The oracle is written straight from the reference's words (sections 3.2-3.4, 4.1-4.4, 5.1,
6 and 7), in plain Python, to check the product from outside. It never reads the pack's
gate or step expressions and never calls the engine. From the loaded pack it takes only:

- the numbers in force, ``guide.setting_values[name]`` (shipped values or a site's), so no
  clinical number is restated here;
- the COWS items' allowed scores (the instrument as the pack's questions hold it, 5.1);
- the override reason codes (``guide.meta.override_codes``).

Answers are typed values (``bool``, ``int``, ``float``, ``str``, ``datetime.date``) keyed
by the public vocabulary (reference section 8). A key that is absent is an
unanswered question: a gate that needs it is *undecided*, and undecided is never ready
(invariant 4.4.2).

A finding is one reason the injection may not be given now:

- ``holds``: a contraindication or a stop that the answers decide;
- ``undecided``: one whose answers are missing;
- ``refused``: answers that contradict each other or break a bound (invariants 4.4.3 and
  4.4.4); the product refuses them, so they never make a patient ready.

Where the reference is silent the oracle takes the reading that blocks less, so that what
it reports is a real disagreement with the reference, not a guess; each such reading is
said where it is made.

Over time (reference 4.4 items 8-12, 5.1, 5.2, 6 as clarified on 2026-12-05, 7), the
answers may also hold results with their times, and the reading may be given the visit's
clock and the patient's record:

- ``cows_ratings``: ratings ``{"at": datetime, "total" or "items", "corrects"?}``; the
  withdrawal gate reads the latest rating of the injection day (5.1);
- ``naloxone_challenges``: results ``{"at", "kind", "result", "started"?, "corrects"?}``; a
  positive stands unless a negative rechallenge within the window lifts it (5.2, invariant 9);
- ``rapid_days`` with ``naltrexone_given`` beside ``tolerated`` (section 6);
- ``now`` (keyword of :func:`findings`): the one clock; a result timed after it is refused
  (invariant 8), durations are absolute;
- ``record`` (keyword): the dates of the injections the patient's record holds (finished
  care visits under the label); the last injection comes from it (invariants 10, 11);
- ``in_record`` (keyword): the verdict is a visit record's (a walk), where a negative
  result needs its naloxone given at least the observation minimum before it (5.2);
  ``check`` takes a bare result as reported.

A time without an offset is the run's local time, as the product reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# --- Vocabulary (reference section 8; names, not numbers) -------------------------------

FIRST, REPEAT = "first_injection", "repeat_injection"
KINDS = (
    "short_acting",
    "fentanyl",
    "methadone",
    "buprenorphine",
    "buprenorphine_extended_release",
    "unknown",
)
BUP_ER = "buprenorphine_extended_release"
STANDARD, RAPID = "standard", "supervised_rapid"
PATHWAYS = (STANDARD, RAPID)
UDS_KEYS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")
UDS_VALUES = ("negative", "positive", "not_done")
CHALLENGE_VALUES = ("negative", "positive", "not_done")
PREGNANCY_VALUES = ("negative", "positive", "not_applicable")
SITE_REACTIONS = ("none", "mild", "severe", "not_examined")
HABITUS_VALUES = ("lean", "average", "more_subcutaneous_tissue", "unsuitable")
COWS_ITEMS = (
    "pulse",
    "sweating",
    "restlessness",
    "pupils",
    "aches",
    "runny_nose",
    "gi_upset",
    "tremor",
    "yawning",
    "anxiety",
    "gooseflesh",
)
RAPID_KEYS = ("rapid_supervised_setting", "rapid_protocol_on_file")
"""The yes/no answers section 6 still asks; the rest comes from the daily record."""
RAPID_DAYS = "rapid_days"
"""The daily record, as an answers file gives it: a list of day objects (section 6)."""
RATINGS = "cows_ratings"
"""Timed COWS ratings (5.1), as an answers file gives them."""
CHALLENGES = "naloxone_challenges"
"""Timed challenge and rechallenge results (5.2), as an answers file gives them."""
SERIES_KEYS = (RATINGS, CHALLENGES, RAPID_DAYS)

CONTRAINDICATION, STOP, REFUSED = "contraindication", "stop", "refused"
HOLDS, UNDECIDED = "holds", "undecided"

GATE_INPUTS: dict[str, tuple[str, ...]] = {
    "pregnancy": ("pregnancy_test",),
    "breastfeeding": ("breastfeeding",),
    "age": ("age",),
    "liver": ("acute_hepatitis", "lft_multiple_uln"),
    "body_habitus": ("body_habitus",),
    "urine_drug_screen": UDS_KEYS,
    "naloxone_challenge": (
        "naloxone_challenge",
        "naloxone_rechallenge",
        "naloxone_rechallenge_hours",
        "last_opioid_kind",
        "last_opioid_use",
        "injection_date",
    ),
    "dose_timing": ("last_injection_date", "injection_date"),
    "injection_site_reaction": ("injection_site_reaction",),
    "indication": ("oud_diagnosis",),
}
"""The answers each stop is judged on: an override binds to these (invariant 4.4.6)."""


@dataclass(frozen=True)
class Finding:
    """One reason the reference gives why the injection may not be given now."""

    gate: str
    severity: str
    """contraindication | stop | refused"""
    state: str
    """holds | undecided"""
    text: str

    def __str__(self) -> str:
        return f"{self.gate} ({self.severity}, {self.state}): {self.text}"


# --- Public helpers ----------------------------------------------------------------------


def findings(
    guide: Any,
    answers: Mapping[str, object],
    today: dt.date,
    date_default: bool = True,
    *,
    now: dt.datetime | None = None,
    record: Sequence[dt.date] = (),
    in_record: bool = False,
) -> list[Finding]:
    """Every reason, per the reference, why the injection may not be given now.

    Args:
        date_default: an injection date not given is today (scripts, reference section 8);
            False where it is asked instead (a walkthrough), so that not given is unknown.
        now: the visit's clock (invariant 8); its date is ``today``. None: no time of day is
            known, and only dates are compared.
        record: the dates of the injections in the patient's record (invariants 10, 11).
        in_record: judged as a visit record (a walk), not as a ``check``.
    """
    return _Reading(guide, answers, today, date_default, now, record, in_record).run()


def must_not_be_ready(
    guide: Any,
    answers: Mapping[str, object],
    today: dt.date,
    date_default: bool = True,
    **over_time: Any,
) -> list[str]:
    """Why the injection may NOT be given now: every contraindication or stop that holds or
    is undecided, and every refused answer. Overrides are the caller's business."""
    return [str(f) for f in findings(guide, answers, today, date_default, **over_time)]


def contraindication_holds(
    guide: Any,
    answers: Mapping[str, object],
    today: dt.date,
    date_default: bool = True,
    **over_time: Any,
) -> list[str]:
    """Only the contraindications the answers decide (no undecided, no stops)."""
    return [
        str(f)
        for f in findings(guide, answers, today, date_default, **over_time)
        if f.severity == CONTRAINDICATION and f.state == HOLDS
    ]


def refused(
    guide: Any,
    answers: Mapping[str, object],
    today: dt.date,
    date_default: bool = True,
    **over_time: Any,
) -> list[str]:
    """Answers that contradict each other or break a bound (4.4.3, 4.4.4)."""
    found = findings(guide, answers, today, date_default, **over_time)
    return [str(f) for f in found if f.severity == REFUSED]


def injection_date(answers: Mapping[str, object], today: dt.date) -> object:
    """The date the evaluation is for: the answer, else today (reference section 8)."""
    value = answers.get("injection_date")
    return today if value is None else value


def days_opioid_free(last_use: dt.date, day: dt.date) -> int:
    """Whole calendar days from the last use to ``day`` (3.3: the 1st to the 8th is 7)."""
    return (day - last_use).days


def minimum_opioid_free_days(guide: Any, kind: str) -> int | None:
    """The minimum in force for the last opioid; None where no interval is established
    (extended-release buprenorphine) or the pack has no figure for the kind."""
    if kind == BUP_ER:
        return None
    table = guide.setting_values.get("min_opioid_free_days")
    value = table.get(kind) if isinstance(table, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def earliest_injection_date(guide: Any, last_use: dt.date, kind: str) -> dt.date | None:
    """The date of last use plus the minimum (3.3); None when there is no such date."""
    minimum = minimum_opioid_free_days(guide, kind)
    if minimum is None:
        return None
    try:
        return last_use + dt.timedelta(days=minimum)
    except OverflowError:
        return None


def valid_override_codes(guide: Any) -> frozenset[str]:
    return frozenset(c.code for c in guide.meta.override_codes)


def override_is_valid(guide: Any, code: str, comment: str) -> bool:
    """A coded reason the pack knows and a comment (4.1, invariant 4.4.6)."""
    return code in valid_override_codes(guide) and bool(comment.strip())


def override_binds(
    gate: str,
    given_for: Mapping[str, object],
    today_then: dt.date,
    answers: Mapping[str, object],
    today: dt.date,
) -> bool:
    """Whether an override given for the answers ``given_for`` (on ``today_then``) still
    stands for ``answers`` (on ``today``): the stop's own answers are unchanged."""
    keys = GATE_INPUTS.get(gate)
    if keys is None:
        return False
    for key in keys:
        if key == "injection_date":
            if injection_date(given_for, today_then) != injection_date(answers, today):
                return False
        elif given_for.get(key) != answers.get(key):
            return False
    return True


# --- Site limits (reference 4.3) --------------------------------------------------------

ROUTES = ("IV", "SC", "IV or SC")
FIXED_SETTINGS = (
    "dose",
    "dose_interval_days",
    "blockade_days",
    "minimum_age",
    "naloxone_observation_minutes",
)
"""Not site-adjustable at all (4.3, last paragraph)."""


def site_problems(shipped: Any, site: Mapping[str, object]) -> list[str]:
    """Why a site file's settings go beyond the limits of 4.3 (empty when they do not).

    ``shipped`` is the pack loaded without a site. Where 4.3 puts the limit at the
    shipped default (every row but one: minimum days after short-acting opioids and
    fentanyl, after an unknown opioid, the COWS threshold, the challenge window, both
    liver multiples), the default is read as the limit, so no number is restated here.
    The remaining row, methadone and buprenorphine, is limited by "never shorter than after
    short-acting opioids", that is by the short-acting limit.
    """
    base = shipped.setting_values
    out: list[str] = []

    def number(x: object) -> float | None:
        if isinstance(x, bool) or not isinstance(x, int | float):
            return None
        return float(x)

    caution = number(site.get("liver_caution_multiple", base.get("liver_caution_multiple")))
    for name, value in site.items():
        given = number(value)
        if name in FIXED_SETTINGS:
            out.append(f"{name}: not site-adjustable")
        elif name == "min_opioid_free_days":
            if not isinstance(value, Mapping):
                out.append(f"{name}: not a table")
                continue
            shipped_table = base[name]
            for kind, days in value.items():
                limit_kind = "short_acting" if kind in ("methadone", "buprenorphine") else kind
                if kind == BUP_ER:
                    out.append(f"{name}.{kind}: no interval is established; no site may set one")
                elif kind not in KINDS:
                    out.append(f"{name}.{kind}: not an opioid kind")
                elif (n := number(days)) is None or n < shipped_table[limit_kind]:
                    out.append(f"{name}.{kind}: below the 4.3 limit")
        elif name in ("challenge_required_within_days", "post_injection_observation_minutes"):
            floor = base[name] if name == "challenge_required_within_days" else 0
            if given is None or given < floor:
                out.append(f"{name}: below the 4.3 limit")
        elif name in ("cows_threshold", "liver_caution_multiple", "liver_stop_multiple"):
            if given is None or given > base[name]:
                out.append(f"{name}: above the 4.3 limit")
            elif name == "liver_stop_multiple" and caution is not None and given < caution:
                out.append(f"{name}: below the caution multiple")
        elif name == "naloxone_challenge_route" and value not in ROUTES:
            out.append(f"{name}: not one of {ROUTES}")
        elif name == "rapid_naltrexone_days_required":
            # 4.3: more days is stricter; at least the shipped default (3).
            if isinstance(value, bool) or not isinstance(value, int) or value < base[name]:
                out.append(f"{name}: below the 4.3 limit")
        elif name == "rapid_challenge_required" and not isinstance(value, bool):
            # 4.3: a site may only add the challenge (false is the shipped default).
            out.append(f"{name}: not true or false")
    return out


# --- The reading -------------------------------------------------------------------------


class _Reading:
    """The reference applied to one set of answers on one day."""

    def __init__(
        self,
        guide: Any,
        answers: Mapping[str, object],
        today: dt.date,
        date_default: bool,
        now: dt.datetime | None = None,
        record: Sequence[dt.date] = (),
        in_record: bool = False,
    ) -> None:
        self.guide = guide
        self.answers = answers
        self.today = today
        self.date_default = date_default
        self.now = None if now is None else aware(now)
        self.record = tuple(record)
        self.in_record = in_record
        self.out: list[Finding] = []
        self.rapid_first_day: dt.date | None = None

    # -- recording -------------------------------------------------------------------

    def holds(self, gate: str, severity: str, text: str) -> None:
        self.out.append(Finding(gate, severity, HOLDS, text))

    def undecided(self, gate: str, severity: str, text: str) -> None:
        self.out.append(Finding(gate, severity, UNDECIDED, text))

    def refuse(self, text: str) -> None:
        self.out.append(Finding("answers", REFUSED, HOLDS, text))

    # -- reading answers (a value of the wrong type is refused and counts as missing) ---

    def flag(self, key: str) -> bool | None:
        value = self.answers.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.refuse(f"{key}={value!r} is not yes or no")
        return None

    def date(self, key: str) -> dt.date | None:
        value = self.answers.get(key)
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        self.refuse(f"{key}={value!r} is not a date")
        return None

    def whole(self, key: str) -> int | None:
        value = self.answers.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.refuse(f"{key}={value!r} is not a whole number")
        return None

    def number(self, key: str) -> int | float | None:
        value = self.answers.get(key)
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        self.refuse(f"{key}={value!r} is not a number")
        return None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.answers.get(key)
        if value is None or value in allowed:
            return value
        self.refuse(f"{key}={value!r} is not one of {allowed}")
        return None

    def setting(self, name: str, gate: str, severity: str) -> Any:
        """A number in force; its absence leaves the gate undecided (it cannot be checked)."""
        value = self.guide.setting_values.get(name)
        if value is None:
            self.undecided(gate, severity, f"the pack has no setting {name}: cannot check")
        return value

    # -- the whole reading -----------------------------------------------------------

    def run(self) -> list[Finding]:
        self.every_visit()
        self.visit()
        self.after_now()
        return self.out

    def after_now(self) -> None:
        """Invariant 8: a result timed after ``now`` is refused, whatever route gave it."""
        if self.now is None:
            return
        for what, at in timed_results(self.answers, self.now):
            if at > self.now:
                self.refuse(f"{what} at {at.isoformat()} is after now ({self.now.isoformat()})")

    def yes_is_bad(self, gate: str, severity: str, key: str, what: str) -> None:
        value = self.flag(key)
        if value is True:
            self.holds(gate, severity, what)
        elif value is None:
            self.undecided(gate, severity, f"{key} not answered")

    def every_visit(self) -> None:
        """Checks that 3.2 and 4.2 put before every injection, first or repeat."""
        # 3.2.1 and 3.2.4: contraindications of the medicine itself.
        self.yes_is_bad(
            "opioid_analgesics",
            CONTRAINDICATION,
            "opioid_analgesics",
            "receiving opioid analgesics or pain expected to need them (3.2.1)",
        )
        self.yes_is_bad(
            "hypersensitivity",
            CONTRAINDICATION,
            "hypersensitivity",
            "known hypersensitivity to naltrexone, PLG, carboxymethylcellulose or diluent (3.2.4)",
        )
        consent = self.flag("consent")
        if consent is False:
            self.holds("consent", CONTRAINDICATION, "informed consent not recorded (4.2)")
        elif consent is None:
            self.undecided("consent", CONTRAINDICATION, "consent not answered")
        kit = self.flag("kit_storage_ok")
        if kit is False:
            self.holds("kit_storage", CONTRAINDICATION, "kit stored outside limits or expired")
        elif kit is None:
            self.undecided("kit_storage", CONTRAINDICATION, "kit_storage_ok not answered")
        # 4.2 stops. The medical evaluation and the pre-injection checks have no visit
        # qualifier in the reference, so they stand before every injection.
        pregnancy = self.choice("pregnancy_test", PREGNANCY_VALUES)
        if pregnancy == "positive":
            self.holds("pregnancy", STOP, "pregnancy test positive")
        elif pregnancy is None:
            self.undecided("pregnancy", STOP, "pregnancy_test not answered")
        self.yes_is_bad("breastfeeding", STOP, "breastfeeding", "breastfeeding")
        self.age()
        self.liver()
        habitus = self.choice("body_habitus", HABITUS_VALUES)
        if habitus == "unsuitable":
            self.holds("body_habitus", STOP, "habitus prevents an IM gluteal injection")
        elif habitus is None:
            self.undecided("body_habitus", STOP, "body_habitus not answered")

    def age(self) -> None:
        age = self.whole("age")
        minimum = self.setting("minimum_age", "age", STOP)
        if age is None:
            self.undecided("age", STOP, "age not answered")
        elif minimum is not None and age < minimum:
            self.holds("age", STOP, f"age {age} is under {minimum}")

    def liver(self) -> None:
        hepatitis = self.flag("acute_hepatitis")
        lft = self.number("lft_multiple_uln")
        limit = self.setting("liver_stop_multiple", "liver", STOP)
        above = None if lft is None or limit is None else lft > limit
        if hepatitis is True or above is True:
            self.holds("liver", STOP, f"acute hepatitis {hepatitis}, ALT/AST {lft} x ULN")
        elif hepatitis is None or above is None:
            self.undecided("liver", STOP, "acute_hepatitis or lft_multiple_uln not answered")

    def visit(self) -> None:
        """Section 7 and invariant 4.4.3: which flow, on which day."""
        visit = self.choice("visit", (FIRST, REPEAT))
        day: dt.date | None = self.date("injection_date")
        if "injection_date" not in self.answers or self.answers["injection_date"] is None:
            day = self.today if self.date_default else None
            if day is None:
                self.undecided("visit", CONTRAINDICATION, "injection_date not answered")
        if day is not None and day > self.today:
            self.refuse(f"injection_date {day} is after today {self.today}: a plan, not a visit")
        if visit is None:
            self.undecided("visit", CONTRAINDICATION, "visit not answered: which flow is unknown")
            # What the readiness answers decide still counts for a first injection: a
            # contraindication they show holds in the flow where they apply.
            self.readiness(day, None)
            return
        recorded = max(self.record) if self.record else None
        if visit == FIRST:
            # Section 7 and invariant 10: the visit type follows the record, and a last
            # injection given beside "first injection" contradicts the path taken.
            if recorded is not None:
                self.refuse(f"first injection, but the record holds an injection of {recorded}")
            given = self.date("last_injection_date")
            if given is not None:
                self.refuse(f"first injection beside last_injection_date {given}")
            # Invariant 10 likewise: a reaction to an earlier dose (an allergic reaction after
            # it, or one found at its site) says there was one.
            if self.answers.get("reaction_after_last_dose") is True:
                self.refuse("first injection beside an allergic reaction after the last dose")
            if self.answers.get("injection_site_reaction") in ("mild", "severe"):
                self.refuse("first injection beside a reaction at the previous injection site")
            self.readiness(day, None)
            return
        last_injection = self.date("last_injection_date")
        if recorded is not None:
            # Items 10 and 11: the record's last injection stands; an older date given is
            # refused. A later date given is taken (the reading that blocks less would be
            # the older record, which no reference supports over a later dose).
            if last_injection is None:
                last_injection = recorded
            elif last_injection < recorded:
                self.refuse(
                    f"last_injection_date {last_injection} is older than the record's {recorded}"
                )
                last_injection = recorded
        if last_injection is not None and day is not None and last_injection > day:
            self.refuse(f"last_injection_date {last_injection} is after the injection {day}")
        if self.monthly_visit() is False:
            return  # the visit ends the treatment: no injection is given (section 10)
        self.dose_timing(day, last_injection)
        used = self.flag("opioid_use_since_last_injection")
        last_use = self.answers.get("last_opioid_use")
        if (
            used is False
            and isinstance(last_use, dt.date)
            and last_injection is not None
            and last_use > last_injection
        ):
            # Invariant 10: "no use since the last injection" beside a use dated after it.
            self.refuse(
                f"no opioid use since the last injection ({last_injection}) beside a last "
                f"use on {last_use}"
            )
        induction = self.new_induction(day, last_injection, used)
        if induction is None:
            self.undecided(
                "readiness",
                CONTRAINDICATION,
                "not known whether this repeat visit is a new induction (section 7)",
            )
        if induction is not False:
            self.readiness(day, last_injection if used else None)
        elif self.late(day, last_injection) is not False:
            # Section 9 (overdue_dose): the urine screen is required at any late visit, and
            # a positive screen is a contraindication (3.2.3) whatever the visit.
            self.urine_screen(False)

    def late(self, day: dt.date | None, last_injection: dt.date | None) -> bool | None:
        """Section 9: a repeat visit after the due date (last injection + the interval)."""
        interval = self.guide.setting_values.get("dose_interval_days")
        if day is None or last_injection is None or not isinstance(interval, int):
            return None
        return (day - last_injection).days > interval

    def monthly_visit(self) -> bool | None:
        """Sections 9 and 10 on a repeat visit. False: the visit ends the treatment (no
        injection at all); otherwise the previous site and an allergic reaction after the
        last dose are judged."""
        ended = self.flag("end_of_treatment")
        if ended is True:
            self.holds("end_of_treatment", CONTRAINDICATION, "the visit ends the treatment")
            return False
        if ended is None:
            # The reading that blocks less would go on as a continuing visit; the product
            # asks, and an unanswered question is never ready.
            self.undecided("end_of_treatment", CONTRAINDICATION, "end_of_treatment not answered")
        # 4.2 and section 9: a severe reaction at the previous site is a stop; not examined
        # leaves it undecided.
        site = self.choice("injection_site_reaction", SITE_REACTIONS)
        if site == "severe":
            self.holds("injection_site_reaction", STOP, "severe reaction at the previous site")
        elif site in (None, "not_examined"):
            self.undecided("injection_site_reaction", STOP, f"previous site: {site}")
        # 4.2 and section 9: urticaria, angioedema or anaphylaxis after the last dose is
        # hypersensitivity (label sections 4, 5.8): a contraindication.
        self.yes_is_bad(
            "hypersensitivity",
            CONTRAINDICATION,
            "reaction_after_last_dose",
            "an allergic reaction after the last dose (section 9)",
        )
        return True

    def dose_timing(self, day: dt.date | None, last_injection: dt.date | None) -> None:
        """Section 7: a stop for a repeat injection too soon after the last one."""
        stop_days = self.setting("early_repeat_stop_days", "dose_timing", STOP)
        if last_injection is None or day is None:
            self.undecided("dose_timing", STOP, "last_injection_date or the date not answered")
            return
        since = (day - last_injection).days
        if stop_days is not None and since < stop_days:
            self.holds("dose_timing", STOP, f"{since} days after the last injection")

    def new_induction(
        self, day: dt.date | None, last_injection: dt.date | None, used: bool | None
    ) -> bool | None:
        """Section 7: use after the blockade wore off, or use judged significant."""
        if used is False:
            return False
        blockade = self.guide.setting_values.get("blockade_days")
        if used is None or last_injection is None or blockade is None or day is None:
            return True if used and self.answers.get("opioid_use_significant") is True else None
        if (day - last_injection).days > blockade:
            return True
        return self.flag("opioid_use_significant")

    def readiness(self, day: dt.date | None, last_injection: dt.date | None) -> None:
        """3.3, 3.4 and section 6: interval or rapid pathway, screen, withdrawal, challenge.

        ``last_injection`` is given on a repeat visit with opioid use since it: that use
        cannot be dated before it (4.4.4)."""
        # 4.2 `indication`: the guide is for opioid use disorder (label section 1). Read
        # with the history that asks it (the reading that blocks less on a repeat visit
        # that is not a new induction, where the history is not taken again).
        diagnosis = self.flag("oud_diagnosis")
        if diagnosis is False:
            self.holds("indication", STOP, "opioid use disorder diagnosis not confirmed")
        elif diagnosis is None:
            self.undecided("indication", STOP, "oud_diagnosis not answered")
        kind = self.choice("last_opioid_kind", KINDS)
        last_use = self.date("last_opioid_use")
        if last_use is not None and day is not None and last_use > day:
            self.refuse(f"last_opioid_use {last_use} is after the injection date {day}")
        if last_use is not None and last_injection is not None and last_use < last_injection:
            self.refuse(
                f"opioid use since the last injection ({last_injection}) dated {last_use}, "
                "before it"
            )
        free = None if last_use is None or day is None else days_opioid_free(last_use, day)
        rapid = self.interval(kind, free)
        first_day = self.rapid_first_day
        if rapid is not False and last_use is not None and first_day and last_use > first_day:
            # Section 6 (clarified): any opioid use after day 1 fails the pathway.
            self.holds(
                "rapid_pathway",
                CONTRAINDICATION,
                f"opioid use on {last_use}, after day 1 ({self.rapid_first_day})",
            )
        self.urine_screen(rapid)
        self.withdrawal(day)
        self.challenge(kind, free, day, rapid)
        self.challenge_during_withdrawal(rapid)

    def challenge_during_withdrawal(self, rapid: bool | None) -> None:
        """5.2: the challenge is not done if the patient shows withdrawal or the urine
        contains opioids, so a negative one given beside a positive assay (buprenorphine
        excepted on the rapid pathway, or where the pathway is not known: the reading that
        blocks less) or a COWS total at or above the threshold contradicts them (4.4.4).
        Read for the single answers only; a timed series is ordered by its times."""
        if self.answers.get("naloxone_challenge") != "negative":
            return
        if self.answers.get(CHALLENGES) is not None or self.answers.get(RATINGS) is not None:
            return
        positive = [
            k
            for k in UDS_KEYS
            if self.answers.get(k) == "positive"
            and not (k == "uds_buprenorphine" and rapid is not False)
        ]
        total = self.answers.get("cows_total")
        threshold = self.guide.setting_values.get("cows_threshold")
        withdrawal = (
            isinstance(total, int)
            and not isinstance(total, bool)
            and isinstance(threshold, int | float)
            and total >= threshold
        )
        if positive or withdrawal:
            self.refuse(
                f"a negative naloxone challenge beside {', '.join(positive) or 'no positive assay'}"
                f" and COWS {total} (5.2: not done then)"
            )

    def interval(self, kind: str | None, free: int | None) -> bool | None:
        """The opioid-free interval (3.3), or the rapid pathway in its place (section 6).

        Returns whether the patient is on the rapid pathway (None: not known).
        """
        pathway_answer = self.choice("pathway", PATHWAYS)
        if kind == BUP_ER:
            # Invariant 4.4.7: always blocks, on every pathway; never the rapid pathway.
            self.holds(
                "opioid_free_interval",
                CONTRAINDICATION,
                "extended-release buprenorphine: no interval established; consult a specialist",
            )
            return False
        minimum = None if kind is None else minimum_opioid_free_days(self.guide, kind)
        if kind is not None and minimum is None:
            self.undecided(
                "opioid_free_interval", CONTRAINDICATION, f"the pack has no minimum for {kind}"
            )
        if kind is None or free is None or minimum is None:
            if kind is None or free is None:
                self.undecided(
                    "opioid_free_interval",
                    CONTRAINDICATION,
                    "last_opioid_kind or last_opioid_use not answered",
                )
            # Whether the rapid pathway applies depends on the interval: not known, unless
            # the standard pathway was chosen (or nothing was: the standard pathway).
            if pathway_answer in (None, STANDARD):
                return False
            for key in RAPID_KEYS:
                if self.flag(key) is not True:
                    self.undecided(
                        "rapid_pathway",
                        CONTRAINDICATION,
                        f"{key} is not yes, if the pathway applies",
                    )
            for text in self.rapid_problems():
                self.undecided("rapid_pathway", CONTRAINDICATION, f"{text}, if it applies")
            return None
        chosen = pathway_answer == RAPID and bool(self.answers.get(RAPID_DAYS))
        if free >= minimum and not chosen:
            return False  # the pathway is offered only when the interval is not met
        # Section 6 (clarified): once chosen, with its first day recorded, the pathway
        # stays chosen whatever the interval says by then.
        # Without a choice the patient is on the standard pathway (section 6 is the
        # alternative the clinician chooses).
        if pathway_answer in (None, STANDARD):
            self.holds(
                "opioid_free_interval",
                CONTRAINDICATION,
                f"opioid-free {free} days; {kind} needs at least {minimum}",
            )
            return False
        for key in RAPID_KEYS:
            value = self.flag(key)
            if value is False:
                self.holds("rapid_pathway", CONTRAINDICATION, f"{key} is no (section 6)")
            elif value is None:
                self.undecided("rapid_pathway", CONTRAINDICATION, f"{key} not answered")
        for text in self.rapid_problems():
            # Whether a missing record is undecided or holds does not matter to "ready".
            self.undecided("rapid_pathway", CONTRAINDICATION, text)
        return True

    def rapid_problems(self) -> list[str]:
        days = self.answers.get(RAPID_DAYS)
        if isinstance(days, list):
            firsts = [d.get("date") for d in days if isinstance(d, Mapping) and d.get("day") == 1]
            try:
                self.rapid_first_day = _as_date(firsts[0]) if len(firsts) == 1 else None
            except (TypeError, ValueError):
                self.rapid_first_day = None
        # The injection day's COWS is the latest rating of the day's one series (the day
        # record's ratings with the series'): section 6 with 5.1, as the withdrawal
        # check reads it.
        latest = None
        if self.answers.get(RATINGS) is not None:
            day = injection_date(self.answers, self.today)
            latest = self.series_total(day) if isinstance(day, dt.date) else None
        return rapid_record_problems(self.guide, self.answers, self.today, self.now, latest)

    def urine_screen(self, rapid: bool | None) -> None:
        """3.4: any positive is a contraindication, any not done a stop. On the rapid
        pathway buprenorphine is given by the protocol and does not count (section 6)."""
        for key in UDS_KEYS:
            counts: bool | None = True
            if key == "uds_buprenorphine":
                counts = None if rapid is None else not rapid
            if counts is False:
                continue
            value = self.choice(key, UDS_VALUES)
            if value is None:
                self.undecided("urine_drug_screen", CONTRAINDICATION, f"{key} not answered")
            elif value == "positive":
                if counts:
                    self.holds("urine_drug_screen", CONTRAINDICATION, f"{key} positive")
                else:
                    self.undecided(
                        "urine_drug_screen", CONTRAINDICATION, f"{key} positive; pathway unknown"
                    )
            elif value == "not_done":
                if counts:
                    self.holds("urine_drug_screen", STOP, f"{key} not done")
                else:
                    self.undecided("urine_drug_screen", STOP, f"{key} not done; pathway unknown")

    def withdrawal(self, day: dt.date | None = None) -> None:
        """3.2.2 and 3.4: a COWS total at or above the threshold is withdrawal present. The
        ratings of the injection day are one series whatever route recorded them: a file's
        ``cows_ratings`` and the rapid pathway's day record of that day alike."""
        series = self.answers.get(RATINGS) is not None or bool(self.day_record_ratings(day))
        total = self.series_total(day) if series else self.cows_total()
        threshold = self.setting("cows_threshold", "withdrawal", CONTRAINDICATION)
        if total is None:
            self.undecided("withdrawal", CONTRAINDICATION, "no COWS total or item scores")
        elif threshold is not None and total >= threshold:
            self.holds("withdrawal", CONTRAINDICATION, f"COWS {total} >= {threshold}")

    def cows_total(self) -> int | None:
        """The total given, else the sum of all eleven item scores (5.1); refuses a total
        that the item scores contradict (4.4.4) and scores the scale does not allow."""
        allowed: dict[str, frozenset[int]] = {}
        for item in COWS_ITEMS:
            cq = self.guide.questions.get(f"cows_{item}")
            # No getattr fallback: a renamed field must fail here, not silently drop a check.
            choices = cq.spec.choices if cq is not None else None
            if choices:
                allowed[item] = frozenset(c.value for c in choices)
        scores: dict[str, int] = {}
        bad = False
        for item in COWS_ITEMS:
            score = self.whole(f"cows_{item}")
            if score is None:
                continue
            if score < 0 or (item in allowed and score not in allowed[item]):
                self.refuse(f"cows_{item}={score} is not an allowed score (5.1)")
                bad = True
                continue
            scores[item] = score
        top = sum(max(a) for a in allowed.values()) if len(allowed) == len(COWS_ITEMS) else None
        total = self.whole("cows_total")
        if total is not None:
            if total < 0 or (top is not None and total > top):
                self.refuse(f"cows_total={total} is outside the scale")
                return None
            partial = sum(scores.values())
            if len(scores) == len(COWS_ITEMS) and partial != total:
                self.refuse(f"cows_total {total} but the item scores sum to {partial}")
                return None
            if partial > total:
                self.refuse(f"cows_total {total} but item scores given already sum to {partial}")
                return None
            return None if bad else total
        if bad or len(scores) < len(COWS_ITEMS):
            return None
        return sum(scores.values())

    def challenge(
        self,
        kind: str | None,
        free: int | None,
        day: dt.date | None = None,
        rapid: bool | None = False,
    ) -> None:
        """3.4 and 5.2: positive is a contraindication; required and not done is a stop.
        On the rapid pathway's injection day it is not required unless the site requires
        it (section 6, clarified); a positive blocks on every pathway."""
        within = self.setting("challenge_required_within_days", "naloxone_challenge", STOP)
        required: bool | None
        if kind in ("fentanyl", "unknown") or (
            free is not None and within is not None and free < within
        ):
            required = True
        elif kind is None or free is None or within is None:
            required = None
        else:
            required = False
        if (
            rapid is not False
            and self.guide.setting_values.get("rapid_challenge_required") is not True
        ):
            # On the pathway not required; whether the patient is on it unknown: the reading
            # that blocks less (the pathway's).
            required = False
        if self.answers.get(CHALLENGES) is not None:
            self.challenge_series(day, required)
            return
        value = self.choice("naloxone_challenge", CHALLENGE_VALUES)
        if value == "negative" and self.in_record:
            # in a visit record a negative result needs the time the naloxone was
            # given; a bare one (a flag) is not counted.
            value = None
        if value is None:
            self.undecided(
                "naloxone_challenge", CONTRAINDICATION, "naloxone_challenge not answered"
            )
        elif value == "positive":
            self.after_positive()
        elif value == "not_done" and required:
            self.holds("naloxone_challenge", STOP, "challenge required and not done")
        elif value == "not_done" and required is None:
            self.undecided(
                "naloxone_challenge", STOP, "not known whether the challenge is required"
            )

    def after_positive(self) -> None:
        """5.2: any sign of withdrawal is positive; a rechallenge may be done within the
        window. Only a negative rechallenge inside it lifts the positive challenge; a
        positive one stays a contraindication; one outside the window is no rechallenge."""
        again = self.choice("naloxone_rechallenge", CHALLENGE_VALUES)
        if again in (None, "not_done"):
            self.holds("naloxone_challenge", CONTRAINDICATION, "naloxone challenge positive")
            return
        if again == "positive":
            self.holds("naloxone_challenge", CONTRAINDICATION, "rechallenge positive")
            return
        if self.in_record:
            self.holds(
                "naloxone_challenge",
                CONTRAINDICATION,
                "rechallenge negative without the time the naloxone was given",
            )
            return
        hours = self.number("naloxone_rechallenge_hours")
        window = self.setting(
            "naloxone_rechallenge_window_hours", "naloxone_challenge", CONTRAINDICATION
        )
        if hours is None:
            self.undecided(
                "naloxone_challenge", CONTRAINDICATION, "rechallenge negative, time unknown"
            )
        elif hours < 0 or (window is not None and hours > window):
            self.refuse(f"rechallenge {hours} hours after the positive challenge")

    # -- results with their times (5.1, 5.2, items 8 and 9) ------------------------------

    def time_of(self, value: object, what: str) -> dt.datetime | None:
        try:
            return as_time(value)
        except (TypeError, ValueError):
            self.refuse(f"{what}: {value!r} is not a date and time")
            return None

    def day_of(self, at: dt.datetime) -> dt.date:
        """The local day of a time (the zone of ``now``, else the run's)."""
        return at.astimezone(self.now.tzinfo).date() if self.now else at.astimezone().date()

    def bare_time(self) -> dt.datetime | None:
        """When a single answer given beside a series stands: appended now."""
        return self.now

    def entry_total(self, entry: Mapping[str, Any], what: str) -> int | None:
        allowed = cows_scores(self.guide)
        items = entry.get("items")
        total = entry.get("total")
        summed: int | None = None
        if items is not None:
            if not isinstance(items, Mapping) or set(items) != set(COWS_ITEMS):
                self.refuse(f"{what}: items are not the eleven COWS items")
                return None
            for item, score in items.items():
                if isinstance(score, bool) or not isinstance(score, int):
                    self.refuse(f"{what}: {item}={score!r} is not a score")
                    return None
                if item in allowed and score not in allowed[item]:
                    self.refuse(f"{what}: {item}={score} is not an allowed score (5.1)")
                    return None
            summed = sum(items.values())
        if total is not None:
            top = sum(max(v) for v in allowed.values()) if allowed else None
            if isinstance(total, bool) or not isinstance(total, int):
                self.refuse(f"{what}: total {total!r} is not a whole number")
                return None
            if total < 0 or (top is not None and total > top):
                self.refuse(f"{what}: total {total} is outside the scale")
                return None
            if summed is not None and summed != total:
                self.refuse(f"{what}: total {total} but its items sum to {summed}")
                return None
            return total
        if summed is None:
            self.refuse(f"{what}: neither items nor a total")
        return summed

    def series_total(self, day: dt.date | None) -> int | None:
        """5.1 and invariants 8, 9: the latest rating of the injection day, with corrections
        applied to the rating they name (both stay in the record); a single answer given
        beside the series is a rating appended now."""
        series = self.answers.get(RATINGS, [])
        if not isinstance(series, list):
            self.refuse(f"{RATINGS} is not a list")
            return None
        ratings: dict[dt.datetime, int | None] = {}
        corrections: list[tuple[dt.datetime, dt.datetime, int | None]] = []
        for n, entry in enumerate(series):
            what = f"COWS rating {n}"
            if not isinstance(entry, Mapping):
                self.refuse(f"{what} is not an object")
                continue
            at = self.time_of(entry.get("at"), what)
            total = self.entry_total(entry, what)
            if at is None:
                continue
            if entry.get("corrects") is not None:
                target = self.time_of(entry.get("corrects"), f"{what}: corrects")
                if not str(entry.get("reason") or "").strip():
                    self.refuse(f"{what}: a correction without a reason")
                if target is not None:
                    corrections.append((at, target, total))
                continue
            if at in ratings:
                self.refuse(f"{what}: two ratings at {at.isoformat()}: which is latest is unknown")
                ratings[at] = None
                continue
            ratings[at] = total
        for _, target, total in sorted(corrections, key=lambda c: c[0]):
            if target not in ratings:
                self.refuse(f"a correction names no rating at {target.isoformat()}")
            else:
                ratings[target] = total
        day_record = self.day_record_ratings(day)
        for at, total in day_record.items():
            if at in ratings and ratings[at] != total:
                self.refuse(f"two COWS totals at {at.isoformat()}: which stands is unknown")
                ratings[at] = None
            else:
                ratings[at] = total
        single = any(self.answers.get(k) is not None for k in ("cows_total", *_ITEM_KEYS))
        if single and day_record:
            # Beside the day record's ratings a single rating has no time to be ordered by:
            # it may only repeat their latest (a recorded rating is never replaced).
            latest = day_record[max(day_record)]
            if self.cows_total() != latest:
                self.refuse("a single COWS rating beside the day record's ratings of the day")
            single = False
        if single:
            at = self.bare_time()
            bare = self.cows_total()
            if at is None or at in ratings:
                return None
            ratings[at] = bare
        if day is None:
            return None
        of_day = [at for at in ratings if self.day_of(at) == day]
        if not of_day:
            return None
        return ratings[max(of_day)]

    def day_record_ratings(self, day: dt.date | None) -> dict[dt.datetime, int | None]:
        """The COWS ratings the rapid pathway's day record holds for ``day`` (section 6),
        by their time on that day."""
        out: dict[dt.datetime, int | None] = {}
        days = self.answers.get(RAPID_DAYS)
        if day is None or not isinstance(days, list):
            return out
        for d in days:
            if not isinstance(d, Mapping):
                continue
            try:
                on = _as_date(d.get("date"))
            except (TypeError, ValueError):
                continue
            if on != day:
                continue
            for r in d.get("cows") or ():
                if not isinstance(r, Mapping):
                    continue
                try:
                    at = rating_time(on, r.get("time"))
                except (TypeError, ValueError):
                    continue
                total = r.get("total")
                out[at] = total if isinstance(total, int) and not isinstance(total, bool) else None
        return out

    def challenge_series(self, day: dt.date | None, required: bool | None) -> None:
        """5.2 and invariant 9 over timed results: every positive stands unless a negative
        rechallenge of the injection day comes after all of them, within the window of
        each; a correction never lifts a positive. A repeat of the injection day later than
        a positive's window, on another day than it, is not a rechallenge but that day's new
        challenge (5.2): that positive is then left behind for the day. Without a standing
        positive, the latest challenge (or such repeat) of the injection day counts."""
        series = self.answers.get(CHALLENGES)
        gate = "naloxone_challenge"
        if not isinstance(series, list):
            self.refuse(f"{CHALLENGES} is not a list")
            return
        observe = self.guide.setting_values.get("naloxone_observation_minutes")
        window = self.guide.setting_values.get("naloxone_rechallenge_window_hours")
        originals: dict[dt.datetime, dict[str, Any]] = {}
        fixes: list[dict[str, Any]] = []
        for n, entry in enumerate(series):
            what = f"challenge entry {n}"
            if not isinstance(entry, Mapping):
                self.refuse(f"{what} is not an object")
                continue
            at = self.time_of(entry.get("at"), what)
            kind = entry.get("kind", "challenge")
            result = entry.get("result")
            if kind not in ("challenge", "rechallenge") or result not in CHALLENGE_VALUES:
                self.refuse(f"{what}: kind {kind!r}, result {result!r}")
                continue
            started = None
            if entry.get("started") is not None:
                started = self.time_of(entry.get("started"), f"{what}: started")
            if at is None:
                continue
            # A negative needs its observation (5.2); the time a positive or a "not done"
            # was started is not read (the reading that blocks less).
            short = (
                started is not None
                and isinstance(observe, int | float)
                and at - started < dt.timedelta(minutes=observe)
            )
            if result == "negative" and short:
                self.refuse(f"{what}: negative before the {observe}-minute observation")
                continue
            e = {"at": at, "kind": kind, "result": result, "started": started}
            if entry.get("corrects") is not None:
                if not str(entry.get("reason") or "").strip():
                    self.refuse(f"{what}: a correction without a reason")
                e["corrects"] = self.time_of(entry.get("corrects"), f"{what}: corrects")
                fixes.append(e)
            elif at in originals:
                self.refuse(f"{what}: two results at {at.isoformat()}")
            else:
                originals[at] = e
        for key, kind in (
            ("naloxone_challenge", "challenge"),
            ("naloxone_rechallenge", "rechallenge"),
        ):
            value = self.choice(key, CHALLENGE_VALUES)
            at = self.bare_time()
            if value is not None and at is not None and at not in originals:
                originals[at] = {"at": at, "kind": kind, "result": value, "started": None}
        positives = [e["at"] for e in originals.values() if e["result"] == "positive"]
        for fix in sorted(fixes, key=lambda f: f["at"]):
            target = originals.get(fix["corrects"])
            if target is None:
                self.refuse(f"a correction names no result at {fix['corrects']}")
                continue
            if fix["result"] == "positive":
                positives.append(target["at"])
            target["result"] = fix["result"]
            target["started"] = fix["started"] or target["started"]

        def counts(e: dict[str, Any]) -> bool:
            """A negative of the injection day that counts in this kind of verdict."""
            if e["result"] != "negative" or day is None or self.day_of(e["at"]) != day:
                return False
            return e["started"] is not None or not self.in_record

        if positives and isinstance(window, int | float):
            span = dt.timedelta(hours=window)

            def left_behind(p: dt.datetime) -> bool:
                return any(
                    day is not None
                    and e["result"] != "not_done"
                    and self.day_of(e["at"]) == day
                    and self.day_of(e["at"]) != self.day_of(p)
                    and e["at"] > p + span
                    for e in originals.values()
                )

            positives = [p for p in positives if not left_behind(p)]
        if positives:
            if not isinstance(window, int | float):
                self.undecided(gate, CONTRAINDICATION, "no rechallenge window in the pack")
                return
            span = dt.timedelta(hours=window)
            lifted = any(
                e["kind"] == "rechallenge"
                and counts(e)
                and all(p < e["at"] <= p + span for p in positives)
                for e in originals.values()
            )
            if not lifted:
                self.holds(gate, CONTRAINDICATION, "a positive challenge stands (5.2)")
            return
        # Past here every positive was left behind: a rechallenge of the day is then a
        # repeat past its window, the day's new challenge. Without any positive a lone
        # rechallenge is no result of the day.
        any_positive = any(e["result"] == "positive" for e in originals.values())
        of_day = [
            e
            for e in originals.values()
            if day is not None
            and self.day_of(e["at"]) == day
            and (e["kind"] == "challenge" or (any_positive and e["kind"] == "rechallenge"))
        ]
        latest = max(of_day, key=lambda e: e["at"]) if of_day else None
        value = None if latest is None else latest["result"]
        if value == "negative" and latest is not None and not counts(latest):
            value = None
        if value is None:
            self.undecided(gate, CONTRAINDICATION, "no challenge result of the injection day")
        elif value == "not_done" and required:
            self.holds(gate, STOP, "challenge required and not done")
        elif value == "not_done" and required is None:
            self.undecided(gate, STOP, "not known whether the challenge is required")


# --- A series of results (5.1, 5.2) ----------------------------------------------

_ITEM_KEYS = tuple(f"cows_{item}" for item in COWS_ITEMS)


def cows_scores(guide: Any) -> dict[str, frozenset[int]]:
    """The allowed scores of each COWS item, as the pack's questions hold them (5.1)."""
    out: dict[str, frozenset[int]] = {}
    for item in COWS_ITEMS:
        cq = guide.questions.get(f"cows_{item}")
        choices = cq.spec.choices if cq is not None else None
        if choices:
            out[item] = frozenset(c.value for c in choices)
    return out


def aware(at: dt.datetime) -> dt.datetime:
    """A time with its offset; one without is the run's local time."""
    return at if at.tzinfo is not None else at.astimezone()


def as_time(value: object) -> dt.datetime:
    """A result's time from a file (ISO text) or a typed value, with its offset."""
    if isinstance(value, dt.datetime):
        return aware(value)
    if isinstance(value, str):
        return aware(dt.datetime.fromisoformat(value))
    raise TypeError(value)


def rating_time(day: dt.date, value: object) -> dt.datetime:
    """A pathway day's rating time (``HH:MM``, offset optional) on that day."""
    if isinstance(value, dt.time):
        when = value
    elif isinstance(value, str):
        when = dt.time.fromisoformat(value)
    else:
        raise TypeError(value)
    return aware(dt.datetime.combine(day, when))


def timed_results(answers: Mapping[str, object], now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """Every time a result of the answers carries (what, when), for invariant 8."""
    out: list[tuple[str, dt.datetime]] = []
    for key, fields in ((RATINGS, ("at",)), (CHALLENGES, ("at", "started"))):
        entries = answers.get(key)
        if not isinstance(entries, list):
            continue
        for n, entry in enumerate(entries):
            for name in fields:
                raw = entry.get(name) if isinstance(entry, Mapping) else None
                if raw is None:
                    continue
                try:
                    out.append((f"{key}[{n}].{name}", as_time(raw)))
                except (TypeError, ValueError):
                    continue
    days = answers.get(RAPID_DAYS)
    for d in days if isinstance(days, list) else []:
        if not isinstance(d, Mapping):
            continue
        for r in d.get("cows") or []:
            try:
                at = rating_time(_as_date(d.get("date")), r.get("time"))
            except (TypeError, ValueError, AttributeError):
                continue
            out.append((f"rapid day {d.get('day')} rating", at))
    return out


def latest_rating_of_the_day(
    ratings: Sequence[tuple[dt.datetime, Mapping[str, int]]], day: dt.date
) -> Mapping[str, int] | None:
    """5.1 and invariant 3: of the ratings (time, answers), the one the withdrawal gate
    reads is the latest taken on the injection day; none of another day counts."""
    same_day = [(at, answers) for at, answers in ratings if at.date() == day]
    if not same_day:
        return None
    latest = max(at for at, _ in same_day)
    return [answers for at, answers in same_day if at == latest][-1]


def rapid_record_problems(
    guide: Any,
    answers: Mapping[str, object],
    today: dt.date,
    now: dt.datetime | None = None,
    series_latest: int | None = None,
) -> list[str]:
    """Section 6 (clarified 2026-12-05), read from the daily record (``rapid_days``, the
    answers-file shape): why the injection may not be given today on the rapid pathway.

    Ready only when the record holds every day from day 1 on consecutive dates, none after
    today, the last of them on the injection date and the protocol's injection day (the
    site's table names it; without one, the clinician confirms it on that day), never day
    1; every day tolerated; oral naltrexone given and tolerated on at least
    ``rapid_naltrexone_days_required`` days (the number in force) before the injection
    day; every COWS rating due recorded, none after ``now``; and the latest rating of the
    injection day below the threshold. Where the record and a site table disagree on the
    oral naltrexone days, the record's days are counted (the reading that blocks less).
    ``series_latest``: the latest rating of the injection day in the day's one series (the
    record's ratings with ``cows_ratings``), which the injection day's COWS is when given.

    The site's table is read from the pack (``guide.rapid_protocol``), as data."""
    days = answers.get(RAPID_DAYS)
    if not isinstance(days, list) or not days:
        return ["no daily record"]
    out: list[str] = []
    day = injection_date(answers, today)
    table = getattr(guide, "rapid_protocol", None)
    numbers = [d.get("day") for d in days]
    if sorted(map(str, numbers)) != sorted(map(str, range(1, len(days) + 1))):
        out.append(f"the days recorded are {numbers}, not 1..{len(days)} each once")
    try:
        dates = {int(d["day"]): _as_date(d["date"]) for d in days}
    except (KeyError, TypeError, ValueError):
        return ["a day without a day number or a date"]
    first = dates.get(1)
    for n, when in dates.items():
        if first is None or when != first + dt.timedelta(days=n - 1):
            out.append(f"day {n} is not on the calendar day after the day before it")
        if when > today:
            out.append(f"day {n} is after today")
    last = max(dates)
    if last < 2:
        out.append("the injection is never on day 1 (the buprenorphine day)")
    if dates[last] != day:
        out.append(f"the last day recorded ({dates[last]}) is not the injection date ({day})")
    if table is not None:
        injection = [t.day for t in table if t.injection]
        if injection != [last]:
            out.append(f"day {last} is not the table's injection day {injection}")
        due = {t.day for t in table if t.cows_due or t.injection}
        if last > len(table):
            out.append("a day beyond the site's table")
    else:
        confirmed = [int(d["day"]) for d in days if d.get("injection_day") is True]
        if confirmed != [last]:
            out.append(f"the day confirmed as the injection day is {confirmed}, not day {last}")
        due = set(dates)
    required = guide.setting_values.get("rapid_naltrexone_days_required")
    oral = [
        int(d["day"])
        for d in days
        if int(d["day"]) < last and d.get("naltrexone_given") is True and d.get("tolerated") is True
    ]
    if not isinstance(required, int) or isinstance(required, bool):
        out.append("the pack has no rapid_naltrexone_days_required: cannot check")
    elif len(oral) < required:
        out.append(
            f"oral naltrexone given and tolerated on {len(oral)} days before the injection "
            f"day; {required} needed"
        )
    for d in days:
        if d.get("tolerated") is not True:
            out.append(f"day {d['day']}: not recorded as given and tolerated")
        if int(d["day"]) in due and not d.get("cows"):
            out.append(f"day {d['day']}: the COWS rating due is missing")
        if table is not None and d.get("injection_day") is not None:
            row = next((t for t in table if t.day == d["day"]), None)
            if row is None or row.injection != d["injection_day"]:
                out.append(f"day {d['day']}: its injection day disagrees with the table")
    last_day = next(d for d in days if int(d["day"]) == last)
    ratings = last_day.get("cows") or []
    if not ratings:
        out.append("no COWS rating on the injection day")
        return out
    try:
        timed = [(rating_time(dates[last], r.get("time")), r) for r in ratings]
    except (TypeError, ValueError, AttributeError):
        return [*out, "a rating of the injection day without a time"]
    if now is not None and any(at > aware(now) for at, _ in timed):
        out.append("a rating of the injection day is after now")
    latest_at = max(at for at, _ in timed)
    latest = [r for at, r in timed if at == latest_at]
    threshold = guide.setting_values.get("cows_threshold")
    totals = [r.get("total") for r in latest]
    if len(latest) > 1:
        out.append("two ratings at the latest time of the injection day")
    total = totals[0]
    if series_latest is not None and dates[last] == day:
        total = series_latest
    if total is None or threshold is None or total >= threshold:
        out.append(f"COWS {total} on the injection day (threshold {threshold})")
    return out


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --- Site protocol tables (section 6, clarified) --------------------------------------------


def protocol_problems(guide: Any, rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Why a site's day-by-day table is refused at load (section 6, clarified): it names
    one injection day, never day 1, that comes after at least the number in force of days
    marked ``oral_naltrexone``."""
    required = guide.setting_values.get("rapid_naltrexone_days_required")
    injection = [r.get("day") for r in rows if r.get("injection") is True]
    if len(injection) != 1 or not isinstance(injection[0], int):
        return [f"injection days {injection}: the table names one"]
    day = injection[0]
    out: list[str] = []
    if day < 2:
        out.append("the injection day is day 1 (the buprenorphine day)")
    oral = [
        n
        for r in rows
        if r.get("oral_naltrexone") is True and isinstance(n := r.get("day"), int) and n < day
    ]
    if isinstance(required, int) and len(oral) < required:
        out.append(f"{len(oral)} oral naltrexone days before the injection day; {required} needed")
    return out


# --- The note says only what is true (invariant 12) ----------------------------------------

GIVEN_LINE = "Given:"
ALL_NEGATIVE = "all five assays negative"


def note_contradictions(
    guide: Any,
    note: str,
    answers: Mapping[str, object],
    today: dt.date,
    walk_status: str,
    date_default: bool = True,
    **over_time: Any,
) -> list[str]:
    """Lines of a chart note (text or Markdown) that the answers contradict (invariant 12):
    a screen said to be all negative beside an assay that is not; an injection said to be
    given (or a next dose due) when the walk did not finish; a gate said to pass that the
    reference finds failing as a contraindication. ``date_default``: the walk filled in an
    injection date not given with today (``walk --no-input`` does)."""
    out: list[str] = []
    lines = note.splitlines()
    screen = {k: answers.get(k) for k in UDS_KEYS}
    not_negative = sorted(k for k, v in screen.items() if v is not None and v != "negative")
    for line in lines:
        if ALL_NEGATIVE in line and not_negative:
            out.append(f"{line.strip()!r} beside {', '.join(not_negative)}")
    given = walk_status == "complete" and answers.get("injection_given") is True
    if not given:
        for line in lines:
            text = line.lstrip("-# ").strip()
            if text.startswith((GIVEN_LINE, "Next dose due:")):
                out.append(f"{text!r} but the walk ended {walk_status} without the injection")
    holding = {
        f.gate
        for f in findings(guide, answers, today, date_default, **over_time)
        if f.severity == CONTRAINDICATION and f.state == HOLDS
    }
    for line in lines:
        text = line.lstrip("-# ").strip()
        for gate in holding:
            if text.startswith(f"{gate} (contraindication): pass"):
                out.append(f"{text!r} but per the reference it fails")
    return out
