"""Case scenarios: teaching vignettes that are also the guide's content regression tests.

A scenario is a TOML file (``scenarios/*.toml``): the story a trainer reads out, teaching
points, notes per step, the date of the visit, the answers, and the outcome the guide is
expected to give. :func:`run` evaluates the answers exactly as ``check`` does (the same
parsing, bounds and overrides), and :func:`compare` lists every way the outcome differs
from the expected one. Nothing here prints or prompts.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .engine.drive import walk_unattended
from .engine.evaluate import State
from .errors import PackError, UsageError, UserError
from .files import Unreadable, open_regular, read_regular
from .judge import judge, with_record
from .output.check import derived_json
from .pack.guide import Guide
from .pack.load import load_guide
from .records import field, record
from .visit.history import Timeline, timeline
from .visit.presets import SCENARIO_TABLE, Given, parse_answers, parse_overrides
from .visit.session import SessionRecord, new_session
from .visit.start import take_run

MAX_FILE_BYTES = 256 * 1024
EXPECT_KEYS = (
    "status",
    "blocking",
    "cautions",
    "earliest_injection_date",
    "next_dose_due",
    "prefilled",
)


@record(frozen=True)
class EarlierVisit:
    """A visit of the same patient before the scenario's own (``[[history]]``): walked
    first, unattended, as a session of its own, so that the scenario's visit takes from it
    what a repeat visit takes from the patient's record (reference section 7)."""

    today: dt.date
    answers: Mapping[str, Any]


@record(frozen=True)
class Scenario:
    """One case vignette, as read from its file."""

    id: str
    path: Path
    title: str
    story: str
    today: dt.date
    answers: Mapping[str, Any]
    expect: Mapping[str, Any]
    teaching_points: tuple[str, ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)
    """Step id -> what the trainer says there."""
    overrides: tuple[str, ...] = ()
    """``GATE="CODE: comment"``, as ``--override`` takes them."""
    site: Path | None = None
    history: tuple[EarlierVisit, ...] = ()
    """The patient's earlier visits, oldest first."""


class ScenarioError(UserError):
    """A scenario file that cannot be used; the message names the file and the fix."""


