"""Answers that contradict the path taken or the patient's record (safety invariant 10).

An answer given for a question that does not apply is otherwise ignored (listed as
``ignored``). Some ignored answers say the path is wrong: a last opioid use dated after the
last injection beside "no use since the last injection"; a last injection on a visit
answered "first injection"; a last injection older than the one the patient's record
shows, or with another side than the record's; use "since the last injection" dated
before it. Ignoring them would skip the very gates they call for (the opioid-free
interval, the early-dose stop), so they are refused, naming both answers. So is a record
the visit cannot be judged against (:func:`refuse_record`): a session file of the label
that cannot be read, or a dose recorded after this visit's date.

:func:`contradiction` is the one rule: ``check``, each batch line, ``scenarios test`` and
the presenter call it through the judge (judge.py), and the walk calls it for the
answers it starts with and for each answer typed. The names it reads are the pack's
(``[guide.report]`` and ``[guide.report.history]``); the program knows no clinical name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine.evaluate import GateResult, Inputs, evaluate
from ..errors import InvalidAnswer, UserError, resume_command
from ..expr import UNKNOWN, MapContext, format_value
from ..pack import keys
from ..pack.guide import CQuestion, Guide
from ..pack.severity import BLOCKING, HARD_STOPS, SEVERITY_RANK
from .answers import parse_value, recorded_kind

if TYPE_CHECKING:
    from ..expr.compiled import Compiled
    from .history import Timeline, VisitEntry
    from .session import SessionRecord


class Contradiction(NamedTuple):
    """The answer refused and why, naming the answer (or the record) it contradicts, with
    the fix for a command line or a file (``message``); ``prompt_fix`` is the fix that can
    be followed at a walk's prompt, where nothing can be left out (``at_prompt``)."""

    key: str
    message: str
    prompt_fix: str = "type another answer, or quit and check the label"

    @property
    def at_prompt(self) -> str:
        """The refusal as a walk's prompt says it: what is wrong, and a fix doable there."""
        depth = 0
        for i, ch in enumerate(self.message):  # the first ': ' outside brackets ends it
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and self.message.startswith(": ", i):
                return f"{self.message[:i]}: {self.prompt_fix}"
        return f"{self.message}: {self.prompt_fix}"


def recorded_dose(record: Timeline | None, day: dt.date | None = None) -> VisitEntry | None:
    """The latest injection the patient's record shows (a finished visit's, an unfinished
    visit's that recorded the injection given, or the latest a visit reported as the last
    on or before ``day``, the visit's date: :attr:`Timeline.reports`; a dose given
    elsewhere after a visit says nothing of it), or None."""
    if record is None:
        return None
    on_or_before = [v for v in record.reports if day is None or (v.date or "") <= day.isoformat()]
    reported = on_or_before[-1] if on_or_before else None
    doses = [v for v in (record.source, record.held_back, reported) if v is not None and v.date]
    return max(doses, key=lambda v: v.date or "") if doses else None


