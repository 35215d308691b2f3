"""The record of one walkthrough: answers with their origin, overrides, audit trail.

Sessions hold health information: files are written atomically (a crash leaves either the
old or the new file, never half of one) with owner-only permissions, and the patient is
identified only by a label the clinician chooses.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..engine.evaluate import Inputs, Origin, Override, State
from ..engine.walk import next_action, walk_status
from ..errors import InvalidAnswer, SessionError
from ..expr import UNKNOWN, Scalar
from ..pack.guide import Guide
from ..records import record
from . import integrity
from .answers import parse_value, to_json
from .clock import instant, stored
from .entries import PREFIX, RESULT_KEYS, visit_results
from .labels import clean_label as clean
from .labels import label_key, record_identity_problem, slug
from .rapid import (
    ANSWERS_KEY,
    RapidDay,
    Reading,
    TableDay,
    add_day,
    derive,
    is_record_key,
    record_answers,
    table_of,
)
from .series import ChallengeResult, CowsRating

JSONScalar = bool | int | float | str
FORMAT: Literal[1] = 1


def _aware(value: Any) -> Any:
    """A stored time: read as UTC without an offset, refused outside the years the
    program computes with (visit/clock.py ``stored``)."""
    return stored(value)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _times_are_aware(cls, value: Any) -> Any:
        return _aware(value)


class AnswerRecord(_Model):
    value: JSONScalar
    origin: Origin
    at: dt.datetime


class OverrideRecord(_Model):
    code: str
    comment: str
    at: dt.datetime
    fingerprint: str
    origin: Origin = "typed"


class AckRecord(_Model):
    at: dt.datetime
    fingerprint: str
    origin: Origin = "typed"


class Event(_Model):
    at: dt.datetime
    kind: str
    key: str | None = None
    value: JSONScalar | None = None
    detail: str | None = None


class ClockRecord(_Model):
    """Which clock a walk ran on (clinical basis, safety invariant 8): the real time, or
    a fixed one (``--today``, ``--now``) started at ``start`` and running in real time."""

    fixed: bool
    start: dt.datetime | None = None
    """The instant the fixed clock started at (its latest start, on a resume)."""


class SessionRecord(_Model):
    """Everything needed to resume a walkthrough and to write its chart note."""

    format: Literal[1] = FORMAT
    id: str
    label: str
    guide_id: str
    guide_version: str
    site: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    """The setting values in force when the walk started: a resume runs under them."""
    demo_clock: float | None = None
    """Set only for a training run: its timers ran this many times faster. Everything such
    a session produces is marked TRAINING, and a care session can never take one."""
    today: dt.date | None = None
    """The fixed date of the run (``--today``, ``--now``); None means the real date each
    time."""
    clock: ClockRecord | None = None
    """The clock the walk ran on; None in a session saved before it was recorded (then a
    fixed ``today`` means a fixed clock)."""
    created: dt.datetime
    updated: dt.datetime
    answers: dict[str, AnswerRecord] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)
    """Keys in the order they were answered; ``back`` walks it."""
    skipped: list[str] = Field(default_factory=list)
    confirmed: list[str] = Field(default_factory=list)
    overrides: dict[str, OverrideRecord] = Field(default_factory=dict)
    acks: dict[str, AckRecord] = Field(default_factory=dict)
    timers: dict[str, dt.datetime] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    gates: dict[str, str] = Field(default_factory=dict)
    """Last outcome of each gate, for the audit trail and the session list."""
    status: str = "in_progress"
    phase: str | None = None
    next_dose_due: str | None = None
    injection_given: bool | None = None
    """Whether the record counts the dose as given (``State.injection_given`` at the last
    evaluation: the answer, only when the gates allowed the injection). None in records
    written before it was kept: they are read from their answer."""
    cows_ratings: list[CowsRating] = Field(default_factory=list)
    """Every COWS rating with its time, visit day and context (visit/series.py); the
    answers ``cows_*`` hold the latest of the visit day, which the gate reads."""
    naloxone_challenges: list[ChallengeResult] = Field(default_factory=list)
    """Every naloxone challenge and rechallenge result with its time and visit day
    (visit/series.py): a positive challenge stands on every later day of the walk."""
    cows_next_context: str | None = None
    """The context of the rating being taken ('rate again CONTEXT'), until it is complete."""
    rapid_days: list[RapidDay] = Field(default_factory=list)
    """The supervised rapid pathway's daily record (reference section 6), in day order."""
    rapid_protocol: list[TableDay] | None = None
    """The site's protocol table in force when the walk started (None: the site file had
    none); the record is read against it on every day of the pathway."""

    # -- changing the record --------------------------------------------------------

    def set_answer(self, key: str, value: Scalar, origin: Origin, now: dt.datetime) -> None:
        stored = to_json(value)
        old = self.answers.get(key)
        self.answers[key] = AnswerRecord(value=stored, origin=origin, at=now)
        if key in self.order:
            self.order.remove(key)
        self.order.append(key)
        if key in self.skipped:
            self.skipped.remove(key)
        kind = "answer" if old is None else "change"
        detail = None if old is None else f"was {old.value!r}"
        self.events.append(Event(at=now, kind=kind, key=key, value=stored, detail=detail))

    def note_event(
        self,
        now: dt.datetime,
        kind: str,
        key: str | None = None,
        value: JSONScalar | None = None,
        detail: str | None = None,
    ) -> None:
        """Add one entry to the audit trail."""
        self.events.append(Event(at=now, kind=kind, key=key, value=value, detail=detail))

    def note_result(self, entry: CowsRating | ChallengeResult | RapidDay, now: dt.datetime) -> None:
        """Log a result just taken into the series (visit/results.py) as it was recorded:
        every load checks the series against these events (visit/integrity.py). The first
        result logged in a record written before results were logged logs the entries
        already there first, as they stood when the record was read and checked."""
        if not any(e.kind in integrity.KINDS for e in self.events):
            held: list[CowsRating | ChallengeResult | RapidDay] = [*self.cows_ratings]
            held += self.naloxone_challenges
            held += self.rapid_days
            for old in held:
                if old is not entry:
                    self._log_result(old, now, integrity.ADOPTED)
        self._log_result(entry, now, integrity.RESULT)

    def _log_result(
        self, entry: CowsRating | ChallengeResult | RapidDay, now: dt.datetime, kind: str
    ) -> None:
        key, value = integrity.key_of(entry), integrity.value_of(entry)
        detail = integrity.detail_of(entry)
        self.events.append(Event(at=now, kind=kind, key=key, value=value, detail=detail))

    def carry_answer(
        self,
        key: str,
        value: JSONScalar,
        origin: Origin,
        at: dt.datetime,
        now: dt.datetime,
        why: str,
    ) -> None:
        """Put an answer back with its own time (a positive challenge that stands on a new
        visit day: visit/series.py), logged as carried."""
        self.answers[key] = AnswerRecord(value=value, origin=origin, at=at)
        if key in self.order:
            self.order.remove(key)
        self.order.append(key)
        self.note_event(now, "carry", key, value, why)

    def skip(self, key: str, now: dt.datetime) -> None:
        if key not in self.skipped:
            self.skipped.append(key)
        self.events.append(Event(at=now, kind="skip", key=key))

    def clear(self, keys: list[str], now: dt.datetime, why: str) -> None:
        for key in keys:
            if key in self.answers:
                del self.answers[key]
                self.events.append(Event(at=now, kind="clear", key=key, detail=why))
            if key in self.order:
                self.order.remove(key)
            self.timers.pop(key, None)

    def override(
        self,
        gate: str,
        code: str,
        comment: str,
        fingerprint: str,
        now: dt.datetime,
        origin: Origin = "typed",
    ) -> None:
        self.overrides[gate] = OverrideRecord(
            code=code, comment=comment, at=now, fingerprint=fingerprint, origin=origin
        )
        self.events.append(Event(at=now, kind="override", key=gate, detail=f"{code}: {comment}"))

    def acknowledge(
        self, gate: str, fingerprint: str, now: dt.datetime, origin: Origin = "typed"
    ) -> None:
        self.acks[gate] = AckRecord(at=now, fingerprint=fingerprint, origin=origin)
        self.events.append(Event(at=now, kind="acknowledge", key=gate))

    def confirm(self, step: str, now: dt.datetime) -> None:
        if step not in self.confirmed:
            self.confirmed.append(step)
        self.events.append(Event(at=now, kind="confirm", key=step))

    def summarise(self, state: State, now: dt.datetime) -> None:
        """Keep the fields the session list shows, and the gate log, in step with ``state``."""
        self.record_gates({g.id: g.outcome for g in state.gates.values()}, now)
        action = next_action(state, frozenset(self.skipped), frozenset(self.confirmed))
        self.status = walk_status(action)
        step = getattr(action, "step", None)
        self.phase = step.spec.phase if step is not None else state.guide.meta.phases[-1].id
        report = state.guide.meta.report
        due = state.value(report.next_dose_due) if report.next_dose_due else None
        given = state.injection_given
        self.injection_given = given is True
        self.next_dose_due = due.isoformat() if isinstance(due, dt.date) and given is True else None

    def record_gates(self, outcomes: Mapping[str, str], now: dt.datetime) -> None:
        """Log every gate whose outcome changed since the last evaluation."""
        for gate, outcome in outcomes.items():
            if self.gates.get(gate) != outcome:
                self.events.append(Event(at=now, kind="gate", key=gate, value=outcome))
        self.gates = dict(outcomes)

    # -- reading it back ------------------------------------------------------------

    def typed_answers(self, guide: Guide, today: dt.date) -> dict[str, Scalar]:
        """The answers as typed values; a value the guide no longer accepts is an error."""
        out: dict[str, Scalar] = {}
        for key, rec in self.answers.items():
            cq = guide.questions.get(key)
            if cq is None:
                raise SessionError(
                    f"session {self.label!r}: answer {key!r} is not a question of this guide",
                    hint="The guide changed since the session was saved; start a new session.",
                )
            try:
                out[key] = parse_value(cq, rec.value, today=today)
            except InvalidAnswer as exc:
                raise SessionError(f"session {self.label!r}: {exc}") from None
        return out

    def inputs(self, guide: Guide, today: dt.date, use_defaults: bool = False) -> Inputs:
        answers = self.typed_answers(guide, today)
        from_record: frozenset[str] = frozenset()
        if self.rapid_days or any(is_record_key(guide, k) for k in answers):
            # The pathway's answers come from its daily record only (origin "record").
            answers = {k: v for k, v in answers.items() if not is_record_key(guide, k)}
            kept = record_answers(guide, self.rapid_reading(today))
            answers.update(kept)
            from_record = frozenset(kept)
        answers = self.visit_answers(guide, answers, today)
        return Inputs(
            answers=answers,
            today=today,
            overrides={
                g: Override(o.code, o.comment, o.fingerprint) for g, o in self.overrides.items()
            },
            acks={g: a.fingerprint for g, a in self.acks.items()},
            use_defaults=use_defaults,
            from_record=from_record,
        )

    def visit_answers(
        self, guide: Guide, answers: dict[str, Scalar], today: dt.date
    ) -> dict[str, Scalar]:
        """``answers`` with the results read from the whole series for the visit day (the
        injection date answered, else ``today``): visit/entries.py :func:`visit_results`,
        the one reading. A stored answer for the challenge, the rechallenge or its hours
        is never trusted (a hand-edited file, a file's own series): only the series
        counts. The COWS answers are the day's latest standing rating, except while a
        rating is being typed at the prompt (after 'rate again', or items typed since the
        latest rating), which the walk adds to the series once it is complete."""
        date = answers.get(guide.meta.date_key)
        day = date if isinstance(date, dt.date) else today
        reading = visit_results(guide, self.cows_ratings, self.naloxone_challenges, day)
        out = {k: v for k, v in answers.items() if k not in RESULT_KEYS}
        out.update(
            {k: v for k, v in reading.answers.items() if k in guide.questions and k in RESULT_KEYS}
        )
        cows = [k for k in guide.questions if k.startswith(PREFIX)]
        if reading.rating is None or not cows or self._rating_typed(cows, reading.rating):
            return out
        out = {k: v for k, v in out.items() if k not in cows}
        out.update({k: v for k, v in reading.answers.items() if k in cows})
        return out

    def _rating_typed(self, cows: list[str], latest: CowsRating) -> bool:
        """A COWS rating is being typed at the prompt: after 'rate again', or an item
        typed (or a scenario's) at or after the latest rating's time."""
        if self.cows_next_context is not None:
            return True
        return any(
            (rec := self.answers.get(k)) is not None
            and rec.origin in ("typed", "scenario")
            and instant(rec.at) >= instant(latest.at)
            for k in cows
        )

    # -- the rapid pathway's daily record ----------------------------------------------

    def rapid_reading(self, today: dt.date) -> Reading:
        """What the pathway record says as of ``today`` (visit/rapid.py)."""
        return derive(self.rapid_days, self.rapid_protocol, today)

    def record_day(self, day: RapidDay, now: dt.datetime, origin: str = "typed") -> bool:
        """Append a pathway day to the record (visit/rapid.py, :func:`add_day`): never
        replacing one; an entry that says nothing new adds nothing. Logged with what it is.

        Raises:
            ValueError: the entry contradicts a recorded day without correcting it.
        """
        known = any(d.day == day.day for d in self.rapid_days)
        self.rapid_days, added = add_day(self.rapid_days, day)
        if not added:
            return False
        kind = (
            "rapid_day_correction"
            if day.corrects is not None
            else "rapid_day_added"
            if known
            else "rapid_day"
        )
        detail = f"day {day.day} on {day.date.isoformat()} ({origin}): {day.given}"
        if day.reason:
            detail += f"; reason: {day.reason}"
        self.events.append(Event(at=now, kind=kind, key=ANSWERS_KEY, value=day.day, detail=detail))
        self.note_result(day, now)
        return True

    def set_rapid_days(self, days: list[RapidDay], now: dt.datetime) -> None:
        """Add the days an answers file gives to the record, entry by entry (a file given
        again on resume adds only what is new; it never removes a recorded day or rating).

        Raises:
            InvalidAnswer: an entry contradicts a recorded day without correcting it.
        """
        for i, day in enumerate(days, 1):
            try:
                self.record_day(day, now, "file")
            except ValueError as exc:
                raise InvalidAnswer(ANSWERS_KEY, f"entry {i}: {exc}") from None


