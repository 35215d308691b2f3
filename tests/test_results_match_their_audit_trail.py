"""Invariant 9 on load: a session's results agree with its own audit trail.

Every result taken into a record is logged in its audit trail as it was recorded, and a
session is read only when its series says what the audit trail says. A session file edited
by hand (a positive challenge changed to negative in both the series and the answer, a
COWS rating lowered, an entry removed) is refused on load (exit 2), naming the session and
the entry: it never resumes to "complete". Sessions saved legitimately (every shipped
scenario, records written before results were logged) still load.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from tests.helpers import (
    TODAY,
    Run,
    after_injection,
    answer_flags,
    json_answers,
    ready_patient,
    stored_record,
    stored_sessions,
)
from tests.strategies import timed
from xrntx_guide.errors import InvalidAnswer, SessionError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.scenarios import default_dir, read_all
from xrntx_guide.visit import integrity
from xrntx_guide.visit.results import Offered, take_result
from xrntx_guide.visit.session import new_session, record_from_json

DAY = TODAY.isoformat()
AFTER = answer_flags(
    {k: v for k, v in after_injection().items() if k not in ready_patient()}
)  # what a clinician records once the injection is given


def _walk(run: Run, now: str, *args: str) -> tuple[Any, Any]:
    """A new walk of label S, and the session it stored (None when it stored none)."""
    r = run(
        "walk", "--no-input", "--now", now, "--label", "S", "--acknowledge", "all", *args,
    )  # fmt: skip
    found = stored_sessions("S")
    return r, (found[-1] if found else None)


def _resume(run: Run, path: Any, now: str, *args: str) -> Any:
    return run(
        "walk", "--resume", "--session", str(path), "--no-input", "--now", now,
        "--acknowledge", "all", *args,
    )  # fmt: skip


def _edit(path: Any, change: Any) -> None:
    """Change the stored record's JSON by hand (as an editor, or a SQL UPDATE, would)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _positive(run: Run) -> Any:
    r, path = _walk(
        run, f"{DAY}T10:00",
        *answer_flags(ready_patient(naloxone_challenge="positive")),
        "-a", "naloxone_challenge_started=30 minutes ago",
    )  # fmt: skip
    assert r.exit_code == 1, r.output  # blocked by the positive challenge
    return path


def _refused_naming(r: Any, path: Any, *what: str) -> None:
    assert r.exit_code == 2, r.output
    said = " ".join(r.stderr.split())
    assert str(path) in said and "'S'" in said and "audit trail" in said, said
    for w in what:
        assert w in said, said
    assert "Traceback" not in r.output


def test_a_positive_challenge_changed_to_negative_in_the_series_and_the_answer_never_resumes(
    run: Run, tmp_path: Path
) -> None:
    path = _positive(run)
    at = json.loads(path.read_text(encoding="utf-8"))["naloxone_challenges"][0]["at"]

    def hand_edit(data: dict[str, Any]) -> None:
        data["naloxone_challenges"][0]["result"] = "negative"
        data["answers"]["naloxone_challenge"]["value"] = "negative"

    _edit(path, hand_edit)

    r = _resume(run, path, f"{DAY}T10:10", *AFTER)

    _refused_naming(r, path, "naloxone challenge recorded at", at[:16])
    assert json.loads(path.read_text(encoding="utf-8"))["status"] != "complete"


def test_a_positive_challenge_removed_from_the_series_by_hand_is_refused(
    run: Run, tmp_path: Path
) -> None:
    path = _positive(run)

    def hand_edit(data: dict[str, Any]) -> None:
        data["naloxone_challenges"] = []
        del data["answers"]["naloxone_challenge"]

    _edit(path, hand_edit)

    r = _resume(run, path, f"{DAY}T10:10", *AFTER)

    _refused_naming(r, path, "no longer in the series")


def test_a_cows_rating_lowered_by_hand_is_refused_by_every_command_that_reads_it(
    run: Run, tmp_path: Path
) -> None:
    r, path = _walk(run, f"{DAY}T10:00", *answer_flags(ready_patient(cows_total=14)))
    assert r.exit_code == 1, r.output  # COWS 14: withdrawal

    def hand_edit(data: dict[str, Any]) -> None:
        data["cows_ratings"][0]["total"] = 2
        data["answers"]["cows_total"]["value"] = 2

    _edit(path, hand_edit)

    _refused_naming(_resume(run, path, f"{DAY}T10:10"), path, "COWS rating", "total is 2")
    note = run("note", str(path))
    assert note.exit_code == 2 and "audit trail" in note.stderr, note.output