def _uncounted(guide: Guide, dose: VisitEntry) -> str:
    """A dose answered given where the record does not count it, as a refusal names it,
    with the way out if the needle never went in."""
    key = guide.meta.report.injection_given
    return (
        f"session {dose.session}, where the injection was answered given though it does "
        "not count (the gates or the patient's record did not allow it): if it was not "
        f"given, resume that session and answer {key}=no"
    )


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def contradiction(
    guide: Guide,
    answers: Mapping[str, Any],
    record: Timeline | None = None,
    given_now: Collection[str] = (),
) -> Contradiction | None:
    """The first answer that contradicts the path taken or the patient's record, or None.

    Args:
        guide: the pack (its visit answer, the repeat-visit value, the carried answers).
        answers: every answer given so far (flags, file, session, typed), as values.
        record: the patient's timeline, when the run has a label.
        given_now: the keys of ``answers`` given now (by the run's flags or file, or
            typed at a prompt), after everything the record holds.
    """
    report = guide.meta.report
    history = report.history
    repeat = history.repeat_visit
    visit = answers.get(report.visit) if report.visit else None
    found = _against_the_record(guide, answers, record)
    if found is not None:
        return found
    found = _against_what_stands(guide, answers, record, given_now)
    if found is not None:
        return found
    found = _against_a_recent_use(guide, answers, record)
    if found is not None:
        return found
    found = _refused_by_the_pack(guide, answers)
    if found is not None:
        return _with_origin(guide, found, answers, record)
    found = _beside_an_unread_value(guide, answers, record)
    if found is not None:
        return found
    visit_day = _date(answers.get(guide.meta.date_key)) or (record.day if record else None)
    dose = recorded_dose(record, visit_day)
    # The session a dose is named by: the visit that gave it, or that reported it.
    by = (
        f"reported by session {dose.session}"
        if dose is not None and record is not None and dose in record.reports
        else _uncounted(guide, dose)
        if dose is not None and dose.uncounted_injection
        else f"session {dose.session}"
        if dose is not None
        else ""
    )
    last_key = guide.last_injection_key
    if dose is not None and (repeat is None or report.visit is None):
        # A pack that names no repeat visit judges every visit as a first one: after a
        # dose on record, none of its visits can be judged (safety invariant 11).
        return Contradiction(
            report.visit or guide.meta.date_key,
            f"the patient's record shows an injection on {dose.date} ({by}), and this guide "
            "names no repeat visit ([guide.report] visit and [guide.report.history] "
            "repeat_visit), so it cannot judge a visit after a dose: use a guide that names "
            "one, or check the label",
            "quit, and use a guide that names a repeat visit, or check the label",
        )
    if visit is not None and repeat is not None and visit != repeat:
        if dose is not None:
            return Contradiction(
                str(report.visit),
                f"{format_value(visit)} was given, but the patient's record shows an injection "
                f"on {dose.date} ({by}), so this visit is a repeat visit: "
                f"answer {repeat!r} (the guide then decides whether it is treated as a new "
                "induction), or check the label",
                f"answer {repeat}, or quit and check the label",
            )
        for carry in history.carry:
            given = answers.get(carry.question)
            if given is not None:
                return Contradiction(
                    carry.question,
                    f"{format_value(given)} was given, but {report.visit}="
                    f"{format_value(visit)} says there was no earlier injection: answer "
                    f"{report.visit}={repeat} if there was one (its dose timing is then "
                    f"checked), or leave {carry.question} out",
                    f"answer {repeat} if there was an earlier injection; if there was none, "
                    f"quit and start the visit again without {carry.question}",
                )
    given_last = _date(answers.get(last_key)) if last_key else None
    if dose is not None and given_last is not None and last_key is not None:
        recorded = _date(dose.date)
        if recorded is not None and given_last < recorded:
            filled = record is not None and dose is record.source
            fix = (
                f"Leave {last_key} out to take it from the record"
                if filled
                else f"Give {dose.date} and that injection's side yourself (the record does "
                "not fill them in)"
            )
            return Contradiction(
                last_key,
                # "... was given" would read as a dose given that day; the date may have
                # been filled in from the record by a walk, not typed.
                f"this visit's {last_key} is {given_last.isoformat()}, but the patient's "
                f"record shows a later injection, on {dose.date} ({by}): the last injection is "
                f"that one. {fix}, or check the label",
                f"type {dose.date}, the recorded date, or quit and check the label",
            )
    same_dose = dose is not None and (given_last is None or given_last == _date(dose.date))
    if record is not None and dose is not None and same_dose:
        # The other values filled in from that dose (its side): an answer that differs
        # describes another injection than the one the record shows.
        carried = {c.question for c in history.carry}
        for key, fill in record.prefills.items():
            given = answers.get(key)
            if key == last_key or key not in carried or given is None or given == fill.value:
                continue
            return Contradiction(
                key,
                f"{format_value(given)} was given, but the patient's record shows "
                f"{format_value(fill.value)} for the injection of {dose.date} (session "
                f"{dose.session}): leave {key} out to take it from the record, or check the "
                "label",
                f"type {format_value(fill.value)}, as recorded, or quit and check the label",
            )
    last = given_last or (_date(dose.date) if dose is not None else None)
    use_since, last_use = _role(guide, record, "use_since"), _role(guide, record, "last_use")
    found = _against_the_recorded_use(guide, answers, record, last)
    if found is not None:
        return found
    found = _against_the_same_days_results(guide, answers, record)
    if found is not None:
        return found
    if last is None or use_since is None or last_use is None:
        return None
    used = _date(answers.get(last_use))
    # The date as the record shows it (filled in, or given and the same) is the
    # session's: named so, never "given".
    origin = (
        f"{last.isoformat()}, from session {dose.session}"
        if dose is not None and same_dose
        else f"{last.isoformat()}, given"
    )
    if answers.get(use_since) is False and used is not None and used > last:
        return Contradiction(
            last_use,
            f"{used.isoformat()} is after the last injection ({origin}), "
            f"but {use_since}=no says there was no opioid use since it: answer "
            f"{use_since}=yes (the guide then decides whether the visit is a new induction), "
            f"or correct {last_use}",
            f"type a date on or before {last.isoformat()}, or `edit {use_since}` to answer yes",
        )
    if answers.get(use_since) is True and used is not None and used < last:
        return Contradiction(
            last_use,
            f"{used.isoformat()} is before the last injection ({origin}), but "
            f"{use_since}=yes says there was opioid use since it: give the date of the last "
            f"use since the injection as {last_use}, or answer {use_since}=no",
            f"type the date of the last use since the injection (after {last.isoformat()}), "
            f"or `edit {use_since}` to answer no",
        )
    return None


def _against_what_stands(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None, given_now: Collection[str]
) -> Contradiction | None:
    """A no to a ``standing`` answer (a known hypersensitivity, an allergic reaction after
    a dose) while another care visit of the patient recorded a yes to one of them: a
    hypersensitivity once recorded is known, so the later visit cannot answer it away
    (safety invariants 1 and 11). A no given now is given after every yes recorded, also
    those that do not refuse the finished visit's own earlier no. The answers that stand
    are this pack's and those each record keeps as its own (Timeline.standing_names),
    whatever this pack declares: a copy made before the list was declared, or one that
    drops or narrows it, reads the record by what each answer is (safety invariant 9)."""
    if record is None:
        return None
    for key in dict.fromkeys((*guide.meta.report.history.standing, *record.standing_names)):
        if answers.get(key) is not False:
            continue
        stands = record.standing + (record.standing_after_own_no if key in given_now else ())
        if not stands:
            continue
        said, session, on = stands[0]
        return Contradiction(
            key,
            f"no was given, but session {session} (visit of {on}) recorded {said}=yes: a "
            "hypersensitivity once recorded is known, and stands for every later visit. "
            f"Answer {key}=yes, or correct that session if it was recorded in error, or "
            "check the label",
            "answer yes, or quit and check the label",
        )
    # A yes under a name this pack has no question for (a copy that renamed the question,
    # whether it names other answers as standing or none) cannot be answered here: read
    # past, it would be dropped in silence.
    for said, session, on in record.standing:
        if said not in guide.questions:
            return Contradiction(
                "label",
                f"session {session} (visit of {on}) recorded {said}=yes, an answer that "
                "stands for every later visit (a known hypersensitivity), but this guide has "
                f"no question {said}: walk with the guide that recorded it, or name this "
                "guide's question for it in [guide.report.history] standing",
                "quit and walk with the guide that recorded it",
            )
    return None


