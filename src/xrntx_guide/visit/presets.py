"""Answers and overrides given up front: ``--answer``, ``--answers FILE``, ``--override``.

Values are validated exactly as the interactive prompt validates them (same parser, same
bounds), and every problem names the key and the fix.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine.evaluate import Inputs, Override, OverrideRequest, State, evaluate
from ..engine.next_action import wait_minutes
from ..errors import InvalidAnswer, UsageError
from ..expr import Scalar
from ..files import Unreadable, read_regular
from ..pack import keys as pack_keys
from ..pack.guide import Guide
from ..suggest import closest
from .answers import (
    CHALLENGES_KEY,
    RAPID_DAYS_KEY,
    RATINGS_KEY,
    RESULT_KEYS,
    UnknownKey,
    is_record_key,
    parse_pairs,
    parse_value,
    started_of,
    unknown_key,
)
from .clock import end_of_day, observation_problem, parse_moment, refuse_after_now, shown


class Preset(NamedTuple):
    """An answer given before the walk, and where from. (A named tuple: a batch makes
    one per answer per line.)"""

    value: Scalar
    origin: str  # "flag" | "file" | "session" | "record" (from the rapid pathway's days)


LABEL_KEY = "label"
"""A batch line's field naming the patient whose record the check reads (judge.py)."""
SCENARIO_TABLE = "scenario"
"""The table that makes a TOML file a case scenario (scenarios.py), never an answers file:
one given as answers is named as a scenario."""


class Given(NamedTuple):
    """What a run was given: the answers (flags over the file), and the answers file as
    read, once (``{}`` without one): the records in it (a COWS series, the challenges, a
    rapid pathway's days) are kept or reported from this, never read again. ``where``
    names the file in messages."""

    answers: dict[str, Preset]
    raw: Mapping[str, Any]
    where: str


MAX_ANSWERS_FILE = 1024 * 1024
"""An answers file is a few hundred bytes; anything near this is not one."""

if TYPE_CHECKING:
    from .entries import CowsRating
    from .rapid import RapidDay
    from .series import Expanded


def read_answers_file(path: Path) -> dict[str, Any]:
    """A TOML or JSON file of ``key = value`` answers (TOML by the ``.toml`` extension).

    Only a regular file of at most :data:`MAX_ANSWERS_FILE` bytes is read: a FIFO or
    ``/dev/zero`` given by mistake is refused at once instead of waiting forever.
    """
    where = f"--answers {path}"
    try:
        text = read_regular(path, MAX_ANSWERS_FILE).decode("utf-8")
    except Unreadable as exc:
        raise UsageError(f"{where}: {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text (byte {exc.start + 1}: {exc.reason})") from None
    return answers_of_text(text, where, toml=path.suffix.lower() == ".toml")


class DuplicateKey(ValueError):
    """An object of answers that gives one key twice: which one counts would be a guess."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def words(self) -> str:
        return f"the key {self.key!r} is given twice in one object: give each key once"


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' ``object_pairs_hook``: an object, refusing a key given twice.

    Raises:
        DuplicateKey: naming the key.
    """
    out = dict(pairs)  # the common case, every key once, without a loop in Python
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen.add(key)
    raise AssertionError("unreachable: fewer keys than pairs means a key given twice")


def answers_of_text(
    text: str, where: str, *, toml: bool = False, hint: str = "Name the file *.toml for TOML."
) -> dict[str, Any]:
    """One object of answers from the text of a file or of standard input (JSON, or TOML);
    every error is a usage error naming ``where``. Its ``id`` (the caller's own name for
    the patient, which ``schema answers`` allows) is dropped here, for every route alike."""
    data: Any
    if toml:
        import tomllib  # seam: TOML only for a TOML answers file, never on a start-up

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{where}: not valid TOML: {exc}") from None
        except RecursionError:
            raise UsageError(f"{where}: not valid TOML: nested too deeply to read") from None
        except ValueError:  # an integer of more digits than Python converts
            raise UsageError(f"{where}: not valid TOML here: a number too long") from None
    else:
        try:
            data = json.loads(text, object_pairs_hook=unique_keys)
        except DuplicateKey as exc:
            raise UsageError(f"{where}: {exc.words()}") from None
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{where}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}",
                hint=hint,
            ) from None
        except RecursionError:
            raise UsageError(f"{where}: not valid JSON: nested too deeply to read") from None
        except ValueError:  # an integer of more digits than Python converts
            raise UsageError(f"{where}: not valid JSON here: a number too long") from None
    if not isinstance(data, dict):
        raise UsageError(f"{where}: must hold one object of key/value answers")
    data.pop("id", None)
    return data


