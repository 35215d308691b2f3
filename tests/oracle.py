"""An independent reading of the clinical reference: may the injection be given now?

The oracle is written straight from the reference's words (sections 3.2-3.4, 4.1-4.4, 5.1,
6 and 7), in plain Python, to check the product from outside. It never reads the pack's
gate or step expressions and never calls the engine. From the loaded pack it takes only:

- the numbers in force, ``guide.setting_values[name]`` (shipped values or a site's), so no
  clinical number is restated here;
- the COWS items' allowed scores (the instrument as the pack's questions hold it, 5.1);
- the override reason codes (``guide.meta.override_codes``).

Answers are typed values (``bool``, ``int``, ``float``, ``str``, ``datetime.date``) keyed
by the public vocabulary (reference section 8 and issue 7). A key that is absent is an
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
    guide: Any, answers: Mapping[str, object], today: dt.date, date_default: bool = True
) -> list[Finding]:
    """Every reason, per the reference, why the injection may not be given now.

    Args:
        date_default: an injection date not given is today (scripts, reference section 8);
            False where it is asked instead (a walkthrough), so that not given is unknown.
    """
    return _Reading(guide, answers, today, date_default).run()


def must_not_be_ready(
    guide: Any, answers: Mapping[str, object], today: dt.date, date_default: bool = True
) -> list[str]:
    """Why the injection may NOT be given now: every contraindication or stop that holds or
    is undecided, and every refused answer. Overrides are the caller's business."""
    return [str(f) for f in findings(guide, answers, today, date_default)]


def contraindication_holds(
    guide: Any, answers: Mapping[str, object], today: dt.date, date_default: bool = True
) -> list[str]:
    """Only the contraindications the answers decide (no undecided, no stops)."""
    return [
        str(f)
        for f in findings(guide, answers, today, date_default)
        if f.severity == CONTRAINDICATION and f.state == HOLDS
    ]


def refused(
    guide: Any, answers: Mapping[str, object], today: dt.date, date_default: bool = True
) -> list[str]:
    """Answers that contradict each other or break a bound (4.4.3, 4.4.4)."""
    found = findings(guide, answers, today, date_default)
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
    return out


# --- The reading -------------------------------------------------------------------------


class _Reading:
    """The reference applied to one set of answers on one day."""

    def __init__(
        self, guide: Any, answers: Mapping[str, object], today: dt.date, date_default: bool
    ) -> None:
        self.guide = guide
        self.answers = answers
        self.today = today
        self.date_default = date_default
        self.out: list[Finding] = []

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
        return self.out

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
        if visit == FIRST:
            self.readiness(day, None)
            return
        last_injection = self.date("last_injection_date")
        if last_injection is not None and day is not None and last_injection > day:
            self.refuse(f"last_injection_date {last_injection} is after the injection {day}")
        self.dose_timing(day, last_injection)
        used = self.flag("opioid_use_since_last_injection")
        induction = self.new_induction(day, last_injection, used)
        if induction is None:
            self.undecided(
                "readiness",
                CONTRAINDICATION,
                "not known whether this repeat visit is a new induction (section 7)",
            )
        if induction is not False:
            self.readiness(day, last_injection if used else None)

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
        self.urine_screen(rapid)
        self.withdrawal()
        self.challenge(kind, free)

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
            for text in rapid_record_problems(self.guide, self.answers, self.today):
                self.undecided("rapid_pathway", CONTRAINDICATION, f"{text}, if it applies")
            return None
        if free >= minimum:
            return False  # the pathway is offered only when the interval is not met
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
        for text in rapid_record_problems(self.guide, self.answers, self.today):
            # Whether a missing record is undecided or holds does not matter to "ready".
            self.undecided("rapid_pathway", CONTRAINDICATION, text)
        return True

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

    def withdrawal(self) -> None:
        """3.2.2 and 3.4: a COWS total at or above the threshold is withdrawal present."""
        total = self.cows_total()
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

    def challenge(self, kind: str | None, free: int | None) -> None:
        """3.4 and 5.2: positive is a contraindication; required and not done is a stop."""
        value = self.choice("naloxone_challenge", CHALLENGE_VALUES)
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


# --- A series of results (5.1, 5.2; issue 11) ----------------------------------------------


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


def rapid_record_problems(guide: Any, answers: Mapping[str, object], today: dt.date) -> list[str]:
    """Section 6, read from the daily record (``rapid_days``, the answers-file shape): why
    the injection may not be given today on the rapid pathway. Ready only when the record
    holds every day from day 1 on consecutive dates, none after today, the last of them on
    the injection date and the protocol's injection day (the site's table names it; without
    one, the clinician confirms it on that day), every day given and tolerated, every COWS
    rating due recorded, and the latest rating of the injection day below the threshold.

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
    else:
        latest = max(ratings, key=lambda r: str(r["time"]))
        threshold = guide.setting_values.get("cows_threshold")
        total = latest.get("total")
        if total is None or threshold is None or total >= threshold:
            out.append(f"COWS {total} on the injection day (threshold {threshold})")
    return out


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
