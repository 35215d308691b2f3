"""A patient's timeline across visits (reference section 7): the sessions with one label.

Sessions with the same label form that patient's record. From it a repeat visit takes the
date and side of the last injection, as answers filled in with the origin ``history``
(recorded when the walk reaches the question, shown, changeable, and judged by the gates
like any answer), and the screen and the chart note show the injections so far.

Only a **finished care session with the injection given** is a source: an unfinished or
blocked walk, a walk that ended without the injection, and a training run (demo clock)
never are. When an unfinished care session records an injection later than the last
finished one, nothing is filled in at all: the last injection might be that one, and a
date filled in from an older visit would make this visit look later than it is.

Nothing here holds a clinical number: the due date and how early or late a visit is are
the pack's derived values, worked out by the engine under the pack's settings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine.context import LazyContext
from ..engine.drive import Prefill
from ..engine.evaluate import Inputs, evaluate
from ..errors import InvalidAnswer, SessionError, resume_command
from ..expr import UNKNOWN, Scalar, format_value
from ..pack import keys
from ..pack.guide import Guide
from ..records import field, record, replace
from ..suggest import closest
from .answers import one_answer_results, parse_value, recorded_kind
from .clock import described_day, instant
from .facts import VisitFacts, facts_of
from .labels import label_key

if TYPE_CHECKING:
    from ..pack.model import Carry
    from .entries import CowsRating
    from .session import JSONScalar, SessionRecord

UNREADABLE_FIX = (
    "it may record a dose, so the patient's record is not known. Restore it (`sessions "
    "import` of an exported copy, or the store from a backup), or put it right (`sessions "
    "export ID` writes it as stored; correct the field, delete the stored session, import "
    "the file), or delete it (`sessions --delete ID`) once its visit is known; then try "
    "again"
)
"""The fix for a stored session of the label that cannot be read."""

OUTSIDE_THE_RECORD = "Not part of the record: a dose given in a training run or a deleted session."
"""Said wherever the record is shown, so that a dose missing from it is never silent: one
line at 80 columns (a training run's visit is listed as TRAINING, never filled in from)."""


@record(frozen=True)
class VisitEntry:
    """One session of the patient, as the timeline shows it."""

    session: str
    status: str
    training: bool
    updated: dt.datetime
    date: str | None = None
    visit: str | None = None
    created: dt.datetime | None = None
    """When the visit's walk began (:attr:`VisitFacts.created`): orders visits of a day
    whose answers' times are not known."""
    dosed_at: dt.datetime | None = None
    """When the dose was recorded as given (the injection answer's yes)."""
    ended_at: dt.datetime | None = None
    """When the end of treatment was recorded (its answer's yes)."""
    injection_given: bool | None = None
    side: str | None = None
    needle: str | None = None
    kit_lot: str | None = None
    next_dose_due: str | None = None
    ended: bool = False
    """A finished care visit that recorded the end of treatment (no injection)."""
    answered_given: bool = False
    """Its answer says the injection was given, whether or not the record counts it."""
    end_reason: str | None = None
    last_injection: str | None = None
    """The last injection as the visit that ended the treatment recorded it."""

    @property
    def counts(self) -> bool:
        """A finished care visit with the injection given: the only kind that fills in."""
        return (
            self.status == "complete"
            and self.injection_given is True
            and not self.training
            and self.date is not None
        )

    @property
    def uncounted_injection(self) -> bool:
        """A care visit whose answer says the injection was given, where the gates (or the
        patient's record) did not let the dose count: kept as typed (safety invariant 12),
        never a dose of the record, yet the needle may have gone in. A later visit takes
        nothing from an earlier dose past it: the last injection may be this one."""
        return (
            self.answered_given
            and self.injection_given is not True
            and not self.training
            and self.date is not None
        )

    @property
    def unfinished_injection(self) -> bool:
        """A care visit that records the injection given but did not finish."""
        return (
            self.status != "complete"
            and self.injection_given is True
            and not self.training
            and self.date is not None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "date": self.date,
            "visit": self.visit,
            "status": self.status,
            "training": self.training,
            "injection_given": self.injection_given,
            "side": self.side,
            "needle": self.needle,
            "kit_lot": self.kit_lot,
            "next_dose_due": self.next_dose_due,
            "counts": self.counts,
            "end_of_treatment": self.ended,
            "end_reason": self.end_reason,
        }


@record(frozen=True)
class RecordedUse:
    """An opioid use as an earlier visit of the patient recorded it."""

    date: dt.date
    session: str
    visit_date: str
    kind: str | None = None
    """The opioid recorded with it (``[guide.report.history] last_kind``), if any."""


@record(frozen=True)
class UndatedUse:
    """An opioid use since the last injection that an earlier visit recorded without its
    date (a repeat visit within the blockade asks whether the use was significant, not
    when it was): it lies after ``after``, that visit's last injection, and on or before
    the visit's date."""

    after: dt.date
    session: str
    visit_date: dt.date


class DayResult(NamedTuple):
    """A one-answer result (a urine screen, a pregnancy test) another care visit of the
    patient recorded for a day (:attr:`Timeline.same_day`)."""

    key: str
    value: JSONScalar
    session: str
    day: str
    """The day it describes (ISO)."""
    kept: bool = False
    """Kept for its day when its visit moved from it (``SessionRecord.day_results``):
    still that day's result, though the visit no longer holds it as an answer."""
    own: bool = False
    """Kept by the visit being judged itself (moved away and back, it takes none back)."""


@record(frozen=True)
class Timeline:
    """The visits of one label, oldest first, and what a repeat visit on ``day`` takes."""

    label: str
    day: dt.date
    visits: list[VisitEntry]
    prefills: dict[str, Prefill] = field(default_factory=dict)
    source: VisitEntry | None = None
    """The visit the values were filled in from, if any."""
    notes: tuple[str, ...] = ()
    """What the record was read from says of itself (no store there: store ``absence``)."""
    held_back: VisitEntry | None = None
    """An unfinished visit recording a later injection, or one whose answer says the injection
    was given where the record does not count it: nothing was filled in because of it."""
    reports: tuple[VisitEntry, ...] = ()
    """The visits that answered a last injection (``last_injection_date``: a dose given
    outside this record, typed at a repeat visit) later than every dose the record counts
    or holds back, each with :attr:`VisitEntry.date` that injection's date, oldest first:
    the patient's last injection all the same (safety invariants 10, 11), so nothing is
    filled in from an earlier one; a visit is bound by the latest on or before its date
    (visit/contradiction.py ``recorded_dose``)."""
    due: dict[str, Any] | None = None
    """The pack's due-date values for a repeat visit on ``day`` after ``source``."""
    from_end: frozenset[str] = frozenset()
    """The keys of ``prefills`` taken from the visit that ended the treatment after the
    last injection (``[guide.report.history] after_end``), not from ``source``."""
    unreadable: tuple[tuple[str, str], ...] = ()
    """Stored sessions of this label that cannot be read (which, why): the record may be
    missing a dose, so no visit of the label is judged ready."""
    recorded_uses: tuple[RecordedUse, ...] = ()
    """The opioid uses the label's other care visits recorded, whatever their dates: the
    latest on or before this visit's injection date bounds it (visit/contradiction.py)."""
    undated_uses: tuple[UndatedUse, ...] = ()
    """Uses since an injection that other care visits recorded without a date."""
    standing: tuple[tuple[str, str, str], ...] = ()
    """(answer, session, visit date) for each yes to a ``standing`` answer
    (``[guide.report.history]``) another care visit recorded: it stands for later visits."""
    recent_yes: tuple[tuple[str, str, str], ...] = ()
    """(question, session, visit date) for each yes another care visit recorded to a
    question of ``[guide.report.history] recent_kind`` (fentanyl in the last 30 days)."""
    unread: tuple[tuple[str, JSONScalar, str], ...] = ()
    """(question, value, where from) for each value the last injection's visit (``carry``,
    ``offer``) or a visit that ended the treatment (``after_end``) recorded that this
    pack's question does not take (a clinic's copy names the choice otherwise): never
    guessed, never dropped in silence; it is named beside the timeline and at the
    question, and an answer it might refuse waits for the question
    (visit/contradiction.py)."""
    standing_after_own_no: tuple[tuple[str, str, str], ...] = ()
    """The same for each yes recorded after the judged visit's own no, its dose given (the
    dose a reaction then followed): it does not refuse that no, as the visit is finished,
    but binds a no given now (visit/contradiction.py, ``given_now``)."""
    standing_names: tuple[str, ...] = ()
    """Every answer the label's other care visits keep as ``standing`` (each record's own
    list, in this pack's names): a yes recorded binds a no to each of them, as it binds a
    no to this pack's own, whatever this pack declares (a copy made before the list was
    declared, or one that drops or narrows it)."""
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each role of ``[guide.report.history]`` this pack does not declare (``last_use``
    in a copy made before it was declared), the names the label's other care visits give
    it (:attr:`VisitFacts.names`): what each of their answers is binds the visit judged,
    whatever this pack declares (visit/contradiction.py)."""

    same_day: tuple[DayResult, ...] = ()
    """Each answer to a point-in-time question
    of one answer a visit (a urine screen, a pregnancy test: never a series, which
    :attr:`elsewhere` holds) that the label's other care visits recorded: of one day,
    they describe the same day (safety invariant 3), and an answer of that day given
    otherwise is refused naming it (visit/contradiction.py)."""
    elsewhere: tuple[tuple[CowsRating, dt.datetime | None], ...] = ()
    """The COWS ratings the label's other care visits hold (a training run holds none),
    each with when its visit recorded it: the ratings of a visit day are one series,
    whichever visit recorded them. Read only where the record is judged by."""
    walked: bool = False
    """The visit judged is a walk's session (``exclude``), which reads :attr:`elsewhere`
    into its series (SessionRecord.read_beside); a check or a batch line does not."""

    @property
    def reported(self) -> VisitEntry | None:
        """The latest of :attr:`reports`."""
        return self.reports[-1] if self.reports else None

    def withdrawal_elsewhere(self, day: dt.date, threshold: object) -> CowsRating | None:
        """The latest rating of ``day`` at or above ``threshold`` (withdrawal) that another
        visit of the label holds; every rating when the threshold is not a number."""
        found = [
            r
            for r, _ in self.elsewhere
            if r.day == day and (not isinstance(threshold, int) or r.total >= threshold)
        ]
        return max(found, key=lambda r: instant(r.at)) if found else None

    def recorded_use(self, before: dt.date) -> RecordedUse | None:
        """The latest recorded use on or before ``before`` (the injection's date): a use
        after it says nothing about this injection."""
        uses = [u for u in self.recorded_uses if u.date <= before]
        return max(uses, key=lambda u: (u.date, u.visit_date)) if uses else None

    @property
    def injections(self) -> list[VisitEntry]:
        return [v for v in self.visits if v.counts]

    @property
    def off_treatment(self) -> VisitEntry | None:
        """The visit that ended the treatment, when no injection was given after it: on a
        later day, or on the same day after it (the patient changed their mind an hour
        later: the dose puts them back on treatment). An end and a dose of one day are
        ordered by when each was recorded (the end's answer, the dose's), whichever walk
        began first and whatever either amended later; by when their walks began when
        those times are not known."""

        def when(v: VisitEntry, at: dt.datetime | None) -> tuple[str, float]:
            return (v.date or "", instant(at or v.created or v.updated))

        ended = [v for v in self.visits if v.ended]
        if not ended:
            return None
        last = max(ended, key=lambda v: when(v, v.ended_at))
        end = when(last, last.ended_at)
        # Every dose counted, its visit finished or still waiting (for the observation).
        doses = [v for v in self.visits if v.counts or v.unfinished_injection]
        if any(when(v, v.dosed_at) > end for v in doses):
            return None
        return last

    @property
    def later(self) -> VisitEntry | None:
        """The latest dose recorded (a finished visit's, or an unfinished one's) dated
        after ``day``: every recorded dose counts, whatever its date."""
        return self.dose_after(self.day)

    def dose_after(self, day: dt.date) -> VisitEntry | None:
        """The latest dose recorded (a finished visit's, or an unfinished one's) dated
        after ``day`` (a visit's date, as its answers give it)."""
        doses = [
            v
            for v in self.visits
            if (v.counts or v.unfinished_injection) and (d := _date(v.date)) and d > day
        ]
        return max(doses, key=lambda v: v.date or "") if doses else None

    def unread_words(self) -> dict[str, str]:
        """For each question of :attr:`unread`, what the screen says beside the timeline and
        at the question's prompt."""
        return {
            key: f"{key} = {value!r} ({note}) is not one this guide's question takes (a copy "
            "of the guide may name it otherwise): it is not filled in, so answer it yourself "
            "(an answer it may refuse waits for it)"
            for key, value, note in self.unread
        }

    def warnings(self) -> list[str]:
        """What the screen and ``history --json`` must say beside the timeline."""
        out = list(self.notes)
        out += [
            f"{where} carries the label {self.label!r} but cannot be read ({why}): {UNREADABLE_FIX}"
            for where, why in self.unreadable
        ]
        out += list(self.unread_words().values())
        if self.reported is not None:
            v = self.reported
            out.append(
                f"session {v.session} ({v.status.replace('_', ' ')}) reports the last "
                f"injection on {v.date}, later than any dose this record holds: the last "
                "injection is not filled in from the history; give its date and side "
                "yourself"
            )
        if self.held_back is not None:
            v = self.held_back
            why = (
                "answered given though it does not count (the gates or the patient's record "
                "did not allow it), so it may have been given (if it was not, resume that "
                "session and answer it not given)"
                if v.uncounted_injection
                else "but it did not finish"
            )
            out.append(
                f"session {v.session} ({v.status.replace('_', ' ')}) records an injection on "
                f"{v.date}, {why}: the last injection is not filled in from the history; "
                "give its date and side yourself"
            )
        if (later := self.later) is not None:
            # Read for a day before a recorded dose (--today in the past, or a clock behind
            # the record's): what is due would be worked out as if that dose were not given.
            out.append(
                f"session {later.session} records an injection on {later.date}, after "
                f"{self.day.isoformat()}, the day this record is read for: what is due is not "
                f"worked out for a day before a recorded dose; read it for {later.date} or "
                "later (--today), or check the computer's clock"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The documented shape of ``history --json`` and of the note's ``history``."""
        return {
            "label": self.label,
            "today": self.day.isoformat(),
            "injections": [
                {
                    k: v.to_json()[k]
                    for k in ("session", "date", "visit", "side", "needle", "kit_lot")
                }
                | {"next_dose_due": v.next_dose_due}
                for v in self.injections
            ],
            "visits": [v.to_json() for v in self.visits],
            "off_treatment": (
                None
                if (off := self.off_treatment) is None
                else {
                    "session": off.session,
                    "date": off.date,
                    "reason": off.end_reason,
                    "last_injection": off.last_injection,
                }
            ),
            "last_injection_session": self.source.session if self.source is not None else None,
            "due": self.due,
            "warnings": self.warnings(),
        }


def recorded_dose(guide: Guide, record: SessionRecord) -> str | None:
    """The date of the dose a stored visit records (finished, or recorded before it
    finished), as the patient's timeline counts it; None when it records none. Deleting
    such a visit takes the dose out of the patient's record."""
    visit = entry(guide, record)
    return visit.date if visit.counts or visit.unfinished_injection else None


def what_it_binds(guide: Guide, record: SessionRecord) -> list[str]:
    """What a stored visit adds to the patient's record that binds later visits, in words:
    its dose, a yes to a standing answer (a known hypersensitivity: a later no is
    refused), an opioid use it recorded (a later, older last use is refused), a use since
    the last injection, an end of the treatment, a rapid pathway record, a last injection
    it reports (a dose given elsewhere), the results of its day (a urine screen: the
    day's result for the patient's other visits), a positive naloxone challenge or
    rechallenge (a later challenge does not lift it). Deleting the
    visit takes each out of the record, so each is said. A training run binds nothing."""
    visit = in_our_names(guide, facts_of(record))
    if visit.training:
        return []
    history = guide.meta.report.history
    out = []
    dose = recorded_dose(guide, record)
    if dose:
        out.append(f"its dose of {dose}")
    for key in dict.fromkeys((*history.standing, *visit.standing)):
        if visit.answers.get(key) is True:
            out.append(f"its yes to {key}")
    last_use, use_since = _named(guide, visit, "last_use"), _named(guide, visit, "use_since")
    used = _text(visit, last_use) if last_use else None
    if used:
        out.append(f"its opioid use of {used}")
    if use_since and visit.answers.get(use_since) is True:
        out.append("its opioid use since the last injection")
    for recent in history.recent_kind:
        if visit.answers.get(recent.question) is True:
            out.append(f"its yes to {recent.question}")
    if history.end_of_treatment and visit.answers.get(history.end_of_treatment) is True:
        out.append("its end of the treatment")
    if record.rapid_days:
        out.append("its supervised rapid pathway record")
    # A last injection it reported (a dose given elsewhere) and the results of its day:
    # what the patient's other visits are judged by (Timeline.reported, same_day).
    last_key = guide.last_injection_key
    reported = _text(visit, last_key) if last_key else None
    if reported and not dose:
        out.append(f"the last injection it reports, of {reported}")
    day = described_day(_text(visit, guide.meta.date_key) or visit.visit_date, visit.created)
    wanted = one_answer_results(guide)
    results = [(k, v, day) for k, v in visit.answers.items() if k in wanted and day]
    results += [(k, v, on) for k, v, on in visit.day_results if k in wanted]
    by_day: dict[str, list[str]] = {}
    for k, v, on in results:
        if v != keys.NOT_DONE and on:
            by_day.setdefault(on, []).append(f"{k} {format_value(v)}")
    out += [f"its results of {on} ({', '.join(said)})" for on, said in sorted(by_day.items())]
    from .entries import live, reads_positive  # seam: the series records (pydantic)

    challenges = record.naloxone_challenges
    out += [
        f"its positive naloxone {c.kind} of {c.at.isoformat(timespec='minutes')}"
        for c in live(challenges)
        if reads_positive(guide, record.cows_ratings, challenges, c)
    ]
    return out


def judged_against(
    guide: Guide, records: Iterable[SessionRecord], label: str, dose: str, exclude: str
) -> list[str]:
    """The label's other visits that count a dose judged against the dose of ``dose`` (its
    date): their last injection is that date. When that dose is taken back (answered
    not given after all), each rests on a dose that was never given, and is named."""
    last_key = guide.last_injection_key
    if last_key is None:
        return []
    key = label_key(label)
    out = []
    for r in records:
        if r.id == exclude or label_key(r.label) != key:
            continue
        visit = in_our_names(guide, facts_of(r))
        seen = entry(guide, r)
        counted = seen.counts or seen.unfinished_injection
        if not visit.training and counted and _text(visit, last_key) == dose:
            out.append(f"session {r.id} (its dose of {seen.date})")
    return out


def _text(visit: VisitFacts, key: str) -> str | None:
    value = visit.answers.get(key)
    return None if value is None or isinstance(value, bool) else str(value)


def _named(guide: Guide, visit: VisitFacts, role: str) -> str | None:
    """The answer of ``visit`` (read in this pack's names) that fills ``role`` of
    ``[guide.report.history]`` (``last_use``...): this pack's name for it, or, where this
    pack declares none (a copy made before the role was declared, or one that drops it),
    the name the visit's own record gives it. A record binds by what each of its answers
    is, whatever the reading pack declares (safety invariant 9)."""
    own: str | None = getattr(guide.meta.report.history, role)
    return own if own is not None else visit.names.get(f"report.history.{role}")


_RECENT_ROLE = "report.history.recent_kind["
"""The roles of the history questions about one opioid's recent use (Guide.report_names)."""
_AFTER_END_ROLE = "report.history.after_end["
"""The roles of the answers a visit that ended the treatment offers the next visit."""
_CARRY_ROLE = "report.history.carry["


_BY_PLACE = re.compile(r"report\.history\.(carry|offer|after_end|recent_kind)\.(\d+)\.(\w+)")
"""A role as the first version that kept names kept it: by its place in its list."""


def _with_derived_roles(names: Mapping[str, str]) -> Mapping[str, str]:
    """A record's names with the roles a later version of the program reads that it can be
    told from the others: each row of a list by what it is (a carried answer by the
    question it fills in, a recent-use history by its opioid), for a record of the first
    version that kept names, which kept them by place; and the last injection's question
    (``last_injection_key``), the question a carry row fills in from the visit date, for a
    record written before that role was kept."""
    if not names:
        return names
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for at, name in names.items():
        if (found := _BY_PLACE.fullmatch(at)) is not None:
            rows.setdefault((found[1], found[2]), {})[found[3]] = name
    if rows:
        names = dict(names)
        for (kind, _), row in rows.items():
            if kind == "recent_kind" and "kind" in row and "question" in row:
                names.setdefault(f"{_RECENT_ROLE}{row['kind']}]", row["question"])
            elif "question" in row and "from_answer" in row:
                names.setdefault(f"report.history.{kind}[{row['question']}]", row["from_answer"])
    if "last_injection_key" in names:
        return names
    date_key = names.get("meta.date_key")
    for at, answer in names.items():
        if at.startswith(_CARRY_ROLE) and at.endswith("]") and answer == date_key:
            return {**names, "last_injection_key": at[len(_CARRY_ROLE) : -1]}
    return names


def in_our_names(guide: Guide, visit: VisitFacts) -> VisitFacts:
    """The visit's facts with its answers named as this pack names what each is: a
    record walked with a copy of the pack that names the visit date, the dose, the last
    use or the end of the treatment otherwise (:attr:`SessionRecord.names`, by where
    each name stands in ``[guide.report]``) is read by what each answer is, on every
    route that reads the timeline (safety invariant 11). A record that keeps no names
    (written before they were kept) is read by this pack's names; the one rule for every
    reader of another visit's answers."""
    theirs = _with_derived_roles(visit.names)
    if not theirs:
        return visit
    ours = guide.report_names
    moved = {
        name: ours[at]
        for at, name in theirs.items()
        if at in ours and ours[at] != name and name in visit.answers
    }

    # A role of a list (``recent_kind`` by its opioid, ``after_end`` by the question it
    # fills in) that a copy names otherwise in both its parts has no match here. What it
    # recorded is never dropped: it is read into each row of this pack the copy has no
    # counterpart for (a copy that keeps this pack's rows and adds its own reads as this
    # pack: its extra rows ask what this pack does not). A yes to a recent-use history is
    # read as a yes to each such open history (a yes only ever asks more of the visit),
    # unless its opioid is one this pack names (another opioid than those it asks
    # about), and a value carried from an end as the value of each open answer carried
    # from an end (taken if its question takes it, named and asked for otherwise:
    # Timeline.unread).
    def taken(prefix: str, at: str, name: str) -> bool:
        """Whether the copy's row ``at`` (its answer ``name``) is read into this pack's."""
        if prefix != _RECENT_ROLE:
            return visit.answers.get(name) is not None
        return (
            visit.answers.get(name) is True and recorded_kind(guide, at[len(prefix) : -1]) is None
        )

    unmatched: dict[str, list[str]] = {}
    for prefix in (_RECENT_ROLE, _AFTER_END_ROLE):
        if any(at.startswith(prefix) and at not in theirs for at in ours):  # an open row
            unmatched[prefix] = [
                name
                for at, name in theirs.items()
                if at.startswith(prefix) and at not in ours and taken(prefix, at, name)
            ]
    if not moved and not any(unmatched.values()):
        return visit
    answers = {k: v for k, v in visit.answers.items() if k not in moved}
    answers.update({ours_: visit.answers[name] for name, ours_ in moved.items()})
    yes_at = {k: v for k, v in visit.yes_at.items() if k not in moved}
    yes_at.update({moved[k]: v for k, v in visit.yes_at.items() if k in moved})
    for prefix, names in unmatched.items():
        given = list(dict.fromkeys(visit.answers[n] for n in names))
        # Several values that differ compete for each answer: none is chosen (an order
        # of rows would decide); they are kept together, a value no question takes, so
        # that the answer is named and asked for (Timeline.unread).
        value = given[0] if len(given) == 1 else " / ".join(map(str, given))
        for at in (at for at in ours if names and at.startswith(prefix) and at not in theirs):
            if answers.get(ours[at]) is None:
                answers[ours[at]] = value
                for name in names:
                    if name in visit.yes_at:
                        yes_at[ours[at]] = visit.yes_at[name]
    standing = tuple(dict.fromkeys(moved.get(k, k) for k in visit.standing))
    # Named as this pack names them now: read again, they stay as they are. A role this
    # pack does not declare keeps the record's name (its answer is not moved): what the
    # answer is still binds (Timeline.roles).
    kept = {at: name for at, name in theirs.items() if at not in ours} | ours
    return replace(visit, answers=answers, yes_at=yes_at, standing=standing, names=kept)


def entry(guide: Guide, record: SessionRecord | VisitFacts) -> VisitEntry:
    """What one session says about the visit, read from its recorded answers (the record
    whole, or its facts: visit/facts.py, which are read from it by one function), by what
    each answer is (:func:`in_our_names`)."""
    visit = in_our_names(guide, record if isinstance(record, VisitFacts) else facts_of(record))
    report = guide.meta.report

    def text(key: str | None) -> str | None:
        return None if key is None else _text(visit, key)

    given = visit.answers.get(report.injection_given) if report.injection_given else None
    if visit.injection_given is not None and visit.logged_dose:
        # what the record counts (the gates allowed it), as its audit trail logs it
        injection_given: bool | None = visit.injection_given
    else:  # a record written before it was kept or logged: its answer
        injection_given = given if isinstance(given, bool) else None
    end = report.history.end_of_treatment
    ended_answer = visit.answers.get(end) if end is not None else None
    # A care visit that recorded the end and finished there (its gate ends the walk); an
    # end given where its question does not apply (typed on a first injection blocked by
    # its gates) ends nothing.
    ended = (
        ended_answer is True
        and visit.status in ("blocked", "complete")
        and not visit.training
        and end is not None
        and _applies(guide, end, visit.answers, _date(visit.visit_date))
    )
    last_key = guide.last_injection_key
    return VisitEntry(
        session=visit.id,
        status=visit.status,
        training=visit.training,
        updated=visit.updated,
        created=visit.created,
        dosed_at=visit.yes_at.get(report.injection_given) if report.injection_given else None,
        ended_at=visit.yes_at.get(end) if end is not None else None,
        date=_text(visit, guide.meta.date_key)
        # A visit walked with another pack, or a copy of this one, that names its answers
        # otherwise is placed by the date its record keeps (safety invariant 11).
        or visit.visit_date,
        visit=text(report.visit),
        injection_given=injection_given,
        side=text(report.side_given),
        needle=next((v for v in map(text, report.needle) if v is not None), None),
        kit_lot=text(report.history.kit_lot),
        next_dose_due=visit.next_dose_due,
        ended=ended,
        end_reason=text(report.history.end_reason) if ended else None,
        last_injection=text(last_key) if ended else None,
        answered_given=given is True,
    )


def _applies(guide: Guide, key: str, answers: Mapping[str, Any], day: dt.date | None) -> bool:
    """Whether the question ``key`` applies to a visit with these recorded answers, as the
    engine decides it (its step's condition and its own): False only when it decidedly
    does not. A recorded answer this pack cannot read is left out of the decision."""
    return _applying(guide, answers, day)(key)


def _applying(
    guide: Guide, answers: Mapping[str, Any], day: dt.date | None
) -> Callable[[str], bool]:
    """:func:`_applies` for one visit's answers, asked of several questions."""
    if day is None:
        return lambda key: True
    typed: dict[str, Any] = {}
    for name, value in answers.items():
        question = guide.questions.get(name)
        if question is None:
            continue
        try:
            typed[name] = parse_value(question, value, today=day)
        except InvalidAnswer:
            continue
    context = LazyContext(guide, day, False, typed)

    def applies(key: str) -> bool:
        cq = guide.questions.get(key)
        return cq is None or context.visible(cq) is not False

    return applies


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _refuse_another_zones_visit(
    label: str, records: Iterable[SessionRecord], exclude: str | None
) -> None:
    """A care visit of the label walked in another zone (:meth:`SessionRecord.another_zones`:
    a dose of 17:00 in Los Angeles is already the next day in UTC, and a stop of the
    repeat-dose interval would read as passed) is refused. The one rule for every route
    that judges by the patient's record (walk, ``check --label``, a batch line's
    ``label``, a resume). The visit walked now (``exclude``) is the resume's to judge
    (visit/resume.py); a training run is never part of the record.

    Raises:
        SessionError: naming the visit, the offset it was kept at and the fix (exit 2).
    """
    for r in records:
        if r.id == exclude or r.demo_clock is not None:
            continue
        refused = r.another_zones(f"label {label!r}", "this visit cannot be judged beside it here")
        if refused is not None:
            raise refused


def _refuse_beside_a_positive(
    guide: Guide,
    mine: list[SessionRecord],
    exclude: str | None,
    day: dt.date,
    source: VisitEntry | None,
) -> None:
    """A care session of the label holds a positive naloxone challenge (or rechallenge)
    that no negative rechallenge lifted and whose rechallenge window reaches ``day``: it
    stands (reference 5.2:
    only a negative rechallenge within the window lifts it, and a repeat after the window
    is a new challenge on a new visit day). A new visit, or a check, judged without it
    would read a second "challenge" as the result (safety invariant 9): refused, naming
    the session and its resume.

    Raises:
        SessionError: such a session exists and this visit is not its resume.
    """
    from .entries import (  # seam: the series records (pydantic)
        judged_withdrawal,
        live,
        placed,
        reads_positive,
    )
    from .series import local_day, window_end  # seam: as live, the series (pydantic)

    for r in sorted(mine, key=lambda r: r.updated, reverse=True):
        # Whatever the record says of its own status (not in its audit trail): a positive
        # stands until a negative rechallenge in its window, which the series shows.
        if r.id == exclude or r.demo_clock is not None:
            continue
        results = live(r.naloxone_challenges)
        # Recorded positive, or a negative with withdrawal rated during its observation.
        positives = [
            c for c in results if reads_positive(guide, r.cows_ratings, r.naloxone_challenges, c)
        ]
        for c in sorted(positives, key=lambda c: c.at, reverse=True):
            # A correction to positive counts from the result it corrects (entries.py).
            at = placed(r.naloxone_challenges, c).at
            end = window_end(guide, placed(r.naloxone_challenges, c))
            if local_day(at) > day or end is None or local_day(end) < day:
                continue
            if c.kind == "challenge" and any(
                n.kind == "rechallenge"
                and n.result == "negative"
                and all(n is not p for p in positives)
                # done beside withdrawal, it never counts (visit/entries.py)
                and judged_withdrawal(
                    guide, r.cows_ratings, r.naloxone_challenges, n, r.recorded_at
                )
                is None
                and instant(at) < instant(n.at) <= instant(end)
                for n in results
            ):
                continue  # lifted (reference 5.2)
            if source is not None and source.date and local_day(at).isoformat() < source.date:
                continue
            raise SessionError(
                f"label {r.label!r}: session {r.id} ({r.status.replace('_', ' ')}) records "
                f"a positive naloxone {c.kind} at {at.isoformat(timespec='minutes')}: it "
                f"stands until a negative rechallenge within the window (until "
                f"{end.astimezone().isoformat(timespec='minutes')}), so this visit cannot be "
                "judged without that session",
                hint=(
                    f"Resume that session to record the rechallenge: {resume_command(r.id)}. "
                    "After the window, a new challenge belongs to a new visit day."
                ),
            )


def timeline(
    guide: Guide,
    records: Iterable[SessionRecord],
    label: str,
    day: dt.date,
    exclude: str | None = None,
    *,
    unreadable: Iterable[tuple[str, str]] = (),
    before_only: bool = False,
    shown_only: bool = False,
    notes: Iterable[str] = (),
) -> Timeline:
    """The timeline of ``label`` on ``day``, and what a repeat visit that day takes from it,
    read from the records whole.

    Every recorded visit is part of it, whatever its date: a dose dated after ``day``
    (:attr:`Timeline.later`) is refused by the visit (visit/contradiction.py), never left
    out.

    Args:
        guide: the pack in use (its visit-date key, its questions, its settings).
        records: the sessions of the store (any labels: only ``label``'s are kept).
        label: the patient's label.
        day: the date of the visit being walked (or today, for ``history``).
        exclude: the id of the session being walked, never its own source.
        unreadable: the stored sessions of the label that cannot be read, with why.
        before_only: only the visits up to ``day`` (a note shows the visits before its own).
        shown_only: the timeline is only shown (``history``, a note's earlier visits),
            never judged by: an unfinished pathway record is then not refused.
        notes: what the record was read from says of itself (no store there): the first
            of its warnings.

    Raises:
        SessionError: a care session of the label that did not finish keeps a supervised
            rapid pathway record after the last injection, and this visit is not its
            resume: the pathway is a property of the induction and its day 1 is opioid
            use, so no other visit of the label can be judged without it (exit 2).
    """
    records = list(records)
    tl = _timeline(
        guide,
        [facts_of(r) for r in records],
        None if shown_only else records,
        label,
        day,
        exclude,
        tuple(unreadable),
        before_only,
    )
    return replace(tl, notes=tuple(notes)) if notes else tl


def shown_timeline(
    guide: Guide,
    facts: Iterable[VisitFacts],
    label: str,
    day: dt.date,
    *,
    unreadable: Iterable[tuple[str, str]] = (),
    before_only: bool = False,
) -> Timeline:
    """The timeline of ``label`` on ``day`` that is only shown, never judged by
    (``history``), read from the visits' facts (visit/facts.py): what
    ``timeline(..., shown_only=True)`` gives from the same visits' records."""
    return _timeline(guide, list(facts), None, label, day, None, tuple(unreadable), before_only)


def _timeline(
    guide: Guide,
    facts: Sequence[VisitFacts],
    judged: Sequence[SessionRecord] | None,
    label: str,
    day: dt.date,
    exclude: str | None,
    unreadable: tuple[tuple[str, str], ...],
    before_only: bool,
) -> Timeline:
    """:func:`timeline`, from the visits' facts; ``judged`` holds the records themselves
    when the timeline is judged by (None: only shown), whose series and pathway records
    the refusals below read."""
    # Labels that differ only in case, width or look-alike letters are one patient's: a
    # record under 'PAT' must not be missed by a visit typed as 'pat', 'ＰＡＴ' or 'ΡΑΤ'
    # (safety invariant 11). Safer to over-match: values filled in are shown with their
    # session and can be changed.
    # Every guide's visits: a dose given on a clinic's copy of the pack (its own guide id)
    # is the patient's dose all the same, read by this pack's keys (safety invariant 11).
    key = label_key(label)
    mine = [in_our_names(guide, r) for r in facts if label_key(r.label) == key]
    visits = sorted(
        (
            v
            for v in (entry(guide, r) for r in mine if r.id != exclude)
            if not before_only or (d := _date(v.date)) is None or d <= day
        ),
        key=lambda v: (v.date or "9999-99-99", v.updated),
    )
    extra: dict[str, Any] = {"unreadable": unreadable}
    before = [v for v in visits if v.date is not None]
    finished = [v for v in before if v.counts]
    source = finished[-1] if finished else None
    # An unfinished care session keeping a pathway record after the last injection: the
    # induction under way. Judged without it, a new visit (or a check) would miss the
    # pathway and day 1's buprenorphine (reference section 6): a wrong ready.
    records = [r for r in judged or () if label_key(r.label) == key]
    _refuse_another_zones_visit(label, records, exclude)
    extra["recorded_uses"] = _recorded_uses(guide, mine, exclude) + _pathway_uses(
        guide, records, {r.id: r for r in mine}, exclude
    )
    extra["undated_uses"] = _undated_uses(guide, mine, exclude)
    extra["recent_yes"] = tuple(
        (q, r.id, _text(r, guide.meta.date_key) or r.visit_date or "")
        for r in mine
        if r.id != exclude and not r.training
        for q in (recent.question for recent in guide.meta.report.history.recent_kind)
        if r.answers.get(q) is True
    )
    extra["same_day"] = _same_day_results(guide, mine, exclude)
    extra["standing"], extra["standing_after_own_no"] = _standing(guide, mine, exclude, records)
    extra["standing_names"], extra["roles"] = _declared_by_the_records(guide, mine, exclude)
    under_way = sorted(
        (
            r
            for r in records
            if r.id != exclude
            and r.rapid_days
            and r.status != "complete"
            and r.demo_clock is None
            and min(d.date for d in r.rapid_days) <= day
            and (
                source is None
                or max(d.date for d in r.rapid_days).isoformat() > (source.date or "")
            )
        ),
        key=lambda r: r.updated,
    )
    if under_way:
        r = under_way[-1]
        first = min(d.date for d in r.rapid_days)
        last = max(r.rapid_days, key=lambda d: (d.date, d.day))
        raise SessionError(
            f"label {label!r}: session {r.id} ({r.status.replace('_', ' ')}) keeps a "
            f"supervised rapid pathway record (day 1 on {first.isoformat()}, day {last.day} "
            f"on {last.date.isoformat()}) and did not finish: the pathway is a property of "
            "the induction and day 1's buprenorphine is opioid use, so this visit cannot be "
            "judged without that record",
            hint=(
                f"Resume that session: {resume_command(r.id)}; leaving the pathway is "
                "`edit pathway` there."
            ),
        )
    if judged is not None:
        _refuse_beside_a_positive(guide, records, exclude, day, source)
        extra["elsewhere"] = ratings_elsewhere(records, exclude)
        extra["walked"] = exclude is not None
    later = [
        v
        for v in before
        if (v.unfinished_injection or v.uncounted_injection)
        and (source is None or (v.date or "") >= (source.date or ""))
    ]
    # What a visit that ended the treatment after the last recorded injection recorded (a
    # switch to an agonist): offered, with its origin, so that a restart is judged beside
    # it (reference sections 7 and 10). Every such visit counts, finished or not, whether
    # or not the record holds the injection before it.
    last_dose = max((v.date or "" for v in (source, *later[-1:]) if v is not None), default="")
    from_end, unread = _from_the_end(guide, mine, exclude, last_dose, day)
    if from_end:
        extra["from_end"] = frozenset(from_end)
    extra["unread"] = unread
    # The visit judged may be giving the dose another visit reports (an end of treatment
    # recorded beside it names it as the last injection): its own dose is no report.
    own = [entry(guide, r) for r in mine if r.id == exclude]
    own_dose = max((v.date or "" for v in own if v.counts or v.unfinished_injection), default="")
    extra["reports"] = _reported_injections(guide, mine, exclude, max(last_dose, own_dose))
    if later:
        return Timeline(label, day, visits, dict(from_end), held_back=later[-1], **extra)
    if source is None or extra["reports"]:
        return Timeline(label, day, visits, dict(from_end), **extra)
    by_session = {r.id: r for r in mine}
    prefills, unread_carried = _prefills(guide, by_session[source.session], source, day)
    extra["unread"] = (*unread_carried, *unread)
    due = due_values(guide, prefills, day)
    return Timeline(label, day, visits, prefills | from_end, source, due=due, **extra)


def with_own_kept_results(tl: Timeline, guide: Guide, record: SessionRecord) -> Timeline:
    """``tl`` (read with ``record`` excluded) with the judged visit's own kept results
    (:attr:`SessionRecord.day_results`) as ``record`` holds them now, in place of the
    stored copy's: a move made in this walk keeps them before any save, and a dry run
    never saves them, yet they bind the visit as soon as they are kept."""
    own = _kept_results(guide, facts_of(record), own=True)
    return replace(tl, same_day=(*(d for d in tl.same_day if not d.own), *own))


def _kept_results(guide: Guide, visit: VisitFacts, own: bool) -> list[DayResult]:
    """The one-answer results ``visit`` kept for the days it moved from
    (:attr:`VisitFacts.day_results`): still those days' results, binding the visit
    judged too (``own``: it is that visit; moved back, it takes none of them back)."""
    wanted = one_answer_results(guide)
    return [
        DayResult(k, v, visit.id, on, kept=True, own=own)
        for k, v, on in visit.day_results
        if k in wanted
    ]


def _same_day_results(
    guide: Guide, mine: Sequence[VisitFacts], exclude: str | None
) -> tuple[DayResult, ...]:
    """:attr:`Timeline.same_day`: each one-answer result the label's other care visits
    recorded, with the visit and its date."""
    wanted = one_answer_results(guide)
    out = []
    for r in mine:
        if r.training:
            continue
        own = r.id == exclude
        out += _kept_results(guide, r, own)
        if own:
            continue
        day = described_day(_text(r, guide.meta.date_key) or r.visit_date, r.created)
        given = [k for k in wanted if r.answers.get(k) is not None]
        if day is None or not given:
            continue
        # An answer its visit no longer uses (a screen of a repeat visit not due one)
        # says nothing of the day.
        applies = _applying(guide, r.answers, _date(day))
        out += [DayResult(k, r.answers[k], r.id, day) for k in given if applies(k)]
    return tuple(out)


def _reported_injections(
    guide: Guide, mine: Sequence[VisitFacts], exclude: str | None, last_dose: str
) -> tuple[VisitEntry, ...]:
    """The last injections other care visits of the patient answered (a dose given
    outside this record, typed at a repeat visit), each later than ``last_dose`` (the
    latest the record counts or holds back): as visits of those dates, reported by those
    visits, oldest first (a visit is judged by the latest on or before its date:
    visit/contradiction.py ``recorded_dose``). An answer its visit no longer uses (the
    visit answered a first injection since) reports nothing."""
    key = guide.last_injection_key
    if key is None:
        return ()
    found: list[VisitEntry] = []
    for r in mine:
        if r.id == exclude or r.training:
            continue
        given = _date(_text(r, key))
        if given is None or given.isoformat() <= last_dose:
            continue
        if not _applies(guide, key, r.answers, _date(_text(r, guide.meta.date_key))):
            continue
        found.append(replace(entry(guide, r), date=given.isoformat()))
    return tuple(sorted(found, key=lambda v: (v.date or "", v.updated)))


def ratings_elsewhere(
    records: Iterable[SessionRecord], exclude: str | None
) -> tuple[tuple[CowsRating, dt.datetime | None], ...]:
    """Every COWS rating the care sessions of the label other than ``exclude`` hold (their
    series and their pathway day records', as each reads them for each day), named by
    their session (``origin``), each with when its session recorded it (read only for a
    rating given to the minute: the one whose order within its minute that time decides,
    visit/entries.py ``unordered_latest``; the audit trail is not scanned for the others).
    A training run holds none."""
    from .entries import given_to_the_minute, live, placed  # seam: the series (pydantic)

    out: list[tuple[CowsRating, dt.datetime | None]] = []
    for r in records:
        if r.id == exclude or r.demo_clock is not None:
            continue
        days = {x.day for x in r.cows_ratings} | {d.date for d in r.rapid_days}
        for day in sorted(days):
            ratings = r.visit_ratings(day)
            # Each as it stands in its own visit: a correction read there, in the place of
            # the entry it corrects, so that it never names an entry of another visit.
            for x in live(ratings):
                first = placed(ratings, x)
                if first.day != day:
                    continue
                named = x.model_copy(
                    update={
                        "origin": f"session {r.id}",
                        "at": first.at,
                        "day": first.day,
                        "time_given": first.time_given,
                        "corrects": None,
                        "reason": None,
                    }
                )
                when = r.recorded_at(first) if given_to_the_minute(first) else None
                out.append((named, when))
    return tuple(out)


def read_day_changed(
    record: SessionRecord, fresh: Timeline, day: dt.date, now: dt.datetime
) -> str | None:
    """Why the COWS ratings of ``day`` that the patient's other visits hold now (``fresh``:
    the record read again; those taken by ``now``) are not the ones ``record`` read into
    its series (SessionRecord.read_beside): one recorded since (or come due on a fixed
    clock), or one gone (its visit deleted). None when they are."""

    def keyed(pairs: Iterable[tuple[CowsRating, Any]]) -> dict[tuple[str, float, int], Any]:
        return {
            (r.origin, instant(r.at), r.total): r
            for r, _ in pairs
            if r.day == day and instant(r.at) <= instant(now)
        }

    read, there = keyed(record.beside_on(day)), keyed(fresh.elsewhere)
    new = [r for k, r in there.items() if k not in read]
    gone = [r for k, r in read.items() if k not in there]
    if not new and not gone:
        return None
    r = max(new or gone, key=lambda r: instant(r.at))
    what = f"{r.total} at {r.at.astimezone().strftime('%H:%M')}"
    said = (
        f"{r.origin} of this patient holds a COWS rating of {day.isoformat()} that this walk "
        f"has not read ({what})"
        if new
        else f"the COWS rating of {day.isoformat()} this walk read from {r.origin} ({what}) "
        "is no longer in the patient's record (deleted?)"
    )
    return f"{said}: the ratings of a visit day are one series, read whole"


def _recorded_uses(
    guide: Guide, mine: Iterable[VisitFacts], exclude: str | None
) -> tuple[RecordedUse, ...]:
    """The last opioid use (``[guide.report.history] last_use``, with ``last_kind``) each care
    visit of the label recorded, finished or not (a visit blocked by the interval records
    the use it was blocked on), whatever its date. A training run records none. Each
    visit's answers are read by what each is (:func:`_named`): a use recorded binds this
    visit also when this pack does not declare the role."""
    out = []
    for r in mine:
        last_use, last_kind = _named(guide, r, "last_use"), _named(guide, r, "last_kind")
        if r.id == exclude or r.training or last_use is None:
            continue
        used = _date(_text(r, last_use))
        if used is None:
            continue
        kind = _text(r, last_kind) if last_kind else None
        out.append(RecordedUse(used, r.id, _text(r, guide.meta.date_key) or "", kind))
    return tuple(out)


def _standing(
    guide: Guide,
    mine: Iterable[VisitFacts],
    exclude: str | None,
    records: Sequence[SessionRecord] = (),
) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str], ...]]:
    """Each yes to a ``standing`` answer that a care visit of the label recorded, whatever
    its date (finished or not: a visit blocked by it records it all the same), with the
    session and its date, that binds the visit judged (``exclude``). A training run
    records none.

    It binds a later answer only: where the records are at hand, a yes recorded after
    the judged visit's own stored no, when that visit had already counted its dose before
    the yes (the dose a reaction then followed, its visit resumed to record the
    observation), does not refuse that no (returned second, apart). Times are the audit
    trail's (:meth:`SessionRecord.since`, :meth:`SessionRecord.counted_at`). A visit
    whose dose is not counted yet is bound (its walk must not reach the injection beside
    the yes), and so is a no given after the yes: the stored one, or one the run gives
    now (visit/contradiction.py, ``given_now``)."""
    keys = guide.meta.report.history.standing
    by_id = {r.id: r for r in records}
    judged = by_id.get(exclude) if exclude is not None else None
    dosed = judged.counted_at() if judged is not None else None
    out: list[tuple[str, str, str]] = []
    apart: list[tuple[str, str, str]] = []
    for r in mine:
        if r.id == exclude or r.training:
            continue
        # Whatever the recording visit's date: a visit dated before it is judged now, when
        # the yes is known (a walk dated yesterday must not count a dose beside it).
        on = _text(r, guide.meta.date_key) or r.visit_date or ""
        # This pack's names, and the ones the recording pack gave them (a clinic's copy).
        for key in dict.fromkeys((*keys, *r.standing)):
            if r.answers.get(key) is not True:
                continue
            # Since when it has been yes, named as ``r`` names it here (in_our_names moves
            # yes_at with the answers; the record's own since() knows only its own names).
            said = r.yes_at.get(key) if r.id in by_id else None
            if (
                said is not None
                and judged is not None
                and dosed is not None  # its dose counted before the yes: finishing its record
                and instant(dosed) < instant(said)
                and _earlier_no(judged, (*keys, *judged.standing), said)
            ):
                apart.append((key, r.id, on))
                continue
            out.append((key, r.id, on))
    return tuple(out), tuple(apart)


def _declared_by_the_records(
    guide: Guide, mine: Iterable[VisitFacts], exclude: str | None
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """What the label's other care visits keep of what their answers are, whatever this
    pack declares (safety invariant 9): every answer their records keep as ``standing``
    (Timeline.standing_names), and the names they give each role this pack does not
    declare (Timeline.roles). A training run binds nothing."""
    declared = guide.report_names
    standing: dict[str, None] = {}
    roles: dict[str, dict[str, None]] = {}
    for v in mine:
        if v.id == exclude or v.training:
            continue
        standing.update(dict.fromkeys(v.standing))
        for at, name in v.names.items():
            if at not in declared:
                roles.setdefault(at, {})[name] = None
    return tuple(standing), {at: tuple(named) for at, named in roles.items()}


def _earlier_no(judged: SessionRecord, keys: Sequence[str], yes_at: dt.datetime) -> bool:
    """Whether every no the judged visit keeps to a ``standing`` answer was given before
    ``yes_at`` (and it keeps at least one): true then, and not contradicted by a yes
    recorded later."""
    noes = [k for k in keys if (a := judged.answers.get(k)) is not None and a.value is False]
    return bool(noes) and all(instant(judged.since(k) or yes_at) < instant(yes_at) for k in noes)


def _undated_uses(
    guide: Guide, mine: Iterable[VisitFacts], exclude: str | None
) -> tuple[UndatedUse, ...]:
    """The uses since the last injection that care visits of the label recorded without a
    date (``use_since`` answered yes, ``last_use`` not given), each with the injection it
    follows (the visit's ``last_injection`` carried answer) and the visit's date. A
    training run records none. Each visit's answers are read by what each is
    (:func:`_named`)."""
    last_key = guide.last_injection_key
    if last_key is None:
        return ()
    out = []
    for r in mine:
        use_since, last_use = _named(guide, r, "use_since"), _named(guide, r, "last_use")
        if r.id == exclude or r.training or use_since is None or last_use is None:
            continue
        if r.answers.get(use_since) is not True:
            continue
        if r.answers.get(last_use) is not None:
            continue  # dated: a recorded use (_recorded_uses)
        after = _date(_text(r, last_key))
        on = _date(_text(r, guide.meta.date_key) or r.visit_date)
        if after is not None and on is not None:
            out.append(UndatedUse(after, r.id, on))
    return tuple(out)


def _pathway_uses(
    guide: Guide,
    records: Iterable[SessionRecord],
    facts: Mapping[str, VisitFacts],
    exclude: str | None,
) -> tuple[RecordedUse, ...]:
    """Day 1 of each supervised rapid pathway a care visit of the label recorded, finished or
    not, as a use of the pathway's opioid (``[guide.report.history] pathway_opioid``): its
    buprenorphine is opioid use on day 1 (reference section 6), and a later visit is judged
    with it as the pathway's own visit would be."""
    opioid = guide.meta.report.history.pathway_opioid
    kept = [r for r in records if r.id != exclude and r.demo_clock is None and r.rapid_days]
    if opioid is None or not kept:
        return ()
    # seam: the pathway's records (pydantic), only for a timeline judged by
    from .rapid import day_one

    out = []
    for r in kept:
        start = day_one(r.rapid_days)
        if start is not None:
            visit_date = _text(facts[r.id], guide.meta.date_key) or ""
            out.append(RecordedUse(start, r.id, visit_date, opioid))
    return tuple(out)


def _from_the_end(
    guide: Guide,
    mine: Iterable[VisitFacts],
    exclude: str | None,
    after: str,
    day: dt.date,
) -> tuple[dict[str, Prefill], tuple[tuple[str, JSONScalar, str], ...]]:
    """The ``after_end`` values of the visits that recorded the end of the treatment on or
    after ``after`` (the last recorded injection's date) and on or before ``day``: for each
    value, the latest visit that gave one (a later end for another reason never hides an
    earlier switch). A training run, or an end taken back, records none. Second, the values
    the latest such visit gave that this pack's question does not take (Timeline.unread)."""
    history = guide.meta.report.history
    end_key = history.end_of_treatment
    if end_key is None or not history.after_end:
        return {}, ()
    ends = []
    for r in mine:
        said = r.answers.get(end_key)
        date = _text(r, guide.meta.date_key)
        when = _date(date)
        if r.id == exclude or r.training or said is not True:
            continue
        if when is None or when > day or (date or "") < after:
            continue
        ends.append((date or "", r.updated, r))
    out: dict[str, Prefill] = {}
    unread: dict[str, tuple[str, JSONScalar, str]] = {}
    for date, _, r in sorted(ends, key=lambda e: (e[0], e[1]), reverse=True):
        status = "" if r.status in ("blocked", "complete") else f" ({r.status}, unfinished)"
        note = f"from the history: session {r.id}{status} ended the treatment on {date}"
        taken, not_taken = _taken(guide, r, history.after_end, day, note)
        for key, fill in taken.items():  # the latest visit that gave a value wins
            if key not in out and key not in unread:
                out[key] = fill
        for key, raw in not_taken.items():
            if key not in out and key not in unread:
                unread[key] = (key, raw, note)
    return out, tuple(unread.values())


def _taken(
    guide: Guide, record: VisitFacts, carries: Iterable[Carry], day: dt.date, note: str
) -> tuple[dict[str, Prefill], dict[str, JSONScalar]]:
    """The values ``record`` answered for ``carries``, each as its question takes it, with
    ``note`` saying where it came from. A value the question does not take is left out: it
    is asked for, never guessed (returned second, as recorded)."""
    out: dict[str, Prefill] = {}
    not_taken: dict[str, JSONScalar] = {}
    for carry in carries:
        cq = guide.questions.get(carry.question)
        value: JSONScalar | None = record.answers.get(carry.from_answer)
        if cq is None or value is None:
            continue
        try:
            out[carry.question] = Prefill(parse_value(cq, value, today=day), "history", note)
        except InvalidAnswer:
            not_taken[carry.question] = value
    return out, not_taken


def _prefills(
    guide: Guide, record: VisitFacts, source: VisitEntry, day: dt.date
) -> tuple[dict[str, Prefill], tuple[tuple[str, JSONScalar, str], ...]]:
    """What a repeat visit takes from the last injection's visit, and (second) the values
    it recorded that this pack's questions do not take (Timeline.unread)."""
    history = guide.meta.report.history
    note = f"from the history: session {source.session}, injection of {source.date}"
    out, not_taken = _taken(guide, record, (*history.carry, *history.offer), day, note)
    # The visit type follows the record (reference section 7): with a finished injection
    # on record the visit is a repeat one, offered like the values above.
    visit, repeat = guide.meta.report.visit, history.repeat_visit
    if visit is not None and repeat is not None and visit in guide.questions:
        note = f"the record holds an injection of {source.date}, session {source.session}"
        out[visit] = Prefill(repeat, "history", note)
    return out, tuple((key, raw, note) for key, raw in not_taken.items())


def due_values(
    guide: Guide, prefills: Mapping[str, Prefill], day: dt.date
) -> dict[str, Any] | None:
    """The pack's due-date values for a repeat visit on ``day`` with these values filled in,
    as the engine works them out; None when there is no last injection to go by."""
    report = guide.meta.report
    visit, repeat = report.visit, report.history.repeat_visit
    if not prefills or visit is None or repeat is None or visit not in guide.questions:
        return None
    answers: dict[str, Scalar] = {k: p.value for k, p in prefills.items()}
    answers[visit] = repeat
    answers[guide.meta.date_key] = day
    try:
        state = evaluate(guide, Inputs(answers=answers, today=day, use_defaults=False))
    except InvalidAnswer:
        return None
    out: dict[str, Any] = {"date": day.isoformat()}
    for name in report.history.due:
        if name not in guide.derived:
            continue
        value = state.value(name)
        if value is UNKNOWN:
            out[name] = None
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def due_words(due: Mapping[str, Any] | None) -> str | None:
    """The due values in a line: 'due 2026-11-24: this visit is 3 days early'."""
    if not due or due.get("dose_due_date") is None:
        return None
    before = due.get("days_before_due")
    if not isinstance(before, int) or isinstance(before, bool):
        return f"dose due {due['dose_due_date']}"
    if due.get("days_since_last_injection") == 0:
        # The visit that gave the dose is not early for itself.
        return f"dose due {due['dose_due_date']}: {due['date']} is the day of that injection"
    if before == 0:
        when = "on the due date"
    elif before > 0:
        when = f"{before} day{'s' if before != 1 else ''} early"
    else:
        when = f"{-before} day{'s' if before != -1 else ''} late"
    return f"dose due {due['dose_due_date']}: a visit on {due['date']} is {when}"


def require_label(records: Iterable[SessionRecord], label: str) -> None:
    """Raise when no session has ``label``, with the nearest label there is.

    Raises:
        SessionError: no session has the label (exit 2).
    """
    known = sorted({r.label for r in records})
    if label_key(label) in {label_key(k) for k in known}:
        return
    # A short label one keystroke off ('R8' for 'R1') is below difflib's usual cutoff.
    close = next((k for k in known if _one_edit(label_key(label), label_key(k))), None)
    close = close or closest(label, known)
    extra = f" (did you mean {close!r}?)" if close else ""
    raise SessionError(
        f"no session has the label {label!r}{extra}",
        hint="`xrntx-guide sessions` lists the saved sessions and their labels.",
    )


def _one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character changed, added or left out."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def of_another_dose(
    guide: Guide, record: SessionRecord, prefills: Mapping[str, Prefill], today: dt.date
) -> list[str]:
    """The answers the record filled in (origin ``history``) from the recorded dose that
    the visit's answers now say are of another dose (:meth:`Guide.of_another_dose`: the
    last injection's date given otherwise since): to be cleared, and asked."""
    filled = {k: p.value for k, p in prefills.items()}
    answers = record.inputs(guide, today).answers
    return [
        k
        for k in sorted(guide.of_another_dose(filled, answers))
        if k in record.answers and record.answers[k].origin == "history"
    ]


def stale_history_answers(record: SessionRecord) -> list[str]:
    """Answers a resumed walk took from the history when it started: they are filled in
    again from the timeline as it is now (a later visit may have given a dose since)."""
    return [key for key, rec in record.answers.items() if rec.origin == "history"]
