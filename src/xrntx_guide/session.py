"""The record of one walkthrough: answers with their origin, overrides, audit trail.

Sessions hold health information: files are written atomically (a crash leaves either the
old or the new file, never half of one) with owner-only permissions, and the patient is
identified only by a label the clinician chooses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .answers import Scalar, parse_value, to_json
from .engine import Inputs, Override, State, next_action, walk_status
from .errors import InvalidAnswer, SessionError
from .expr import UNKNOWN
from .loader import Guide

Origin = Literal["typed", "flag", "file", "session", "default", "derived", "scenario"]
JSONScalar = bool | int | float | str
FORMAT: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    """The fixed date of the run (``--today``); None means the real date each time."""
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
        self.phase = step.step.phase if step is not None else state.guide.meta.phases[-1].id
        due = state.value("next_dose_due")
        given = state.value("injection_given")
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
        return Inputs(
            answers=self.typed_answers(guide, today),
            today=today,
            overrides={
                g: Override(o.code, o.comment, o.fingerprint) for g, o in self.overrides.items()
            },
            acks={g: a.fingerprint for g, a in self.acks.items()},
            use_defaults=use_defaults,
        )


def refresh_defaults(
    guide: Guide, record: SessionRecord, today: dt.date, now: dt.datetime
) -> list[str]:
    """On resume, answers that came from a default (the injection date is today) follow
    the new day; returns a line for each one that changed."""
    from .engine import evaluate, state_context, valid_default

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


def new_session(guide: Guide, label: str, now: dt.datetime, today: dt.date | None) -> SessionRecord:
    return SessionRecord(
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
    )


# ---------------------------------------------------------------------------------------
# Files


def sessions_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where sessions live: $XRNTX_GUIDE_HOME/sessions, else the user's data directory."""
    env = os.environ if env is None else env
    if env.get("XRNTX_GUIDE_HOME"):
        return Path(env["XRNTX_GUIDE_HOME"]) / "sessions"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "xrntx-guide" / "sessions"


def slug(label: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-.")
    return s[:40] or "session"


def default_path(record: SessionRecord, directory: Path) -> Path:
    return directory / f"{slug(record.label)}-{record.id}.json"


def save(record: SessionRecord, path: Path, now: dt.datetime) -> None:
    """Write atomically with owner-only permissions."""
    record.updated = now
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = record.model_dump_json(indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def load(path: Path) -> SessionRecord:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(
            f"{path}: no such session file", hint="`xrntx-guide sessions` lists saved sessions."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot read the session: {exc}") from None
    try:
        return SessionRecord.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise SessionError(f"{path}: not a valid session file ({first})") from None


def list_sessions(directory: Path) -> list[tuple[Path, SessionRecord | None]]:
    """Every session file in the folder, newest first; unreadable ones as None."""
    if not directory.is_dir():
        return []
    out: list[tuple[Path, SessionRecord | None]] = []
    for path in directory.glob("*.json"):
        try:
            out.append((path, load(path)))
        except SessionError:
            out.append((path, None))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    out.sort(key=lambda item: item[1].updated if item[1] else epoch, reverse=True)
    return out


def find_session(directory: Path, ref: str | None) -> Path:
    """A session by label or id (or the most recent unfinished one when ref is None)."""
    found = list_sessions(directory)
    if ref is None:
        for path, rec in found:
            if rec is not None and rec.status != "complete":
                return path
        raise SessionError(
            "there is no unfinished session to resume", hint="Start one with `xrntx-guide walk`."
        )
    by_id = [p for p, r in found if r is not None and r.id == ref]
    if by_id:
        return by_id[0]
    by_label = [(p, r) for p, r in found if r is not None and r.label == ref]
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


MAX_LABEL = 80


def clean_label(text: str) -> str:
    """A patient label as stored: printable, one line, not empty, not too long.

    Raises:
        ValueError: saying what is wrong with it.
    """
    label = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if not label:
        raise ValueError("a label is needed (not a name: for example initials and a number)")
    if len(label) > MAX_LABEL:
        raise ValueError(f"a label has at most {MAX_LABEL} characters")
    return label
