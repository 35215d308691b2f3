"""Turning what a person or a script gives into typed answer values.

The interactive prompt, ``--answer`` flags, answers files and saved sessions all go through
:func:`parse_value`, so a value is validated the same way wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from ..engine.bounds import bound_problem
from ..errors import InvalidAnswer, UsageError
from ..expr import Context, Scalar
from ..pack import keys
from ..pack.guide import CQuestion, Guide
from ..suggest import closest

MAX_TEXT = 500


MAX_NUMBER_TEXT = 32


"""A number is written in at most this many characters (a float's shortest form needs 24)."""


MAX_WHOLE = 10**9


"""Whole-number answers (age, scores, minutes) stay below this."""


_TRUE = frozenset({"yes", "y", "true", "1"})


_FALSE = frozenset({"no", "n", "false", "0"})


_YES_NO = _TRUE | _FALSE


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


_DAYS_AGO = re.compile(r"^([0-9]{1,5})\s+days?\s+ago$")


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


"""Decimal notation, as JSON and TOML write numbers (plus ``.5`` and ``+1``), in plain
ASCII digits only: Python's int() and float() also take '1_0', 'nan' and other scripts'
digits, which no clinician means."""


def parse_date(text: str, today: dt.date) -> dt.date:
    """ISO ``YYYY-MM-DD``, ``today``, ``yesterday`` or ``N days ago``.

    Raises:
        ValueError: with a message a clinician can act on.
    """
    t = text.strip().lower()
    if t == "today":
        return today
    if t == "yesterday":
        return today - dt.timedelta(days=1)
    m = _DAYS_AGO.match(t)
    if m:
        try:
            return today - dt.timedelta(days=int(m.group(1)))
        except OverflowError:
            raise ValueError(f"{text!r} is further back than the calendar goes") from None
    if not _ISO_DATE.fullmatch(t):
        raise ValueError(
            f"{text!r} is not a date: use YYYY-MM-DD (e.g. {today.isoformat()}), "
            "'today', 'yesterday' or 'N days ago'"
        )
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


def as_text(raw: object) -> str:
    """The text a typed value (from JSON, TOML or a session file) is read as.

    This is the one rule for values: a JSON or TOML ``34``, ``34.0``, ``true`` or
    ``2026-11-24`` means what ``--answer key=34`` (``34.0``, ``true``, ``2026-11-24``)
    means, so an answer is accepted or refused alike whichever way it comes.
    """
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int):
        if raw.bit_length() > 14_000:  # Python will not write ints over 4,300 digits
            raise ValueError("a number of thousands of digits is not an answer")
        return str(raw)
    if isinstance(raw, float):
        return repr(raw)  # the shortest text that reads back as this float, as JSON writes it
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, str):
        return raw
    raise ValueError(f"{raw!r} is not a single value")


