"""Patients over time, and the public routes that judge them (reference 4.4 items 8-12).

A :class:`Timed` visit has a clock (``now``), answers that may hold results with their
times (``cows_ratings``, ``naloxone_challenges``, the rapid pathway's ``rapid_days`` with
``naltrexone_given``), and the patient's record: the injections given at earlier visits
under the same label. :func:`timed_visit` draws one through a :class:`Chooser`, like the
single-visit generator it starts from (:func:`tests.strategies.patients.random_answers`),
so the properties (Hypothesis) and the long run (``bench/fuzz_safety.py``) share it.
Choices list their plain option first, so a failing visit shrinks towards a plain one.

The drivers run a visit through the public command line only (``--now``,
``check --label``, a batch line's ``label``, ``walk --no-input``, ``note``), in
process, each in its own home folder, so that what they find holds for the commands a
clinician or a script runs, whatever the code behind them becomes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests import oracle
from tests.helpers import TODAY, after_injection, ready_patient
from tests.strategies.patients import (
    Chooser,
    DrawChooser,
    Options,
    pool_guide,
    pool_site_toml,
    random_answers,
    shift,
    to_json,
)
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.results import Kind

# --- The visit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    """One visit over time: the clock, the answers, the patient's record."""

    now: dt.datetime
    """The visit's clock, the run's local time (no offset), as ``--now`` gives it."""
    answers: dict[str, Any]
    """Typed single answers (dates as dates); series as an answers file writes them."""
    record: tuple[dt.date, ...] = ()
    """The days of the injections given at earlier (finished) visits under the label."""
    site: int = 0
    shapes: tuple[str, ...] = ()
    """What was drawn: for reports, and the tally of the long run."""
    reported: tuple[dt.date, ...] = ()
    """Last injections other visits of the label reported (a dose given elsewhere, typed
    at a repeat visit left unfinished), each later than every day of :attr:`record`."""
    same_day: tuple[tuple[str, str], ...] = ()
    """(question, value) of one-answer results another visit of the label recorded for
    this visit's date (a urine screen, a pregnancy test)."""
    same_day_moved: str | None = None
    """How the visit that recorded :attr:`same_day` was then moved to the day before by a
    resume: ``"bare"`` (its results asked again there), ``"given"`` (a negative given
    there beside the new date); None: it was not moved. Either way the result stays this
    day's (safety invariant 3)."""

    @property
    def visit_day(self) -> dt.date:
        """The visit's date: its injection date, or today."""
        day = self.answers.get("injection_date")
        return day if isinstance(day, dt.date) else self.today

    @property
    def others(self) -> tuple[Any, ...]:
        """What the label's other visits hold: visits with the same share a label."""
        return (
            self.record,
            self.reported,
            self.same_day,
            self.visit_day if self.same_day else None,
            self.same_day_moved,
        )

    @property
    def judged_record(self) -> tuple[dt.date, ...]:
        """The injections the patient's record shows: given, and reported."""
        return (*self.record, *self.reported)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def file(self) -> dict[str, Any]:
        """The answers as an answers file (JSON) holds them."""
        return {k: v if k in oracle.SERIES_KEYS else to_json(v) for k, v in self.answers.items()}

    def findings(self, guide: Guide, in_record: bool = False) -> list[oracle.Finding]:
        # A result another visit recorded for the day is the day's result (safety
        # invariants 3 and 4): the visit is judged with it.
        return oracle.findings(
            guide,
            {**self.answers, **dict(self.same_day)},
            self.today,
            date_default=True,
            now=self.now,
            record=self.judged_record,
            in_record=in_record,
        )

    def bare_negative(self) -> bool:
        """A negative challenge or rechallenge without the time its naloxone was given: a
        visit record (a walk) refuses it, a ``check`` takes it as reported."""
        if "negative" in (
            self.answers.get(k) for k in ("naloxone_challenge", "naloxone_rechallenge")
        ):
            return True
        entries = self.answers.get(oracle.CHALLENGES) or []
        return any(e.get("result") == "negative" and not e.get("started") for e in entries)

    def __repr__(self) -> str:
        return (
            f"Timed(now={self.now.isoformat()}, shapes={list(self.shapes)}, "
            f"record={[d.isoformat() for d in self.record]}, site={self.site}, "
            f"reported={[d.isoformat() for d in self.reported]}, same_day={list(self.same_day)}, "
            f"same_day_moved={self.same_day_moved}, "
            f"answers={json.dumps(self.file(), sort_keys=True)})"
        )


def stamp(at: dt.datetime, offset: bool = False) -> str:
    """A time as a file writes it: local, or with the run's offset written out."""
    if offset:
        return at.astimezone().isoformat(timespec="minutes")
    return at.isoformat(timespec="minutes")