def refresh_defaults(
    guide: Guide, record: SessionRecord, today: dt.date, now: dt.datetime
) -> list[str]:
    """On resume, answers that came from a default (the injection date is today) follow
    the new day; returns a line for each one that changed."""
    from ..engine.evaluate import evaluate, state_context, valid_default

    state = evaluate(guide, record.inputs(guide, today))
    ctx = state_context(state)
    changed = []
    for key, rec in list(record.answers.items()):
        cq = guide.questions.get(key)
        if rec.origin != "default" or cq is None or cq.default is None:
            continue
        value = valid_default(cq, cq.default.evaluate(ctx))
        if value is UNKNOWN or to_json(value) == rec.value:  # type: ignore[arg-type]
            continue
        record.set_answer(key, value, "default", now)  # type: ignore[arg-type]
        changed.append(f"{key} follows its default: {rec.value} -> {to_json(value)}")  # type: ignore[arg-type]
    return changed


def new_session(
    guide: Guide,
    label: str,
    now: dt.datetime,
    today: dt.date | None,
    clock: ClockRecord | None = None,
) -> SessionRecord:
    """A new walk's record, started at ``now``; ``today`` is its fixed date (None: the
    real date), ``clock`` the clock it runs on (by default: fixed when ``today`` is)."""
    if clock is None:
        clock = ClockRecord(fixed=today is not None, start=now if today is not None else None)
    return SessionRecord(
        clock=clock,
        id=secrets.token_hex(4),
        label=label,
        guide_id=guide.meta.id,
        guide_version=guide.meta.version,
        site=guide.site,
        settings=dict(guide.setting_values),
        today=today,
        created=now,
        updated=now,
        events=[Event(at=now, kind="start", detail=f"{guide.meta.id} {guide.meta.version}")],
        rapid_protocol=table_of(guide),
    )