def parse_answers(
    guide: Guide,
    raw: Mapping[str, Any],
    origin: str,
    today: dt.date,
    where: str | None,
    visit_day: dt.date | None = None,
    now: dt.datetime | None = None,
    recorded: Any = None,
) -> dict[str, Preset]:
    """Typed answers from a file, a batch line or flags; ``where`` (e.g. ``--answers
    FILE``) is named in every message. A batch gives None: its error lines carry the line
    number in a field of their own.

    A COWS series (``cows_ratings``) and a challenge with its rechallenge
    (``naloxone_challenges``) stand for the answers they give on the visit day
    (``visit_day``, else the ``injection_date`` given, else ``today``): see visit/series.py.
    A result in them, or in the rapid pathway's days, timed after ``now`` is refused (the
    visit's clock; None: the end of ``today``). ``recorded``: a resumed session's series,
    whose entries the file's corrections may name."""
    raw, day, rating = expand_series(guide, raw, today, where, visit_day, now, recorded)
    out: dict[str, Preset] = {}
    questions = guide.questions
    plain = guide.once("plain_answer_keys", lambda: _plain_keys(guide))
    for key, value in raw.items():
        if key in plain and type(value) in _PLAIN_TYPES:
            # The common case, read as below without the checks it passes: a question's
            # own key (no start of a timed result, no record key, no label), and a value
            # that is one JSON scalar (never a date and time, null, a list or an object).
            try:
                out[key] = Preset(parse_value(questions[key], value, today=today), origin)
            except InvalidAnswer as exc:
                suffix = f" ({where})" if where else ""
                raise InvalidAnswer(
                    key, f"{exc.reason}{suffix}", hint=_allowed_hint(guide, key)
                ) from None
            continue
        if started_of(guide, key) is not None:
            given_starts(guide, {key: value}, today, where, now)  # read: refused if wrong
            continue  # when the naloxone was given: see given_starts
        if key == RAPID_DAYS_KEY:
            # seam: keeps pydantic out of a check without a pathway record
            from .rapid import derive, parse_days, record_answers, table_of

            # A resumed session's record first: a file's entry may correct one of its days.
            kept = list(getattr(recorded, "rapid_days", None) or ())
            days = parse_days(guide, value, today, where, now, kept)
            reading = derive([*kept, *days], table_of(guide), today)
            assert day is not None  # the record gives a series: its ratings of the visit day
            read = record_answers(guide, reading, day, rating)
            out.update((k, Preset(v, "record")) for k, v in read.items())
            continue
        if key == LABEL_KEY:  # a batch line's field, taken off the line before this
            suffix = f" ({where})" if where else ""
            raise InvalidAnswer(
                key,
                f"is the patient's label, not an answer{suffix}",
                hint="Give it with --label LABEL on the command line (`walk --label LABEL`, "
                '`check --label LABEL`), or as a batch line\'s "label".',
            )
        if is_record_key(guide, key):
            suffix = f" ({where})" if where else ""
            raise InvalidAnswer(
                key,
                f"is worked out from the rapid pathway's daily record, never given{suffix}",
                hint=f"Give the record as {RAPID_DAYS_KEY} in an answers file (docs/scripting.md).",
            )
        cq = guide.questions.get(key)
        if cq is None and key == SCENARIO_TABLE and isinstance(value, dict):
            suffix = f" ({where})" if where else ""
            raise UsageError(
                f"this is a case scenario (its [{SCENARIO_TABLE}] table), not an answers "
                f"file{suffix}",
                hint="Present it with `xrntx-guide demo NAME --dir FOLDER` (NAME: the file's "
                "name without .toml), check it with `xrntx-guide scenarios test FOLDER`, or "
                "give its [answers] table alone as an answers file.",
            )
        if cq is None:
            err = unknown_key(guide, key)
            if where is not None:
                err = UnknownKey(key, f"{where}: {err.message}", hint=err.hint)
            raise err
        if isinstance(value, dt.datetime):
            suffix = f" ({where})" if where else ""
            raise InvalidAnswer(
                key, f"{value.isoformat()} is a date and time; give a date (YYYY-MM-DD){suffix}"
            )
        if value is None or isinstance(value, list | dict):
            suffix = f" ({where})" if where else ""
            what = "null" if value is None else "a list" if isinstance(value, list) else "an object"
            raise InvalidAnswer(key, f"{what} is not a single value{suffix}")
        try:
            out[key] = Preset(parse_value(cq, value, today=today), origin)
        except InvalidAnswer as exc:
            suffix = f" ({where})" if where else ""
            raise InvalidAnswer(
                key, f"{exc.reason}{suffix}", hint=_allowed_hint(guide, key)
            ) from None
    return out


