"""``check --batch``: one JSON object of answers per line in, one JSON result per line out.

A bad line becomes an error result for that line (:class:`xrntx_guide.schemas.BatchError`:
its line number, the answer key, a code and a message) and the run goes on: each line is
read as bytes and decoded on its own, so one byte that is not UTF-8 spoils one line, and a
line too long to be answers is skipped as one. Large batches are spread over worker
processes (one per core), in chunks, with the output kept in input order; small ones run
in this process, where starting workers would cost more than it saves. A worker that dies
stops the batch (never a wait for ever), with an error line saying where.

Each line is judged exactly as a single ``check --json`` would judge that patient with the
same options, by the same function (judge.py); a line's ``label`` reads that patient's
record as ``check --label`` does (the store is read once, for the first such line). The
line stands where an ``--answers`` file stands in a single check, so ``--answer`` flags
beat it (flags are the most specific) and it beats ``--answers FILE``
(which is shared by every line); ``--override`` is checked once, before any line, as a
single check checks it, and bound on each line to that line's own inputs. An override a
line refuses (its gate fails as a contraindication) makes that line an error line with the
message the single check would give; the lines after go on.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic_core import to_json

from .engine.evaluate import OverrideRequest
from .errors import InvalidAnswer, UserError
from .judge import judge
from .output.schemas import ErrorCode, error_fields
from .output.versions import BATCH_ERROR
from .pack.guide import Guide
from .records import field, record
from .visit.answers import CHALLENGES_KEY, RAPID_DAYS_KEY, RATINGS_KEY, STARTED_SUFFIX
from .visit.clock import end_of_day
from .visit.presets import (
    LABEL_KEY,
    DuplicateKey,
    Preset,
    given_observation,
    gives_series,
    parse_answers,
    refuse_flags_beside_series,
    unique_keys,
)
from .visit.rapid import parse_days

if TYPE_CHECKING:
    from .visit.history import Timeline

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
    which writes back everything ``json.loads`` read except NaN and Infinity: Python reads
    them, but they are not JSON, so such an id is unwritable.

    Raises:
        ValueError or RecursionError: when not even the json module can write it.
    """
    if ident is None or type(ident) is str or (type(ident) is int and -(2**63) <= ident < 2**63):
        try:
            return to_json(obj).decode()
        except ValueError:
            pass
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


MAX_LINE = 1024 * 1024
"""Bytes in one input line at most: a patient's answers take a few hundred."""


class _Bad(Exception):
    """A line that is not one JSON object of answers."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _read(line: str | bytes | None, number: int) -> Any:
    if line is None:
        raise _Bad("too_long", f"longer than {MAX_LINE} bytes: not a line of answers")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = line[exc.start]
            raise _Bad(
                "not_utf8", f"not UTF-8 text: byte {exc.start + 1} is 0x{byte:02x} ({exc.reason})"
            ) from None
    if number == 1:
        line = line.removeprefix("\ufeff")  # a byte-order mark some editors write
    try:
        return json.loads(line, object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        raise _Bad("invalid_answer", exc.words()) from None
    except json.JSONDecodeError as exc:
        raise _Bad("not_json", f"not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _Bad("not_json", "not JSON this program reads: nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts
        raise _Bad("not_json", "not JSON this program reads: a number too long") from None


@record(frozen=True)
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
    shared_raw: Mapping[str, Any] = field(default_factory=dict)
    """``--answers FILE`` as read: its series are never replaced by a line's answers."""
    shared_days: tuple[Any, ...] = ()
    """The rapid pathway's days of ``--answers FILE`` (``rapid_days``), for the lines that
    give none of their own: the ``rapid`` block reads the same days as the gate."""

    starts: Mapping[str, dt.datetime] = field(default_factory=dict)
    """When the naloxone was given, from ``--answers FILE`` and the flags (a line's own
    ``*_started`` go over them)."""
    now: dt.datetime | None = None
    """The run's clock when the batch started: a result a line times after it is refused
    (visit/clock.py); None: the end of ``today``."""

    store: Callable[[], Any] | None = None
    """Opens the store of saved sessions, once, for the first line with a ``label``."""

    @functools.cached_property
    def opened(self) -> Any:
        """The store (a batch without labels never opens it)."""
        return None if self.store is None else self.store()

    def visit_day(self, raw: Mapping[str, Any]) -> dt.date | None:
        """The visit day a line's series is read for, as its answers are taken: the flag's
        ``injection_date`` (flags beat the line), else the line's own (None: read from
        the line), else the shared ``--answers FILE``'s; else None (today)."""
        key = self.guide.meta.date_key
        for given in (self.flags.get(key), None if key in raw else self.shared.get(key)):
            if given is not None and isinstance(given.value, dt.date):
                return given.value
        return None

    def record(self, label: object) -> Timeline:
        """The record of the patient a line names (``label``), as a walk reads it: that
        label's visits only.

        Raises:
            InvalidAnswer: the label is not text, or not a usable label (mixed scripts).
        """
        from .visit.history import timeline  # seam: the history, for a labelled line
        from .visit.session import clean_label  # seam: session record (pydantic, 9 ms), as timeline

        if not isinstance(label, str):
            raise InvalidAnswer("label", "must be text: the patient's label")
        try:
            cleaned = clean_label(label)
        except ValueError as exc:
            raise InvalidAnswer("label", str(exc)) from None
        if self.opened is None:
            return timeline(self.guide, [], cleaned, self.today)
        from .store import absence  # seam: as the store, only for a line with a label

        found = self.opened.history(cleaned)
        missing = absence(self.opened)
        return timeline(
            self.guide,
            found.records,
            cleaned,
            self.today,
            unreadable=found.unreadable,
            notes=() if missing is None else (missing,),
        )