def _minutes(c: Chooser, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(minutes=c.integer(lo, hi))


# --- Shapes ------------------------------------------------------------------------------

SHAPES = (
    "cows_series",
    "challenges",
    "timed_negative",
    "rapid",
    "record",
    "correction",
    "after_now",
)


def _cows_series(c: Chooser, guide: Guide, v: dict[str, Any], now: dt.datetime) -> None:
    """1-4 ratings over yesterday and today, the latest sometimes high; totals or items."""
    threshold = guide.setting_values.get("cows_threshold", 5)
    for key in [k for k in v if k.startswith("cows_")]:
        del v[key]
    scores = oracle.cows_scores(guide)
    start = dt.datetime.combine(now.date(), dt.time(0)) - dt.timedelta(hours=12)
    span = int((now - start).total_seconds() // 60)
    times = sorted({start + _minutes(c, 0, span) for _ in range(c.integer(1, 4))})
    ratings: list[dict[str, Any]] = []
    for at in times:
        entry: dict[str, Any] = {"at": stamp(at, c.chance(10))}
        total = c.integer(0, threshold - 1) if c.chance(70) else c.pick([threshold, 0, 12])
        if c.chance(20) and len(scores) == len(oracle.COWS_ITEMS):
            items = {i: min(scores[i]) for i in oracle.COWS_ITEMS}
            items["pulse"] = c.pick(sorted(scores["pulse"]))
            entry["items"] = items
        else:
            entry["total"] = total
        ratings.append(entry)
    v[oracle.RATINGS] = ratings


def _challenges(c: Chooser, guide: Guide, v: dict[str, Any], now: dt.datetime) -> None:
    """A challenge (negative, not done or positive) with its times; after a positive,
    sometimes a rechallenge around the edges of the window and the observation minimum."""
    for key in ("naloxone_challenge", "naloxone_rechallenge", "naloxone_rechallenge_hours"):
        v.pop(key, None)
    observe = guide.setting_values.get("naloxone_observation_minutes", 20)
    window = guide.setting_values.get("naloxone_rechallenge_window_hours", 24)
    result = c.pick(["negative", "not_done", "positive"])
    if result == "positive":
        at = now - _minutes(c, observe, int(window * 60) + 180)
    else:
        at = now - _minutes(c, observe, max(observe, now.hour * 60 + now.minute))
    first: dict[str, Any] = {"at": stamp(at), "kind": "challenge", "result": result}
    if result != "not_done" and c.chance(85):
        first["started"] = stamp(at - _minutes(c, observe, observe + 40))
    entries = [first]
    if result == "positive" and c.chance(75):
        edge = c.pick([0, -1, 1, None])
        if edge is None:
            gap = _minutes(c, observe + 1, int(window * 60))
        else:
            gap = dt.timedelta(hours=window) + dt.timedelta(minutes=edge)
        again = min(at + gap, now) if c.chance(95) else at + gap
        entry = {
            "at": stamp(again),
            "kind": "rechallenge",
            "result": c.pick(["negative", "positive", "not_done"]),
        }
        if c.chance(85):
            wait = c.pick([observe, observe + 5, observe - 1])
            entry["started"] = stamp(again - dt.timedelta(minutes=wait))
        entries.append(entry)
    v[oracle.CHALLENGES] = entries


def _correction(c: Chooser, v: dict[str, Any], now: dt.datetime) -> None:
    """A correction naming an earlier entry of a series, with a reason; a positive
    challenge corrected to negative among them (it must never lift it)."""
    series = [k for k in (oracle.CHALLENGES, oracle.RATINGS) if v.get(k)]
    if not series:
        return
    key = c.pick(series)
    target = c.pick(v[key])
    fix: dict[str, Any] = {"at": stamp(now), "corrects": target["at"], "reason": "typo"}
    if key == oracle.CHALLENGES:
        fix.update(kind=target["kind"], result=c.pick(["negative", "positive", "not_done"]))
        if "started" in target:
            fix["started"] = target["started"]
    else:
        fix["total"] = c.integer(0, 8)
    v[key] = [*v[key], fix]


def _rapid(c: Chooser, guide: Guide, v: dict[str, Any], now: dt.datetime) -> None:
    """The pathway's record: day 1 buprenorphine, a day without, oral naltrexone days,
    the injection day today (or a day before it), sometimes short, used, untolerated."""
    required = guide.setting_values.get("rapid_naltrexone_days_required", 3)
    last = c.pick([required + 3, required + 2, 1, required + 4, 2])
    day1 = shift(now.date(), -(last - 1))
    oral = set(range(3, last))
    if c.chance(20):
        oral.discard(c.integer(1, max(1, last)))
    days = []
    for n in range(1, last + 1):
        cows_at = dt.time(c.integer(7, 10), c.pick([0, 30]))
        if n == last:
            # Today's rating: before now, or (rarely) after it.
            early = now - _minutes(c, 0, min(240, now.hour * 60 + now.minute))
            cows_at = (now + _minutes(c, 1, 90) if c.chance(5) else early).time()
        day: dict[str, Any] = {
            "day": n,
            "date": shift(day1, n - 1).isoformat(),
            "given": "as the protocol directs",
            "naltrexone_given": n in oral,
            "tolerated": c.chance(95),
            "cows": [{"time": cows_at.strftime("%H:%M"), "total": c.pick([1, 0, 3, 6])}],
        }
        if n == last and c.chance(90):
            day["injection_day"] = True
        days.append(day)
    v.update(dict.fromkeys(oracle.RAPID_KEYS, True))
    v["pathway"] = oracle.RAPID
    v["visit"] = oracle.FIRST
    v.pop("last_injection_date", None)
    v["last_opioid_kind"] = c.pick(["short_acting", "fentanyl", "methadone", "buprenorphine"])
    if c.chance(5):
        v["last_opioid_kind"] = oracle.BUP_ER
    v["last_opioid_use"] = day1 if c.chance(85) else shift(day1, c.integer(1, last - 1 or 1))
    v["uds_buprenorphine"] = c.pick(["positive", "negative"])
    if oracle.CHALLENGES not in v:
        v["naloxone_challenge"] = c.pick(["not_done", "negative"])
    v.pop("injection_date", None)
    v[oracle.RAPID_DAYS] = days


def _record(c: Chooser, guide: Guide, v: dict[str, Any], now: dt.datetime) -> tuple[dt.date, ...]:
    """An injection at an earlier visit, at the edges of the dose timing (section 7); the
    visit answered as a repeat (with or without the date), a first injection, or with an
    older date than the record's."""
    s = guide.setting_values
    since = c.pick(
        [
            s.get("dose_interval_days", 28),
            3,
            s.get("early_repeat_stop_days", 7),
            s.get("early_repeat_caution_days", 21),
            35,
        ]
    )
    since += c.pick([0, -1, 1])
    given = shift(now.date(), -max(1, since))
    visit = c.pick([oracle.REPEAT, oracle.FIRST])
    v["visit"] = visit
    if visit == oracle.FIRST and c.chance(80):
        v.pop("last_injection_date", None)
    for key in ("pathway", oracle.RAPID_DAYS, *oracle.RAPID_KEYS):
        v.pop(key, None)
    if visit == oracle.REPEAT:
        v.setdefault("last_injection_side", "left")
        v.setdefault("opioid_use_since_last_injection", False)
        how = c.pick(["prefilled", "same", "older", "newer"])
        v.pop("last_injection_date", None)
        if how == "same":
            v["last_injection_date"] = given
        elif how == "older":
            v["last_injection_date"] = shift(given, -c.integer(1, 30))
        elif how == "newer" and given < now.date():
            v["last_injection_date"] = shift(given, 1)
        if v.get("opioid_use_since_last_injection") is False:
            # "No use since": the last use before the injection, or (invariant 10) after it.
            v["last_opioid_use"] = shift(given, -c.integer(0, 60) if c.chance(80) else 1)
    return (given,)


PLAIN = Options(odd=False)
"""The single visit under the shapes: no odd dates (the properties of one visit have them)."""


def random_now(c: Chooser) -> dt.datetime:
    """A visit's clock: today of the suite or a day before it, between 01:00 and 23:59."""
    now = dt.datetime.combine(shift(TODAY, c.pick([0, -c.integer(1, 400)])), dt.time(0))
    return now + _minutes(c, 60, 23 * 60 + 59)


def timed_visit(
    c: Chooser,
    site: int = 0,
    options: Options = PLAIN,
    now: dt.datetime | None = None,
    others: bool = False,
) -> Timed:
    """A visit over time on the pool's pack ``site`` at ``now`` (drawn when None): a
    random visit of the single-visit generator, with some of its answers replaced by the
    shapes of :data:`SHAPES`; with ``others``, other visits of the label too (a last
    injection one reported, a result of the same day one recorded)."""
    guide = pool_guide(site)
    now = random_now(c) if now is None else now
    answers: dict[str, Any] = dict(random_answers(c, guide, now.date(), options))
    answers.pop("injection_date", None)
    if c.chance(10):
        answers["injection_date"] = shift(now.date(), -1)
    shapes: list[str] = []
    record: tuple[dt.date, ...] = ()
    if c.chance(45):
        _cows_series(c, guide, answers, now)
        shapes.append("cows_series")
    if c.chance(50):
        _challenges(c, guide, answers, now)
        shapes.append("challenges")
    elif answers.get("naloxone_challenge") == "negative" and c.chance(70):
        # The same result with its times: a walk (a visit record) can count it.
        observe = guide.setting_values.get("naloxone_observation_minutes", 20)
        at = now - _minutes(c, 0, min(120, now.hour * 60 + now.minute))
        start = at - _minutes(c, observe, observe + 30)
        del answers["naloxone_challenge"]
        answers[oracle.CHALLENGES] = [
            {"at": stamp(at), "started": stamp(start), "kind": "challenge", "result": "negative"}
        ]
        shapes.append("timed_negative")
    if c.chance(25):
        _rapid(c, guide, answers, now)
        shapes.append("rapid")
    elif c.chance(30):
        record = _record(c, guide, answers, now)
        shapes.append("record")
    if c.chance(12):
        _correction(c, answers, now)
        shapes.append("correction")
    if c.chance(8):
        after_now(c, answers, now)
        shapes.append("after_now")
    answers = {k: v for k, v in answers.items() if k in guide.questions or k in oracle.SERIES_KEYS}
    reported: tuple[dt.date, ...] = ()
    same_day: tuple[tuple[str, str], ...] = ()
    if others and c.chance(15):
        reported = _reported(c, guide, record, now)
        shapes.append("reported")
    # A patient with a dose on record: a visit of the day is a repeat visit, where the
    # screen is asked only after a use since (the generator draws that visit bare).
    moved: str | None = None
    if others and not record and c.chance(15):
        key = c.pick([k for k in SAME_DAY if k in guide.questions])
        same_day = ((key, "positive"),)
        shapes.append("same_day")
        if c.chance(40):
            moved = c.pick(["bare", "given"])
            shapes.append("same_day_moved")
    return Timed(now, answers, record, site, tuple(shapes), reported, same_day, moved)


SAME_DAY = ("uds_opiates", "uds_fentanyl", "uds_methadone", "uds_oxycodone", "pregnancy_test")
"""The one-answer results another visit of the day may have recorded (positive)."""


def _reported(
    c: Chooser, guide: Guide, record: tuple[dt.date, ...], now: dt.datetime
) -> tuple[dt.date, ...]:
    """A last injection another visit reported, at the edges of the dose timing (section
    7), later than every injection of ``record``; none when it cannot be."""
    s = guide.setting_values
    since = c.pick([2, s.get("early_repeat_stop_days", 7), s.get("dose_interval_days", 28), 40])
    since += c.pick([0, -1, 1])
    day = shift(now.date(), -max(1, since))
    if record and day <= max(record):
        return ()
    return (day,)


def after_now(c: Chooser, v: dict[str, Any], now: dt.datetime) -> str:
    """One result timed after ``now`` written in (invariant 8); returns what it is."""
    later = now + _minutes(c, 1, 600)
    kind = c.pick(["rating", "challenge", "started"])
    if kind == "started" and v.get(oracle.CHALLENGES):
        entry = dict(v[oracle.CHALLENGES][-1])
        entry["started"] = stamp(later)
        v[oracle.CHALLENGES] = [*v[oracle.CHALLENGES][:-1], entry]
        return f"{oracle.CHALLENGES}: started {stamp(later)}"
    if kind == "challenge":
        for key in ("naloxone_challenge", "naloxone_rechallenge", "naloxone_rechallenge_hours"):
            v.pop(key, None)
        entry = {"at": stamp(later), "kind": "challenge", "result": "negative"}
        v[oracle.CHALLENGES] = [*(v.get(oracle.CHALLENGES) or []), entry]
        return f"{oracle.CHALLENGES}: at {stamp(later)}"
    for key in [k for k in v if k.startswith("cows_") and k != oracle.RATINGS]:
        del v[key]
    v[oracle.RATINGS] = [*(v.get(oracle.RATINGS) or []), {"at": stamp(later), "total": 0}]
    return f"{oracle.RATINGS}: at {stamp(later)}"


# --- The public routes ------------------------------------------------------------------

_LABELS = itertools.count(1)


@dataclass
class Verdict:
    """What one route said about a visit."""

    route: str
    status: str
    """ready | blocked | needs_override | incomplete | refused (exit 2) | error (other)"""
    exit_code: int
    stderr: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.status == "ready"


WALK_STATUS = {
    "complete": "ready",
    "blocked": "blocked",
    "needs_override": "needs_override",
    "needs_acknowledgement": "needs_override",
    "incomplete": "incomplete",
}


class NoClock(AssertionError):
    """The command line has no ``--now`` (or another interface of the visit over time) yet."""


class Routes:
    """The commands, in process, in a home folder of their own (sessions, the record)."""

    def __init__(self, home: Path | None = None) -> None:
        from typer.testing import CliRunner

        from xrntx_guide.cli.app import app

        self.home = home or Path(tempfile.mkdtemp(prefix="xrntx-timed-"))
        self.app = app
        self.runner = CliRunner()
        self.files = itertools.count()

    def invoke(self, *args: str, input: str | None = None) -> tuple[int, str, str]:
        env = {"NO_COLOR": "1", "COLUMNS": "100", "XRNTX_GUIDE_HOME": str(self.home)}
        r = self.runner.invoke(self.app, list(args), input=input, env=env)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        for missing in ("--now", "--label", "label"):
            if f"No such option: {missing}" in r.stderr:
                raise NoClock(f"the command line has no {missing} yet: {r.stderr.strip()}")
        return r.exit_code, r.stdout, r.stderr

    def site(self, v: Timed) -> list[str]:
        """``--site FILE`` for the visit's pack (nothing for the shipped one)."""
        text = pool_site_toml(v.site)
        return [] if text is None else ["--site", self.write(text, ".toml")]

    def write(self, data: Any, suffix: str = ".json") -> str:
        path = self.home / f"input-{next(self.files)}{suffix}"
        self.home.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    # -- the record --------------------------------------------------------------------

    def record_injection(self, label: str, day: dt.date, site: list[str]) -> None:
        """A finished care visit under ``label`` on ``day`` with the injection given."""
        # Long past any interval a site may set: nothing but the dose itself is asked.
        answers = after_injection(last_opioid_use=day - dt.timedelta(days=90))
        flags = [f"{k}={to_flag(v)}" for k, v in answers.items()]
        code, out, err = self.invoke(
            "walk", "--no-input", "--json", "--label", label, "--today", day.isoformat(),
            "--acknowledge", "all", *site, *_each("--answer", flags),
        )  # fmt: skip
        assert code == 0 and json.loads(out)["status"] == "complete", (code, out, err)

    def patient(self, v: Timed) -> str | None:
        """A new label with the visit's record written (the injections given, the other
        visits that reported one or a result of the day), or None without a record."""
        if not (v.record or v.reported or v.same_day):
            return None
        label = f"P{next(_LABELS)}"
        for day in v.record:
            self.record_injection(label, day, self.site(v))
        for day in v.reported:
            # A repeat visit the day after, left unfinished, typing the dose given elsewhere.
            on = min(shift(day, 1), v.today)
            self.other_visit(label, on, {"visit": "repeat_injection", "last_injection_date": day,
                                         "last_injection_side": "right"}, v)  # fmt: skip
        if v.same_day:
            session = self.other_visit(label, v.visit_day, dict(v.same_day), v)
            if v.same_day_moved is not None:
                # Then moved to the day before by a resume (that day's results asked
                # again, or a negative given there): the result stays this day's.
                before = shift(v.visit_day, -1)
                given = [f"injection_date={before.isoformat()}"]
                if v.same_day_moved == "given":
                    given += [f"{k}=negative" for k, _ in v.same_day]
                code, out, err = self.invoke(
                    "walk", "--no-input", "--json", "--resume", "--session", session,
                    "--today", v.visit_day.isoformat(), *self.site(v), *_each("--answer", given),
                )  # fmt: skip
                assert code in (1, 4), (code, out, err)
        return label

    def other_visit(self, label: str, day: dt.date, answers: dict[str, Any], v: Timed) -> str:
        """A care visit of ``label`` on ``day`` with only ``answers``, left unfinished:
        its session."""
        flags = [f"{k}={to_flag(val)}" for k, val in answers.items()]
        code, out, err = self.invoke(
            "walk", "--no-input", "--json", "--label", label, "--today", day.isoformat(),
            *self.site(v), *_each("--answer", flags),
        )  # fmt: skip
        assert code in (1, 4), (code, out, err)
        return str(json.loads(out)["session"])

    # -- the routes ------------------------------------------------------------------

    def clock(self, v: Timed) -> list[str]:
        return ["--now", v.now.isoformat(timespec="minutes")]

    def check(self, v: Timed, label: str | None = None, *extra: str) -> Verdict:
        args = ["check", "--json", *self.clock(v), *self.site(v)]
        args += ["--answers", self.write(v.file())]
        if label is not None:
            args += ["--label", label]
        code, out, err = self.invoke(*args, *extra)
        return _verdict("check", code, out, err)

    def batch(self, visits: Sequence[tuple[Timed, str | None]], *extra: str) -> list[Verdict]:
        """One ``check --batch`` run of lines sharing one clock (the first visit's)."""
        lines = []
        for v, label in visits:
            line = v.file()
            if label is not None:
                line["label"] = label
            lines.append(json.dumps(line))
        path = self.write("\n".join(lines) + "\n", ".jsonl")
        first = visits[0][0]
        code, out, err = self.invoke(
            "check", "--batch", path, *self.clock(first), *self.site(first), *extra
        )
        results = [json.loads(x) for x in out.splitlines() if x.strip()]
        assert len(results) == len(visits), (code, out, err)
        verdicts = []
        for r in results:
            status = "refused" if r.get("status") == "error" else str(r.get("status"))
            verdicts.append(Verdict("check --batch", status, code, str(r.get("message", "")), r))
        return verdicts

    def walk(
        self,
        v: Timed,
        label: str | None,
        *extra: str,
        resume: bool = False,
        answers: Mapping[str, Any] | None = None,
    ) -> Verdict:
        """``walk --no-input --json`` with the visit's answers (or ``answers``; none when
        empty) in a file, and every caution acknowledged: given the answers after the
        injection (:func:`with_injection`), the walk ends complete exactly when the gates
        allow the injection."""
        label = label or f"W{next(_LABELS)}"
        given = dict(v.file() if answers is None else answers)
        args = ["walk", "--no-input", "--json", *self.clock(v), "--label", label]
        if resume:
            args.append("--resume")
        else:
            args += self.site(v)
        if given:
            args += ["--answers", self.write(given)]
        args += ["--acknowledge", "all", *extra]
        code, out, err = self.invoke(*args)
        verdict = _verdict("walk --no-input", code, out, err)
        verdict.data.setdefault("label", label)
        return verdict

    def scenario(self, v: Timed, expected: str) -> bool:
        """Whether ``scenarios test`` finds the visit's outcome to be ``expected``: the
        visit as a scenario file (its date; the record as its earlier visits). Only for a
        visit whose answers carry no time of day (a scenario has a date, not a clock)."""
        lines = [
            "[scenario]",
            'title = "A property-test visit"',
            'story = "Drawn by tests/strategies/timed.py."',
            f"today = {v.today.isoformat()}",
            "",
            "[answers]",
            *(f"{k} = {_toml(val)}" for k, val in v.answers.items()),
        ]
        for day in v.record:
            lines += ["", "[[history]]", f"today = {day.isoformat()}", "[history.answers]"]
            given = after_injection(last_opioid_use=day - dt.timedelta(days=90))
            lines += [f"{k} = {_toml(val)}" for k, val in given.items()]
        lines += ["", "[expect]", f"status = {json.dumps(expected)}", ""]
        folder = self.home / f"scenarios-{next(self.files)}"
        folder.mkdir(parents=True)
        (folder / "visit.toml").write_text("\n".join(lines), encoding="utf-8")
        code, out, err = self.invoke("scenarios", "test", str(folder), *self.site(v))
        assert code in (0, 1), (code, out, err)
        return code == 0

    def note(self, session: str) -> str:
        code, out, err = self.invoke("note", session, "--format", "text")
        assert code == 0, (code, out, err)
        return out


AFTER_INJECTION = {
    k: v
    for k, v in after_injection().items()
    if k
    in (
        "injection_given",
        "injection_side_used",
        "needle_used",
        "observation_minutes",
        "overdose_counselled",
        "reversal_agent_offered",
        "wallet_card_given",
    )
}
"""What a walk is told once the injection is given (``injection_given`` and the rest)."""


def with_injection(v: Timed) -> Timed:
    """The visit with the injection's answers, for a walk to the end."""
    return replace(v, answers={**v.answers, **AFTER_INJECTION})


def _toml(value: Any) -> str:
    """A single answer as TOML writes it (a date bare, as a scenario file gives it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | int | float):
        return value.isoformat() if isinstance(value, dt.date) else repr(value)
    return json.dumps(value)


def _each(flag: str, values: Sequence[str]) -> list[str]:
    return [x for value in values for x in (flag, value)]


def to_flag(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _verdict(route: str, code: int, out: str, err: str) -> Verdict:
    if code == 2:
        return Verdict(route, "refused", code, err)
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return Verdict(route, "error", code, err)
    status = str(data.get("status"))
    status = WALK_STATUS.get(status, status) if route.startswith("walk") else status
    return Verdict(route, status, code, err, data)


# --- Hypothesis strategies --------------------------------------------------------------


def bounded(n: int) -> settings:
    """Bounded and derandomised, as the single-visit properties are: each example runs
    the command line a few times, so the counts are small, and a failing visit is not
    shrunk (minutes of command runs): the failure prints it whole, shapes and all."""
    return settings(
        max_examples=n,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def visits_on_days(
    kinds: Sequence[str], most: int = 6, gap: int = 35, late: int = 3
) -> st.SearchStrategy[list[tuple[int, str, int]]]:
    """A patient's visits after a first dose, in order: each as (the days since the one
    before it, up to ``gap``; its kind, one of ``kinds``; a small number up to ``late``
    that the kind reads, such as how many days late a dose is entered)."""
    one = st.tuples(st.integers(0, gap), st.sampled_from(list(kinds)), st.integers(0, late))
    return st.lists(one, min_size=1, max_size=most)


@st.composite
def timed_visits(draw: Callable[[Any], Any], site: int | None = None) -> Timed:
    """A visit over time (any shape) on one of the pool's packs."""
    chosen = draw(st.integers(0, 3)) if site is None else site
    return timed_visit(DrawChooser(draw), chosen)


@st.composite
def visits_with_a_result_after_now(draw: Callable[[Any], Any]) -> tuple[Timed, str]:
    """A visit with one result timed after its clock (invariant 8), and what that result is."""
    c = DrawChooser(draw)
    v = timed_visit(c, 0)
    answers = dict(v.answers)
    what = after_now(c, answers, v.now)
    return Timed(v.now, answers, v.record, v.site, (*v.shapes, "after_now")), what


@st.composite
def visits_with_a_record(draw: Callable[[Any], Any]) -> Timed:
    """A visit of a patient whose record holds an earlier injection (invariants 10, 11)."""
    c = DrawChooser(draw)
    v = timed_visit(c, 0)
    answers = dict(v.answers)
    record = _record(c, pool_guide(0), answers, v.now)
    return Timed(v.now, answers, record, 0, (*v.shapes, "record"))


@st.composite
def visits_beside_other_visits(draw: Callable[[Any], Any]) -> Timed:
    """A visit of a patient whose other visits reported a later last injection than the
    record's, or recorded a positive result of this visit's day (invariants 3, 10, 11)."""
    c = DrawChooser(draw)
    v = timed_visit(c, 0)
    guide = pool_guide(0)
    answers = dict(v.answers)
    record = _record(c, guide, answers, v.now) if c.chance(50) else ()
    reported = _reported(c, guide, record, v.now) if c.chance(60) else ()
    same_day: tuple[tuple[str, str], ...] = ()
    moved: str | None = None
    if not record and (not reported or c.chance(50)):
        same_day = ((c.pick([k for k in SAME_DAY if k in guide.questions]), "positive"),)
        moved = c.pick([None, "bare", "given"])
    shapes = (*v.shapes, *(["record"] if record else []), "others")
    return Timed(v.now, answers, record, 0, shapes, reported, same_day, moved)


@dataclass(frozen=True)
class Sitting:
    """A later sitting of a walk (``--resume``) at ``now``: more results by flag (single
    answers) or by file (entries of a series, or single answers)."""

    now: dt.datetime
    how: str
    """flag | file"""
    given: dict[str, Any]


@st.composite
def appended_results(draw: Callable[[Any], Any]) -> tuple[Timed, list[Sitting]]:
    """:func:`appended`, drawn by Hypothesis."""
    return appended(DrawChooser(draw))


def appended(c: Chooser) -> tuple[Timed, list[Sitting]]:
    """A visit with a recorded positive challenge, then one to three later sittings, each
    giving more results (invariant 9): a second "challenge", a correction of the positive, a
    rechallenge (positive or negative, its observation complete, a minute short, or its
    naloxone time not given), or a single answer, by flag or by file. Drawn by the
    properties and by the long safety fuzz (bench/fuzz_safety.py ``--paths sittings``)."""
    v = timed_visit(c, 0)
    guide = pool_guide(0)
    answers = dict(v.answers)
    if c.chance(50):
        # A patient otherwise ready, so that a rechallenge can decide the visit.
        answers = ready_patient(last_opioid_use=shift(v.now.date(), -c.integer(7, 13)))
    for key in ("naloxone_challenge", "naloxone_rechallenge", "naloxone_rechallenge_hours"):
        answers.pop(key, None)
    observe = guide.setting_values.get("naloxone_observation_minutes", 20)
    positive_at = v.now - _minutes(c, observe, 180)
    positive = {"at": stamp(positive_at), "kind": "challenge", "result": "positive"}
    positive["started"] = stamp(positive_at - dt.timedelta(minutes=observe))
    answers[oracle.CHALLENGES] = [positive]
    first = Timed(v.now, answers, (), 0, (*v.shapes, "positive"))
    steps: list[Sitting] = []
    at = v.now
    for _ in range(c.integer(1, 3)):
        at += _minutes(c, 1, 40)
        what = c.pick(["rechallenge", "challenge", "correction", "bare"])
        if what == "bare":
            key = c.pick(["naloxone_challenge", "naloxone_rechallenge"])
            bare = {key: c.pick(["negative", "not_done"])}
            steps.append(Sitting(at, c.pick(["flag", "file"]), bare))
            continue
        entry: dict[str, Any] = {"at": stamp(at), "kind": "challenge", "result": "negative"}
        if what == "rechallenge":
            entry["kind"] = "rechallenge"
            entry["result"] = c.pick(["negative", "positive"])
        if c.chance(80):
            entry["started"] = stamp(at - dt.timedelta(minutes=c.pick([observe, observe - 1])))
        if what == "correction":
            entry.update(corrects=positive["at"], reason="entered in error")
        steps.append(Sitting(at, "file", {oracle.CHALLENGES: [entry]}))
    return first, steps


def _as_entries(given: dict[str, Any], now: dt.datetime) -> list[dict[str, Any]]:
    """What a sitting adds to the record: a series' entries, or a single answer as a
    result at the sitting's time (appended)."""
    if oracle.CHALLENGES in given:
        return list(given[oracle.CHALLENGES])
    kinds = {"naloxone_challenge": "challenge", "naloxone_rechallenge": "rechallenge"}
    return [
        {"at": stamp(now), "kind": kinds[key], "result": value}
        for key, value in given.items()
        if key in kinds
    ]


def sittings_violation(
    first: Timed, sittings: Sequence[Sitting], routes: Routes | None = None
) -> str | None:
    """What the sittings of :func:`appended` break, or None (invariants 5 and 9): a walk
    that completes while the oracle finds a gate standing on the results recorded so far,
    or a note that lost the recorded positive challenge. Each sitting runs through ``walk
    --no-input --resume`` and ``note``, the public commands."""
    guide = pool_guide(0)
    routes = routes or Routes()
    label = routes.patient(first)
    v = with_injection(first)
    verdict = routes.walk(v, label)
    if verdict.status == "refused":
        return None  # nothing recorded (the visit's other answers are refused)
    label = str(verdict.data["label"])
    session = str(verdict.data["session"])
    entries = list(v.answers[oracle.CHALLENGES])
    positive = entries[0]
    history = [f"first: {verdict.status}"]
    for sitting in sittings:
        at = Timed(sitting.now, v.answers, v.record)
        if sitting.how == "flag":
            flags = [x for k, val in sitting.given.items() for x in ("-a", f"{k}={to_flag(val)}")]
            verdict = routes.walk(at, label, *flags, resume=True, answers={})
        else:
            verdict = routes.walk(at, label, resume=True, answers=sitting.given)
        history.append(f"{sitting.how} {sitting.given}: {verdict.status}")
        if verdict.status != "refused":
            entries += _as_entries(sitting.given, sitting.now)
        answers = {**v.answers, oracle.CHALLENGES: entries}
        found = oracle.findings(
            guide, answers, sitting.now.date(), now=sitting.now, record=v.record, in_record=True
        )
        if verdict.ready and found:
            return f"complete, but {[str(f) for f in found]}: {history}\n{first!r}"
        note = routes.note(session)
        kept = [x for x in note.splitlines() if "positive" in x and positive["at"][11:16] in x]
        if not kept:
            return f"the positive challenge of {positive['at']} is gone from the note: {history}"
        if verdict.ready:
            return None  # a finished walk is not resumed
    return None


_PROBED: list[str] = []


def require_the_interfaces() -> None:
    """Fail at once (NoClock) when the command line lacks an interface of the visit over time that
    the properties drive (``--now``, ``check --label``), before any example is drawn."""
    if not _PROBED:
        routes = Routes()
        try:
            routes.invoke("check", "--json", "--now", "2026-11-24T09:00", "--label", "probe")
            _PROBED.append("")
        except NoClock as exc:
            _PROBED.append(str(exc))
    if _PROBED[0]:
        raise NoClock(_PROBED[0])


# --- Site protocol tables (section 6, clarified) -------------------------------------------


@st.composite
def protocol_tables(draw: Callable[[Any], Any]) -> tuple[int | None, list[dict[str, Any]]]:
    """A site's day-by-day table and the site's ``rapid_naltrexone_days_required`` (None:
    the shipped value): the injection day anywhere from day 1, oral naltrexone days marked
    before it, after it, or missing."""
    c = DrawChooser(draw)
    required = c.pick([None, 3, 4, 5])
    length = c.integer(1, 9)
    injection = c.pick([length, 1, c.integer(1, length)])
    rows: list[dict[str, Any]] = []
    for n in range(1, length + 1):
        row: dict[str, Any] = {"day": n, "given": "as the site's protocol directs"}
        row["oral_naltrexone"] = n not in (1, 2, injection) and not c.chance(15)
        row["cows_due"] = True  # the injection day's rating is always due
        if n == injection:
            row["injection"] = True
        rows.append(row)
    return required, rows


def protocol_site_toml(required: int | None, rows: Sequence[Mapping[str, Any]]) -> str:
    """A site file with the table (and the setting, when given)."""
    lines = ['site = "protocol"']
    if required is not None:
        lines += ["", "[settings]", f"rapid_naltrexone_days_required = {required}"]
    for row in rows:
        lines += ["", "[[rapid_protocol]]"]
        for key, value in row.items():
            text = ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)
            lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