def _against_a_recent_use(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None
) -> Contradiction | None:
    """A no to a history question about one opioid over the last days (fentanyl in the
    last 30 days: ``[guide.report.history] recent_kind``) while another care visit of the
    patient recorded a use of that opioid within those days before this visit's date: the
    use is such a history (safety invariants 10 and 11), and a later use of another opioid
    does not take it away."""
    if record is None:
        return None
    visit_day = _date(answers.get(guide.meta.date_key)) or record.day
    for recent in guide.meta.report.history.recent_kind:
        if answers.get(recent.question) is not False:
            continue
        # A yes another visit of the same day recorded (its last opioid another one): the
        # days it looked back over are this visit's too.
        for question, session, on in record.recent_yes:
            if question == recent.question and on == visit_day.isoformat():
                return Contradiction(
                    recent.question,
                    f"no was given, but session {session} (visit of {on}, the same day) "
                    f"recorded {recent.question}=yes: answer yes, or correct that session if "
                    "it was recorded in error, or check the label",
                    "answer yes, or quit and check the label",
                )
        days = guide.setting_values[recent.days]
        for u in sorted(record.recorded_uses, key=lambda u: u.date, reverse=True):
            # A name this pack does not have may be this opioid (_judged_kinds).
            judged = (
                _judged_kinds(guide, u.kind, _role(guide, record, "last_kind"))
                if u.kind is not None
                else []
            )
            if recent.kind not in judged or not 0 <= (visit_day - u.date).days <= days:
                continue
            named = (
                _read_as(str(u.kind), recent.kind)
                if judged == [recent.kind]
                else f"{u.kind} (a name this guide does not have: {recent.kind}?)"
            )
            return Contradiction(
                recent.question,
                f"no was given, but session {u.session} (visit of {u.visit_date}) recorded "
                f"{named} on {u.date.isoformat()}, within the {days} days before this "
                f"visit ({visit_day.isoformat()}): answer {recent.question}=yes, or correct "
                "that session if it was recorded in error, or check the label",
                "answer yes, or quit and check the label",
            )
    return None


def _against_the_same_days_results(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None
) -> Contradiction | None:
    """A result of the visit day that another care visit of the patient recorded for that
    same day (a urine screen, a pregnancy test: :attr:`Timeline.same_day`) and that this
    visit's answers would lift: judged with it in place of this visit's answer (or beside
    them, where this visit gives none and its question does not apply as answered), a gate
    guarding the injection is stricter, or it would count as a finding where its question
    does not apply. The two describe one day (safety invariant 3): a negative screen
    beside the positive one the patient gave that morning never makes the dose ready
    (invariants 4 and 10: both named). A result no stricter (not done, not applicable,
    the same) binds nothing."""
    if record is None or not record.same_day:
        return None
    day = _date(answers.get(guide.meta.date_key)) or record.day
    for key, value, session, visit_day, kept, own in record.same_day:
        cq = guide.questions.get(key)
        given = answers.get(key)
        if cq is None or visit_day != day.isoformat() or value == keys.NOT_DONE:
            continue  # a test not taken is no result of the day
        if given is not None and format_value(given) == format_value(value):
            continue
        try:
            theirs = parse_value(cq, value, today=day)
        except InvalidAnswer:
            continue
        changes = {key: theirs}
        # Not given here: asked where it applies (a check is incomplete without it); only
        # where it does not apply as answered is it judged now, as if given.
        # A result that fails a gate binds; one that leaves it undecided (not done) does
        # not hold back the day's test done since.
        stricter = (
            None if given is None else _judged_less_strictly(guide, answers, changes, day, BLOCKING)
        )
        hidden = (
            None
            if stricter is not None
            else evaluate(guide, Inputs({**answers, **changes}, day)).invalid.get(key)
        )
        if stricter is None and hidden is None:
            continue
        why = (
            f"judged with it, gate {stricter.id} {stricter.outcome}s"
            if stricter is not None
            else "it does not apply to this visit as answered, and counted it would fail a "
            "contraindication"
        )
        said = f"{format_value(given)} was given" if given is not None else "it is not given"
        shown = format_value(theirs)
        if kept:  # no longer an answer of that session: nothing there to correct
            who = (
                f"this visit (session {session}) recorded {shown} for {visit_day} and kept "
                "it as that day's result when it moved to another day, and takes none back "
                "on its return"
                if own
                else f"session {session} recorded {shown} for the same day ({visit_day}), "
                "kept as that day's result when the session's visit moved to another day"
            )
            return Contradiction(
                key,
                f"{said}, but {who}: both describe that day, and {why}. Give {shown} as "
                "recorded (and the answers it calls for). A result kept so is not corrected "
                "in the session; if it was typed there under the wrong date, export the "
                f"session, delete it (`xrntx-guide sessions --delete {session}`) and enter "
                "that visit again, saying so when its date is changed",
                (
                    f"type {shown}, as recorded: this visit kept it as {visit_day}'s when it "
                    "moved away (typed there under the wrong date? quit, export this visit, "
                    "delete it and enter it again)"
                    if own
                    else f"type {shown}, as recorded, or quit: session {session} kept it for "
                    "that day"
                ),
            )
        return Contradiction(
            key,
            f"{said}, but session {session} recorded {shown} for the same day "
            f"({visit_day}): both describe that day, and {why}. Give "
            f"{shown} as recorded (and the answers it calls for), or correct "
            f"that session's answer if it was a slip ({resume_command(session)})",
            f"type {shown}, as recorded, or quit and correct session {session}",
        )
    return None