_PLAIN_TYPES = frozenset({str, bool, int, float})
"""The types of a JSON scalar that is a value (null aside), exactly: a subclass (a date
and time is a date) takes the long way."""


def _plain_keys(guide: Guide) -> frozenset[str]:
    """The answer keys :func:`parse_answers` reads as a question's answer and nothing else:
    every question's key but the start of a timed result, the rapid pathway's days and
    its record's keys, and the label."""
    return frozenset(
        k
        for k in guide.questions
        if started_of(guide, k) is None
        and k not in (RAPID_DAYS_KEY, LABEL_KEY)
        and not is_record_key(guide, k)
    )


def _allowed_hint(guide: Guide, key: str, read: bool = False) -> str | None:
    """What the answer may be: its choices, or how a yes/no or a date is written. ``read``:
    the value was read, and is refused for what it says (a date after the visit): how it is
    written is no fix then, only a choice's list of values is."""
    cq = guide.questions[key]
    if cq.spec.choices:
        return "Allowed: " + ", ".join(str(c.value) for c in cq.spec.choices)
    if read:
        return None
    return {"bool": "Allowed: yes, no", "date": "Dates are YYYY-MM-DD."}.get(cq.spec.type)


def gather(
    guide: Guide,
    answer_flags: Iterable[str],
    answers_file: Path | None,
    today: dt.date,
    base: Mapping[str, Preset] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Preset]:
    """Flag over file over session (``base``): later sources win."""
    raw = read_answers_file(answers_file) if answers_file is not None else None
    return gather_given(guide, answer_flags, raw, f"--answers {answers_file}", today, base, now)


def gather_given(
    guide: Guide,
    answer_flags: Iterable[str],
    raw: Mapping[str, Any] | None,
    where: str,
    today: dt.date,
    base: Mapping[str, Preset] | None = None,
    now: dt.datetime | None = None,
    recorded: Any = None,
) -> dict[str, Preset]:
    """:func:`gather` with the answers file already read (``raw``; None for no file; from
    a file or from standard input alike), named ``where`` in messages; nothing timed after
    ``now`` (the visit's clock) is taken."""
    merged: dict[str, Preset] = dict(base or {})
    pairs = dict(parse_pairs(answer_flags))
    flags = parse_answers(guide, pairs, "flag", today, "--answer", now=now)
    if raw is not None:
        # A series in the file is read for the visit day in force: a flag's date first.
        flag_day = flags.get(guide.meta.date_key)
        day = flag_day.value if flag_day is not None else None
        visit_day = day if isinstance(day, dt.date) else None
        from_file = parse_answers(guide, raw, "file", today, where, visit_day, now, recorded)
        refuse_flags_beside_series(
            guide, raw, from_file, flags, today, where, now, recorded=recorded
        )
        merged.update(from_file)
    merged.update(flags)
    return merged