def test_a_hand_edited_session_in_the_folder_keeps_its_label_from_being_judged_ready(
    run: Run, tmp_path: Path
) -> None:
    """Refused on load, the session is one that cannot be read: a check of its label is
    never ready (it may record what the edit hid)."""
    r = run(
        "walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "S", "--acknowledge", "all",
        *answer_flags(ready_patient(naloxone_challenge="positive")),
    )  # fmt: skip
    assert r.exit_code == 1, r.output
    (path,) = stored_sessions("S")
    _edit(path, lambda d: d["naloxone_challenges"][0].update(result="negative"))

    c = run(
        "check", "--json", "--now", f"{DAY}T10:30", "--label", "S",
        *answer_flags(ready_patient()),
    )  # fmt: skip

    assert c.exit_code != 0, c.output
    assert "audit trail" in c.output, c.output


def _scenario_answers(answers: Any) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, dt.date | dt.datetime | dt.time):
            return v.isoformat()
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    out = {k: plain(v) for k, v in json_answers(answers).items()}
    for key in ("naloxone_challenge", "naloxone_rechallenge"):
        if key in out and out[key] != "not_done":
            out.setdefault(f"{key}_started", "30 minutes ago")  # as a clinician gives it
    return out


@pytest.mark.parametrize("scenario", read_all(default_dir()), ids=lambda s: s.id)
def test_every_shipped_scenario_saved_as_a_session_loads(
    run: Run, tmp_path: Path, scenario: Any
) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(_scenario_answers(scenario.answers)), encoding="utf-8")
    site = ["--site", str(scenario.site)] if scenario.site else []
    r, path = _walk(run, f"{scenario.today.isoformat()}T23:30", "--answers", str(answers), *site)
    assert r.exit_code in (0, 1, 4), r.output

    record = stored_record(path)  # refused if its series disagreed with its audit trail

    logged = [e for e in record.events if e.kind == integrity.RESULT]
    entries = [*record.cows_ratings, *record.naloxone_challenges, *record.rapid_days]
    assert len(logged) == len(entries)


def test_a_rapid_pathway_day_changed_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    """A day of the pathway's record is a point-in-time result too: a day not tolerated
    changed to tolerated in the file is refused on load."""
    (case,) = [s for s in read_all(default_dir()) if s.id.startswith("20-")]
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(_scenario_answers(case.answers)), encoding="utf-8")
    at = f"{case.today.isoformat()}T23:30"
    r, path = _walk(run, at, "--answers", str(answers), "--site", str(case.site))
    assert r.exit_code in (0, 1, 4), r.output
    assert stored_record(path).rapid_days

    _edit(path, lambda d: d["rapid_days"][1].update(tolerated=False))

    _refused_naming(_resume(run, path, at), path, "rapid pathway's entry 2", "tolerated")


def _strip_result_events(data: dict[str, Any]) -> None:
    """The record as a version before results were logged wrote it: no result events,
    and no word of who made each change (kept since, by the versions that log results)."""
    data["events"] = [
        {k: v for k, v in e.items() if k != "by"}
        for e in data["events"]
        if e["kind"] not in integrity.KINDS
    ]


def test_a_record_that_says_who_made_each_change_is_never_read_as_an_older_one(
    run: Run, tmp_path: Path
) -> None:
    """Deleting the result events of a record this version wrote does not make it an
    older record: its COWS rating, lowered by hand, is refused."""
    r, path = _walk(run, f"{DAY}T10:00", *answer_flags(ready_patient(cows_total=14)))
    assert r.exit_code == 1, r.output

    def events_deleted(data: dict[str, Any]) -> None:
        data["events"] = [e for e in data["events"] if e["kind"] not in integrity.KINDS]
        data["events"] = [e for e in data["events"] if e.get("key") != "cows_total"]
        data["answers"].pop("cows_total", None)
        data["cows_ratings"][0]["total"] = 2

    _edit(path, events_deleted)
    _refused_naming(_resume(run, path, f"{DAY}T10:30", *AFTER), path, "COWS rating")


def test_a_record_written_before_results_were_logged_loads_and_is_checked_once_changed(
    run: Run, tmp_path: Path
) -> None:
    r, path = _walk(run, f"{DAY}T10:00", *answer_flags(ready_patient(naloxone_challenge=None)))
    assert r.exit_code == 4, r.output  # the challenge is missing
    _edit(path, _strip_result_events)  # as an earlier version wrote it
    stored_record(path)

    r = _resume(
        run, path, f"{DAY}T10:40", "-a", "naloxone_challenge=positive",
        "-a", "naloxone_challenge_started=25 minutes ago",
    )  # fmt: skip
    assert r.exit_code == 1, r.output

    kinds = [e.kind for e in stored_record(path).events if e.kind in integrity.KINDS]
    assert kinds == [integrity.ADOPTED, integrity.RESULT]  # the old rating, then the new
    _edit(path, lambda d: d["cows_ratings"][0].update(total=1))
    with pytest.raises(SessionError, match="COWS rating"):
        stored_record(path)