# --- A saved series, changed by hand ---------------------------------------------------


@dataclass(frozen=True)
class ResultStep:
    """One result offered to a record, ``minutes`` after the one before it (a challenge's
    naloxone was given that many minutes before its result)."""

    kind: Kind
    total: int
    result: str
    minutes: int


@dataclass(frozen=True)
class Tampered:
    """A series recorded by the record's rule, then changed by hand once: ``change`` is
    ``value``, ``time``, ``day``, ``origin`` or ``drop`` (of the entry ``which`` points
    at, by ``by``), or ``add`` (an entry nobody recorded)."""

    steps: list[ResultStep]
    change: str
    which: int
    by: int


def _result_steps() -> st.SearchStrategy[ResultStep]:
    return st.builds(
        ResultStep,
        kind=st.sampled_from(["cows", "challenge", "rechallenge"]),
        total=st.integers(0, 48),
        result=st.sampled_from(["positive", "negative"]),
        minutes=st.integers(1, 240),
    )


def tampered_series() -> st.SearchStrategy[Tampered]:
    return st.builds(
        Tampered,
        steps=st.lists(_result_steps(), min_size=1, max_size=6),
        change=st.sampled_from(["value", "drop", "time", "day", "origin", "add"]),
        which=st.integers(0, 50),
        by=st.integers(1, 47),
    )


TRAIL_KEY = "injection_given"
"""The answer whose audit trail :data:`audit_trails` draws (another key's events beside it)."""

trail_values = st.sampled_from([True, False, "yes"])
"""An answer's value as the audit trail logs it: true is not "yes"."""

audit_trails = st.lists(
    st.tuples(
        st.sampled_from(["answer", "change", "carry", "clear", "note"]),
        st.sampled_from([TRAIL_KEY, "other"]),
        trail_values,
    ),
    max_size=12,
)
"""An answer's audit trail as (event kind, key, value) in order: answers, changes, values
carried, clears, and events that log no value, for the key and for another."""