def refuse_flags_beside_series(
    guide: Guide,
    raw: Mapping[str, Any],
    given: Mapping[str, Preset],
    flags: Mapping[str, Preset],
    today: dt.date,
    where: str,
    now: dt.datetime | None = None,
    by: str = "--answer",
    recorded: Any = None,
) -> None:
    """Single answers over a series would replace the answers it stands for (the latest
    rating of the day, a positive challenge) without a word: refused. The same for flags
    over an answers file, flags over a batch line, and a batch line over the shared
    ``--answers FILE``. ``given``: ``raw`` parsed; ``flags``: the single answers over it,
    given ``by`` (named in the message).

    Raises:
        InvalidAnswer: a single answer gives an answer the series in ``raw`` gives.
    """
    # The day record's ratings of the visit day are ratings of the series (read_series).
    series = [k for k in (RATINGS_KEY, CHALLENGES_KEY, RAPID_DAYS_KEY) if k in raw]
    if not series or not flags:
        return
    rest = {k: v for k, v in raw.items() if k not in series}
    stands_for = set(given) - set(parse_answers(guide, rest, "file", today, where, now=now))
    if CHALLENGES_KEY in raw:
        # The challenge series stands for the challenge, the rechallenge and its hours
        # whatever it gives for the visit day: a rechallenge beside it cannot be ordered
        # against its positive, and hours are worked out from its times, never given.
        stands_for |= {k for k in RESULT_KEYS if k in guide.questions}
    clash = sorted(stands_for & set(flags))
    if not clash:
        return
    # A result is taken by the one rule (visit/results.py), which names what the series
    # records; it has no time here, so it can only repeat it, never replace it.
    # seam: keeps pydantic out of a check without a series
    from .results import Results, offered_answers, offered_series, take_results

    expanded = file_series(guide, raw, flags, today, now, recorded)
    held = Results.copy_of(recorded)
    take_results(guide, held, offered_series(expanded), now=now)
    day = flags.get(guide.meta.date_key)
    visit = day.value if day is not None and isinstance(day.value, dt.date) else today
    single = {k: flags[k].value for k in clash}
    try:
        take_results(guide, held, offered_answers(guide, single, None, "flag"), visit, now)
    except InvalidAnswer as exc:
        raise InvalidAnswer(
            exc.key, f"given by {by} beside the series in {where}: {exc.reason}", hint=exc.hint
        ) from None
    raise InvalidAnswer(
        clash[0],
        f"given by {by} beside the series in {where} ({', '.join(series)}), which "
        "gives it: change the series instead (an entry with its time; the rechallenge's "
        "hours are worked out from the times)",
    )


def file_series(
    guide: Guide,
    raw: Mapping[str, Any],
    presets: Mapping[str, Preset],
    today: dt.date,
    now: dt.datetime | None = None,
    recorded: Any = None,
) -> Expanded | None:
    """The COWS series and the challenges an answers file gives (``cows_ratings``,
    ``naloxone_challenges``), read for the visit day in force; None when it gives neither.
    One reading for the session record (walk) and for ``used`` (check)."""
    if not gives_series(raw):
        return None
    given = presets.get(guide.meta.date_key)
    visit = given.value if given is not None and given.origin == "flag" else None
    day = series_day(guide, raw, today, visit if isinstance(visit, dt.date) else None)
    return read_series(guide, raw, day, None, now, recorded, today)


def gives_series(raw: Mapping[str, Any]) -> bool:
    """Whether ``raw`` gives a series of results with their times: the COWS ratings, the
    challenges, or the rapid pathway's days (whose COWS ratings of the visit day are
    ratings of the one series, :func:`read_series`)."""
    return RATINGS_KEY in raw or CHALLENGES_KEY in raw or RAPID_DAYS_KEY in raw


def read_series(
    guide: Guide,
    raw: Mapping[str, Any],
    day: dt.date,
    where: str | None,
    now: dt.datetime | None = None,
    recorded: Any = None,
    today: dt.date | None = None,
) -> Expanded:
    """A file's series read for the visit day ``day`` as of ``now`` (None: the end of
    ``day``; a time after it is refused, visit/clock.py), its entries checked by the rule
    every route follows (visit/results.py), after ``recorded``'s (a resumed session's:
    a file's correction may name one of its entries).

    The ratings of the visit day are one series, whatever route gave them: the file's
    ``cows_ratings`` and the COWS ratings of the rapid pathway's day record dated the
    visit day (the file's days read after ``recorded``'s, as of ``today``: the clock's
    date, ``day`` when None). The gate reads the latest of them, and a challenge done
    beside withdrawal in any of them is judged so (reference 5.2)."""
    from .results import check_series  # seam: keeps pydantic out of a check without a series
    from .series import expand  # seam: keeps pydantic out of a check without a series

    on_record = _day_ratings(guide, raw, day, where, now, recorded, today or day)
    expanded = expand(guide, raw, day, where, now, on_record)
    check_series(guide, expanded, where, recorded)
    if on_record:
        _refuse_single_beside_days(guide, raw, expanded, day, where)
    return expanded


