"""Safety invariant 9: point-in-time results are appended, never replaced.

A recorded COWS rating, naloxone challenge or rechallenge is never overwritten or dropped
by a later answer, file, flag, resume or edit. A correction is a new entry naming the one
it corrects and why; both stay in the record and the note. A positive challenge is lifted
only by a negative rechallenge within the window, never by a second "challenge", and a
correction never lifts it. Every route goes through one rule (visit/results.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    json_answers,
    ready_patient,
    stored_record,
    stored_sessions,
    the_store,
)
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Walkthrough
from xrntx_guide.engine.evaluate import evaluate
from xrntx_guide.env import Clock
from xrntx_guide.errors import InvalidAnswer
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit import session as store
from xrntx_guide.visit.results import Offered, take_result
from xrntx_guide.visit.resume import reopen_rechallenge

DAY = TODAY.isoformat()
TOMORROW = TODAY + dt.timedelta(days=1)
NOON = "T12:00"
"""The runs' fixed time of day (--now): the files' results of the morning are before it,
whatever the real time of day the suite runs at (a result after now is refused)."""
OBSERVED = "30 minutes ago"
"""When the naloxone was given for a negative result by flag: a visit record needs it."""


def positive_walk(run: Run, tmp_path: Path, **extra: Any) -> Any:
    """An unattended walk on TODAY whose challenge is positive (blocked); its session."""
    path = tmp_path / "F.json"
    answers = ready_patient(naloxone_challenge="positive", **extra)
    r = run(
        "walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "F", *answer_flags(answers),
    )  # fmt: skip
    path = stored_sessions()[-1]
    assert r.exit_code == 1, r.output
    return path


def resume(run: Run, path: Path, *args: str, today: str = DAY) -> Any:
    return run(
        "walk", "--resume", "--session", str(path), "--no-input", "--now", f"{today}{NOON}", *args
    )  # fmt: skip


def challenges(path: Any) -> list[tuple[str, str]]:
    """The challenges of a session's record (a stored session, or a record file)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(c["kind"], c["result"]) for c in data["naloxone_challenges"]]


def note_json(run: Run, label: str = "F") -> dict[str, Any]:
    r = run("note", label, "--format", "json")
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def after_injection_flags() -> list[str]:
    return answer_flags(
        {
            "injection_given": True,
            "injection_side_used": "left",
            "needle_used": "2-inch",
            "observation_minutes": 30,
            "overdose_counselled": True,
            "reversal_agent_offered": True,
            "wallet_card_given": True,
        }
    )


# --- route 1: a positive challenge replaced --------------------------------------------


def test_inv9_a_flag_never_replaces_a_positive_challenge_on_resume(
    run: Run, tmp_path: Path
) -> None:
    path = positive_walk(run, tmp_path)

    r = resume(
        run,
        path,
        "-a",
        "naloxone_challenge=negative",
        "-a",
        f"naloxone_challenge_started={OBSERVED}",
        *after_injection_flags(),
    )

    assert r.exit_code == 2, r.output
    assert "positive" in r.stderr and "rechallenge" in r.stderr, r.stderr
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["status"] != "complete"
    assert challenges(path) == [("challenge", "positive")]
    assert [c["result"] for c in note_json(run, str(path))["naloxone_challenges"]] == ["positive"]


def test_inv9_an_answers_file_never_replaces_a_positive_challenge_on_resume(
    run: Run, tmp_path: Path
) -> None:
    path = positive_walk(run, tmp_path)
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"naloxone_challenge": "negative"}))
    series = tmp_path / "series.json"
    series.write_text(
        json.dumps(
            {
                "naloxone_challenges": [
                    {"at": f"{DAY}T00:01", "kind": "challenge", "result": "negative"}
                ]
            }
        )
    )

    for given in (single, series):
        r = resume(run, path, "--answers", str(given), *after_injection_flags())
        assert r.exit_code == 2, r.output
        assert challenges(path) == [("challenge", "positive")]
    assert json.loads(path.read_text(encoding="utf-8"))["status"] != "complete"