# ---------------------------------------------------------------------------------------
# Files


def sessions_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where sessions live: $XRNTX_GUIDE_HOME/sessions, else the user's data directory."""
    env = os.environ if env is None else env
    if env.get("XRNTX_GUIDE_HOME"):
        return Path(env["XRNTX_GUIDE_HOME"]) / "sessions"
    base = env.get("XDG_DATA_HOME")
    if not base:
        try:
            base = str(Path.home() / ".local" / "share")
        except RuntimeError:  # no HOME and no entry in the password database
            raise SessionError(
                "there is no home folder to keep sessions in",
                hint="Set XRNTX_GUIDE_HOME (or HOME) to a folder you can write.",
            ) from None
    return Path(base) / "xrntx-guide" / "sessions"


MAX_SESSION_FILE = 16 * 1024 * 1024
"""A session of a long walk with many edits is some tens of kilobytes."""
STALE_TEMP = dt.timedelta(minutes=10)
"""A save takes milliseconds: a temporary file this old was left by a process that died."""


def default_path(record: SessionRecord, directory: Path) -> Path:
    return directory / f"{slug(record.label)}-{record.id}.json"


def is_session_name(name: str) -> bool:
    """Whether a file name in the folder is a session's: ``*.json``, not hidden.

    A save writes a hidden temporary file first (``.NAME.XXXX.tmp``; ``.tmp-XXXX.json``
    before), so a save cut short never shows up as a second session."""
    return name.endswith(".json") and not name.startswith(".")