def _day_ratings(
    guide: Guide,
    raw: Mapping[str, Any],
    day: dt.date,
    where: str | None,
    now: dt.datetime | None,
    recorded: Any,
    today: dt.date,
) -> list[CowsRating]:
    """The COWS ratings of the visit day ``day`` in the rapid pathway's record: the days
    ``recorded`` (a resumed session's) with those ``raw`` adds (visit/rapid.py)."""
    kept = list(getattr(recorded, "rapid_days", None) or ())
    if RAPID_DAYS_KEY not in raw and not kept:
        return []
    # seam: keeps pydantic out of a check without a pathway record
    from .rapid import parse_days, ratings_of

    given = raw.get(RAPID_DAYS_KEY)
    new = parse_days(guide, given, today, where, now, kept) if given is not None else []
    threshold = guide.setting_values.get(pack_keys.COWS_THRESHOLD)
    return ratings_of([*kept, *new], day, "file" if new else "session", threshold)


def _refuse_single_beside_days(
    guide: Guide, raw: Mapping[str, Any], expanded: Expanded, day: dt.date, where: str | None
) -> None:
    """A single rating (``cows_total``, the items) given beside the day record's ratings
    of the visit day has no time to be ordered by: it may repeat the latest rating of the
    day (its total), never replace it, as beside a file's ``cows_ratings``.

    Raises:
        InvalidAnswer: a single total that differs from the latest of the visit day, or
            item scores (which the record's total cannot be matched with).
    """
    from .entries import item_keys  # seam: keeps pydantic out of a check without a series

    latest = expanded.ratings[expanded.used_rating] if expanded.used_rating is not None else None
    if latest is None:
        return
    suffix = f" ({where})" if where else ""
    said = f"the rapid pathway's day record, whose latest COWS rating of {day.isoformat()}"
    hint = (
        "Leave the single rating out (the gates read the day record's latest rating), or "
        "record the rating in its day's 'cows' with its time (docs/scripting.md)."
    )
    items = sorted(k for k in item_keys(guide) if k in raw)
    if items:
        raise InvalidAnswer(
            items[0],
            f"given beside {said} ({shown(latest.at, '%H:%M')}) has total {latest.total}: "
            f"a rating without its time cannot be ordered against it{suffix}",
            hint=hint,
        )
    key = pack_keys.COWS_TOTAL
    if key not in raw or key not in guide.questions:
        return
    total = parse_value(guide.questions[key], raw[key], today=day)
    if total != latest.total:
        raise InvalidAnswer(
            key,
            f"{total}: given beside {said} ({shown(latest.at, '%H:%M')}) has total "
            f"{latest.total}: a rating without its time cannot be ordered against it, and "
            f"a recorded rating is never replaced{suffix}",
            hint=hint,
        )


def refuse_observed_beside_withdrawal(
    guide: Guide,
    raw: Mapping[str, Any],
    presets: Mapping[str, Preset],
    observed: Iterable[Observed],
    today: dt.date,
    now: dt.datetime | None = None,
) -> None:
    """A check's results given singly with the time their naloxone was given (a flag, a
    file's single answer, a batch line), judged against the visit day's ratings, the one
    series the file gives (``cows_ratings`` and the day record's ratings of the visit
    day): done beside withdrawal, refused as a walk refuses them (visit/results.py).

    Raises:
        InvalidAnswer: a negative done beside withdrawal, naming the rating.
    """
    if not gives_series(raw):
        return
    expanded = file_series(guide, raw, presets, today, now)
    if expanded is None or not expanded.ratings:
        return
    from .results import refuse_beside_withdrawal  # seam: pydantic only beside a series

    refuse_beside_withdrawal(
        guide, expanded.ratings, [(o.key, o.value, o.started, o.at) for o in observed]
    )


def file_days(
    guide: Guide,
    raw: Mapping[str, Any],
    today: dt.date,
    where: str,
    now: dt.datetime | None = None,
    recorded: Sequence[RapidDay] = (),
) -> tuple[RapidDay, ...]:
    """The rapid pathway's days an answers file gives (``rapid_days``) that add to
    ``recorded`` (a resumed session's days, which a file's correction may name); none
    without."""
    if RAPID_DAYS_KEY not in raw:
        return ()
    from .rapid import parse_days  # seam: keeps pydantic out of a check without a pathway record

    return tuple(parse_days(guide, raw[RAPID_DAYS_KEY], today, where, now, recorded))


