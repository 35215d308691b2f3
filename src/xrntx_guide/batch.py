"""``check --batch``: one JSON object of answers per line in, one JSON result per line out.

A bad line becomes an error result for that line and the run goes on. Large batches are
spread over worker processes (one per core), in chunks, with the output kept in input
order; small ones run in this process, where starting workers would cost more than it
saves.

Each line is judged exactly as a single ``check --json`` would judge that patient with the
same options: the line stands where an ``--answers`` file stands in a single check, so
``--answer`` flags beat it (flags are the most specific) and it beats ``--answers FILE``
(which is shared by every line); ``--override`` is checked once, before any line, as a
single check checks it, and bound on each line to that line's own inputs. An override a
line refuses (its gate fails as a contraindication) makes that line an error line with the
message the single check would give; the lines after go on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from pydantic_core import to_json

from .errors import UserError
from .loader import Guide
from .presets import OverrideRequest, Preset, evaluate_presets, parse_answers
from .report import check_result

CHUNK = 500
"""Lines a worker takes at a time: large enough to amortise the hand-over."""
INLINE_BELOW = 2 * CHUNK
"""Batches shorter than this run in this process."""


def _dumps(obj: object, ident: object) -> str:
    """One line of compact JSON.

    A result is this program's own data (text, whole and finite numbers, lists, objects)
    plus the input's ``id``. pydantic's encoder (pydantic is a dependency anyway) is three
    times as fast as the json module's on it, so it writes every line whose ``id`` is
    absent, text or a 64-bit whole number. Any other ``id`` (a float, perhaps NaN; a list or an
    object, perhaps nested deeper than pydantic's encoder goes) and text it refuses (a
    lone surrogate from a ``\\ud800`` escape) go through the json module, ASCII-escaped,
    which writes back everything ``json.loads`` read.

    Raises:
        ValueError or RecursionError: when not even the json module can write it.
    """
    if ident is None or type(ident) is str or (type(ident) is int and -(2**63) <= ident < 2**63):
        try:
            return to_json(obj).decode()
        except ValueError:
            pass
    return json.dumps(obj, separators=(",", ":"))


def _read(line: str, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"line {number}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise UserError(f"line {number}: nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise UserError(f"line {number}: cannot be read: {exc}") from None


@dataclass(frozen=True)
class Job:
    """What every line of one batch shares.

    Attributes:
        shared: answers under each line's own (``--answers FILE``).
        flags: answers over each line's own (``--answer``).
        overrides: ``--override`` requests, already checked against the guide; each line
            binds them to its own inputs.
    """

    guide: Guide
    today: dt.date
    shared: Mapping[str, Preset]
    explain: bool
    flags: Mapping[str, Preset] = field(default_factory=dict)
    overrides: tuple[OverrideRequest, ...] = ()


def check_line(job: Job, number: int, line: str) -> tuple[str, bool]:
    """The result line for one input line, and whether the line was an error."""
    ident: Any = None
    try:
        raw = _read(line, number)
        if not isinstance(raw, dict):
            raise UserError(f"line {number}: must be one JSON object of answers")
        ident = raw.pop("id", None)
        presets = {
            **job.shared,
            **parse_answers(job.guide, raw, "file", job.today, f"line {number}"),
            **job.flags,
        }
        try:
            state = evaluate_presets(job.guide, presets, job.today, job.overrides)
        except UserError as exc:  # an answer out of bounds, or an override the line refuses
            raise UserError(f"line {number}: {exc}") from None
        result = check_result(state, job.explain)
        if ident is not None:
            result = {"id": ident, **result}
    except UserError as exc:
        error = str(exc)
    else:
        try:
            return _dumps(result, ident), False
        except (ValueError, RecursionError):
            error, ident = f"line {number}: its id cannot be written back as JSON", None
    bad = {"id": ident, "status": "error", "line": number, "error": error}
    try:
        return _dumps(bad, ident), True
    except (ValueError, RecursionError):
        bad.update(id=None, error=f"{error}; its id cannot be written back as JSON")
        return _dumps(bad, None), True


_JOB: Job | None = None  # a worker's job, inherited from the parent when it forks


def _check_chunk(chunk: list[tuple[int, str]]) -> list[tuple[str, bool]]:
    assert _JOB is not None
    return [check_line(_JOB, n, line) for n, line in chunk]


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield number, line


def _chunks(items: Iterator[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk


def check_lines(
    job: Job, lines: Iterable[str], workers: int | None = None
) -> Iterator[tuple[str, bool]]:
    """Result lines in input order; blank lines are skipped but keep their numbers."""
    global _JOB
    items = _numbered(lines)
    head = list(islice(items, INLINE_BELOW))
    workers = workers or os.cpu_count() or 1
    if len(head) < INLINE_BELOW or workers < 2:
        for n, line in head:
            yield check_line(job, n, line)
        for n, line in items:
            yield check_line(job, n, line)
        return
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: stay in one process
        for n, line in [*head, *items]:
            yield check_line(job, n, line)
        return
    _JOB = job
    try:
        with context.Pool(workers) as pool:
            rest = (pair for pair in [*head, *items])
            for results in pool.imap(_check_chunk, _chunks(iter(rest))):
                yield from results
    finally:
        _JOB = None