def test_an_older_record_whose_answers_recorded_a_positive_its_series_lacks_is_refused(
    run: Run, tmp_path: Path
) -> None:
    path = _positive(run)

    def older_and_edited(data: dict[str, Any]) -> None:
        _strip_result_events(data)
        data["naloxone_challenges"][0]["result"] = "negative"

    _edit(path, older_and_edited)

    r = _resume(run, path, f"{DAY}T10:10", *AFTER)

    _refused_naming(r, path, "naloxone_challenge = positive", "no positive challenge")


# --- any series saved, then changed by hand -------------------------------------------


def _recorded(guide: Guide, steps: list[timed.ResultStep]) -> Any:
    start = dt.datetime.combine(TODAY, dt.time(8), tzinfo=dt.UTC)
    record = new_session(guide, "S", start, TODAY)
    now = start
    for step in steps:
        now += dt.timedelta(minutes=step.minutes)
        started = now - dt.timedelta(minutes=step.minutes) if step.kind != "cows" else None
        value: str | int = step.total if step.kind == "cows" else step.result
        offered = Offered(step.kind, value, now, "flag", day=TODAY, started=started, stamped=True)
        try:
            take_result(guide, record, offered, TODAY, now)
        except InvalidAnswer:
            continue  # refused by the record's rule: not recorded
    return record, now


@timed.bounded(60)
@given(timed.tampered_series())
def _a_changed_series_is_never_read(guide: Guide, case: timed.Tampered) -> None:
    record, _ = _recorded(guide, case.steps)
    for event in record.events:  # as a store keeps it: each change says who made it
        event.by = event.by or "clinician"
    text = record.model_dump_json()
    record_from_json(text, "S")  # as saved: read
    data = json.loads(text)
    series = [("cows_ratings", i) for i in range(len(data["cows_ratings"]))]
    series += [("naloxone_challenges", i) for i in range(len(data["naloxone_challenges"]))]
    if not series and case.change != "add":
        return
    if case.change == "add":
        data["naloxone_challenges"].append(
            {"at": f"{DAY}T23:00:00Z", "day": DAY, "kind": "challenge", "result": "negative"}
        )
    else:
        name, i = series[case.which % len(series)]
        entry = data[name][i]
        if case.change == "drop":
            del data[name][i]
        elif case.change == "value" and name == "cows_ratings":
            entry["total"] = (entry["total"] + case.by) % 49
        elif case.change == "value":
            entry["result"] = "negative" if entry["result"] == "positive" else "positive"
        elif case.change == "time":
            at = dt.datetime.fromisoformat(entry["at"]) + dt.timedelta(minutes=case.by)
            entry["at"] = at.isoformat()
        elif case.change == "day":
            entry["day"] = (TODAY - dt.timedelta(days=case.by)).isoformat()
        else:
            entry["origin"] = "typed" if entry["origin"] != "typed" else "file"
    with pytest.raises(SessionError, match="audit trail"):
        record_from_json(json.dumps(data), "S")


def test_a_saved_series_changed_by_hand_is_never_read(guide: Guide) -> None:
    """Any series the record's rule took, saved, then one entry changed (its value, time,
    day or origin), removed, or one added by hand: the session is refused on load, so it
    is never resumed, noted or judged complete."""
    _a_changed_series_is_never_read(guide)


def test_the_check_reads_a_record_in_memory_as_any_store_holds_it(guide: Guide) -> None:
    """check_record needs no file: a record built in memory is intact; the same record
    with a result changed in place names that entry, and with the entry removed names
    it as recorded but no longer in the series."""
    record, _ = _recorded(
        guide,
        [timed.ResultStep("cows", 2, "", 5), timed.ResultStep("challenge", 0, "positive", 25)],
    )
    assert integrity.check_record(record) == []

    record.naloxone_challenges[0].result = "negative"
    (problem,) = [p for p in integrity.check_record(record) if "differs" in p]
    assert "naloxone challenge" in problem and '"negative", recorded as "positive"' in problem

    record.naloxone_challenges.clear()
    assert any("no longer in the series" in p for p in integrity.check_record(record))