def given_starts(
    guide: Guide,
    raw: Mapping[str, Any],
    today: dt.date,
    where: str | None,
    now: dt.datetime | None = None,
) -> dict[str, dt.datetime]:
    """When the naloxone of each timed result was given, as ``raw`` (flags as pairs, an
    answers file, a batch line) gives it: ``naloxone_challenge_started = "09:05"`` (a time
    on ``today``, a date and time, or ``N minutes ago``), by the timed question's key.
    Never after ``now`` (the one rule of visit/clock.py; None: the end of ``today``).

    Raises:
        InvalidAnswer: not a time, or after now.
    """
    at_most = now if now is not None else end_of_day(today)
    suffix = f" ({where})" if where else ""
    out: dict[str, dt.datetime] = {}
    for key, value in raw.items():
        base = started_of(guide, key)
        if base is None:
            continue
        try:
            at = parse_moment(value, today, at_most)
        except ValueError as exc:
            raise InvalidAnswer(key, f"{exc}{suffix}") from None
        refuse_after_now(key, f"the naloxone for {base}{suffix}", at, at_most)
        out[base] = at
    return out


def given_observation(
    guide: Guide,
    raw: Mapping[str, Any],
    where: str | None,
    answers: Mapping[str, Preset],
    flags: Iterable[str],
    today: dt.date,
    now: dt.datetime,
    recorded: Any = None,
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]]:
    """What a run was given about its timed results' observations (walk and check read it
    alike): when each naloxone was given (flags over the answers file ``raw``, and a
    challenge series' own ``started``), and when each result was taken (a series' ``at``;
    a flag's result is taken now). ``recorded``: a resumed session, whose entries a
    file's correction may name, as where the file's series is recorded."""
    starts = {
        **given_starts(guide, raw, today, where, now),
        **given_starts(guide, dict(parse_pairs(flags)), today, "--answer", now),
    }
    times: dict[str, dt.datetime] = {}
    if CHALLENGES_KEY in raw:
        series = file_series(guide, raw, answers, today, now, recorded)
        for c in series.challenges if series is not None else []:
            key = f"naloxone_{c['kind']}"
            p = answers.get(key)
            if p is not None and p.origin == "file" and p.value == c["result"]:
                times[key] = c["at"]
                if "started" in c:
                    starts.setdefault(key, c["started"])
    return starts, times


class Observed(NamedTuple):
    """A result that waits for an observation (a negative naloxone challenge), given by a
    flag, a file or a batch line, with when the naloxone was given (None: not known)."""

    key: str
    value: Scalar
    started: dt.datetime | None
    at: dt.datetime | None
    """When the result was taken: now for a flag, a series' own time for a file's."""
    minutes: float


def observed_results(
    state: State,
    presets: Mapping[str, Preset] | None,
    starts: Mapping[str, dt.datetime],
    now: dt.datetime | None = None,
    result_times: Mapping[str, dt.datetime] | None = None,
) -> list[Observed]:
    """The results that wait for their observation, each with its start (from
    ``starts``: given, or a timer the session started) and the time it was taken: those
    given (``presets``), or (None) every such answer of ``state`` that applies."""
    given: dict[str, object]
    guide = state.guide
    timed = guide.once(
        "timed_questions",
        lambda: {k: cq for k, cq in guide.questions.items() if cq.wait_minutes is not None},
    )
    if presets is None:
        given = {k: state.value(k) for k in timed if state.question_visible.get(k) is True}
    else:
        given = {k: p.value for k, p in presets.items() if k in timed}
    out = []
    for key, value in given.items():
        cq = guide.questions.get(key)
        if cq is None or cq.wait_minutes is None or value not in cq.spec.wait_for:
            continue
        minutes = wait_minutes(state, cq)
        if minutes is None:
            continue
        at = (result_times or {}).get(key, now)
        out.append(Observed(key, value, starts.get(key), at, minutes))
    return out


def series_observed(
    state: State,
    raw: Mapping[str, Any],
    answers: Mapping[str, Preset],
    today: dt.date,
    now: dt.datetime,
    starts: Mapping[str, dt.datetime],
    timers: Mapping[str, dt.datetime],
    recorded: Any = None,
) -> list[Observed]:
    """Every entry of a file's challenge series that waits for its observation (a
    negative), as a walk takes it into its record: each with its own times (its own
    ``started``, else a flag's, else the session's timer for it). The record takes the
    file's entries whole (visit/results.py ``take_given``), not only those the file's
    answers stand for: a rechallenge given on resume beside the session's positive
    challenge stands for no answer of the file alone, yet lifts the positive once it is
    recorded, so its observation is judged here, as every other result's."""
    if CHALLENGES_KEY not in raw:
        return []
    guide = state.guide
    series = file_series(guide, raw, answers, today, now, recorded)
    out: list[Observed] = []
    for c in series.entries if series is not None else []:
        key = f"naloxone_{c.kind}"
        cq = guide.questions.get(key)
        if cq is None or cq.wait_minutes is None or c.result not in cq.spec.wait_for:
            continue
        minutes = wait_minutes(state, cq)
        if minutes is None:
            continue
        started = c.started or starts.get(key) or timers.get(key)
        out.append(Observed(key, c.result, started, c.at, minutes))
    return out