def _is_temp(name: str) -> bool:
    return name.startswith(".") and (name.endswith(".tmp") or name.startswith(".tmp-"))


def remove_stale_temps(directory: Path, now: dt.datetime | None = None) -> None:
    """Delete temporary files that a save killed halfway left behind (best effort)."""
    cutoff = (now or dt.datetime.now(dt.UTC)).timestamp() - STALE_TEMP.total_seconds()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        try:
            if _is_temp(entry.name) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue


def _save_problem(path: Path, exc: OSError) -> SessionError:
    """An OS error during a save, said as what it means for the clinician."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "no permission to write there",
        errno.EPERM: "no permission to write there",
        errno.ENOENT: "files cannot be created there",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    elsewhere = "save elsewhere: --session FILE, or set XRNTX_GUIDE_HOME to another folder."
    return SessionError(
        f"cannot save the session to {path}: {reason}",
        hint=f"Free some space, or {elsewhere}" if full else elsewhere.capitalize(),
    )


def save(record: SessionRecord, path: Path, now: dt.datetime) -> None:
    """Write atomically with owner-only permissions.

    Raises:
        SessionError: the file cannot be written (disk full, read-only, no permission...);
            the file as it was before is left in place.
    """
    record.updated = now
    data = record.model_dump_json(indent=2).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Files' ages are real time, never the visit's clock (a --today run's is fixed).
        remove_stale_temps(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _save_problem(path, exc) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _save_problem(path, exc) from None
        raise


def load(path: Path) -> SessionRecord:
    """Read a session file.

    Raises:
        SessionError: no such file, not a regular file (a FIFO is never waited on), too
            large, or not a valid session record.
    """
    from ..files import Unreadable, read_regular

    try:
        data = read_regular(path, MAX_SESSION_FILE)
    except Unreadable as exc:
        if exc.missing:
            raise SessionError(
                f"{path}: no such session file",
                hint="`xrntx-guide sessions` lists saved sessions.",
            ) from None
        raise SessionError(f"{path}: cannot read the session: it {exc.reason}") from None
    try:
        record = SessionRecord.model_validate(json.loads(data.decode("utf-8")))
    except UnicodeDecodeError as exc:
        raise SessionError(f"{path}: not a valid session file (not UTF-8: {exc.reason})") from None
    except RecursionError:
        raise SessionError(f"{path}: not a valid session file (nested too deeply)") from None
    except (json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise SessionError(f"{path}: not a valid session file ({first})") from None
    except ValueError:  # an integer of more digits than Python converts
        raise SessionError(f"{path}: not a valid session file (a number too long)") from None
    return intact(record, str(path))


def intact(record: SessionRecord, where: str) -> SessionRecord:
    """``record`` as read from ``where`` (a file, a store's row), once its id and label are
    well formed and its results agree with its audit trail (visit/integrity.py): every
    store's load path calls this.

    Raises:
        SessionError: naming the session and each entry that disagrees.
    """
    problem = record_identity_problem(record.id, record.label)
    if problem is not None:
        raise SessionError(
            f"{where}: not a valid session file ({problem})",
            hint="Correct the field in the file, or delete it with `xrntx-guide sessions "
            "--delete FILE`.",
        )
    problems = integrity.check_record(record)
    if not problems:
        return record
    raise SessionError(
        f"{where}: session {record.label!r} ({record.id}): its results do not match its "
        "audit trail, so it is not read (was it edited by hand?): " + "; ".join(problems),
        hint="A recorded result is never changed in the file: restore the session from a "
        "backup, or move it out of the sessions folder and start a new walk; a result is "
        "corrected with a new entry (README: answers file, --correct, 'edit').",
    )


@record
class Scan:
    """What a sessions folder holds: the records, newest first, and the files that are not
    readable records, each with the reason."""

    found: list[tuple[Path, SessionRecord]]
    unreadable: list[tuple[Path, str]]

    def warnings(self) -> list[str]:
        return [
            f"skipped {path}: {reason} (delete it with `xrntx-guide sessions --delete {path}`)"
            for path, reason in self.unreadable
        ]


ELSEWHERE = "elsewhere.txt"
"""The store's list of care sessions saved outside its folder (``walk --session FILE``),
one absolute path a line: they are part of the patient's record as much as the files in
the folder, so every listing, history and check of a label reads them too."""


def note_elsewhere(directory: Path, path: Path) -> None:
    """Remember a session file saved outside the sessions folder (or under a name a
    listing would not read), so that the patient's record still holds it.

    Raises:
        SessionError: the store's list cannot be written.
    """
    where = path.resolve()
    if where.parent == directory.resolve() and is_session_name(where.name):
        return
    index = directory / ELSEWHERE
    try:
        known = index.read_text(encoding="utf-8").splitlines() if index.exists() else []
        if str(where) in known:
            return
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(index, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{where}\n")
    except OSError as exc:
        raise SessionError(
            f"{index}: cannot note the session {path} kept outside the sessions folder: "
            f"{exc.strerror}",
            hint="Save the session in the sessions folder (leave out --session).",
        ) from None


def _elsewhere(directory: Path) -> list[Path]:
    index = directory / ELSEWHERE
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{index}: cannot read the store's list of sessions: {exc}") from None
    return [Path(line) for line in dict.fromkeys(lines) if line.strip()]


def scan_sessions(directory: Path) -> Scan:
    """Every session file in the folder, and every one the store's list says was saved
    elsewhere; one that cannot be read is set aside, never an error for the others."""
    scan = Scan([], [])
    try:
        names = sorted(entry.name for entry in os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return scan
    except OSError as exc:
        raise SessionError(f"{directory}: cannot list the sessions: {exc.strerror}") from None
    paths = [directory / name for name in names if is_session_name(name)]
    paths += [p for p in _elsewhere(directory) if p not in paths]
    for path in paths:
        try:
            scan.found.append((path, load(path)))
        except SessionError as exc:
            reason = exc.message.removeprefix(f"{path}: ")
            scan.unreadable.append((path, reason))
    scan.found.sort(key=lambda item: item[1].updated, reverse=True)
    return scan


def list_sessions(directory: Path) -> list[tuple[Path, SessionRecord | None]]:
    """Every session file in the folder, newest first; unreadable ones last, as None."""
    scan = scan_sessions(directory)
    return [*scan.found, *((path, None) for path, _ in scan.unreadable)]


def find_session(
    directory: Path, ref: str | None, warn: Callable[[str], None] | None = None
) -> Path:
    """A session by label or id (or the most recent unfinished one when ref is None).

    Files in the folder that are not readable records are skipped, each passed to
    ``warn`` when it is given."""
    return _find(_scan(directory, warn), ref)


def resolve_session(directory: Path, ref: str, warn: Callable[[str], None] | None = None) -> Path:
    """A session by id or label in the folder, else by the name of its file."""
    scan = _scan(directory, warn)
    key = label_key(ref)
    known = any(ref == r.id or label_key(r.label) == key for _, r in scan.found)
    if not known and Path(ref).exists():
        return Path(ref)
    return _find(scan, ref)


def _scan(directory: Path, warn: Callable[[str], None] | None) -> Scan:
    scan = scan_sessions(directory)
    if warn is not None:
        for message in scan.warnings():
            warn(message)
    return scan


def _find(scan: Scan, ref: str | None) -> Path:
    found = scan.found
    if ref is None:
        for path, rec in found:
            if rec.status != "complete":
                return path
        raise SessionError(
            "there is no unfinished session to resume", hint="Start one with `xrntx-guide walk`."
        )
    by_id = [p for p, r in found if r.id == ref]
    # 'pat', 'P-AT' and 'PAT' are one patient's label (visit/labels.py), as for check.
    key = label_key(ref)
    by_label = [(p, r) for p, r in found if label_key(r.label) == key]
    if by_id and any(p not in by_id for p, _ in by_label):
        # One session's id is another patient's label: deleting or resuming either could
        # be the wrong patient's record. Nothing is guessed.
        raise SessionError(
            f"{ref!r} is the id of one session and the label of another: it is ambiguous",
            hint="Give the session's file instead (`xrntx-guide sessions` lists them).",
        )
    if by_id:
        return by_id[0]
    if not by_label:
        raise SessionError(
            f"no session with label or id {ref!r}",
            hint="`xrntx-guide sessions` lists saved sessions.",
        )
    if len(by_label) > 1:
        ids = ", ".join(f"{r.id} ({r.status}, {r.updated:%Y-%m-%d %H:%M})" for _, r in by_label)
        raise SessionError(
            f"{len(by_label)} sessions have the label {ref!r}: {ids}",
            hint="Give the id instead of the label (`xrntx-guide sessions` lists them).",
        )
    return by_label[0][0]


def deletable_session(directory: Path, ref: str, warn: Callable[[str], None] | None = None) -> Path:
    """The session record ``ref`` names (by id, label or file), checked as deletable.

    Only ever a session record: a file named outside the sessions folder must read as a
    valid session, and one in the folder must be named as a session is (a damaged
    session can be deleted, a stray file next to it cannot).

    Raises:
        SessionError: nothing matches, or the file is not a session record.
    """
    path = resolve_session(directory, ref, warn)
    in_store = path.parent.resolve() == directory.resolve() and is_session_name(path.name)
    if not in_store:
        try:
            load(path)
        except SessionError as exc:
            raise SessionError(
                f"--delete {ref}: not a session record, so it is not deleted ({exc.message})",
                hint="`xrntx-guide sessions` lists the sessions that can be deleted.",
            ) from None
    return path


def delete_session(directory: Path, ref: str, warn: Callable[[str], None] | None = None) -> Path:
    """Delete one session record (see :func:`deletable_session`); returns its path.

    Raises:
        SessionError: nothing matches, the file is not a session record, or it cannot
            be deleted.
    """
    path = deletable_session(directory, ref, warn)
    try:
        path.unlink()
    except FileNotFoundError:
        raise SessionError(f"--delete {ref}: {path} no longer exists") from None
    except OSError as exc:
        raise SessionError(f"--delete {ref}: cannot delete {path}: {exc.strerror}") from None
    return path


def clean_label(text: str) -> str:
    """A typed patient label as stored (visit/labels.py: the one rule for every route).

    Raises:
        ValueError: saying what is wrong with it.
    """
    return clean(text)
