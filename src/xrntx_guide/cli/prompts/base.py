"""What the walk's prompt modules share: the words typed at a prompt, the exceptions a
command or a quit is carried by, small helpers, and the attributes and methods of the
walk (cli/walkthrough.py) that each module reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ...engine.drive import Prefill
from ...engine.evaluate import GateResult, OverrideRequest, State
from ...engine.next_action import GateStop
from ...env import Clock
from ...pack.guide import CQuestion, CStep, Guide
from ...visit.session import SessionRecord
from ..ui import UI

COMMANDS = ("back", "review", "edit", "why", "quit", "help", "rate")
DRY_RUN_START = "DRY RUN (--no-save): nothing of this walkthrough is saved."
DRY_RUN_END = "Dry run (--no-save): nothing was saved; no session file was written."
HELP = (
    "At any prompt: back (previous answer), review (all answers), edit [KEY] (change one), "
    "why (the gates and how each is decided now; 'why detail' adds the rules), "
    "quit (save and leave), help (the commands of that prompt)."
)
WORDS = {
    "back": "the previous answer again",
    "review": "all answers so far",
    "edit": "change one answer ('edit' alone lists them), or ask a question that applies "
    "and has no answer yet",
    "why": "the gates and how each is decided now ('why detail' adds the rules)",
    "jump": "go straight to the gate that already blocks; the rest can be answered later",
    "start": "start the observation timer when the naloxone is given ('start 09:05': it "
    "was given then; 'start again': over from now)",
    "wait": "count down the observation (Ctrl-C stops waiting)",
    "ok": "acknowledge this caution and go on",
    "override": "record an override: a coded reason and a comment",
    "all": "give VALUE to this question and to the next ones of this step with the same "
    "choices, each recorded on its own",
    "quit": "save and leave",
    "help": "this list",
    "rate": "rate COWS again ('rate again CONTEXT': baseline, before_challenge, "
    "after_challenge, pathway_day, repeat); every rating is kept, the latest of the day counts",
    "day": "record a day of the supervised rapid pathway (its daily record): the day, its "
    "date, what was given, tolerated, COWS with times, a note",
}
"""What each word typed at a prompt does; 'help' lists those valid at that prompt."""
USAGE = {"edit": "edit [KEY]", "all": "all VALUE", "rate": "rate again [CONTEXT]"}


class _Command(Exception):
    def __init__(self, name: str, arg: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.arg = arg


class _Quit(Exception):
    def __init__(self, eof: bool = False) -> None:
        super().__init__("quit")
        self.eof = eof
        """The input ended (Ctrl-D, a closed pipe) rather than the clinician typing quit."""


def _verdict(g: GateResult) -> str:
    if g.outcome == "fail":
        return f"fails ({g.severity})"
    return {
        "pass": "passes",
        "unknown": "not decided",
        "overridden": "overridden",
        "not_applicable": "does not apply",
    }.get(g.outcome, g.outcome)


def _pick(options: list[str], text: str) -> str | None:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return text if text in options else None


def _mmss(delta: dt.timedelta) -> str:
    secs = max(0, int(delta.total_seconds() + 0.999))
    return f"{secs // 60}:{secs % 60:02d}"


class WalkCore:
    """The walk as each prompt module sees it: its attributes (fields of
    :class:`xrntx_guide.cli.walkthrough.Walkthrough`) and the methods defined elsewhere
    that it calls."""

    ui: UI
    guide: Guide
    record: SessionRecord
    path: Any
    today: dt.date
    clock: Clock
    flag_overrides: dict[str, OverrideRequest]
    flag_acknowledge: tuple[str, ...]
    prefills: dict[str, Prefill]
    unread: dict[str, str]
    last_step: str | None
    unsaved: bool
    dry_run: bool
    program: str
    history_conflict: Callable[[str, object], str | None] | None
    responder: Any
    announced: set[str]
    redo: str | None
    jumped: str | None
    ahead: str | None
    shown: dict[str, str]
    words: tuple[str, ...]
    rapid_here: bool
    told_day: bool
    in_day_dialog: bool
    procedure_at: dict[str, tuple[str, int]]

    # Defined by the walk itself or by another prompt module; declared here so that each
    # module is checked against the one class they make up.
    def state(self) -> State:
        raise NotImplementedError

    def save(self, state: State | None = None) -> None:
        raise NotImplementedError

    def read(self, prompt: str, extra: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> str:
        raise NotImplementedError

    def show_step(self, state: State, step: CStep) -> None:
        raise NotImplementedError

    def reached(self, state: State, step: CStep) -> None:
        raise NotImplementedError

    def rate_again(self, state: State, arg: str) -> None:
        raise NotImplementedError

    def closing_stop(self, state: State, cq: CQuestion) -> GateStop | None:
        raise NotImplementedError

    def cannot_rate(self, state: State) -> str | None:
        raise NotImplementedError

    def show_timer(self, state: State, cq: CQuestion) -> None:
        raise NotImplementedError

    def refuse_early(self, state: State, cq: CQuestion, left: dt.timedelta | None) -> None:
        raise NotImplementedError

    def countdown(self, state: State, cq: CQuestion) -> None:
        raise NotImplementedError

    def start_timer(self, key: str, when: str) -> None:
        raise NotImplementedError

    def rapid_progress(self, g: GateResult) -> Any:
        raise NotImplementedError

    def after_change(self, old: State) -> None:
        raise NotImplementedError