def _observation(
    job: Job, raw: Mapping[str, Any], presets: Mapping[str, Preset]
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]] | None:
    """When the naloxone of the line's timed results was given (the shared file's and
    the flags', under the line's own) and when its series' results were taken: read only
    when something gives one (visit/presets.py)."""
    if (
        not job.starts
        and CHALLENGES_KEY not in raw
        and not any(k.endswith(STARTED_SUFFIX) for k in raw)
    ):
        return None

    now = job.now if job.now is not None else end_of_day(job.today)
    starts, times = given_observation(job.guide, raw, None, presets, (), job.today, now)
    return {**job.starts, **starts}, times


def error_line(number: int, ident: Any, fields: Mapping[str, Any]) -> str:
    """The error result of one line (:class:`xrntx_guide.schemas.BatchError`)."""
    bad = {
        "format_version": BATCH_ERROR,
        "id": ident,
        "status": "error",
        "line": number,
        "key": fields.get("key"),
        "code": fields["code"],
        "message": fields["message"],
        "hint": fields.get("hint"),
    }
    try:
        return _dumps(bad, ident)
    except (ValueError, RecursionError):
        bad.update(id=None, message=f"{fields['message']}; its id cannot be written back as JSON")
        return _dumps(bad, None)


def _joined(job: Job, raw: dict[str, Any]) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """A line's own series added to the shared file's: the line's answers with each series
    both give (``cows_ratings``, ``naloxone_challenges``) holding the entries of both, as
    ``walk --resume --answers FILE`` adds a file's entries to a session's, and the shared
    file's answers without them. An entry the line repeats as the file gives it is the
    file's; the series' own rules read the rest as one (two of one time are refused)."""
    both = [
        k
        for k in (RATINGS_KEY, CHALLENGES_KEY)
        if isinstance(raw.get(k), list) and isinstance(job.shared_raw.get(k), list)
    ]
    if not both:
        return raw, job.shared_raw
    joined = {
        **raw,
        **{
            k: [*job.shared_raw[k], *(e for e in raw[k] if e not in job.shared_raw[k])]
            for k in both
        },
    }
    return joined, {k: v for k, v in job.shared_raw.items() if k not in both}


def _shared_for(
    job: Job, given: Mapping[str, Preset], shared_raw: Mapping[str, Any]
) -> Mapping[str, Preset]:
    """The shared file's answers for a line (``shared_raw``: those the line's own series
    left it, :func:`_joined`): its series read for the line's own visit day (the line's
    ``injection_date``, unless a flag gives one), as a single check with that date reads
    it; the answers read once for the batch otherwise."""
    key = job.guide.meta.date_key
    line_day = given.get(key)
    flag = job.flags.get(key)
    read_for = flag if flag is not None else line_day
    day = read_for.value if read_for is not None else None
    if shared_raw is job.shared_raw and (
        flag is not None or not isinstance(day, dt.date) or not gives_series(shared_raw)
    ):  # a day record's ratings are of one visit day too
        return job.shared
    return parse_answers(
        job.guide,
        shared_raw,
        "file",
        job.today,
        "--answers FILE",
        day if isinstance(day, dt.date) else None,
        job.now,
    )