def test_inv9_a_flag_never_replaces_a_positive_rechallenge(run: Run, tmp_path: Path) -> None:
    path = positive_walk(run, tmp_path)
    # The hours are derived from the recorded times (never given in a walk).
    r = resume(run, path, "-a", "naloxone_rechallenge=positive")
    assert r.exit_code == 1, r.output

    r = resume(
        run,
        path,
        "-a",
        "naloxone_rechallenge=negative",
        "-a",
        f"naloxone_rechallenge_started={OBSERVED}",
        *after_injection_flags(),
    )

    assert r.exit_code == 2, r.output
    assert challenges(path) == [("challenge", "positive"), ("rechallenge", "positive")]


def test_inv9_moving_the_visit_back_to_the_positives_day_never_drops_it(
    run: Run, tmp_path: Path
) -> None:
    path = positive_walk(run, tmp_path)

    r = resume(
        run, path, "-a", f"injection_date={DAY}", "-a", "naloxone_challenge=negative",
        "-a", f"naloxone_challenge_started={OBSERVED}",
        *after_injection_flags(), today=TOMORROW.isoformat(),
    )  # fmt: skip

    assert r.exit_code == 2, r.output
    assert challenges(path) == [("challenge", "positive")]


def observation(guide: Guide) -> dt.timedelta:
    return dt.timedelta(minutes=guide.setting_values["naloxone_observation_minutes"])


def walk_on(
    guide: Guide, record: store.SessionRecord, day: dt.date, now: dt.datetime, typed: str
) -> tuple[Walkthrough, io.StringIO]:
    """An interactive walk at the instant ``now`` whose timers read as if the observation
    had passed (a clinician who waited it out)."""
    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=io.StringIO(typed))
    clock = Clock(skipped=observation(guide), source=lambda: now)
    return Walkthrough(ui, guide, record, Path("/nonexistent"), day, clock, dry_run=True), out


NOW = dt.datetime.combine(TODAY, dt.time(10), tzinfo=dt.UTC)


def typed_positive(guide: Guide) -> store.SessionRecord:
    record = store.new_session(guide, "P", NOW, TODAY)
    for key, value in ready_patient(naloxone_challenge=None, injection_date=TODAY).items():
        record.set_answer(key, value, "flag", NOW)
    w, _ = walk_on(guide, record, TODAY, NOW, "positive\nquit\n")
    w.run()
    assert [(c.kind, c.result) for c in record.naloxone_challenges] == [("challenge", "positive")]
    return record


def test_inv9_edit_at_the_prompt_never_replaces_a_positive_challenge(guide: Guide) -> None:
    record = typed_positive(guide)
    later = NOW + dt.timedelta(minutes=30)

    w, out = walk_on(
        guide, record, TODAY, later, "edit naloxone_challenge\nstart\nnegative\nquit\n"
    )
    w.run()

    screen = out.getvalue()
    assert "lifted only by a negative rechallenge" in " ".join(screen.split()), screen
    assert [(c.kind, c.result) for c in record.naloxone_challenges] == [("challenge", "positive")]
    state = evaluate(guide, record.inputs(guide, TODAY))
    assert state.gates["naloxone_challenge"].outcome == "fail"


# --- corrections -------------------------------------------------------------------------


