"""The walk's observation timers: shown at their prompt, started, counted down, and
an early result refused."""

from __future__ import annotations

import datetime as dt
import math

from ...engine.evaluate import (
    State,
)
from ...engine.next_action import (
    wait_minutes,
    wait_remaining,
)
from ...pack.guide import CQuestion
from ...visit.clock import parse_moment, shown
from ...visit.entries import withdrawal_since
from ...visit.results import start_refused
from .base import (
    WalkCore,
    _mmss,
)


class TimerPrompts(WalkCore):
    """The observation timer of a timed result (the naloxone challenge)."""

    def show_timer(self, state: State, cq: CQuestion) -> None:
        minutes = wait_minutes(state, cq)
        started = self.record.timers.get(cq.key)
        values = ", ".join(str(v) for v in cq.spec.wait_for)
        if started is None:
            self.ui.note(
                f"Timer: type 'start' when the naloxone is given; '{values}' is accepted "
                f"only after {minutes:g} minutes."
            )
        else:
            left = wait_remaining(
                state,
                cq,
                started,
                self.clock.timer_now(started, self.record.timers_real.get(cq.key)),
            ) or dt.timedelta(0)
            since = f"Timer started {started.astimezone().strftime('%H:%M:%S')}; "
            counted = self._counted_from(cq.key)
            if counted is not None:
                since += (
                    f"the observation counts from {shown(counted, '%H:%M:%S')}, when "
                    "'start' was typed (a start corrected to an earlier time never "
                    "shortens it); "
                )
            if left <= dt.timedelta(0):  # "0:00 left. Type 'wait' to count down" misled
                self.ui.note(f"{since}the {minutes:g} minutes have passed: record the result.")
            else:
                self.ui.note(f"{since}{_mmss(left)} left. Type 'wait' to count down.")

    def _counted_from(self, key: str) -> dt.datetime | None:
        """When the observation of ``key`` counts from, by this walk's clock, when that is
        later than the naloxone's recorded start: a timer started with 'start' and then
        corrected to an earlier time keeps its real minutes (env.py ``timer_now``)."""
        started = self.record.timers.get(key)
        real = self.record.timers_real.get(key)
        if started is None or real is None:
            return None
        now = self.clock.now()
        counted = now - (self.clock.source() - real)
        return counted if counted - started >= dt.timedelta(seconds=1) else None

    def refuse_early(self, state: State, cq: CQuestion, left: dt.timedelta | None) -> None:
        minutes = wait_minutes(state, cq)
        if left is None:
            self.ui.retry(
                f"the observation takes at least {minutes:g} minutes and has not "
                "started: type 'start' when the naloxone is given"
            )
        else:
            counted = self._counted_from(cq.key)
            since = (
                f", counted from {shown(counted, '%H:%M:%S')}, when 'start' was typed"
                if counted is not None
                else ""
            )
            self.ui.retry(
                f"the observation is not over: {_mmss(left)} left of {minutes:g} "
                f"minutes{since}. Type 'wait' to count down, or record another result"
            )

    def countdown(self, state: State, cq: CQuestion) -> None:
        started = self.record.timers.get(cq.key)
        if started is None:
            self.ui.retry("the timer has not started: type 'start' first")
            return
        others = [str(c.value) for c in cq.spec.choices or () if c.value not in cq.spec.wait_for]
        self.ui.note(
            "Waiting. Ctrl-C stops waiting; the timer keeps running."
            + (
                f" {' or '.join(repr(v) for v in others)} can be recorded at any time: "
                "stop waiting and type it."
                if others
                else ""
            )
        )
        # On a terminal one line counts down in place; in plain mode, or into a pipe or a
        # recording, one line a minute (a line every few seconds made ~120 of them).
        live = self.ui.live()
        first = True
        try:
            while True:
                left = wait_remaining(
                    state,
                    cq,
                    started,
                    self.clock.timer_now(started, self.record.timers_real.get(cq.key)),
                ) or dt.timedelta(0)
                if live:
                    self.ui.ticker(f"  observation: {_mmss(left)} left")
                elif first or left > dt.timedelta(0):
                    # Each later line is woken at a whole minute left: say it in minutes,
                    # so a wake-up a moment late never reads as 16:59.
                    mins = math.ceil(left.total_seconds() / 60)
                    self.ui.line(f"  observation: {_mmss(left) if first else f'{mins} min'} left")
                first = False
                if left <= dt.timedelta(0):
                    if live:
                        self.ui.ticker_end()
                    self.ui.line("  the minimum observation is over: record the result")
                    return
                secs = left.total_seconds()
                # Live: a tick about four times a second of real time, whatever the clock;
                # else up to the next whole minute left.
                step = max(1.0, self.clock.factor / 4) if live else (secs % 60 or 60.0)
                self.clock.sleep(min(secs, step))
        except KeyboardInterrupt:
            if live:
                self.ui.ticker_end()
            self.ui.note("countdown stopped; the timer keeps running")

    def _after_withdrawal(self, running: dt.datetime, now: dt.datetime) -> str | None:
        """Why the naloxone given at ``running`` cannot be started over or moved: withdrawal
        rated since (visit/entries.py ``withdrawal_since``); None when it can."""
        day = self.state().value(self.guide.meta.date_key)
        visit = day if isinstance(day, dt.date) else self.today
        found = withdrawal_since(self.guide, self.record.visit_ratings(visit), running, now)
        if found is None:
            return None
        return (
            f"the naloxone given at {shown(running, '%H:%M:%S')} was followed by a COWS "
            f"rating of {found.total} at {shown(found.at, '%H:%M:%S')}: any sign of "
            "withdrawal after the naloxone is a positive result (naltrexone-tablet-label), "
            "so this observation is not started over: record the result as positive"
        )

    def start_timer(self, key: str, when: str) -> None:
        """'start' (the naloxone is given now) or 'start 09:05' (it was given then: never
        after now, the one rule of visit/clock.py)."""
        now = self.clock.now()
        running = self.record.timers.get(key)
        again = when.lower() == "again"
        if running is not None and not when:
            # Started over in silence, the minutes already observed were lost at a word.
            self.ui.retry(
                f"the timer started at {shown(running, '%H:%M:%S')} is running: type "
                "'start again' to start it over from now (the minutes observed since then "
                "no longer count), or 'start HH:MM' to correct when the naloxone was given"
            )
            return
        if running is not None and (refused := self._after_withdrawal(running, now)):
            self.ui.retry(refused)
            return
        if not when or again:
            self.record.start_timer(key, now, self.clock.source(), now)
            self.ui.note("timer started again from now" if running is not None else "timer started")
            return
        try:
            at = parse_moment(when, self.today, now)
        except ValueError as exc:
            self.ui.retry(f"start: {exc}")
            return
        day = self.state().value(self.guide.meta.date_key)
        visit = day if isinstance(day, dt.date) else self.today
        problem = start_refused(self.guide, self.record, key, at, now, visit)
        if problem is not None:
            self.ui.retry(f"start: {problem}")
            return
        # Given with its time: the naloxone went in that long before this moment, by the
        # machine's clock too; a start typed before ('start') stays the bound if later.
        self.record.start_timer(key, at, self.clock.source() - (now - at), now)
        self.ui.note(f"timer started at {shown(at, '%H:%M')} (when the naloxone was given)")
        counted = self._counted_from(key)
        if counted is not None:
            self.ui.note(
                f"the observation still counts from {shown(counted, '%H:%M:%S')}, when "
                "'start' was typed: a start corrected to an earlier time never shortens it "
                "(care is real time)"
            )