def _against_the_recorded_use(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None, last: dt.date | None
) -> Contradiction | None:
    """An answer that an opioid use another visit of the patient recorded contradicts
    (safety invariants 10 and 11). The use bounds this visit when it lies on or before this
    visit's injection date, whatever the date of the visit that recorded it (a use after
    the injection says nothing about it): a last use older than it (the opioid-free
    interval would be counted from a date the record has passed), the same date with
    another opioid than the one recorded (the interval follows the opioid), or "no use
    since the last injection" when it lies after that injection (a new induction read as a
    plain repeat dose)."""
    if record is None:
        return None
    use_since, last_use = _role(guide, record, "use_since"), _role(guide, record, "last_use")
    last_kind = _role(guide, record, "last_kind")
    visit_day = _date(answers.get(guide.meta.date_key)) or record.day
    unread = _unread_role(record, visit_day, last, use_since, last_use, last_kind)
    if unread is not None or last_use is None:
        return unread
    if use_since is not None and answers.get(use_since) is False:
        for w in record.undated_uses:
            # A use after this same injection, recorded by a visit on or before this one.
            if last is not None and w.after == last and w.visit_date <= visit_day:
                return Contradiction(
                    use_since,
                    f"no was given, but session {w.session} (visit of "
                    f"{w.visit_date.isoformat()}) recorded opioid use since the last injection "
                    f"({last.isoformat()}), without its date: answer {use_since}=yes (the "
                    "guide then decides whether the visit is a new induction), or check the "
                    "label",
                    "answer yes, or quit and check the label",
                )
    seen = record.recorded_use(visit_day)
    if seen is None:
        return None
    used = _date(answers.get(last_use))
    kind = answers.get(last_kind) if last_kind else None
    if used is not None and kind is not None:
        for u in record.recorded_uses:
            if u.date != used or u.kind is None:
                continue
            judged = _judged_kinds(guide, u.kind, last_kind)
            for recorded in judged:
                if recorded is None or recorded == kind:
                    continue
                changes = {str(last_kind): recorded}
                lifted = _judged_less_strictly(guide, answers, changes, visit_day)
                if lifted is None:
                    continue
                if len(judged) > 1:  # a name this pack does not have: no one answer
                    return Contradiction(  # is judged as strictly as each it may be
                        str(last_kind),
                        f"{format_value(kind)} was given for the use of {used.isoformat()}, "
                        f"but session {u.session} (visit of {u.visit_date}) recorded {u.kind} "
                        f"on that day, a name this guide does not have: judged as each opioid "
                        f"it names, it is judged more strictly as {recorded} (gate "
                        f"{lifted.id}). Read it by its name: walk with the guide that recorded "
                        "it, or give its name as an alias of one of this guide's choices; or "
                        "give a later use, or check the label",
                        "quit: walk with the guide that recorded it, or give its name as an "
                        "alias of this guide's choice; or check the label",
                    )
                named = _read_as(u.kind, str(recorded))
                return Contradiction(
                    str(last_kind),
                    f"{format_value(kind)} was given for the use of {used.isoformat()}, but "
                    f"session {u.session} (visit of {u.visit_date}) recorded {named} on "
                    f"that day, which the guide judges more strictly (gate {lifted.id}): the "
                    f"visit follows it. Answer {last_kind}={recorded}, give a later use, or "
                    "check the label",
                    f"type {recorded}, as recorded, or quit and check the label",
                )
    if used is not None:
        found = _held_back_by_an_earlier_use(guide, answers, record, used, last, visit_day)
        if found is not None:
            return found
    where = f"session {seen.session} (visit of {seen.visit_date})"
    if used is not None and used < seen.date:
        return Contradiction(
            last_use,
            f"{used.isoformat()} was given, but {where} recorded opioid use on "
            f"{seen.date.isoformat()}: the last use is that one or a later one. Give the date "
            "of the latest use, or check the label",
            f"type {seen.date.isoformat()} or a later date, or quit and check the label",
        )
    if use_since is None or answers.get(use_since) is not False:
        return None
    if last is not None and seen.date > last:
        return Contradiction(
            use_since,
            f"no was given, but {where} recorded opioid use on {seen.date.isoformat()}, "
            f"after the last injection ({last.isoformat()}): answer {use_since}=yes with "
            f"the latest use as {last_use} (the guide then decides whether the visit is "
            "a new induction), or check the label",
            f"answer yes, then give the latest use ({seen.date.isoformat()} or later), "
            "or quit and check the label",
        )
    return None