def _timer_started(run: Run) -> Any:
    """A walk at 10:00 that gave the challenge's naloxone at 10:00 and stopped at its
    result (the observation has not begun to pass): its stored record."""
    r, path = _walk(
        run, f"{DAY}T10:00", *answer_flags(ready_patient(naloxone_challenge=None)),
        "-a", "naloxone_challenge_started=10:00",
    )  # fmt: skip
    assert r.exit_code == 4, r.output  # the challenge's result is missing
    return path


def _negative_at(run: Run, path: Any, hh_mm: str) -> Any:
    return _resume(run, path, f"{DAY}T{hh_mm}", "-a", "naloxone_challenge=negative")


def test_a_naloxone_time_moved_earlier_by_hand_never_shortens_the_observation(
    run: Run, tmp_path: Path
) -> None:
    """The timers were not in the audit trail: a copy with the naloxone moved 30 minutes
    earlier (the start and every start kept, and the machine's clock it is measured
    by) took a negative two minutes after the naloxone and counted the dose."""
    path = _timer_started(run)
    control = _negative_at(run, path, "10:02")
    assert control.exit_code == 2 and "cannot be recorded yet" in control.output, control.output
    earlier = f"{DAY}T09:30:00+00:00"

    def hand_edit(data: dict[str, Any]) -> None:
        data["timers"]["naloxone_challenge"] = earlier
        data["naloxone_given"]["naloxone_challenge"] = [earlier]
        data["timers_real"]["naloxone_challenge"] = "2000-01-01T00:00:00+00:00"

    _edit(path, hand_edit)
    r = _negative_at(run, path, "10:02")
    _refused_naming(r, path, "naloxone of naloxone_challenge given at", "machine's clock")
    assert json.loads(path.read_text(encoding="utf-8"))["status"] != "complete"


@pytest.mark.parametrize("part", ["timers", "naloxone_given", "timers_real"])
def test_each_part_of_a_naloxone_time_is_held_to_the_audit_trail(
    run: Run, tmp_path: Path, part: str
) -> None:
    path = _timer_started(run)
    earlier = f"{DAY}T09:30:00+00:00"

    def hand_edit(data: dict[str, Any]) -> None:
        data[part]["naloxone_challenge"] = [earlier] if part == "naloxone_given" else earlier

    _edit(path, hand_edit)
    with pytest.raises(SessionError, match="naloxone_challenge"):
        stored_record(path)


def test_a_record_written_before_naloxone_times_were_logged_loads_and_is_checked_once_changed(
    run: Run, tmp_path: Path
) -> None:
    path = _timer_started(run)
    # As an earlier version wrote it: no start, label or settings logged.
    earlier = ("timer", "label", "settings")
    _edit(path, lambda d: d.update(events=[e for e in d["events"] if e["kind"] not in earlier]))
    stored_record(path)  # read as it stands
    r = _resume(run, path, f"{DAY}T10:05", "-a", "naloxone_challenge_started=10:03")
    assert r.exit_code == 4, r.output
    kinds = [e.kind for e in stored_record(path).events if e.kind in integrity.TIMER_KINDS]
    assert kinds == [integrity.TIMER_ADOPTED, integrity.TIMER]  # the old start, the new
    _edit(path, lambda d: d["naloxone_given"].update(naloxone_challenge=[f"{DAY}T09:00:00Z"]))
    with pytest.raises(SessionError, match="naloxone_challenge"):
        stored_record(path)


def test_a_rapid_pathway_table_changed_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    """A session keeps the site's rapid pathway table it started with, and a resume judges
    the pathway by it (whatever site is in force, unless `--site` names one). The table
    was not in the audit trail: a copy with the last day dropped and the injection put
    on the day before was imported without a word, and the injection counted a day early.
    The table and the settings are now logged at the start."""
    from tests.helpers import REPO

    site = str(REPO / "scenarios" / "_site-rapid-protocol.toml")
    answers = json_answers(
        ready_patient(
            last_opioid_use=TODAY - dt.timedelta(days=1), pathway="supervised_rapid",
            rapid_supervised_setting=True, rapid_protocol_on_file=True,
        )
    )  # fmt: skip
    r, path = _walk(run, f"{DAY}T10:00", "--site", site, *answer_flags(answers))
    assert path is not None, r.output
    table = json.loads(path.read_text(encoding="utf-8"))["rapid_protocol"]
    assert table and any(row["injection"] for row in table), table
    stored_record(path)  # the control: as walked, it loads

    def hand_edit(data: dict[str, Any]) -> None:
        rows = data["rapid_protocol"][:-1]
        rows[-1]["injection"] = True
        data["rapid_protocol"] = rows

    _edit(path, hand_edit)
    with pytest.raises(SessionError, match="rapid pathway protocol table"):
        stored_record(path)


