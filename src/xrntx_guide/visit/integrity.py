"""Whether a session record's results agree with its own audit trail (clinical basis,
safety invariant 9).

Every COWS rating, naloxone challenge and rechallenge taken into a record
(visit/results.py), and every day of the rapid pathway's record (visit/rapid.py), is
logged in the record's audit trail as it was recorded: an event ``result`` whose detail
is the entry itself. A record is read only when its series says
what its audit trail says: each stored result matches the event that recorded it, and
each recorded result is still in the series. So a session file edited by hand (a
positive challenge changed to negative in the series and the answer) is refused, naming
the entry, instead of being resumed as if the positive had never been.

Records written before results were logged have no ``result`` event (and their audit
trail does not say who made each change, which the versions that log results do): their
entries cannot be checked one by one. They are read as they stand, except that every positive
challenge or rechallenge, and every COWS total, their answers' audit trail recorded must
still stand in the series (results are appended, never replaced). The first result
logged in such a record logs the entries already there first (``result_adopted``), as
they stood when the record was read and checked.

Every answer, override and acknowledgement is logged as it is taken too (an event
``answer``, ``change`` or ``carry`` with its value; ``clear`` when it is removed;
``override`` with its code and comment; ``acknowledge``): each stored one must be what
the audit trail last logged for its key, so an answer changed by hand (a positive urine
screen made negative, and nothing else) is refused the same way. The answers the series
alone decides (the challenge, the rechallenge and its hours) are read from the series,
never from their stored answer, and are checked through it.

Each naloxone given (a timer started) is logged as it is started (an event ``timer``:
its start, and the machine's time it is measured from): each start a record holds (its
timers, every start it kept, that machine time) must be one the audit trail logged, so a
start moved earlier by hand (the observation over at once) is refused. A record that
logged none, and neither its label nor its settings (which the versions that log starts
log at the start), is read as it stands; the first start logged in it logs those it held
first (``timer_adopted``: its running timers, and every other start it kept).

The patient's label is logged at the start too (an event ``label``): a label changed by
hand would move the visit, and its dose, to another patient.

The settings in force and the site's rapid pathway table, which a resume judges the
visit by, are logged at the start (an event ``settings``): changed by hand (an injection
day of the table moved earlier), the record is refused. A record that logged none is
read as it stands, and held to the pack's limits as a site file is.

What the record is (a care visit, or a training run on a demo clock: a training run's
dose is never the patient's) and its count of the dose are logged from its start (an
event ``run``, then ``injection_given``), so a training run made a care record by hand, a
care visit made a training run, or a count whose log was deleted is refused too. Records
written before this have neither, and are read as they stand.

What the record says of itself in the session list, the history and a health record
(its status, visit date and next dose due) is logged as it is saved, whenever it changed
(an event ``summary``): a status made complete by hand (an unfinished visit, or an
unfinished rapid pathway, read as finished) is refused. A record that logged none is
read as it stands.

This is a check of consistency, not a signature: whoever edits the audit trail as well as
the series can still forge a record; a store that keeps revisions guards against that.

:func:`check_record` is pure: no files, no clock; any store's load path calls it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pydantic import ValidationError

from .clock import instant
from .entries import CHALLENGE, RECHALLENGE, RESULT_KEYS, TOTAL, ChallengeResult, CowsRating
from .rapid import ANSWERS_KEY as RAPID
from .rapid import RapidDay

TIMER = "timer"
"""The audit trail's event for a naloxone given (a timer started): its start as value, its
time by the machine's real clock as detail (visit/session.py ``start_timer``)."""
TIMER_ADOPTED = "timer_adopted"
"""A start a record held before starts were logged, logged as it stood when the next one
was started."""
TIMER_KINDS = (TIMER, TIMER_ADOPTED)