def _read_as(name: str, kind: str) -> str:
    """A recorded opioid's name as a refusal says it: with the opioid this pack reads it
    as, when that is another name (an alias)."""
    return name if name == kind else f"{name} (read as {kind})"


def _unread_role(
    record: Timeline,
    visit_day: dt.date,
    last: dt.date | None,
    use_since: str | None,
    last_use: str | None,
    last_kind: str | None,
) -> Contradiction | None:
    """What the record holds that this pack has no question to judge the visit against
    (:func:`_role` found none): a recorded use (no question for the last use), the opioid
    of a recorded use (no question for the last opioid: an extended-release buprenorphine
    use would be read as the unknown opioid), or a use since this same injection recorded
    without its date (no question for a use since the last injection: a new induction
    would be read as a plain repeat dose). Never dropped in silence: the visit is
    refused, naming the session (safety invariants 9 and 11)."""
    unread = record.recorded_use(visit_day) if last_use is None else None
    if unread is not None:
        return Contradiction(
            "label",
            f"session {unread.session} (visit of {unread.visit_date}) recorded opioid use on "
            f"{unread.date.isoformat()}, but this guide has no question for the last opioid "
            "use to judge this visit against it: walk with the guide that recorded it, or "
            "name that question in the guide ([guide.report.history] last_use)",
            "quit and walk with the guide that recorded the use",
        )
    if last_kind is None:
        for u in record.recorded_uses:
            if u.kind is not None and u.date <= visit_day:
                return Contradiction(
                    "label",
                    f"session {u.session} (visit of {u.visit_date}) recorded opioid use of "
                    f"{u.kind} on {u.date.isoformat()}, but this guide has no question for "
                    "the opioid last used to judge this visit against it: walk with the "
                    "guide that recorded it, or name that question in the guide "
                    "([guide.report.history] last_kind)",
                    "quit and walk with the guide that recorded the use",
                )
    if use_since is None:
        for w in record.undated_uses:
            if last is not None and w.after == last and w.visit_date <= visit_day:
                return Contradiction(
                    "label",
                    f"session {w.session} (visit of {w.visit_date.isoformat()}) recorded "
                    f"opioid use since the injection of {last.isoformat()}, but this guide has "
                    "no question for a use since the last injection to judge this visit "
                    "against it: walk with the guide that recorded it, or name that question "
                    "in the guide ([guide.report.history] use_since)",
                    "quit and walk with the guide that recorded the use",
                )
    return None


def _role(guide: Guide, record: Timeline | None, role: str) -> str | None:
    """The question that fills ``role`` of ``[guide.report.history]`` (``last_use``,
    ``use_since``, ``last_kind``) in this visit: this pack's, or, where this pack declares
    none (a copy made before the role was declared, or one that drops it), the one of
    this pack's questions the patient's other records name so (Timeline.roles). A record
    binds by what each of its answers is, whatever the reading pack declares (safety
    invariant 9)."""
    own: str | None = getattr(guide.meta.report.history, role)
    if own is not None or record is None:
        return own
    named = record.roles.get(f"report.history.{role}", ())
    return next((name for name in named if name in guide.questions), None)


def _judged_kinds(guide: Guide, kind: str | None, last_kind: str | None) -> list[str | None]:
    """The opioids a recorded use is judged as, each in turn (the strictest judgement
    holds): its own, when it is one of the pack's choices (or an alias of one: that
    choice); with none recorded, the pack's ``unnamed_kind`` (the unknown opioid); with a
    name this pack does not have (a clinic's copy named extended-release buprenorphine
    otherwise), the unknown opioid and every opioid the pack names, for the name is never
    guessed and the unknown one is not the strictest (no interval is established after
    extended-release buprenorphine). ``last_kind``: the question of the last opioid
    (:func:`_role`)."""
    history = guide.meta.report.history
    question = guide.questions.get(last_kind) if last_kind else None
    if kind is None or question is None:
        return [history.unnamed_kind]
    read = recorded_kind(guide, kind, last_kind)
    if read is not None:
        return [read]
    named = [c.value for c in question.spec.choices or () if isinstance(c.value, str)]
    return list(dict.fromkeys([history.unnamed_kind, *named]))


