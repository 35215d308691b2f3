"""`check`'s work, without typer: the app's `check` (commands/check.py) and the direct
route of a plain command line (cli/direct.py) both run it, so they say the same."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...env import Environment
from ...errors import ExitCode, UsageError
from ...judge import judge
from ...pack import keys
from ...pack.guide import Guide
from ...visit.answers import RAPID_DAYS_KEY
from ...visit.presets import file_days, given_observation, parse_overrides
from .basics import gather_answers, guide_of, pack_paths, parse_today, patient_label, ui_for

if TYPE_CHECKING:
    from ...visit.history import Timeline


def prepare(
    env: Environment,
    *,
    json_out: bool,
    today: str | None,
    now_at: str | None,
    steps: Path | None,
    site: Path | None,
    explain: bool,
    label: str | None,
    batch: Path | None,
) -> tuple[Guide, dt.date]:
    """The guide and the day of a check, its options checked first (errors are raised)."""
    if explain and not json_out and batch is None:
        raise UsageError(
            "--explain adds the findings to the JSON result: give --json too",
            hint="Without --json, `xrntx-guide walk` shows each gate in words (`why detail`).",
        )
    guide = guide_of(*pack_paths(env, steps, site))
    day = parse_today(today, env, now_at)
    if label is not None and batch is not None:
        raise UsageError(
            '--label names one patient; with --batch give each line a "label" field',
            hint="docs/scripting.md: Batch.",
        )
    return guide, day


def check_one(
    env: Environment,
    guide: Guide,
    day: dt.date,
    *,
    answer: list[str] | None,
    answers: Path | None,
    override: list[str] | None,
    json_out: bool,
    plain: bool,
    explain: bool,
    label: str | None,
) -> int:
    """Can the patient receive the injection now? Writes the result; the exit code."""
    given = gather_answers(env, guide, answer or [], answers, day)
    record = None
    if label is not None:
        record = patient_record(env, guide, label, day)
    judged = judge(
        guide,
        given.answers,
        day,
        raw=given.raw,
        days=lambda: file_days(guide, given.raw, day, given.where, env.now()),
        now=env.now(),
        observation=given_observation(
            guide, given.raw, given.where, given.answers, answer or [], day, env.now()
        ),
        overrides=parse_overrides(guide, override or []),
        explain=explain,
        record=record,
    )
    state = judged.state
    if json_out:
        env.stdout.write(json.dumps(judged.result, ensure_ascii=False) + "\n")
    else:
        from ..render import show_check  # seam: rich and the screen, never for --json

        ui = ui_for(env, plain)
        if record is not None:
            from ..history import show_record_fills  # seam: the record's screen (rich)

            show_record_fills(ui, record, judged.prefilled)
        show_check(ui, state, _on_track(guide, state, given, day, env.now()))
        for o in judged.observed:
            if o.started is None:
                ui.note(
                    f"{o.key}={o.value}: taken as reported; no observation time was recorded "
                    f"(give {o.key}_started to check the {o.minutes:g}-minute minimum), nor "
                    "whether a COWS rating without withdrawal came before the naloxone (give "
                    "the series with times to check it)"
                )
    code = {
        "ready": ExitCode.OK,
        "blocked": ExitCode.BLOCKED,
        "needs_override": ExitCode.BLOCKED,
        "incomplete": ExitCode.INCOMPLETE,
    }[state.status]
    return int(code)


def _on_track(guide: Guide, state: Any, given: Any, day: dt.date, now: dt.datetime) -> Any:
    """The rapid pathway's day as on track (visit/rapid.py), from the file's days; None
    off the pathway or when the day is not on track."""
    if RAPID_DAYS_KEY not in given.raw:
        return None
    from ...visit.rapid import progress, table_of  # seam: pydantic only with a pathway record

    g = state.gates.get(keys.RAPID_GATE)
    days = file_days(guide, given.raw, day, given.where, now)
    if g is None or not days:
        return None
    return progress(
        g, days, table_of(guide), day, guide.setting_values.get(keys.RAPID_NALTREXONE_DAYS_REQUIRED)
    )


def patient_record(env: Environment, guide: Guide, label: str, day: dt.date) -> Timeline:
    """The record of the patient ``label`` on ``day`` (``check --label``): their sessions
    in the store, read as a walk reads them (visit/history.py). Only this opens the store."""
    from ...store import absence  # seam: the store, only with --label
    from ...visit.history import timeline  # seam: the record (pydantic), only with --label
    from ..storage import the_store, warn_on_stderr  # seam: as the store

    label = patient_label(label)
    # An unreadable visit: the record's warnings; no store at all: among them too, and on
    # stderr (a mistyped XRNTX_GUIDE_HOME is never read as a patient without visits).
    store = the_store(env, say=warn_on_stderr(env), reading=True)
    found = store.history(label)
    missing = absence(store)
    notes = () if missing is None else (missing,)
    return timeline(guide, found.records, label, day, unreadable=found.unreadable, notes=notes)