def test_a_setting_changed_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    path = _timer_started(run)
    settings = json.loads(path.read_text(encoding="utf-8"))["settings"]
    minutes = settings["naloxone_observation_minutes"]
    assert isinstance(minutes, int)
    _edit(path, lambda d: d["settings"].update(naloxone_observation_minutes=minutes + 1))
    with pytest.raises(SessionError, match="settings"):
        stored_record(path)


def test_a_label_changed_by_hand_is_refused(run: Run, tmp_path: Path) -> None:
    """The label is the only link between a patient's visits: a copy relabelled by hand
    moved the visit (and a dose) to another patient without a word."""
    path = _timer_started(run)
    _edit(path, lambda d: d.update(label="Q1"))
    with pytest.raises(SessionError, match="label 'Q1'"):
        stored_record(path)


def test_a_record_written_before_starts_were_kept_stays_readable_once_a_timer_starts(
    run: Run, tmp_path: Path
) -> None:
    """A record from before every start was kept (its running timer only, no list of
    starts, nothing logged): the first timer started on it logs the running one as it
    stood. Before, only the listed starts were logged, the running timer was not, and the
    next read refused the record: the patient's whole record was blocked."""
    path = _timer_started(run)

    def as_an_earlier_version_wrote_it(data: dict[str, Any]) -> None:
        earlier = ("timer", "label", "settings")
        data["events"] = [e for e in data["events"] if e["kind"] not in earlier]
        data["naloxone_given"] = {}

    _edit(path, as_an_earlier_version_wrote_it)
    stored_record(path)  # read as it stands
    r = _resume(run, path, f"{DAY}T10:25", "-a", "naloxone_challenge=positive",
                "-a", "naloxone_rechallenge_started=10:25")  # fmt: skip
    assert r.exit_code in (1, 4), r.output
    kept = stored_record(path)  # readable: its running timer was logged as it stood
    kinds = [e.kind for e in kept.events if e.kind in integrity.TIMER_KINDS]
    assert kinds[0] == integrity.TIMER_ADOPTED and integrity.TIMER in kinds, kinds


@pytest.mark.parametrize("dropped", [("timer",), ("label",), ("settings",)])
def test_a_record_that_logs_its_start_is_never_read_as_an_older_one(
    run: Run, tmp_path: Path, dropped: tuple[str, ...]
) -> None:
    """A record that logs its label and settings at its start was written by a version
    that logs each naloxone start too: its starts deleted and moved earlier, or one of
    the two start events deleted, it is refused, never read as a record written before."""
    path = _timer_started(run)
    earlier = f"{DAY}T09:30:00+00:00"

    def hand_edit(data: dict[str, Any]) -> None:
        data["events"] = [e for e in data["events"] if e["kind"] not in dropped]
        if dropped == ("timer",):
            data["timers"]["naloxone_challenge"] = earlier
            data["naloxone_given"]["naloxone_challenge"] = [earlier]
        if dropped == ("label",):
            data["label"] = "OTHER"

    _edit(path, hand_edit)
    with pytest.raises(SessionError, match="audit trail"):
        stored_record(path)


def test_an_older_records_real_time_without_its_timer_bounds_nothing_and_reads(
    run: Run, tmp_path: Path
) -> None:
    """An older merge could keep a timer's machine time after the other run cleared the
    timer itself. It bounds nothing (no timer is measured from it); once a timer started
    on the record logged the starts it held, that orphan made it unreadable."""
    path = _timer_started(run)

    def as_an_older_merge_left_it(data: dict[str, Any]) -> None:
        earlier = ("timer", "label", "settings")
        data["events"] = [e for e in data["events"] if e["kind"] not in earlier]
        data["timers"] = {}
        data["naloxone_given"] = {}

    _edit(path, as_an_older_merge_left_it)
    assert json.loads(path.read_text(encoding="utf-8"))["timers_real"], "no orphan left"
    stored_record(path)
    # A timer of another key: the orphan stays beside it.
    r = _resume(run, path, f"{DAY}T10:25", "-a", "naloxone_challenge=positive",
                "-a", "naloxone_rechallenge_started=10:25")  # fmt: skip
    assert r.exit_code in (1, 4), r.output
    assert "naloxone_challenge" in json.loads(path.read_text(encoding="utf-8"))["timers_real"]
    stored_record(path)  # readable