def default_dir() -> Path:
    """The shipped scenarios: inside the installed package, or ``scenarios/`` of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "scenarios", here.parent.parent / "scenarios"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return here / "scenarios"


_TOP = {SCENARIO_TABLE, "answers", "expect", "notes", "history"}
_HEAD = {"title", "story", "today", "teaching_points", "overrides", "site"}


def read(path: Path) -> Scenario:
    """Read one scenario file; raise :class:`ScenarioError` naming every problem."""
    try:
        raw = tomllib.loads(read_regular(path, MAX_FILE_BYTES).decode("utf-8"))
    except Unreadable as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text: {exc.reason}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except (ValueError, RecursionError):  # a number too long, or nesting too deep, to read
        raise ScenarioError(
            f"{path}: cannot be read: a number too long or values nested too deeply"
        ) from None
    problems: list[str] = []
    for key in sorted(set(raw) - _TOP):
        problems.append(f"unknown table or key {key!r} (allowed: {', '.join(sorted(_TOP))})")
    head = raw.get(SCENARIO_TABLE)
    if not isinstance(head, dict):
        raise ScenarioError(f"{path}: needs a [scenario] table with title, story and today")
    for key in sorted(set(head) - _HEAD):
        problems.append(f"scenario.{key}: unknown key (allowed: {', '.join(sorted(_HEAD))})")
    title, story, today = head.get("title"), head.get("story"), head.get("today")
    if not isinstance(title, str) or not title.strip():
        problems.append("scenario.title: give the case a title")
    if not isinstance(story, str) or not story.strip():
        problems.append("scenario.story: give the story the trainer reads out")
    if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
        problems.append("scenario.today: give the date of the visit (YYYY-MM-DD, no quotes)")
    points = head.get("teaching_points", [])
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        problems.append("scenario.teaching_points: a list of strings")
    overrides = head.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        problems.append("scenario.overrides: a list of 'GATE=\"CODE: comment\"' strings")
    site = head.get("site")
    if site is not None and not isinstance(site, str):
        problems.append("scenario.site: the path of a site file, relative to the scenario")
    elif isinstance(site, str) and not beside(path, site):
        problems.append(
            f"scenario.site {site!r}: a scenario's site file must lie beside it, in "
            f"{path.parent} (give its name there, as '_site-clinic.toml'), never a file "
            "elsewhere on the machine"
        )
    answers = raw.get("answers", {})
    if not isinstance(answers, dict) or not answers:
        problems.append("[answers]: give the answers of the case")
    expect = raw.get("expect")
    if not isinstance(expect, dict) or "status" not in expect:
        problems.append("[expect]: give at least the expected status")
    else:
        for key in sorted(set(expect) - set(EXPECT_KEYS)):
            problems.append(f"expect.{key}: unknown key (allowed: {', '.join(EXPECT_KEYS)})")
    notes = raw.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        problems.append("[notes]: step id = the trainer's note (text)")
    earlier: list[EarlierVisit] = []
    history = raw.get("history", [])
    if not isinstance(history, list):
        problems.append("[[history]]: a list of earlier visits, each with today and answers")
        history = []
    for n, visit in enumerate(history):
        when = visit.get("today") if isinstance(visit, dict) else None
        given = visit.get("answers") if isinstance(visit, dict) else None
        extra = sorted(set(visit) - {"today", "answers"}) if isinstance(visit, dict) else []
        if (
            not isinstance(when, dt.date)
            or isinstance(when, dt.datetime)
            or not isinstance(given, dict)
            or not given
            or extra
        ):
            problems.append(
                f"history[{n}]: an earlier visit needs today (YYYY-MM-DD) and [history.answers]"
                + (f" only (unknown: {', '.join(extra)})" if extra else "")
            )
            continue
        earlier.append(EarlierVisit(when, given))
    if problems:
        raise ScenarioError(f"{path}: " + f"\n{path}: ".join(problems))
    assert isinstance(title, str) and isinstance(story, str) and isinstance(today, dt.date)
    assert isinstance(answers, dict) and isinstance(expect, dict) and isinstance(notes, dict)
    return Scenario(
        id=path.stem,
        path=path,
        title=title.strip(),
        story=story.strip(),
        today=today,
        answers=answers,
        expect=expect,
        teaching_points=tuple(points),
        notes=notes,
        overrides=tuple(overrides),
        site=(path.parent / site) if isinstance(site, str) else None,
        history=tuple(earlier),
    )


def read_all(folder: Path) -> list[Scenario]:
    """Every ``*.toml`` scenario of a folder, in name order (files starting with ``_`` are
    left out: site files and shared fragments live beside the scenarios)."""
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: no such folder of scenarios")
    files = sorted(p for p in folder.glob("*.toml") if not p.name.startswith("_"))
    if not files:
        raise ScenarioError(f"{folder}: no scenario files (*.toml)")
    return [read(p) for p in files]


def beside(scenario: Path, site: str) -> bool:
    """Whether the site file a scenario names lies in the scenario's own folder: a
    relative name there, not a path up the tree, and not a link to a file elsewhere."""
    if not site or Path(site).is_absolute():
        return False
    folder = scenario.parent.resolve()
    try:
        return (scenario.parent / site).resolve().parent == folder
    except (OSError, RuntimeError):  # a loop of links
        return False


def guide_for(scenario: Scenario, steps: Path | None, site: Path | None) -> Guide:
    """The guide a scenario runs on: its own site file unless one is given for all.

    A scenario's site file is read only if it is a regular file of sensible size (a device
    or a FIFO named there would never end)."""
    if site is None and scenario.site is not None:
        try:
            open_regular(scenario.site).close()
            if scenario.site.stat().st_size > MAX_FILE_BYTES:
                raise Unreadable(f"is larger than {MAX_FILE_BYTES} bytes")
        except (Unreadable, OSError) as exc:
            raise ScenarioError(f"{scenario.path}: scenario.site {scenario.site}: {exc}") from None
    return load_guide(steps, site if site is not None else scenario.site)


def run(guide: Guide, scenario: Scenario) -> State:
    """Evaluate the scenario's answers as ``check`` does, on the scenario's date."""
    return played(guide, scenario)[0]


def played(guide: Guide, scenario: Scenario) -> tuple[State, dict[str, Any]]:
    """Evaluate the scenario's answers as ``check`` does, on the scenario's date, after its
    earlier visits (``[[history]]``): what a walk fills in from them (the last injection's
    date and side) is added where the answers do not give it, as the walk adds it. Returns
    the evaluation and the values filled in."""
    where = f"{scenario.path} [answers]"
    steps = {s.id for s in guide.steps}
    unknown = sorted(set(scenario.notes) - steps)
    if unknown:
        raise ScenarioError(
            f"{scenario.path}: [notes]: {unknown} are not step ids of the guide",
            hint="Step ids: " + ", ".join(s.id for s in guide.steps),
        )
    try:
        presets = parse_answers(guide, scenario.answers, "file", scenario.today, where)
        requests = parse_overrides(guide, scenario.overrides)
        # The one judge of check and each batch line (judge.py), with the record of
        # the earlier visits read as a walk reads it.
        judged = judge(
            guide, presets, scenario.today, overrides=requests, record=from_history(guide, scenario)
        )
        return judged.state, judged.prefilled
    except PackError:
        raise
    except UsageError as exc:
        raise ScenarioError(f"{scenario.path}: {exc.message}", hint=exc.hint) from None


def from_history(guide: Guide, scenario: Scenario) -> Timeline | None:
    """Walk the earlier visits as sessions of one label (in memory) and return the
    patient's timeline on the scenario's date (visit/history.py); None without any."""
    if not scenario.history:
        return None

    records: list[SessionRecord] = []
    for n, visit in enumerate(scenario.history):
        where = f"{scenario.path} [[history]] {n}"
        # Noon of the visit's day where the program runs: every zone reads it as that day.
        now = dt.datetime.combine(visit.today, dt.time(12)).astimezone()
        record = new_session(guide, scenario.id, now, visit.today)
        given = parse_answers(guide, visit.answers, "file", visit.today, where)
        # Each earlier visit is walked with the record of the ones before it, as a walk
        # of the same label would be: its contradictions refused, its values filled in.
        before = timeline(guide, records, scenario.id, visit.today)
        try:  # with the values the record fills in where the walk asks them (judge.py)
            with_record(guide, given, visit.today, before)
        except UsageError as exc:
            raise ScenarioError(f"{where}: {exc.message}", hint=exc.hint) from None
        # Its answers go into the record by the visit core's rules, as a walk's do (the
        # gates read the record's series: visit/entries.py).
        run = Given(given, visit.answers, where)
        take_run(guide, record, run, given, {}, visit.today, now, resume=False)
        ended = walk_unattended(
            guide, record, visit.today, {}, ("all",), now, prefills=before.prefills
        )
        record.summarise(ended.state, now)
        records.append(record)
    return timeline(guide, records, scenario.id, scenario.today)


def outcome(state: State, prefilled: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a scenario's ``[expect]`` table describes, taken from an evaluation (and the
    values filled in from its earlier visits)."""
    derived = derived_json(state)
    return {
        "status": state.status,
        "blocking": sorted(state.blocking),
        "cautions": sorted(state.cautions),
        "earliest_injection_date": derived.get("earliest_injection_date"),
        "next_dose_due": derived.get("next_dose_due"),
        "prefilled": dict(prefilled or {}),
    }


def compare(expect: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """Each difference between the expected outcome and the one the guide gave.

    Only what the scenario states is compared; ``blocking`` and ``cautions`` as sets;
    a date as ``YYYY-MM-DD`` (a TOML date or a string); ``"none"`` means absent."""
    out = []
    for key in EXPECT_KEYS:
        if key not in expect:
            continue
        want, have = _norm(key, expect[key]), _norm(key, got.get(key))
        if want != have:
            out.append(f"{key}: expected {_show(want)}, got {_show(have)}")
    return out


def _norm(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _norm(k, v) for k, v in sorted(value.items())}
    if key in ("blocking", "cautions"):
        return sorted(value) if isinstance(value, list | tuple) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "none"
    return value


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]" if value else "[] (none)"
    return str(value)