def check_line(job: Job, number: int, line: str | bytes | None) -> tuple[str, bool]:
    """The result line for one input line, and whether the line was an error.

    ``line`` is text, or bytes to be read as UTF-8, or None for a line that was too long
    to read.
    """
    ident: Any = None
    fields: dict[str, Any]
    try:
        raw = _read(line, number)
        if not isinstance(raw, dict):
            raise _Bad("not_object", "must be one JSON object of answers")
        ident = raw.pop("id", None)
        record = job.record(raw.pop(LABEL_KEY)) if LABEL_KEY in raw else None
        raw, shared_raw = _joined(job, raw)
        given = parse_answers(job.guide, raw, "file", job.today, None, job.visit_day(raw), job.now)
        refuse_flags_beside_series(job.guide, raw, given, job.flags, job.today, "the line", job.now)
        shared = _shared_for(job, given, shared_raw)
        # The line over the shared file's series: the same rule as a flag over it.
        refuse_flags_beside_series(
            job.guide,
            shared_raw,
            shared,
            given,
            job.today,
            "--answers FILE",
            job.now,
            by="the line",
        )
        presets = {**shared, **given, **job.flags}

        def days() -> Any:
            """The line's pathway days, else the shared file's: read only on the pathway."""
            if RAPID_DAYS_KEY not in raw:
                return job.shared_days
            return parse_days(job.guide, raw[RAPID_DAYS_KEY], job.today, None, job.now)

        # An answer out of bounds or contradicting another or the record, or an override
        # the line refuses, raises here: the same judge as a single check --json.
        result = judge(
            job.guide,
            presets,
            job.today,
            # The line over the shared file, as its answers are: the series the gates read
            # (and a single result is judged against) may be the shared file's.
            raw={**shared_raw, **raw},
            days=days,
            overrides=job.overrides,
            explain=job.explain,
            record=record,
            now=job.now,
            observation=_observation(job, raw, presets),
        ).result
        # The input's line number (blank lines counted): a result is traced to its line
        # as an error line is.
        result = (
            {"id": ident, "line": number, **result}
            if ident is not None
            else {
                "line": number,
                **result,
            }
        )
    except _Bad as exc:
        fields = {"code": exc.code, "message": exc.message}
    except UserError as exc:
        fields = error_fields(exc)
    else:
        try:
            return _dumps(result, ident), False
        except (ValueError, RecursionError):
            ident = None
            fields = {"code": "id_unwritable", "message": "its id cannot be written back as JSON"}
    return error_line(number, ident, fields), True


_JOB: Job | None = None  # a worker's job, inherited from the parent when it forks
_PARENT: int | None = None  # the batch's own process, which each worker outlives never