def test_a_correction_of_a_challenge_is_a_new_entry_and_both_stay_in_record_and_note(
    run: Run, tmp_path: Path
) -> None:
    answers = json_answers(ready_patient(naloxone_challenge=None))
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T08:00", "started": f"{DAY}T07:30", "kind": "challenge",
         "result": "not_done"},
        {"at": f"{DAY}T09:00", "started": f"{DAY}T08:30", "kind": "challenge",
         "result": "negative", "corrects": f"{DAY}T08:00", "reason": "typed in the wrong row"},
    ]  # fmt: skip
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))

    r = run("walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "C", "--answers", str(path))

    assert r.exit_code in (0, 4), r.output
    kept = note_json(run, "C")["naloxone_challenges"]
    assert [c["result"] for c in kept] == ["not_done", "negative"]
    corrects = dt.datetime.fromisoformat(kept[1]["corrects"])
    assert corrects == dt.datetime.fromisoformat(f"{DAY}T08:00").astimezone()  # local, offset
    assert kept[1]["reason"] == "typed in the wrong row"
    text = run("note", "C")
    assert "typed in the wrong row" in text.stdout, text.output


def test_a_correction_listed_before_the_rating_it_corrects_is_read_in_time_order(
    run: Run, tmp_path: Path
) -> None:
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge="not_done"))
    answers["cows_ratings"] = [
        {"at": f"{DAY}T08:30", "total": 9, "corrects": f"{DAY}T08:00", "reason": "misread"},
        {"at": f"{DAY}T08:00", "total": 2},
    ]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))

    r = run("walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "O", "--answers", str(path))

    assert r.exit_code == 1, r.output  # the corrected rating (9) is what the gate reads
    assert [k["total"] for k in note_json(run, "O")["cows_ratings"]] == [2, 9]


def test_inv9_a_correction_never_lifts_a_positive_challenge(run: Run, tmp_path: Path) -> None:
    answers = json_answers(ready_patient(naloxone_challenge=None))
    answers["naloxone_challenges"] = [
        {"at": f"{DAY}T08:00", "kind": "challenge", "result": "positive"},
        {"at": f"{DAY}T09:00", "kind": "challenge", "result": "negative",
         "corrects": f"{DAY}T08:00", "reason": "misread"},
    ]  # fmt: skip
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))

    r = run("check", "--json", "--now", f"{DAY}{NOON}", "--answers", str(path))

    assert r.exit_code == 2, r.output
    assert "never lifts a positive" in r.stderr, r.stderr


def test_the_rule_refuses_a_second_challenge_over_a_positive_and_names_it(guide: Guide) -> None:
    record = typed_positive(guide)
    offered = Offered("challenge", "negative", at=NOW + dt.timedelta(minutes=40), origin="flag")
    with pytest.raises(InvalidAnswer, match="lifted only by a negative rechallenge"):
        take_result(guide, record, offered, TODAY)
    assert [c.result for c in record.naloxone_challenges] == ["positive"]


# --- COWS ratings --------------------------------------------------------------------------


