"""The walkthrough with nobody to ask: ``walk --no-input``, and any walk off a terminal.

It follows :func:`~xrntx_guide.engine.next_action` exactly as the interactive walk does,
recording into the session what needs no person: a question's default, an optional
question left empty, a step confirmed, a stop overridden or a caution acknowledged *by
flag*. It stops at the first thing only a person could supply and says what that is;
the caller saves the record and reports. Nothing here prints, prompts or writes files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .engine import Ask, Confirm, Done, GateStop, State, evaluate, next_action, walk_status
from .expr import UNKNOWN
from .loader import Guide

if TYPE_CHECKING:
    from .presets import OverrideRequest
    from .session import SessionRecord

MAX_STEPS = 10_000
"""Each pass records one thing and a pack is finite: a bound, not a limit anyone meets."""


@dataclass(frozen=True)
class Outcome:
    """Where an unattended walk ended.

    ``done``: the walk is complete. ``gate``: ``stop`` (a :class:`GateStop` no flag
    settles: a contraindication, a stop without ``--override``, a caution without
    ``--acknowledge``). ``missing``: a required question has no answer and no default;
    ``missing`` lists every such key in walk order, and ``filled`` is the evaluation with
    defaults applied that the list (and the flags that would supply it) comes from.
    """

    kind: Literal["done", "stop", "missing"]
    state: State
    stop: GateStop | None = None
    missing: list[str] = field(default_factory=list)
    filled: State | None = None


def walk_unattended(
    guide: Guide,
    record: SessionRecord,
    day: dt.date,
    overrides: Mapping[str, OverrideRequest],
    acknowledge: Collection[str],
    now: dt.datetime,
) -> Outcome:
    """Walk ``record`` as far as it goes without a person, recording into it as it goes.

    Args:
        guide: the loaded pack.
        record: the session; answers, skips, confirmations, overrides and acknowledgements
            are added to it, and its status kept current.
        day: the date of the walk.
        overrides: gate id -> the ``--override`` request for that stop.
        acknowledge: caution gate ids acknowledged by flag (``all`` for every caution).
        now: the time stamped on what is recorded.
    """
    for _ in range(MAX_STEPS):
        state = evaluate(guide, record.inputs(guide, day))
        action = next_action(state, frozenset(record.skipped), frozenset(record.confirmed))
        record.status = walk_status(action)
        if isinstance(action, Ask):
            cq = action.question
            filled = evaluate(guide, record.inputs(guide, day, use_defaults=True))
            value = filled.value(cq.key)
            if cq.default is not None and value is not UNKNOWN:
                record.set_answer(cq.key, value, "default", now)  # type: ignore[arg-type]
                continue
            if cq.q.optional:
                record.skip(cq.key, now)
                continue
            return Outcome("missing", state, missing=filled.missing(), filled=filled)
        if isinstance(action, Confirm):
            record.confirm(action.step.id, now)
            continue
        if isinstance(action, GateStop):
            g = action.gate
            if action.kind == "override" and g.id in overrides:
                req = overrides[g.id]
                record.override(g.id, req.code, req.comment, g.fingerprint, now, "flag")
                continue
            if action.kind == "notice" or (
                action.kind == "acknowledge" and (g.id in acknowledge or "all" in acknowledge)
            ):
                record.acknowledge(g.id, g.fingerprint, now, "flag")
                continue
            return Outcome("stop", state, stop=action)
        if isinstance(action, Done):
            return Outcome("done", state)
    raise RuntimeError("the unattended walk did not finish")  # pragma: no cover - bounded