def _worker_start() -> None:
    """Each worker ends with the batch. Its results come back through the pool, so its
    standard output is set to nothing (a pipeline reading the batch's output ends when
    the batch does, whatever a worker is doing); and on Linux it is stopped when the
    batch's process dies (a plain ``kill``, SIGKILL, a supervisor's SIGHUP), where it
    would otherwise be left behind, working for no one."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    if sys.platform.startswith("linux"):
        import ctypes  # seam: only in a worker, on Linux

        pr_set_pdeathsig = 1  # <linux/prctl.h>
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != _PARENT:  # the batch died before the worker was told to follow
        os._exit(1)


def _check_chunk(chunk: list[tuple[int, str | bytes | None]]) -> list[tuple[str, bool]]:
    assert _JOB is not None
    return [check_line(_JOB, n, line) for n, line in chunk]


def read_lines(handle: BinaryIO, limit: int = MAX_LINE) -> Iterator[bytes | None]:
    """The lines of a binary stream, undecoded (each is decoded on its own, so one bad
    byte spoils one line); a line longer than ``limit`` comes as None, its rest skipped."""

    def readline(size: int) -> bytes:
        try:
            return handle.readline(size)
        except OSError as exc:
            raise UserError(f"--batch: cannot read the input: {exc.strerror or exc}") from None

    while line := readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := readline(64 * 1024)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _numbered(lines: Iterable[str | bytes | None]) -> Iterator[tuple[int, str | bytes | None]]:
    for number, line in enumerate(lines, 1):
        if line is None or line.strip():
            yield number, line


def _chunks(
    items: Iterator[tuple[int, str | bytes | None]],
) -> Iterator[list[tuple[int, str | bytes | None]]]:
    while chunk := list(islice(items, CHUNK)):
        yield chunk


class _Stopped(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def check_lines(
    job: Job, lines: Iterable[str | bytes | None], workers: int | None = None
) -> Generator[tuple[str, bool], None, None]:
    """Result lines in input order; blank lines are skipped but keep their numbers.

    Raises:
        _Stopped: a worker process died (killed, out of memory); results of the lines
            before the one it names have been yielded, none after.
    """
    global _JOB, _PARENT
    items = _numbered(lines)
    head = list(islice(items, INLINE_BELOW))
    workers = workers or os.cpu_count() or 1
    if len(head) < INLINE_BELOW or workers < 2:
        for n, line in head:
            yield check_line(job, n, line)
        for n, line in items:
            yield check_line(job, n, line)
        return
    import multiprocessing  # seam: multiprocessing (19 ms), only for a batch large enough
    from concurrent.futures import Future, ProcessPoolExecutor  # seam: as multiprocessing
    from concurrent.futures.process import BrokenProcessPool  # seam: as multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: stay in one process
        for n, line in [*head, *items]:
            yield check_line(job, n, line)
        return
    # A pool of futures, not multiprocessing.Pool: when a worker dies, Pool waits forever
    # for the chunk it held; the executor says the pool is broken.
    chunks = _chunks(chain(head, items))
    pending: deque[tuple[int, Future[list[tuple[str, bool]]]]] = deque()
    _JOB, _PARENT = job, os.getpid()
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start) as pool:
            try:
                for chunk in islice(chunks, 2 * workers):
                    pending.append((chunk[0][0], pool.submit(_check_chunk, chunk)))
                while pending:
                    results = pending[0][1].result()
                    pending.popleft()
                    yield from results
                    if (more := next(chunks, None)) is not None:
                        pending.append((more[0][0], pool.submit(_check_chunk, more)))
            except BrokenProcessPool:
                raise _Stopped(pending[0][0] if pending else -1) from None
            finally:
                # Ended early (a dead worker, or the reader of the results went away):
                # the chunks not started are dropped, and leaving the pool waits only for
                # those under way, so no worker is left behind.
                for _, future in pending:
                    future.cancel()
    finally:
        _JOB = None


class BatchStopped(UserError):
    """A worker process died before the batch was done."""


def run(
    job: Job,
    lines: Iterable[str | bytes | None],
    write: Callable[[str], object],
    workers: int | None = None,
) -> bool:
    """Check every line and ``write`` each result line; True if any line was an error.

    Raises:
        BatchStopped: a worker process died. The lines before it have been written, then
            an error line with code ``stopped`` naming the first line not checked.
    """
    failed = False
    written = 0
    # What lives for the whole run (the guide, its compiled expressions, the modules) is
    # set aside from the cycle collector: each of its full collections walked all of it
    # again while a line makes only short-lived objects (4% of a line's time). A worker
    # forked from here inherits it set aside, and its pages are not copied by the walks.
    # Objects set aside already (a guide compiled in this process is) stay so, and
    # nothing more is: the collector is given back as it was found.
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    try:
        # closing(): if a write fails, the workers are stopped now, not when the
        # traceback is let go of.
        with closing(check_lines(job, lines, workers)) as results:
            for text, bad in results:
                write(text + "\n")
                written += 1
                failed = failed or bad
    except _Stopped as stop:
        message = (
            "a worker process stopped (killed, or out of memory?): the batch stopped "
            f"before this line; {written} lines were checked"
        )
        write(error_line(stop.line, None, {"code": "stopped", "message": message}) + "\n")
        raise BatchStopped(
            f"the batch stopped: a worker process died (killed, or out of memory?); "
            f"{written} lines were checked and written, from line {stop.line} on none was",
            hint="Run the lines from there again (a smaller batch needs less memory).",
        ) from None
    finally:
        if freezing:
            gc.unfreeze()
    return failed