def test_a_flag_on_resume_appends_a_cows_rating_and_the_gate_reads_the_latest(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "W.json"
    answers = ready_patient(cows_total=2, naloxone_challenge=None)
    r = run(
        "walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "W", *answer_flags(answers),
    )  # fmt: skip
    path = stored_sessions()[-1]
    assert r.exit_code == 4, r.output

    r = resume(run, path, "-a", "cows_total=7")

    assert r.exit_code == 1, r.output  # withdrawal now: blocked
    kept = json.loads(path.read_text(encoding="utf-8"))["cows_ratings"]
    assert [k["total"] for k in kept] == [2, 7]


def test_a_cows_correction_from_a_file_keeps_both_and_the_gate_reads_the_corrected_value(
    run: Run, tmp_path: Path
) -> None:
    answers = json_answers(ready_patient(cows_total=None, naloxone_challenge="not_done"))
    answers["cows_ratings"] = [
        {"at": f"{DAY}T08:00", "total": 2},
        {"at": f"{DAY}T08:30", "total": 9, "corrects": f"{DAY}T08:00",
         "reason": "pulse was 110, not 80"},
    ]  # fmt: skip
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))

    r = run("check", "--json", "--now", f"{DAY}{NOON}", "--answers", str(path))
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout)["status"] == "blocked"

    r = run("walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "K", "--answers", str(path))
    kept = note_json(run, "K")["cows_ratings"]
    assert [k["total"] for k in kept] == [2, 9]
    assert (
        dt.datetime.fromisoformat(kept[1]["corrects"])
        == dt.datetime.fromisoformat(f"{DAY}T08:00").astimezone()
    )  # a time without an offset is the local time (visit/clock.py)


def test_a_plain_rating_at_the_time_of_a_recorded_one_is_refused_naming_it(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "W.json"
    first = tmp_path / "one.json"
    first.write_text(
        json.dumps(
            json_answers(ready_patient(cows_total=None, naloxone_challenge=None))
            | {"cows_ratings": [{"at": f"{DAY}T08:00", "total": 2}]}
        )
    )
    r = run(
        "walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "W", "--answers", str(first),
    )  # fmt: skip
    path = stored_sessions()[-1]
    assert r.exit_code == 4, r.output
    again = tmp_path / "two.json"
    again.write_text(json.dumps({"cows_ratings": [{"at": f"{DAY}T08:00", "total": 9}]}))

    r = resume(run, path, "--answers", str(again))

    assert r.exit_code == 2, r.output
    assert "corrects" in r.stderr, r.stderr
    kept = json.loads(path.read_text(encoding="utf-8"))["cows_ratings"]
    assert [k["total"] for k in kept] == [2]


def test_edit_cows_total_at_the_prompt_keeps_the_earlier_rating(guide: Guide) -> None:
    record = store.new_session(guide, "CW", NOW, TODAY)
    for key, value in ready_patient(cows_total=3, injection_date=TODAY).items():
        record.set_answer(key, value, "typed", NOW)
    w, out = walk_on(guide, record, TODAY, NOW, "quit\n")
    w.run()
    w, out = walk_on(
        guide, record, TODAY, NOW + dt.timedelta(minutes=5),
        "edit cows_total\n7\nscored pupils twice\nquit\n",
    )  # fmt: skip
    w.run()

    assert [r.total for r in record.cows_ratings] == [3, 7], out.getvalue()
    assert record.cows_ratings[1].reason == "scored pupils twice"
    assert record.cows_ratings[1].corrects == record.cows_ratings[0].at
    assert record.answers["cows_total"].value == 7


# --- route 11: a batch line over the shared file's series ------------------------------------


def test_inv9_a_batch_lines_single_answer_never_replaces_the_shared_files_positive(
    run: Run, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text(
        json.dumps(
            {"naloxone_challenges": [{"at": f"{DAY}T08:00", "kind": "challenge",
                                      "result": "positive"}]}
        )
    )  # fmt: skip
    line = json_answers(ready_patient(naloxone_challenge="negative")) | {"id": "x"}
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(line) + "\n")

    r = run("check", "--now", f"{DAY}{NOON}", "--batch", str(lines), "--answers", str(shared))

    out = json.loads(r.stdout.splitlines()[0])
    assert out["status"] == "error", out
    assert "positive" in out["message"], out
    flag = run(
        "check", "--json", "--now", f"{DAY}{NOON}", "--answers", str(shared),
        *answer_flags(ready_patient(naloxone_challenge="negative")),
    )  # fmt: skip
    assert flag.exit_code == 2, flag.output


# --- flow 2: Enter at the rechallenge, resumed the next morning -----------------------------


def test_a_rechallenge_left_empty_is_asked_again_on_resume_within_the_window(
    guide: Guide,
) -> None:
    record = typed_positive(guide)
    w, out = walk_on(guide, record, TODAY, NOW, "\nquit\n")  # Enter: none done yet
    w.run()
    assert "naloxone_rechallenge" in record.skipped

    morning = NOW + dt.timedelta(hours=20)
    said = reopen_rechallenge(guide, record, morning)
    w, out = walk_on(guide, record, TODAY, morning, "quit\n")
    w.run()

    assert any("asked again" in line for line in said), said
    assert "Naloxone rechallenge result" in out.getvalue(), out.getvalue()
    past = NOW + window(guide) + dt.timedelta(minutes=1)
    record.skipped.append("naloxone_rechallenge")
    assert reopen_rechallenge(guide, record, past) == []


def window(guide: Guide) -> dt.timedelta:
    return dt.timedelta(hours=guide.setting_values["naloxone_rechallenge_window_hours"])


# --- a correction by flag ----------------------------------------------------------------------


def test_a_flag_correction_names_the_rating_and_both_stay(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "W.json"
    answers = ready_patient(cows_total=2, naloxone_challenge=None)
    r = run(
        "walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "W", *answer_flags(answers),
    )  # fmt: skip
    path = stored_sessions()[-1]
    assert r.exit_code == 4, r.output
    first = json.loads(path.read_text(encoding="utf-8"))["cows_ratings"][0]["at"]

    r = resume(run, path, "-a", "cows_total=6", "--correct", f"cows_total@{first}=pulse misread")

    assert r.exit_code == 1, r.output  # the corrected total is withdrawal
    kept = json.loads(path.read_text(encoding="utf-8"))["cows_ratings"]
    assert [k["total"] for k in kept] == [2, 6]
    assert kept[1]["corrects"] == first and kept[1]["reason"] == "pulse misread"


def test_inv9_a_flag_correction_never_lifts_a_positive_challenge(run: Run, tmp_path: Path) -> None:
    path = positive_walk(run, tmp_path)
    positive = json.loads(path.read_text(encoding="utf-8"))["naloxone_challenges"][0]["at"]

    r = resume(
        run, path, "-a", "naloxone_challenge=negative",
        "-a", f"naloxone_challenge_started={OBSERVED}",
        "--correct", f"naloxone_challenge@{positive}=misread", *after_injection_flags(),
    )  # fmt: skip

    assert r.exit_code == 2, r.output
    assert "never lifts a positive" in " ".join(r.stderr.split()), r.stderr
    assert challenges(path) == [("challenge", "positive")]


@pytest.mark.parametrize(
    ("flag", "says"),
    [
        ("cows_total@2026-11-24T08:00", "KEY@TIME=REASON"),
        ("cows_total=misread", "KEY@TIME=REASON"),
        ("age@2026-11-24T08:00=misread", "not a result"),
        ("cows_total@08:00=misread", "date and time"),
        ("cows_total@2026-11-24T08:00=misread", "--answer cows_total"),
    ],
)
def test_a_flag_correction_that_cannot_be_read_says_how(run: Run, flag: str, says: str) -> None:
    r = run("walk", "--no-input", "--now", f"{DAY}{NOON}", "--label", "X", "--correct", flag)
    assert r.exit_code == 2, r.output
    assert says in r.stderr, r.stderr


# --- the rule over every short sequence of results ------------------------------------------

RESULTS = ("negative", "positive", "not_done")
MOVES: list[tuple[str, str, bool]] = [
    (kind, value, fix)
    for kind in ("challenge", "rechallenge")
    for value in RESULTS
    for fix in (False, True)
]
"""A result of a kind, plain or as a correction of the latest entry of that kind."""


def test_inv9_no_sequence_of_results_removes_an_entry_or_lifts_a_positive(guide: Guide) -> None:
    """Every sequence of three results (plain or corrections), each refused or taken by
    the one rule: nothing recorded is ever removed or changed, and a positive challenge
    or rechallenge, once taken, stands to the end (only the gate's negative rechallenge
    lifts a positive challenge: the rule never drops it)."""
    import itertools

    from xrntx_guide.visit.results import Results, standing_positive

    start = dt.datetime.combine(TODAY, dt.time(8), tzinfo=dt.UTC)
    for moves in itertools.product(MOVES, repeat=3):
        held = Results()
        seen: list[str] = []
        positive = {"challenge": False, "rechallenge": False}
        for n, (kind, value, fix) in enumerate(moves):
            at = start + dt.timedelta(minutes=30 * (n + 1))
            mine = [c for c in held.naloxone_challenges if c.kind == kind]
            corrects = mine[-1].at if fix and mine else None
            offered = Offered(
                kind,  # type: ignore[arg-type]
                value,
                at,
                "file",
                corrects=corrects,
                reason="checked again" if corrects else None,
            )
            try:
                take_result(guide, held, offered, TODAY)
            except InvalidAnswer:
                pass
            now = [c.model_dump_json() for c in held.naloxone_challenges]
            assert now[: len(seen)] == seen, moves  # appended only, never rewritten
            seen = now
            for k in positive:
                if positive[k]:
                    assert standing_positive(held.naloxone_challenges, k) is not None, moves
                positive[k] = standing_positive(held.naloxone_challenges, k) is not None
            for c in held.naloxone_challenges:
                if c.corrects is not None:
                    assert c.reason, moves
                    assert any(
                        o.kind == c.kind and o.at == c.corrects for o in held.naloxone_challenges
                    )


def test_a_flag_correction_and_a_rechallenge_in_one_command_are_taken_together(
    run: Run, tmp_path: Path
) -> None:
    """The rating the rechallenge follows is corrected in the same command: the
    correction is taken first, so a consistent rechallenge is recorded; the rating as
    first recorded stays beside its correction."""
    withdrawal = int(ready_patient()["cows_total"]) + 10

    def at(hhmm: str, *args: str, first: bool = False) -> Any:
        how = ["--label", "W"] if first else ["--resume", "--session", "W"]
        return run(
            "walk", *how, "--no-input", "--now", f"{DAY}T{hhmm}", "--acknowledge", "all", *args,
        )  # fmt: skip

    r = at("08:00", *answer_flags(ready_patient(cows_total=withdrawal, naloxone_challenge=None)),
           first=True)  # fmt: skip
    assert r.exit_code == 1, r.output
    (path,) = stored_sessions("W")
    rated = json.loads(path.read_text(encoding="utf-8"))["cows_ratings"][0]["at"]
    r = at("09:00", "-a", "naloxone_challenge=positive", "-a", "naloxone_challenge_started=08:30")
    assert r.exit_code == 1, r.output

    r = at(
        "11:00", "-a", "cows_total=2", "--correct", f"cows_total@{rated}=pulse misread",
        "-a", "naloxone_rechallenge=negative", "-a", "naloxone_rechallenge_started=10:30",
    )  # fmt: skip

    assert r.exit_code != 2, r.output
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert [x["total"] for x in kept["cows_ratings"]] == [withdrawal, 2]
    assert challenges(path) == [("challenge", "positive"), ("rechallenge", "negative")]


def test_a_positive_recorded_by_another_process_is_read_before_a_dose_is_recorded(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    """Two terminals on one session: while this walk waits at 'injection given?', the
    other records a positive challenge. Before the dose is recorded the session is read
    again: the positive joins this walk's record, the gates block, and no dose is
    recorded; the saved session keeps the positive."""
    r = run(
        "walk", "--no-input", "--now", f"{DAY}T10:00", "--label", "T",
        "--acknowledge", "all", *answer_flags(ready_patient()),
    )  # fmt: skip
    assert r.exit_code == 4, r.output  # at the injection: was it given?
    (path,) = stored_sessions("T")
    opened = the_store()
    here, revision = opened.load(path)  # this terminal's walk, open at the question

    class Meanwhile(io.StringIO):
        """The clinician's typing; before the first line is read, the other terminal
        records a positive challenge in the same session."""

        done = False

        def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
            if not self.done:
                self.done = True
                other = run(
                    "walk", "--resume", "--session", str(path), "--no-input",
                    "--now", f"{DAY}T10:05", "--acknowledge", "all",
                    "-a", "naloxone_challenge=positive",
                )  # fmt: skip
                assert other.exit_code == 1, other.output
            return super().readline(size)

    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=Meanwhile("yes\nquit\n"))
    at = dt.datetime.combine(TODAY, dt.time(10, 10), tzinfo=dt.UTC)
    w = Walkthrough(
        ui,
        guide,
        here,
        Saver.loaded(opened, "test", here, revision),
        TODAY,
        Clock(source=lambda: at),
    )
    w.run()
    opened.close()

    said = " ".join(out.getvalue().split())
    assert "another process recorded in this session" in said, said
    saved = stored_record(path)
    assert saved.injection_given is not True, said
    assert ("challenge", "positive") in [(c.kind, c.result) for c in saved.naloxone_challenges]
