"""``check --batch``: one JSON object of answers per line in, one JSON result per line out.

A bad line becomes an error result for that line and the run goes on. Large batches are
spread over worker processes (one per core), in chunks, with the output kept in input
order; small ones run in this process, where starting workers would cost more than it
saves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pydantic_core import to_json

from .errors import UserError
from .loader import Guide
from .presets import Preset, evaluate_presets, parse_answers
from .report import check_result

CHUNK = 500
"""Lines a worker takes at a time: large enough to amortise the hand-over."""
INLINE_BELOW = 2 * CHUNK
"""Batches shorter than this run in this process."""


def _dumps(obj: object) -> str:
    """One line of compact JSON, not ASCII-escaped.

    pydantic's JSON encoder (pydantic is a dependency anyway) is three times as fast as the
    json module's on a result: at thousands of lines a second, that is a tenth of the time.
    """
    return to_json(obj).decode()


@dataclass(frozen=True)
class Job:
    guide: Guide
    today: dt.date
    common: Mapping[str, Preset]
    explain: bool


def check_line(job: Job, number: int, line: str) -> tuple[str, bool]:
    """The result line for one input line, and whether the line was an error."""
    ident: Any = None
    try:
        raw = json.loads(line)
        if not isinstance(raw, dict):
            raise UserError(f"line {number}: must be one JSON object of answers")
        ident = raw.pop("id", None)
        presets = {
            **job.common,
            **parse_answers(job.guide, raw, "file", job.today, f"line {number}"),
        }
        result = check_result(evaluate_presets(job.guide, presets, job.today), job.explain)
        if ident is not None:
            result = {"id": ident, **result}
        return _dumps(result), False
    except json.JSONDecodeError as exc:
        error = f"line {number}: not JSON: {exc.msg}"
    except UserError as exc:
        error = str(exc)
    return _dumps({"id": ident, "status": "error", "line": number, "error": error}), True


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