RESULT = "result"
"""The audit trail's event for a result taken into the series."""
ADOPTED = "result_adopted"
"""The audit trail's event for a result recorded before results were logged, logged as it
stood when the record was next changed."""
KINDS = (RESULT, ADOPTED)
DOSE = "injection_given"
"""The audit trail's event for the record's count of the dose (``injection_given``: given,
and the gates allowed it), logged whenever it changes."""
_ANSWERED = ("answer", "change", "carry")
STANDING = "standing"
"""The audit trail's event, at the start, for the pack's ``standing`` answers (a known
hypersensitivity) the record keeps by name (``SessionRecord.standing``): a list dropped or
changed by hand would hide a yes recorded under a clinic's own name."""
NAMES = "names"
"""The audit trail's event, at the start, for the pack's names of the roles the timeline
reads (``SessionRecord.names``, as JSON): names changed by hand would place a dose on
another day, or hide a recorded use."""


LABEL = "label"
"""The audit trail's event, at the start, for the patient's label: the only link between
a patient's visits, so a label changed by hand would move a dose to another patient."""
SETTINGS = "settings"
"""The audit trail's event, at the start, for the settings in force and the site's rapid
pathway table (``SessionRecord.settings``, ``rapid_protocol``, as JSON): the session's own,
which a resume applies (visit/resume.py ``session_guide``), so a value or a table row
changed by hand (an injection day moved earlier) would judge the visit by rules no site
gave."""