def quoted(text: str) -> str:
    """A value quoted in a message, cut short if it is very long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _decimal(text: str, what: str) -> str:
    """``text`` stripped, if it is a number in decimal notation; else why it is not."""
    t = text.strip()
    if len(t) > MAX_NUMBER_TEXT and _DECIMAL.fullmatch(t):
        raise ValueError(
            f"{quoted(t)} is too long for {what} (at most {MAX_NUMBER_TEXT} characters)"
        )
    if not _DECIMAL.fullmatch(t):
        raise ValueError(f"{quoted(t)} is not {what}")
    return t


def _whole(text: str) -> int:
    """A whole number: a number in decimal notation whose value is whole (34, 34.0, 3.4e1)."""
    t = _decimal(text, "a whole number")
    if t.lstrip("+-").isdigit():  # the usual case, without loading decimal
        if abs(int(t)) >= MAX_WHOLE:
            raise ValueError(f"{quoted(t)} is too large")
        return int(t)
    # seam: decimal only for a whole number written with a point or an exponent
    from decimal import Decimal

    number = Decimal(t)
    if abs(number) >= MAX_WHOLE:
        raise ValueError(f"{quoted(text.strip())} is too large")
    if number != number.to_integral_value():
        raise ValueError(f"{quoted(text.strip())} is not a whole number")
    return int(number)


def _number(text: str) -> float:
    number = float(_decimal(text, "a number"))
    if not math.isfinite(number):
        raise ValueError(f"{quoted(text.strip())} is too large")
    return number


def _parse_scalar(cq: CQuestion, raw: object, today: dt.date, interactive: bool) -> Scalar:
    q = cq.spec
    # Fast paths for typed values whose text would read as exactly this value (a batch
    # reads thousands); everything else is read from its text, by the same rule.
    if q.type == "bool" and isinstance(raw, bool):
        return raw
    if q.type == "date" and isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if q.type == "number" and type(raw) is float and math.isfinite(raw):
        return raw
    if q.type in ("int", "number") and type(raw) is int and abs(raw) < MAX_WHOLE:
        value: int | float = raw if q.type == "int" else float(raw)
    else:
        text = as_text(raw)
        if q.type == "bool":
            word = text.strip().lower()
            if word in _YES_NO:
                return word in _TRUE
            raise ValueError(f"{quoted(text)} is not yes or no")
        if q.type == "date":
            return parse_date(text, today)
        if q.type == "text":
            if not text.strip():
                raise ValueError("needs some text")
            if len(text) > MAX_TEXT:
                raise ValueError(f"is longer than {MAX_TEXT} characters")
            return text.strip()
        if q.type == "choice":
            return _parse_choice(cq, text, interactive)
        value = _whole(text) if q.type == "int" else _number(text)
    if q.type == "int" and q.choices and value not in [c.value for c in q.choices]:
        allowed = ", ".join(str(c.value) for c in q.choices)
        raise ValueError(f"{value} is not an allowed score (allowed: {allowed})")
    return value


def _parse_choice(cq: CQuestion, raw: str, interactive: bool) -> str:
    if raw in cq.choice_values:
        return raw
    choices = cq.spec.choices or []
    values = [str(c.value) for c in choices]
    text = raw.strip()
    if text in values:
        return text
    lowered = text.lower().replace(" ", "_").replace("-", "_")
    for v in values:
        if v.lower() == lowered:
            return v
    for c in choices:
        if any(a.lower() == lowered for a in c.aliases):
            return str(c.value)
    if interactive:
        if len(text) <= 4 and text.isascii() and text.isdigit():
            if 1 <= int(text) <= len(values):
                return values[int(text) - 1]
            raise ValueError(f"{text} is not a listed number: choose 1-{len(values)}")
        # A yes or a no is an answer to a yes/no question, never the start of a choice's
        # value ("no" at the pregnancy test read as not_applicable, "cannot become
        # pregnant"): only a choice's own value or alias takes it.
        words = lowered not in _YES_NO
        prefixed = [v for v in values if v.lower().startswith(lowered)] if lowered and words else []
        if len(prefixed) == 1:
            return prefixed[0]
        if prefixed:
            raise ValueError(f"{quoted(text)} is ambiguous: {' or '.join(prefixed)}")
        if not words:
            raise ValueError(
                f"{quoted(text)} answers a yes/no question: choose one of {', '.join(values)}"
            )
    close = closest(text, values)
    hint = f" (did you mean {close!r}?)" if close else ""
    raise ValueError(f"{quoted(text)} is not one of: {', '.join(values)}{hint}")


def parse_value(
    cq: CQuestion,
    raw: object,
    *,
    today: dt.date,
    ctx: Context | None = None,
    interactive: bool = False,
) -> Scalar:
    """Validate ``raw`` for the question and return the typed value.

    Args:
        cq: the question.
        raw: text typed or given on the command line, or a value from a JSON/TOML file.
        today: what ``today`` means for date phrases.
        ctx: where the question's ``min``/``max`` expressions are evaluated; without it,
            bounds that need other answers are not checked.
        interactive: also accept a choice's number or an unambiguous prefix.

    Raises:
        InvalidAnswer: naming the key, the reason and what is allowed.
    """
    try:
        value = _parse_scalar(cq, raw, today, interactive)
    except ValueError as exc:
        raise InvalidAnswer(cq.key, str(exc)) from None
    if ctx is not None:
        problem = bound_problem(cq, value, ctx)
        if problem is not None:
            raise InvalidAnswer(cq.key, problem)
    return value


def to_json(value: Scalar) -> bool | int | float | str:
    """An answer as it is stored in session files and JSON output."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def suggest_key(guide: Guide, key: str) -> str | None:
    return closest(key, guide.questions)