def _held_back_by_an_earlier_use(
    guide: Guide,
    answers: Mapping[str, Any],
    record: Timeline,
    used: dt.date,
    last: dt.date | None,
    day: dt.date,
) -> Contradiction | None:
    """A recorded use before the last use given (and after the last injection, which
    cleared what came before it) whose own opioid still holds this visit back: judged as
    the last use, it fails a gate the later use passes (methadone ten days ago, heroin
    nine: methadone's minimum has not passed). A later use never lifts what an earlier
    one asks for (reference 3.3: after methadone or buprenorphine, precipitated withdrawal
    for as long as two weeks), so the visit is refused until the earlier use's gate
    passes, naming it and the date it would."""
    last_use, last_kind = _role(guide, record, "last_use"), _role(guide, record, "last_kind")
    if last_use is None:
        return None
    for u in sorted(record.recorded_uses, key=lambda u: u.date):
        # A use before the last injection was cleared by it; one on its day, recorded as
        # use since it, was not.
        if u.date >= used or u.date > day or (last is not None and u.date < last):
            continue
        # A use recorded without its opioid is a use of the unknown one, never of the
        # opioid of the later use given now; one with an opioid this pack does not name is
        # judged as each it might be (_judged_kinds).
        for kind in _judged_kinds(guide, u.kind, last_kind):
            changes: dict[str, Any] = {last_use: u.date}
            if last_kind is not None and kind is not None:
                changes[last_kind] = kind
            # Only what no override lifts (a contraindication: the interval not yet
            # passed, an opioid with none established) holds a later use back: what the
            # earlier opioid's kind alone asks for (a caution, a challenge) follows the
            # last opioid, or a fentanyl use of long ago would refuse every later one.
            lifted = _judged_less_strictly(guide, answers, changes, day, holding=HARD_STOPS)
            if lifted is not None:
                break
        else:
            continue
        when = (
            f"; it passes on {lifted.earliest_date.isoformat()}"
            if lifted.earliest_date is not None
            else ""
        )
        # its own, or an alias
        if u.kind is not None and _judged_kinds(guide, u.kind, last_kind) == [kind]:
            what = f"{_read_as(u.kind, str(kind))} on {u.date.isoformat()}"
        else:
            why = (
                "not an opioid this guide names: judged as each it names, and the strictest "
                "holds; walk with the guide that recorded it, or give its name as an alias "
                "of one of this guide's choices"
                if u.kind
                else "its opioid not recorded"
            )
            what = f"{u.kind or 'a use'} on {u.date.isoformat()}"
            what += f" (judged as {kind}: {why})" if kind is not None else f" ({why})"
        return Contradiction(
            last_use,
            f"session {u.session} (visit of {u.visit_date}) recorded {what}, before the last "
            f"use given ({used.isoformat()}): judged from it, gate {lifted.id} still fails"
            f"{when}. A later use does not lift what an earlier opioid asks for: the visit "
            "waits for it, or check the label",
            "quit: the visit waits for the earlier use's gate; or check the label",
        )
    return None


def _judged_less_strictly(
    guide: Guide,
    answers: Mapping[str, Any],
    changes: Mapping[str, Any],
    day: dt.date,
    holding: frozenset[str] | None = None,
) -> GateResult | None:
    """The first gate (in the pack's order) that this visit's answers judge less strictly
    than the same answers with ``changes`` (the opioid, or the use, another visit
    recorded), as that judges it; None if there is none. Each gate is ranked by what it
    asks of the clinician: passed (or not applying) least, then a failing rule by its
    severity, an undecided gate as a stop. The pack's own rules decide (the interval's
    minimum, a challenge fentanyl always requires, the fentanyl caution), so answers
    judged at least as strictly as the record's are taken, and answers judged less
    strictly are refused: they would lift what the record asks for. ``holding``: only a
    gate failing with one of these severities as the record has it counts. Only the gates
    that guard the injection are compared: one judged after it (the wallet card) asks
    nothing of an opioid."""
    with_given = evaluate(guide, Inputs(answers, day)).gates
    as_recorded = evaluate(guide, Inputs({**answers, **changes}, day)).gates
    for gate_id in guide.readiness_gate_ids:
        then = as_recorded[gate_id]
        if holding is not None and (then.outcome != "fail" or then.severity not in holding):
            continue
        if _strictness(with_given[gate_id]) < _strictness(then):
            return then
    return None


def _strictness(result: GateResult) -> int:
    if result.outcome == "fail":
        return 1 + SEVERITY_RANK[result.severity]
    if result.outcome == "unknown":
        return 1 + SEVERITY_RANK["stop"]
    return 0


def _refused_by_the_pack(guide: Guide, answers: Mapping[str, Any]) -> Contradiction | None:
    """The first answer whose question's ``refused_when`` holds over the answers given (a
    negative naloxone challenge beside a positive urine screen or withdrawal by COWS: the
    challenge is not done then). Only a rule that is true refuses: an answer it reads that
    is missing leaves it unknown, and the gates decide."""
    refusing, computed = guide.once("refused_and_computed", lambda: _refusing(guide))
    if not refusing or not any(answers.get(cq.key) is not None for cq in refusing):
        return None
    values: dict[str, Any] = {k: v for k, v in answers.items() if v is not None}
    values.update(guide.setting_names)
    # A value the pack computes from other answers (a COWS total from its items).
    for key, expr in computed:
        if key not in values:
            value = expr.function(MapContext(values, frozenset(values)))
            if value is not UNKNOWN:
                values[key] = value
    ctx = MapContext(values, frozenset(values))
    for cq in refusing:
        given = answers.get(cq.key)
        if given is None or cq.refused is None:
            continue
        if cq.refused.function(ctx) is True:
            beside = sorted(
                k
                for k in cq.refused.reads
                if k != cq.key and k in guide.questions and answers.get(k) is not None
            )
            also = f"; it is judged beside {', '.join(beside)}" if beside else ""
            return Contradiction(
                cq.key,
                f"{format_value(given)} was given, but {cq.spec.refused_because}",
                f"check the answers and type the one that holds, or `edit KEY` for the one "
                f"that is wrong ({cq.key}{also})",
            )
    return None