def settings_logged(settings: Mapping[str, Any], table: Sequence[Any] | None) -> str:
    """The settings and the table as the audit trail logs them: one JSON text, keys
    sorted."""
    rows = None if table is None else [row.model_dump(mode="json") for row in table]
    return json.dumps(
        {"settings": dict(settings), "rapid_protocol": rows},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def names_logged(names: Mapping[str, str]) -> str:
    """The names as the audit trail logs them: one JSON text, keys sorted."""
    return json.dumps(dict(names), sort_keys=True, separators=(",", ":"))


SUMMARY = "summary"
"""The audit trail's event for what the record says of itself (:data:`SUMMARY_FIELDS`, as
JSON), logged as the record is saved whenever it changed (store/saver.py)."""
SUMMARY_FIELDS = ("status", "visit_date", "next_dose_due")


def summary_logged(record: Any) -> str:
    """The record's summary as the audit trail logs it: one JSON text, keys sorted."""
    held = {name: getattr(record, name) for name in SUMMARY_FIELDS}
    return json.dumps(held, sort_keys=True, separators=(",", ":"))


def last_summary(events: Sequence[Any]) -> str | None:
    """The summary the audit trail last logged (None: it logged none)."""
    return next((e.detail for e in reversed(events) if e.kind == SUMMARY), None)


KIND_OF_RUN = "run"
"""The audit trail's event, first after the start, for what the record is: a care visit
(``care``) or a training run on a demo clock (``training x60``). A record whose audit
trail has it was written with its count of the dose logged from the start."""


def run_kind(demo_clock: float | None) -> str:
    """What a record with ``demo_clock`` is, as its audit trail logs it."""
    return "care" if demo_clock is None else f"training x{demo_clock:g}"


def _kind_words(kind: str) -> str:
    if kind == "care":
        return "a care visit"
    return f"a training run (demo clock {kind.removeprefix('training ')})"


Entry = CowsRating | ChallengeResult
Logged = Entry | RapidDay


class _Event(Protocol):
    @property
    def at(self) -> dt.datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str | None: ...
    @property
    def value(self) -> Any: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def by(self) -> str | None: ...


class _Stored(Protocol):
    @property
    def value(self) -> Any: ...


class _Override(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def comment(self) -> str: ...


class Checked(Protocol):
    """What :func:`check_record` reads of a record (a ``SessionRecord``)."""

    @property
    def events(self) -> Sequence[_Event]: ...
    @property
    def answers(self) -> Mapping[str, _Stored]: ...
    @property
    def overrides(self) -> Mapping[str, _Override]: ...
    @property
    def acks(self) -> Mapping[str, object]: ...
    @property
    def injection_given(self) -> bool | None: ...
    @property
    def demo_clock(self) -> float | None: ...
    @property
    def cows_ratings(self) -> Sequence[CowsRating]: ...
    @property
    def naloxone_challenges(self) -> Sequence[ChallengeResult]: ...
    @property
    def rapid_days(self) -> Sequence[RapidDay]: ...
    @property
    def label(self) -> str: ...
    @property
    def settings(self) -> Mapping[str, Any]: ...
    @property
    def rapid_protocol(self) -> Sequence[Any] | None: ...
    @property
    def timers(self) -> Mapping[str, dt.datetime]: ...
    @property
    def timers_real(self) -> Mapping[str, dt.datetime]: ...
    @property
    def naloxone_given(self) -> Mapping[str, Sequence[dt.datetime]]: ...
    @property
    def standing(self) -> Sequence[str]: ...
    @property
    def names(self) -> Mapping[str, str]: ...
    @property
    def day_results(self) -> Mapping[str, Mapping[str, Sequence[Any]]]: ...
    @property
    def status(self) -> str: ...
    @property
    def visit_date(self) -> str | None: ...
    @property
    def next_dose_due(self) -> str | None: ...


def key_of(entry: Logged) -> str:
    """The answer a result stands for: ``cows_total``, ``naloxone_challenge``... (a
    pathway day: ``rapid_days``)."""
    if isinstance(entry, RapidDay):
        return RAPID
    if isinstance(entry, CowsRating):
        return TOTAL
    return CHALLENGE if entry.kind == "challenge" else RECHALLENGE


def value_of(entry: Logged) -> str | int:
    if isinstance(entry, RapidDay):
        return entry.day
    return entry.total if isinstance(entry, CowsRating) else entry.result


def detail_of(entry: Logged) -> str:
    """The event's detail: the entry as recorded (its JSON)."""
    return entry.model_dump_json()


def _what(key: str, at: dt.datetime) -> str:
    name = {
        TOTAL: "COWS rating",
        CHALLENGE: "naloxone challenge",
        RECHALLENGE: "naloxone rechallenge",
    }.get(key, key)
    return f"the {name} recorded at {at.isoformat()}"


def _logged(event: _Event) -> Logged | None:
    """The entry a result event recorded; None when its detail is not one."""
    model: type[Logged] = (
        RapidDay if event.key == RAPID else CowsRating if event.key == TOTAL else ChallengeResult
    )
    try:
        entry = model.model_validate(json.loads(event.detail or ""))
    except (ValueError, ValidationError, RecursionError):
        return None  # not an entry (a hand edit): named as such
    return entry if key_of(entry) == event.key else None


def entry_of(event: _Event) -> Logged | None:
    """The result an audit-trail event logged (a result taken, or one adopted); None for
    any other event, or one whose detail is not an entry."""
    return _logged(event) if event.kind in KINDS else None


def _differences(stored: Logged, logged: Logged) -> str:
    out = []
    for name in type(stored).model_fields:
        now, then = getattr(stored, name), getattr(logged, name)
        if now != then:
            out.append(f"{name} is {_shown(now)}, recorded as {_shown(then)}")
    return "; ".join(out)


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return json.dumps(value)


def check_record(record: Checked) -> list[str]:
    """What in ``record``'s results disagrees with its audit trail, one line per entry
    (empty: the record is intact).

    - a stored result without the event that recorded it, or whose value (or time, day,
      start, items, correction) differs from that event;
    - a result the audit trail recorded that the series no longer holds;
    - a positive challenge or rechallenge, or a COWS total, the answers' audit trail
      recorded that the series does not hold (records written before results were logged
      included);
    - an answer, override or acknowledgement that is not what the audit trail last logged
      for its key (:func:`_answers`).
    """
    problems: list[str] = []
    entries: list[Entry] = [*record.cows_ratings, *record.naloxone_challenges]
    logged: dict[tuple[str, float], list[Entry]] = {}
    days: list[RapidDay] = []
    for event in record.events:
        if event.kind not in KINDS:
            continue
        entry = _logged(event)
        if entry is None:
            problems.append(
                f"the audit trail's {event.kind} event of {event.at.isoformat()} does not "
                "say which result it recorded"
            )
        elif isinstance(entry, RapidDay):
            days.append(entry)
        else:
            logged.setdefault((key_of(entry), instant(entry.at)), []).append(entry)
    checked = bool(logged) or bool(days) or bool(problems)
    if not checked and any(e.by is not None for e in record.events):
        # A record whose audit trail says who made each change was written by a version
        # that logs every result: results without their events were deleted from it.
        checked = True
    if checked:
        problems += _days(list(record.rapid_days), days)
    stored: dict[tuple[str, float], list[Entry]] = {}
    for entry in entries:
        stored.setdefault((key_of(entry), instant(entry.at)), []).append(entry)
    if checked:
        for ident, here in stored.items():
            then = list(logged.get(ident, []))
            for entry in here:
                what = _what(ident[0], entry.at)
                if entry in then:
                    then.remove(entry)
                elif then:
                    problems.append(
                        f"{what} differs from the audit trail: {_differences(entry, then.pop(0))}"
                    )
                else:
                    problems.append(f"{what} ({value_of(entry)}) is not in the audit trail")
        for ident, then in logged.items():
            here = stored.get(ident, [])
            for entry in then[len(here) :]:
                problems.append(
                    f"{_what(ident[0], entry.at)} ({value_of(entry)}) is in the audit trail "
                    "but no longer in the series"
                )
    for event in record.events:
        if event.kind not in _ANSWERED:
            continue
        if event.key == TOTAL and isinstance(event.value, int):
            # A COWS total taken as an answer is a rating of the series: ratings are
            # appended, never replaced, so each total ever answered still stands there.
            if not any(r.total == event.value for r in record.cows_ratings):
                problems.append(
                    f"the audit trail records the answer {TOTAL} = {event.value} at "
                    f"{event.at.isoformat()}, but the series holds no COWS rating of that total"
                )
            continue
        if event.key not in (CHALLENGE, RECHALLENGE) or event.value != "positive":
            continue
        kind = "challenge" if event.key == CHALLENGE else "rechallenge"
        if not any(c.kind == kind and c.result == "positive" for c in record.naloxone_challenges):
            problems.append(
                f"the audit trail records the answer {event.key} = positive at "
                f"{event.at.isoformat()}, but the series holds no positive {kind}"
            )
    return problems + _day_results(record) + _answers(record) + _timers(record) + _summary(record)


def _summary(record: Checked) -> list[str]:
    """Where the record's status, visit date or next dose due is not what its audit
    trail last logged (nothing for a record that logged none: written before it was)."""
    logged = last_summary(record.events)
    if logged is None or logged == summary_logged(record):
        return []
    try:
        then = json.loads(logged)
    except ValueError:
        then = None
    if not isinstance(then, dict):
        return ["the audit trail's last summary event does not say what it logged"]
    return [
        f"its {name} is {_shown(getattr(record, name))}, but the audit trail last logged "
        f"{_shown(then.get(name))}"
        for name in SUMMARY_FIELDS
        if getattr(record, name) != then.get(name)
    ] or ["its summary is not what the audit trail last logged"]


def _logs_its_start(record: Checked) -> bool:
    """Whether the record logged its label and settings at its start (an event of
    either): one written by a version that logs both, and every naloxone start."""
    return any(e.kind in (LABEL, SETTINGS) for e in record.events)


def _moment(text: Any) -> float | None:
    try:
        return instant(dt.datetime.fromisoformat(str(text)))
    except ValueError:
        return None


def _timers(record: Checked) -> list[str]:
    """Each naloxone start the record holds (its timers, every start it kept, the real
    time a timer is measured from) against the audit trail's ``timer`` events: a start
    moved earlier by hand in a copy (the observation then over at once) is refused,
    as an edited result is. A record that logged no start (written before starts were
    logged) is read as it stands."""
    logged: dict[str, tuple[set[float | None], set[float | None]]] = {}
    for e in record.events:
        if e.kind in TIMER_KINDS and e.key is not None:
            starts, reals = logged.setdefault(e.key, (set(), set()))
            starts.add(_moment(e.value))
            if e.detail is not None:
                reals.add(_moment(e.detail))
    # A record that logs its label and settings at its start was written by a version
    # that logs every start too: without a start logged, its starts were deleted from it.
    if not logged and not _logs_its_start(record):
        return []
    problems: list[str] = []
    held = [*record.timers.items()]
    held += [(k, at) for k, starts in record.naloxone_given.items() for at in starts]
    for key, at in held:
        if instant(at) not in logged.get(key, (set(), set()))[0]:
            problems.append(
                f"the naloxone of {key} given at {at.isoformat()} is not in the audit trail"
            )
    for key, real in record.timers_real.items():
        # Only a running timer is measured from it: one left without its timer (an older
        # merge kept the other run's clearing) bounds nothing.
        if key in record.timers and instant(real) not in logged.get(key, (set(), set()))[1]:
            problems.append(
                f"the timer of {key} measured from {real.isoformat()} by the machine's clock "
                "is not in the audit trail"
            )
    return sorted(set(problems))


DAY_RESULT = "day_result"
"""The audit trail's event for a result of a day a move of the visit cleared and kept
(visit/session.py ``keep_day_results``)."""


def _day_results(record: Checked) -> list[str]:
    """The results of a day a move cleared and the record keeps (``day_results``) against
    the events that kept them: a copy that drops one (a positive screen of that day) is
    refused, as an answer changed by hand is. One kept without its event (a record
    written before they were logged) is read as it stands: a result more only binds."""
    logged = {
        (e.detail, e.key, json.dumps(e.value))
        for e in record.events
        if e.kind == DAY_RESULT and e.key is not None and e.detail is not None
    }
    stored = {
        (day, key, json.dumps(value))
        for day, taken in record.day_results.items()
        for key, values in taken.items()
        for value in values
    }
    return [
        f"the result {key} = {json.loads(value)!r} of {day} is in the audit trail but no "
        "longer among the results of that day"
        for day, key, value in sorted(logged - stored)
    ]


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1``."""
    return type(a) is type(b) and a == b


def replay(
    events: Sequence[_Event],
) -> tuple[dict[str, Any], dict[str, str], set[str], list[Any]]:
    """The audit trail replayed in order: each answer's last logged value (an answer
    cleared is gone), each override's last logged "CODE: comment", the gates
    acknowledged, and the dose counts logged."""
    logged: dict[str, Any] = {}
    overrides: dict[str, str] = {}
    acks: set[str] = set()
    doses: list[Any] = []
    for event in events:
        if event.kind == DOSE:
            doses.append(event.value)
        if event.key is None:
            continue
        if event.kind in _ANSWERED:
            logged[event.key] = event.value
        elif event.kind == "clear":
            logged.pop(event.key, None)
        elif event.kind == "override":
            overrides[event.key] = event.detail or ""
        elif event.kind == "acknowledge":
            acks.add(event.key)
    return logged, overrides, acks, doses


def held_since(events: Sequence[_Event], key: str, value: Any) -> dt.datetime | None:
    """When the answer ``key`` took ``value``, the value it holds, by the audit trail: the
    first event of the latest run that logs it (an answer given again with the same value
    is no new answer: a dose's yes given again on a resume does not move the dose); None
    when the trail does not end on it (a record written before answers were logged)."""
    start: dt.datetime | None = None
    held: Any = None
    for event in events:
        if event.key != key:
            continue
        if event.kind in _ANSWERED:
            if start is None or not _same(event.value, held):
                start = event.at
            held = event.value
        elif event.kind == "clear":
            start, held = None, None
    return start if start is not None and _same(held, value) else None


def same(a: Any, b: Any) -> bool:
    """Whether a stored value and a logged one are the same answer."""
    return _same(a, b)


def _answers(record: Checked) -> list[str]:
    """Each stored answer, override and acknowledgement against the audit trail replayed
    in order: the value an answer holds is the last one logged for its key, an answer
    cleared is gone, an override holds the code and comment last logged for its gate."""
    logged, overrides, acks, doses = replay(record.events)
    out = []
    for key, answer in record.answers.items():
        if key in RESULT_KEYS:
            continue  # read from the series only, checked through it
        if key not in logged:
            out.append(f"the answer {key} ({_shown(answer.value)}) is not in the audit trail")
        elif not _same(answer.value, logged[key]):
            out.append(
                f"the answer {key} is {_shown(answer.value)}, recorded as {_shown(logged[key])}"
            )
    for key, value in logged.items():
        if key not in record.answers and key not in RESULT_KEYS:
            out.append(
                f"the answer {key} ({_shown(value)}) is in the audit trail but no longer in "
                "the record"
            )
    for gate, override in record.overrides.items():
        if overrides.get(gate) != f"{override.code}: {override.comment}":
            out.append(f"the override of {gate} is not the one in the audit trail")
    lists = [e.value for e in record.events if e.kind == STANDING]
    if lists and lists[-1] != ",".join(record.standing):
        out.append(
            f"the record's standing answers ({', '.join(record.standing) or 'none'}) are not "
            f"the ones its audit trail started it with ({str(lists[-1]).replace(',', ', ')})"
        )
    labels = [e.value for e in record.events if e.kind == LABEL]
    logged_settings = [e.value for e in record.events if e.kind == SETTINGS]
    if bool(labels) != bool(logged_settings):
        # Both are logged at the start, by every released version that logs either (the
        # one commit that logged the settings alone never landed): one without the other
        # was deleted.
        out.append(
            "the record's audit trail logs "
            + ("its label but not its settings" if labels else "its settings but not its label")
            + " from its start"
        )
    if labels and labels[-1] != record.label:
        out.append(
            f"the record's label {record.label!r} is not the one its audit trail started it "
            f"with ({labels[-1]!r})"
        )
    if logged_settings and logged_settings[-1] != settings_logged(
        record.settings, record.rapid_protocol
    ):
        out.append(
            "the record's settings or its rapid pathway protocol table are not the ones its "
            "audit trail started it with"
        )
    named = [e.value for e in record.events if e.kind == NAMES]
    if (named or record.names) and (named[-1] if named else None) != names_logged(record.names):
        out.append(
            "the record's names of what its answers are (the visit date, the dose, the last "
            "use...) are not the ones its audit trail started it with"
        )
    kinds = [e.value for e in record.events if e.kind == KIND_OF_RUN]
    if kinds and kinds[-1] != run_kind(record.demo_clock):
        out.append(
            f"the record is marked as {_kind_words(run_kind(record.demo_clock))}, but its "
            f"audit trail started it as {_kind_words(str(kinds[-1]))}"
        )
    if kinds and not doses:
        out.append("the count of the dose (given or not) is not in the audit trail")
    if doses and not _same(record.injection_given, doses[-1]):
        out.append(
            f"the dose is counted as {'given' if record.injection_given else 'not given'}, "
            f"recorded as {'given' if doses[-1] else 'not given'}"
        )
    out += [
        f"the acknowledgement of {g} is not in the audit trail"
        for g in record.acks
        if g not in acks
    ]
    return out


def _days(stored: list[RapidDay], logged: list[RapidDay]) -> list[str]:
    """The pathway's record is only ever appended to: entry by entry, in order, it is what
    the audit trail recorded."""
    out = []
    for n, day in enumerate(stored):
        what = f"the rapid pathway's entry {n + 1} (day {day.day}, {day.date.isoformat()})"
        if n >= len(logged):
            out.append(f"{what} is not in the audit trail")
        elif day != logged[n]:
            out.append(f"{what} differs from the audit trail: {_differences(day, logged[n])}")
    for n, day in enumerate(logged[len(stored) :], start=len(stored)):
        out.append(
            f"the rapid pathway's entry {n + 1} (day {day.day}, {day.date.isoformat()}) is in "
            "the audit trail but no longer in the record"
        )
    return out