class UnknownKey(UsageError):
    """An answer key the guide does not have."""

    def __init__(self, key: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.key = key


def unknown_key(guide: Guide, key: str) -> UnknownKey:
    hint = suggest_key(guide, key)
    extra = f" (did you mean {hint!r}?)" if hint else ""
    return UnknownKey(
        key,
        f"unknown answer key {key!r}{extra}",
        hint="`xrntx-guide questions` lists every key.",
    )


def parse_pairs(pairs: Iterable[str]) -> list[tuple[str, str]]:
    """Split ``KEY=VALUE`` flags; the value may itself contain '='. A key given twice
    with another value is refused: which one counts would be a guess (click keeps every
    flag, and the last would win without a word)."""
    out = []
    given: dict[str, str] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--answer {item!r}: expected KEY=VALUE, e.g. --answer age=34")
        key, value = key.strip(), value.strip()
        if given.get(key, value) != value:
            raise UsageError(
                f"--answer {key} is given twice, as {given[key]!r} and {value!r}: give it once"
            )
        given[key] = value
        out.append((key, value))
    return out


# -- records given as answers ----------------------------------------------------------------
# Keys of an answers file, a batch line or a scenario that hold a record rather than one
# answer. They are here, not in the modules that read them (visit/series.py,
# visit/rapid.py, which need pydantic), so that a check without them imports neither.

RATINGS_KEY = "cows_ratings"
"""The answers-file key of a COWS series."""
CHALLENGES_KEY = "naloxone_challenges"
"""The answers-file key of the naloxone challenge and its rechallenge."""
RAPID_DAYS_KEY = "rapid_days"
"""The key of the rapid pathway's daily record."""
RESULT_KEYS: tuple[str, ...] = (keys.CHALLENGE, keys.RECHALLENGE, keys.RECHALLENGE_HOURS)
"""The answers that come from the challenge series only, never from a stored answer."""
RAPID_RECORD_KEYS = keys.RAPID_RECORD_KEYS
"""The answers worked out from the record (origin ``record``); a key the guide does not
have is left alone."""


RAPID_START_KEY = keys.RAPID_START
"""The record key asked with the history (the date of the pathway's day 1): it applies to
every induction, so it never says by itself that the pathway applies."""


STARTED_SUFFIX = "_started"
"""``naloxone_challenge_started``: when the naloxone of a timed result was given (a flag,
a key of an answers file), beside the result (visit/clock.py)."""


def started_of(guide: Guide, key: str) -> str | None:
    """The timed question whose start ``key`` gives (``naloxone_challenge_started`` ->
    ``naloxone_challenge``), or None when ``key`` is no such key."""
    if not key.endswith(STARTED_SUFFIX):
        return None
    base = key.removesuffix(STARTED_SUFFIX)
    cq = guide.questions.get(base)
    return base if cq is not None and cq.wait_minutes is not None else None


def one_answer_results(guide: Guide) -> tuple[str, ...]:
    """The point-in-time questions answered once a visit (a urine screen, a pregnancy
    test): not a series' (the COWS rating and its items, the challenges: their entries
    have times, visit/series.py), nor worked out from the pathway's record. A result of
    one of them describes its day for every visit of the patient that day."""

    def find() -> tuple[str, ...]:
        return tuple(
            k for k, cq in guide.questions.items() if cq.spec.point_in_time and not of_a_series(k)
        )

    return guide.once("one_answer_results", find)


_SERIES = frozenset(
    {
        keys.COWS_TOTAL,
        keys.CHALLENGE,
        keys.RECHALLENGE,
        keys.RECHALLENGE_HOURS,
        *keys.RAPID_RECORD_KEYS,
    }
)


def of_a_series(key: str) -> bool:
    """Whether ``key`` stands for an entry of a series (a COWS rating, its total or an
    item; a challenge, a rechallenge or its hours) or is worked out from the pathway's
    record: appended with a time, never an answer replaced or cleared (safety invariant
    9)."""
    return key in _SERIES or key.startswith(keys.COWS_ITEM_PREFIX)


def is_record_key(guide: Guide, key: str) -> bool:
    """Whether ``key`` is worked out from the rapid pathway's record, never given."""
    return key in RAPID_RECORD_KEYS and key in guide.questions


def is_pathway_key(guide: Guide, key: str) -> bool:
    """A record key of the pathway's own step: shown only while the pathway is chosen."""
    return key != RAPID_START_KEY and is_record_key(guide, key)


def recorded_kind(guide: Guide, kind: str, last_kind: str | None = None) -> str | None:
    """The opioid a kind another visit recorded is, as this pack reads it (one of its
    last-kind question's choices, or an alias of one); None for a name this pack does not
    have (a clinic's copy named it otherwise), or a pack without that question.
    ``last_kind``: that question, where this pack does not declare it (the name the
    patient's records give it)."""
    key = last_kind or guide.meta.report.history.last_kind
    question = guide.questions.get(key) if key else None
    if question is None:
        return None
    try:
        return str(parse_value(question, kind, today=dt.date.min))
    except InvalidAnswer:
        return None