def _beside_an_unread_value(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None
) -> Contradiction | None:
    """An answer that a value of the record might refuse, when that value is one this
    pack's question does not take (Timeline.unread: a clinic's copy named the agonist of a
    switch otherwise). The value is never guessed, and never dropped in silence either:
    while its question, where it applies, is unanswered, an answer that the pack's
    ``refused_when`` would refuse beside any value the question takes is refused, asking
    for that question first (safety invariants 10 and 11: "no opioid use since the last
    injection" beside a recorded switch to buprenorphine is a new induction read as a
    repeat dose)."""
    if record is None or not record.unread:
        return None
    for key, value, note in record.unread:
        cq = guide.questions.get(key)
        if cq is None or answers.get(key) is not None:
            continue
        takes: list[Any] = (
            [True, False] if cq.spec.type == "bool" else [c.value for c in cq.spec.choices or ()]
        )
        for taken in takes or [None]:
            refused = _refused_beside(guide, answers, key, taken)
            if refused is None or not _applies(guide, answers, key, record):
                continue
            named = ", ".join(format_value(t) for t in takes) or "its value"
            return Contradiction(
                refused,
                f"{format_value(answers[refused])} was given, but the patient's record "
                f"gives {key} = {format_value(value)} ({note}), which this guide's question "
                f"does not take (a copy of the guide may name it otherwise), and beside "
                f"{key} it may be refused: answer {key} ({named}) first, then this answer",
                f"type `edit {key}` and answer it ({named}) first",
            )
    return None


def _refused_beside(guide: Guide, answers: Mapping[str, Any], key: str, taken: Any) -> str | None:
    """The answer (its key, not ``key``'s own) that the pack's ``refused_when`` would
    refuse beside ``key`` = ``taken``; with ``taken`` None (a value that cannot be tried
    one by one: a date, a number), any given answer whose rule reads ``key``."""
    if taken is not None:
        found = _refused_by_the_pack(guide, {**answers, key: taken})
        return None if found is None or found.key == key else found.key
    refusing = guide.once("refused_and_computed", lambda: _refusing(guide))[0]
    return next(
        (
            cq.key
            for cq in refusing
            if cq.refused is not None
            and key in cq.refused.reads
            and cq.key != key
            and answers.get(cq.key) is not None
        ),
        None,
    )


def _applies(guide: Guide, answers: Mapping[str, Any], key: str, record: Timeline) -> bool:
    """Whether question ``key`` applies (or may) beside these answers on the record's day,
    as the engine works it out: a question that does not apply is never asked, so its
    value cannot hold an answer back. What the record fills in (the last injection's
    date) and the defaults (the visit's date) stand where nothing is given, as a check
    reads them and a walk fills them in when it reaches them."""
    given = {k: p.value for k, p in record.prefills.items() if k in guide.questions}
    given.update((k, v) for k, v in answers.items() if k in guide.questions and v is not None)
    try:
        state = evaluate(guide, Inputs(answers=given, today=record.day))
    except InvalidAnswer:
        return True  # refused elsewhere; here the safer reading
    return state.question_visible.get(key) is not False


def _with_origin(
    guide: Guide, found: Contradiction, answers: Mapping[str, Any], record: Timeline | None
) -> Contradiction:
    """A refusal that reads a value the patient's record filled in says where it came from:
    the clinician did not type it, and may change it."""
    cq = guide.questions.get(found.key)
    if record is None or cq is None or cq.refused is None:
        return found
    origins = [
        f"{key} = {format_value(fill.value)} is {fill.note}"
        for key, fill in sorted(record.prefills.items())
        if key != found.key and key in cq.refused.reads and answers.get(key) == fill.value
    ]
    if not origins:
        return found
    origin = "; ".join(origins)
    return found._replace(
        message=f"{found.message} ({origin})", prompt_fix=f"{origin}: {found.prompt_fix}"
    )


def _refusing(guide: Guide) -> tuple[tuple[CQuestion, ...], tuple[tuple[str, Compiled], ...]]:
    """The questions with a ``refused_when``, and the expressions of those computed from
    other answers."""
    return (
        tuple(cq for cq in guide.questions.values() if cq.refused is not None),
        tuple((k, cq.computed) for k, cq in guide.questions.items() if cq.computed is not None),
    )