def refuse_unobserved(observed: Iterable[Observed], kept: bool) -> None:
    """The observation is a minimum (clinical basis, safety invariant 8): a result given
    with the time the naloxone was given counts only that many minutes after it. In a
    visit record (``kept``: walk, resume) the time is needed; ``check``, which keeps no
    record, takes a bare result as reported (and says so in its output).

    Raises:
        InvalidAnswer: a start too close to the result, or (``kept``) no start.
    """
    for o in observed:
        if o.started is None:
            if not kept:
                continue
            raise InvalidAnswer(
                o.key,
                f"{o.value} needs the time the naloxone was given, at least {o.minutes:g} "
                "minutes before it (the observation is a minimum), and this walk has none",
                hint=f"Give --answer {o.key}_started=HH:MM (or YYYY-MM-DDTHH:MM, or 'N "
                f"minutes ago'; in an answers file the key {o.key}_started, or 'started' in "
                "naloxone_challenges); or leave the result out and type 'start' at its "
                "prompt when the naloxone is given.",
            )
        if o.at is None:
            continue
        problem = observation_problem(
            f"{o.key}={o.value}", o.started, o.at, o.minutes, result=o.value
        )
        if problem is not None:
            raise InvalidAnswer(o.key, problem)


def observation_json(observed: Iterable[Observed]) -> dict[str, Any]:
    """What ``check --json`` says of each observed result: when the naloxone was given,
    or that no observation time was recorded (the result is taken as reported)."""
    return {
        o.key: {
            "result": o.value,
            "started": None if o.started is None else o.started.isoformat(),
            "observation_recorded": o.started is not None,
            "minutes": o.minutes,
        }
        for o in observed
    }


def refuse_invalid(state: State, keys: Iterable[str]) -> None:
    """Refuse an answer that cannot count once all are in: outside its bounds (which may
    read other answers, e.g. ``max = "injection_date"``) or contradicting the answers it is
    computed from (the engine's verdict, so every input route refuses the same answers)."""
    for key in keys:
        problem = state.invalid.get(key)
        if problem is not None:
            raise InvalidAnswer(key, problem, hint=_allowed_hint(state.guide, key, read=True))


def parse_overrides(guide: Guide, flags: Iterable[str]) -> list[OverrideRequest]:
    out: list[OverrideRequest] = []
    codes = {c.code for c in guide.meta.override_codes}
    gate_ids = [g.id for g in guide.gates]
    for item in flags:
        gate, sep, reason = item.partition("=")
        gate, reason = gate.strip(), reason.strip()
        if not sep or not gate or not reason:
            raise UsageError(
                f'--override {item!r}: expected GATE="REASON", '
                'e.g. --override pregnancy="clinical_judgement: discussed"'
            )
        if gate not in gate_ids:
            close = closest(gate, gate_ids)
            extra = f" (did you mean {close!r}?)" if close else ""
            raise UsageError(
                f"--override: unknown gate {gate!r}{extra}",
                hint="`xrntx-guide gates` lists every gate.",
            )
        if not guide.gate(gate).overridable:
            raise UsageError(
                f"--override {gate}: a {guide.gate(gate).severity} cannot be "
                "overridden; only stop gates can"
            )
        code, colon, comment = reason.partition(":")
        code, comment = code.strip(), comment.strip()
        if not colon or code not in codes:
            # An override records who-why as a coded reason: a reason without a known code
            # is refused, never filed under a default code (reference 4.4, item 6).
            close = closest(code, sorted(codes), cutoff=0.75)
            extra = f" (did you mean {close!r}?)" if colon and close else ""
            what = f"unknown reason code {code!r}{extra}" if colon else "no reason code"
            raise UsageError(
                f'--override {gate}: {what}: give GATE="CODE: comment"',
                hint="Codes: " + ", ".join(sorted(codes)),
            )
        if not comment:
            raise UsageError(f"--override {gate}: the comment is empty")
        request = OverrideRequest(gate, code, comment)
        if any(o.gate == gate and o != request for o in out):
            raise UsageError(
                f"--override {gate} is given twice, with two reasons: give it once"
            )  # an override binds one code and comment (reference 4.4, item 6)
        out.append(request)
    return out