def _against_the_record(
    guide: Guide, answers: Mapping[str, Any], record: Timeline | None
) -> Contradiction | None:
    """A record this visit cannot be judged against: a session file of the label that
    cannot be read (it may hold a dose), or a dose recorded after this visit's date (every
    recorded dose counts, whatever its date: a visit before it would be judged without it).
    """
    if record is None:
        return None
    if record.unreadable:
        return Contradiction(
            "label",
            record.warnings()[0],
            "quit, repair the file or move it out of the sessions folder, then resume",
        )
    date_key = guide.meta.date_key
    visit_day = _date(answers.get(date_key)) or record.day
    # Dated by the answers: a date typed or edited before a recorded dose is refused too.
    later = record.dose_after(visit_day)
    if later is not None and (recorded := _date(later.date)) and recorded > visit_day:
        return Contradiction(
            date_key,
            f"the patient's record shows an injection on {later.date} (session "
            f"{later.session}), after this visit's date {visit_day.isoformat()}: a dose "
            "recorded later counts for this visit too. Check the visit's date (--today, "
            f"{date_key}) and the label; a visit is recorded after the doses before it",
            "quit and check the visit's date (--today) and the label",
        )
    if not record.walked:
        # A walk reads the other visits' ratings of its day into its series; a check and
        # a batch line judge the answers given, which could hold an earlier rating than
        # withdrawal another visit rated that day (only withdrawal can make them stricter).
        found = record.withdrawal_elsewhere(
            visit_day, guide.setting_values.get(keys.COWS_THRESHOLD)
        )
        if found is not None:
            session = found.origin.removeprefix("session ")
            day = visit_day.isoformat()
            said = (
                f"{found.origin} of this patient rated withdrawal on {day} "
                f"(COWS {found.total} at {found.at.astimezone().strftime('%H:%M')}): the "
                "ratings of a visit day are one series, and a check judges only the answers "
                "it is given, which may hold an earlier rating."
            )
            now_of = next((v.date for v in record.visits if v.session == session), day)
            if now_of is not None and now_of != day:
                # That visit moved to another day since; its rating stays one of this day,
                # and resuming it would go on with the other day.
                return Contradiction(
                    keys.COWS_TOTAL if keys.COWS_TOTAL in guide.questions else date_key,
                    f"{said} That session's visit is now of {now_of}. Walk the patient for "
                    f"{day} (`xrntx-guide walk --label {record.label}`: a walk reads every "
                    "rating of its day into its series), or check the label and the visit's "
                    "date",
                    f"quit and walk the patient for {day}",
                )
            return Contradiction(
                keys.COWS_TOTAL if keys.COWS_TOTAL in guide.questions else date_key,
                f"{said} Resume that session ({resume_command(session)}) to go on with this "
                "visit day, or check the label and the visit's date",
                f"quit and resume {found.origin}",
            )
    return None


def refuse_contradiction(
    guide: Guide,
    answers: Mapping[str, Any],
    record: Timeline | None = None,
    given_now: Collection[str] = (),
) -> None:
    """Raise for the first answer :func:`contradiction` finds.

    Raises:
        InvalidAnswer: naming the answer and the one it contradicts (exit 2).
    """
    found = contradiction(guide, answers, record, given_now)
    if found is not None:
        raise InvalidAnswer(found.key, found.message)


def refuse_record(guide: Guide, answers: Mapping[str, Any], record: Timeline | None) -> None:
    """Raise when the patient's record cannot be judged against (an unreadable file of
    the label, a dose recorded after this visit's date).

    Raises:
        InvalidAnswer: naming the file or the session and the fix (exit 2).
    """
    found = _against_the_record(guide, answers, record)
    if found is not None:
        raise InvalidAnswer(found.key, found.message)


def refused_by_the_record(
    guide: Guide, records: Iterable[SessionRecord], record: SessionRecord, day: dt.date
) -> str | None:
    """Why the patient's record, as it stands now (``records``: the label's stored
    visits), refuses the unfinished visit ``record`` of ``day``, by the one rule every
    route follows (:func:`contradiction`; a pathway record under way in another visit:
    visit/history.py): what its resume would say. A note of the visit says so, never
    "ready" beside a dose another visit gave since. None when nothing refuses it."""
    from .history import timeline  # seam: history imports this module

    try:
        tl = timeline(guide, records, record.label, day, exclude=record.id)
    except UserError as exc:
        return exc.message
    found = contradiction(guide, record.judged_answers(guide, day), tl)
    return None if found is None else f"{found.key}: {found.message}"


def imported_beside(
    guide: Guide, records: Iterable[SessionRecord], record: SessionRecord
) -> str | None:
    """What an imported record that records a dose contradicts in the patient's record
    here (``records``: the label's stored visits), by the one rule every route follows
    (:func:`contradiction`: a first injection beside a recorded dose...): it is stored
    as it stands (a dose given elsewhere is never hidden), but never in silence. The
    record is read as the timeline reads another visit (its dose as the history counts
    it, a record of an older version too; its answers by what each is, a copy's own
    names translated, an answer this pack does not know left out). None when it records
    no dose, is a training run, or contradicts nothing this pack can read."""
    from .facts import facts_of  # seam: only when a record is imported
    from .history import entry, in_our_names, timeline  # seam: history imports this module

    seen = entry(guide, record)
    if record.demo_clock is not None or not (seen.counts or seen.unfinished_injection):
        return None
    try:
        day = dt.date.fromisoformat(str(seen.date))
        tl = timeline(guide, records, record.label, day, exclude=record.id)
    except (ValueError, UserError):
        return None
    answers: dict[str, Any] = {}
    for key, value in in_our_names(guide, facts_of(record)).answers.items():
        cq = guide.questions.get(key)
        if cq is None or value is None:
            continue
        try:
            answers[key] = parse_value(cq, value, today=day)
        except InvalidAnswer:
            continue
    # What a visit here that ended the treatment offers (a switch to an agonist), where
    # its question applies and the record leaves it unanswered, as a check reads it: the
    # other site did not know of it.
    for key in sorted(tl.from_end):
        if answers.get(key) is None and _applies(guide, answers, key, tl):
            answers[key] = tl.prefills[key].value
    found = contradiction(guide, answers, tl)
    return None if found is None else found.message