class OverrideRefused(UsageError):
    """An ``--override`` of a gate that fails as a contraindication for these answers."""

    def __init__(self, gate: str, message: str) -> None:
        super().__init__(message)
        self.gate = gate


def apply_overrides(state: State, requests: Iterable[OverrideRequest]) -> dict[str, Override]:
    """Bind each override to the gate's current inputs; a contraindication cannot be."""
    out: dict[str, Override] = {}
    for req in requests:
        g = state.gates[req.gate]
        if g.outcome == "fail" and g.severity == "contraindication":
            raise OverrideRefused(
                req.gate,
                f"--override {req.gate}: the gate fails as a contraindication ({g.reason}); "
                "a contraindication cannot be overridden",
            )
        out[req.gate] = Override(req.code, req.comment, g.fingerprint)
    return out


def evaluate_presets(
    guide: Guide,
    presets: Mapping[str, Preset],
    today: dt.date,
    overrides: Iterable[OverrideRequest] = (),
) -> State:
    """Evaluate answers given up front, checking bounds and binding overrides."""
    answers = {k: p.value for k, p in presets.items()}
    kept = frozenset(k for k, p in presets.items() if p.origin == "record")
    state = evaluate(guide, Inputs(answers, today, from_record=kept))
    refuse_invalid(state, answers)
    requests = list(overrides)
    if requests:
        bound = apply_overrides(state, requests)
        state = evaluate(guide, Inputs(answers, today, overrides=bound, from_record=kept))
    return state


def missing_message(state: State, keys: list[str]) -> str:
    lines = []
    for key in keys:
        cq = state.guide.questions[key]
        example = _example(cq.spec.type, cq.spec.choices)
        maybe = " only if it applies;" if state.question_visible.get(key) is None else ""
        lines.append(f"  --answer {key}={example}   ({maybe} {cq.spec.prompt})".replace("( ", "("))
    text = "\n".join(lines)
    if any(k.startswith(pack_keys.COWS_ITEM_PREFIX) for k in keys):
        text += "\n  (or give the COWS total directly: --answer cows_total=N)"
    return text


def _example(kind: str, choices: Any) -> str:
    if choices:
        return "|".join(str(c.value) for c in choices)
    return {"bool": "yes|no", "date": "YYYY-MM-DD", "int": "N", "number": "N", "text": "TEXT"}.get(
        kind, "VALUE"
    )


def series_day(
    guide: Guide, raw: Mapping[str, Any], today: dt.date, visit_day: dt.date | None = None
) -> dt.date:
    """The visit day a series given with ``raw`` is read for: ``visit_day`` (a flag's
    injection date), else the ``injection_date`` in ``raw``, else today (its default)."""
    if visit_day is not None:
        return visit_day
    key = guide.meta.date_key
    if key in raw and key in guide.questions:
        value = parse_value(guide.questions[key], raw[key], today=today)
        if isinstance(value, dt.date):
            return value
    return today


class VisitSeries(NamedTuple):
    """What the series given with some answers say for the visit day."""

    answers: Mapping[str, Any]
    """The answers with a COWS series and a challenge series replaced by the answers they
    give on the visit day (unchanged when there are neither), the day record's ratings of
    the visit day among them (:func:`read_series`)."""
    day: dt.date | None
    """The visit day the series were read for (None: the answers give none)."""
    rating: CowsRating | None
    """The latest standing COWS rating of that day (None: none), which the pathway's
    record reads (visit/rapid.py :func:`record_answers`)."""


def expand_series(
    guide: Guide,
    raw: Mapping[str, Any],
    today: dt.date,
    where: str | None,
    visit_day: dt.date | None = None,
    now: dt.datetime | None = None,
    recorded: Any = None,
) -> VisitSeries:
    """The series ``raw`` gives, read for the visit day (:class:`VisitSeries`)."""
    if not gives_series(raw):
        return VisitSeries(raw, None, None)
    day = series_day(guide, raw, today, visit_day)
    expanded = read_series(guide, raw, day, where, now, recorded, today)
    flat = {k: v for k, v in raw.items() if k not in (RATINGS_KEY, CHALLENGES_KEY)}
    used = expanded.used_rating
    rating = None if used is None else expanded.ratings[used]
    return VisitSeries({**flat, **expanded.answers}, day, rating)
