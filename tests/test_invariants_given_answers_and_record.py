"""Safety invariants 10 and 11 of docs/clinical-basis.md, on every route.

10. A given answer is never silently ignored when it contradicts the path taken: refused
    (exit 2), naming both answers, by check, each batch line and the walk alike.
11. Every route sees the patient's record: a labelled check (single or batch) takes the
    last injection from the record as a walk does; a dose recorded days ago is not
    bypassed by calling the visit a first injection, by a look-alike label, or by giving
    an older date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from tests.helpers import (
    TODAY,
    after_injection,
    answer_flags,
    days_ago,
    flat,
    json_answers,
    no_traceback,
    ready_patient,
    stored_sessions,
)
from xrntx_guide.output.schemas import CheckResult

Run = Callable[..., Any]
LABEL = "PAT"


def repeat_visit(**changes: Any) -> dict[str, Any]:
    """A repeat visit with nothing in the way of the dose, the last injection left to
    ``changes`` (or to the record)."""
    answers = ready_patient(
        visit="repeat_injection",
        opioid_use_since_last_injection=False,
        last_opioid_kind=None,
        last_opioid_use=None,
        oud_diagnosis=None,
        fentanyl_used_30_days=None,
        abstinence_evidence=None,
        uds_opiates=None,
        uds_fentanyl=None,
        uds_buprenorphine=None,
        uds_methadone=None,
        uds_oxycodone=None,
        cows_total=None,
        naloxone_challenge=None,
    )
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


DOSE: dict[str, Any] = {
    "injection_given": True,
    "injection_side_used": "right",
    "needle_used": "2-inch",
    "observation_minutes": 30,
    "overdose_counselled": True,
    "reversal_agent_offered": True,
    "wallet_card_given": True,
}
"""What a walk records once the dose is given."""


def check(run: Run, answers: Mapping[str, Any], *extra: str) -> Any:
    return run("check", "--json", "--today", TODAY.isoformat(), *answer_flags(answers), *extra)


def batch(run: Run, line: Mapping[str, Any]) -> dict[str, Any]:
    result = run(
        "check", "--batch", "-", "--today", TODAY.isoformat(),
        input=json.dumps(json_answers(line)) + "\n",
    )  # fmt: skip
    no_traceback(result)
    out: dict[str, Any] = json.loads(result.stdout.splitlines()[0])
    return out


def walk(run: Run, answers: Mapping[str, Any], label: str = LABEL, day: dt.date = TODAY) -> Any:
    return run(
        "walk", "--no-input", "--json", "--label", label, "--today", day.isoformat(),
        "--acknowledge", "all", *answer_flags(answers),
    )  # fmt: skip


def dose_on_record(run: Run, day: dt.date, label: str = LABEL) -> None:
    """A finished first injection on ``day`` under ``label``."""
    result = walk(run, after_injection(last_opioid_use=day - dt.timedelta(days=14)), label, day)
    assert result.exit_code == 0, result.output


def refused_naming(result: Any, *keys: str) -> None:
    no_traceback(result)
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    for key in keys:
        assert key in text, (key, result.output)


# -- invariant 10: a given answer contradicting the path taken --------------------------------

NO_USE_BESIDE_A_USE = repeat_visit(
    last_injection_date=days_ago(35),
    last_injection_side="left",
    last_opioid_use=days_ago(1),
)
FIRST_WITH_A_LAST_INJECTION = ready_patient(last_injection_date=days_ago(3))


@pytest.mark.parametrize(
    ("answers", "keys"),
    [
        (NO_USE_BESIDE_A_USE, ("opioid_use_since_last_injection", "last_opioid_use")),
        (FIRST_WITH_A_LAST_INJECTION, ("visit", "last_injection_date")),
    ],
    ids=["no_use_since_beside_a_later_use", "first_injection_beside_a_last_injection"],
)
def test_a_contradicting_answer_is_refused_by_check_batch_and_walk(
    run: Run, answers: dict[str, Any], keys: tuple[str, ...]
) -> None:
    refused_naming(check(run, answers), *keys)
    line = batch(run, answers)
    assert line["status"] == "error", line
    assert all(k in line["message"] for k in keys), line
    refused_naming(walk(run, {**answers, **DOSE}), *keys)


def test_a_use_on_the_day_of_the_last_injection_is_not_a_contradiction(run: Run) -> None:
    """Only a use dated after the last injection contradicts "no use since" it."""
    answers = {**NO_USE_BESIDE_A_USE, "last_opioid_use": days_ago(35)}
    result = check(run, answers)
    assert result.exit_code != 2, result.output


def test_an_older_last_injection_date_than_the_record_is_refused(run: Run) -> None:
    dose_on_record(run, days_ago(3))
    older = repeat_visit(last_injection_date=days_ago(28), last_injection_side="left")
    refused_naming(walk(run, {**older, **DOSE}), "last_injection_date", days_ago(3).isoformat())
    refused_naming(check(run, older, "--label", LABEL), "last_injection_date")


def test_first_injection_is_refused_with_the_date_of_the_recorded_dose(run: Run) -> None:
    dose_on_record(run, days_ago(3))
    result = check(run, ready_patient(), "--label", LABEL)
    refused_naming(result, "visit", days_ago(3).isoformat())


# -- invariant 11: every route sees the patient's record --------------------------------------


def test_a_labelled_check_takes_the_last_injection_from_the_record(run: Run) -> None:
    dose_on_record(run, days_ago(3))
    answers = repeat_visit()
    unlabelled = check(run, answers)
    assert unlabelled.exit_code == 4, unlabelled.output  # the last injection is not known
    result = check(run, answers, "--label", LABEL)
    assert result.exit_code == 1, result.output  # 3 days after a dose: stopped
    body = json.loads(result.stdout)
    assert body["status"] != "ready"
    assert "dose_timing" in body["blocking"], body["blocking"]
    assert body["record"]["prefilled"]["last_injection_date"] == days_ago(3).isoformat()
    CheckResult.model_validate(body)  # the published shape, with its "record"


def test_a_batch_line_with_a_label_reads_the_record(run: Run) -> None:
    dose_on_record(run, days_ago(3))
    line = batch(run, {**repeat_visit(), "label": LABEL, "id": "a"})
    assert line["id"] == "a"
    assert line["status"] != "ready", line
    assert "dose_timing" in line["blocking"], line
    CheckResult.model_validate(line)
    refused = batch(run, {**ready_patient(), "label": LABEL})
    assert refused["status"] == "error" and days_ago(3).isoformat() in refused["message"]


@pytest.mark.parametrize("typed", ["ＰＡＴ", "pat", "ｐａｔ"])
def test_a_label_differing_in_case_or_width_is_the_same_patient(run: Run, typed: str) -> None:
    dose_on_record(run, days_ago(3))
    result = walk(run, after_injection(), label=typed)
    assert result.exit_code == 2, result.output  # first injection refused: dose on record
    assert days_ago(3).isoformat() in flat(result.output)
    assert check(run, repeat_visit(), "--label", typed).exit_code == 1


LOOK_ALIKES = {
    "greek_alpha": ("PΑT", "U+0391"),
    "cyrillic_a": ("PАT", "U+0410"),
    "greek_only": ("ΡΑΤ", "U+03A1"),
    "cherokee": ("ᏢᎪᎢ", "U+13E2"),
    "small_capitals": ("ᴘᴀᴛ", "U+1D18"),
    "zero_width_space": ("P\u200bAT", "U+200B"),
    "hangul_filler": ("PAT\u3164", "U+3164"),
}


@pytest.mark.parametrize(("typed", "named"), LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_label_of_anything_but_plain_letters_is_refused_on_every_route(
    run: Run, typed: str, named: str
) -> None:
    dose_on_record(run, days_ago(3))
    for result in (
        walk(run, after_injection(), label=typed),
        check(run, repeat_visit(), "--label", typed),
        run("history", typed, "--today", TODAY.isoformat()),
        run("walk", "--resume", "--no-input", "--label", typed, "--today", TODAY.isoformat()),
    ):
        refused_naming(result, named, "plain letters and digits")
    line = batch(run, {**repeat_visit(), "label": typed})
    assert line["status"] == "error" and named in line["message"], line


@pytest.mark.parametrize("typed", ["AB 12", "ab12", "AB_12", "ＡＢ－１２"])
def test_labels_differing_only_in_separators_are_one_patient(run: Run, typed: str) -> None:
    dose_on_record(run, days_ago(3), label="AB-12")
    result = check(run, repeat_visit(), "--label", typed)
    assert result.exit_code == 1, result.output  # 3 days after the recorded dose: stopped
    assert "dose_timing" in json.loads(result.stdout)["blocking"]


def test_resume_and_note_find_the_session_by_the_same_label_key(run: Run) -> None:
    stopped = walk(run, {**repeat_visit(), "last_injection_date": days_ago(28)}, label="PAT")
    assert stopped.exit_code == 4, stopped.output  # side missing: unfinished
    resumed = run("walk", "--resume", "--no-input", "--label", "pat", "--today", TODAY.isoformat())
    assert "no session" not in flat(resumed.output), resumed.output
    note = run("note", "p-a-t", "--format", "json")
    assert note.exit_code == 0, note.output
    assert json.loads(note.stdout)["label"] == "PAT"


def test_check_without_a_label_never_opens_the_store(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise AssertionError("the store was opened")

    monkeypatch.setattr("xrntx_guide.store.open_store", boom)
    assert check(run, ready_patient()).exit_code == 0
    assert batch(run, ready_patient())["status"] == "ready"


def test_doses_outside_the_record_are_said_to_be_invisible(run: Run) -> None:
    dose_on_record(run, days_ago(3))
    shown = run("history", LABEL, "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    text = flat(shown.output)
    assert "training" in text and "deleted" in text, text
    walked = walk(run, {**repeat_visit(), **DOSE})
    assert "deleted" in flat(walked.stderr), walked.output


def test_a_label_in_an_answers_file_is_refused_as_not_an_answer(run: Run, tmp_path: Any) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**json_answers(ready_patient()), "label": LABEL}))
    result = run("check", "--answers", str(path), "--today", TODAY.isoformat())
    refused_naming(result, "label", "--label")


def test_check_label_with_batch_is_refused_each_line_gives_its_own(run: Run) -> None:
    result = run(
        "check", "--batch", "-", "--label", LABEL, "--today", TODAY.isoformat(),
        input=json.dumps(json_answers(ready_patient())) + "\n",
    )  # fmt: skip
    refused_naming(result, "--label", "label")


# -- a dose recorded after this visit's date counts ---------------------------------------


def test_a_dose_recorded_after_the_visit_date_is_refused_naming_it(run: Run) -> None:
    """A dose recorded with a later --today is part of the record: a visit dated before it
    is refused, naming the session and the date, never judged without it."""
    later = TODAY + dt.timedelta(days=3)
    dose_on_record(run, later)
    session = json.loads(run("sessions", "--json").stdout)[0]["id"]
    for result in (
        check(run, repeat_visit(), "--label", LABEL),
        check(run, repeat_visit(last_injection_date=days_ago(28)), "--label", LABEL),
        walk(run, {**repeat_visit(last_injection_date=days_ago(28)), **DOSE}),
    ):
        refused_naming(result, later.isoformat(), session)
    line = batch(run, {**repeat_visit(), "label": LABEL})
    assert line["status"] == "error" and later.isoformat() in line["message"], line


def test_a_stopped_visit_resumed_on_a_day_before_a_recorded_dose_is_refused(run: Run) -> None:
    yesterday = days_ago(1)
    stopped = walk(run, repeat_visit(last_injection_date=days_ago(28)), day=yesterday)
    assert stopped.exit_code == 4, stopped.output  # the side is missing: unfinished
    # Another session gives today the dose after that same last injection (which the
    # stopped visit reports: a first injection would be refused beside it).
    dosed = walk(
        run, {**repeat_visit(last_injection_date=days_ago(28), last_injection_side="left"), **DOSE}
    )
    assert dosed.exit_code == 0, dosed.output
    [unfinished] = [
        s for s in json.loads(run("sessions", "--json").stdout) if s["status"] != "complete"
    ]
    resumed = run(
        "walk", "--resume", "--no-input", "--json", "--label", unfinished["id"],
        "--today", yesterday.isoformat(), "--acknowledge", "all",
        *answer_flags({"last_injection_side": "left", **DOSE}),
    )  # fmt: skip
    refused_naming(resumed, TODAY.isoformat())


# -- a session file of the label that cannot be read ---------------------------------------


@pytest.mark.parametrize("content", ['{"format": 1, "id": "ab', '{"format": 9}'])
def test_an_unreadable_session_file_of_the_label_is_never_ready(
    run: Run, _isolated_home: Any, content: str
) -> None:
    dose_on_record(run, days_ago(3))
    [path] = stored_sessions(LABEL)
    path.write_text(content, encoding="utf-8")
    for result in (
        check(run, repeat_visit(last_injection_date=days_ago(28), last_injection_side="left"),
              "--label", LABEL),
        check(run, ready_patient(), "--label", "pat"),
        walk(run, {**ready_patient(), **DOSE}),
    ):  # fmt: skip
        refused_naming(result, path.name)
    line = batch(run, {**ready_patient(), "label": LABEL})
    assert line["status"] == "error" and path.name in line["message"], line
    # Another patient's record is not this one: never a refusal.
    other = check(run, ready_patient(), "--label", "OTHER")
    assert other.exit_code == 0, other.output


def test_a_session_time_without_an_offset_is_read_as_utc(run: Run, _isolated_home: Any) -> None:
    dose_on_record(run, days_ago(3))
    walk(run, repeat_visit(last_injection_date=days_ago(28)), label="QQ")
    [path] = stored_sessions(LABEL)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["updated"] = data["updated"][:19]  # no offset
    data["created"] = data["created"][:19]
    path.write_text(json.dumps(data), encoding="utf-8")
    for result in (
        run("sessions", "--json"),
        run("history", LABEL, "--today", TODAY.isoformat()),
    ):
        no_traceback(result)
        assert result.exit_code == 0, result.output
    assert check(run, repeat_visit(), "--label", LABEL).exit_code == 1


# -- the record, the note and the check agree ---------------------------------------------


def test_a_side_contradicting_the_record_is_refused_naming_the_session(run: Run) -> None:
    dose_on_record(run, days_ago(28))  # in the left buttock
    session = json.loads(run("sessions", "--json").stdout)[0]["id"]
    result = check(run, repeat_visit(last_injection_side="right"), "--label", LABEL)
    refused_naming(result, "last_injection_side", session)
    agreeing = check(run, repeat_visit(last_injection_side="left"), "--label", LABEL)
    assert agreeing.exit_code != 2, agreeing.output


def test_use_since_the_injection_dated_before_it_is_refused(run: Run) -> None:
    answers = repeat_visit(
        opioid_use_since_last_injection=True,
        opioid_use_significant=False,
        last_injection_date=days_ago(20),
        last_injection_side="left",
        last_opioid_use=days_ago(25),
    )
    refused_naming(check(run, answers), "opioid_use_since_last_injection", "last_opioid_use")


def test_an_injection_answered_given_on_a_blocked_walk_is_no_dose_yet_holds_back_the_next(
    run: Run,
) -> None:
    """No dose is counted for it (invariant 12), but the needle may have gone in: a first
    injection three days later is refused, naming the visit and the way out (invariant
    11), until that visit's answer is corrected to not given."""
    blocked = walk(run, after_injection(uds_opiates="positive"), day=days_ago(3))
    assert blocked.exit_code not in (0, 2), blocked.output
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    assert [v["injection_given"] for v in history["visits"]] == [False], history
    note = json.loads(run("note", LABEL, "--format", "json").stdout)
    assert note["injection_given"] is not True
    session = json.loads(blocked.stdout)["session"]
    result = check(run, ready_patient(), "--label", LABEL)
    refused_naming(result, session, "answered given", "injection_given=no")
    corrected = run(
        "walk", "--no-input", "--resume", "--session", session,
        "--today", days_ago(3).isoformat(), "-a", "injection_given=no",
    )  # fmt: skip
    assert corrected.exit_code not in (0, 2), corrected.output
    result = check(run, ready_patient(), "--label", LABEL)
    assert result.exit_code == 0, result.output  # no dose on record: a first injection


def test_an_early_dose_stop_suggests_the_due_date_and_the_first_date_without_caution(
    run: Run,
) -> None:
    """Reference section 7: never "give it on or after" a week after the last dose."""
    last = days_ago(3)
    result = check(run, repeat_visit(last_injection_date=last, last_injection_side="left"))
    [gate] = [g for g in json.loads(result.stdout)["gates"] if g["id"] == "dose_timing"]
    advice = " ".join(gate["instead"])
    assert (last + dt.timedelta(days=28)).isoformat() in advice, advice
    assert (last + dt.timedelta(days=21)).isoformat() in advice, advice
    assert (last + dt.timedelta(days=7)).isoformat() not in advice, advice
    assert "on or after" not in advice


def test_a_key_given_twice_in_json_is_refused_naming_it(run: Run, tmp_path: Any) -> None:
    text = json.dumps(json_answers(ready_patient()))[:-1] + ', "label": "PAT", "label": "QQ"}'
    line = run("check", "--batch", "-", "--today", TODAY.isoformat(), input=text + "\n")
    no_traceback(line)
    out = json.loads(line.stdout.splitlines()[0])
    assert out["status"] == "error" and "'label'" in out["message"], out
    path = tmp_path / "a.json"
    path.write_text(text.replace(', "label": "PAT", "label": "QQ"', ', "age": 30, "age": 17'))
    refused_naming(run("check", "--answers", str(path), "--today", TODAY.isoformat()), "'age'")


def test_a_label_in_a_walks_answers_file_is_refused_with_walks_own_fix(
    run: Run, tmp_path: Any
) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**json_answers(ready_patient()), "label": LABEL}))
    result = run("walk", "--no-input", "--answers", str(path), "--today", TODAY.isoformat())
    refused_naming(result, "label", "walk --label")


def test_a_session_saved_under_a_label_now_refused_still_lists_and_opens(
    run: Run, _isolated_home: Any
) -> None:
    """Labels of earlier versions (any printable text) still list, and open by id or file."""
    dose_on_record(run, days_ago(3), label="Z-12")
    [path] = stored_sessions("Z-12")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["label"] = "Zoë-12"
    # As an earlier version wrote it: no label or settings logged at its start.
    data["events"] = [e for e in data["events"] if e["kind"] not in ("label", "settings")]
    path.write_text(json.dumps(data), encoding="utf-8")
    listed = json.loads(run("sessions", "--json").stdout)
    assert [s["label"] for s in listed] == ["Zoë-12"]
    assert run("note", listed[0]["id"], "--format", "json").exit_code == 0
    assert run("note", str(path), "--format", "json").exit_code == 0


def test_a_positive_challenge_in_an_unfinished_session_stands_for_every_route(
    run: Run,
) -> None:
    """Invariants 9 and 11: a blocked walk records a positive naloxone challenge; an hour
    later a NEW walk (or a labelled check) for the same patient with a negative
    "challenge" is refused naming the session, never ready: only a negative rechallenge
    within the window, recorded in that session, lifts the positive."""
    day = TODAY.isoformat()
    base = {k: v for k, v in after_injection().items() if k not in ("naloxone_challenge",)}
    first = run(
        "walk",
        "--no-input",
        "--label",
        "POS1",
        "--now",
        f"{day}T08:00",
        *answer_flags({**base, "naloxone_challenge": "positive"}),
    )
    assert first.exit_code == 1, first.output
    again = {**base, "naloxone_challenge": "negative"}
    started = ["-a", "naloxone_challenge_started=25 minutes ago"]
    walk = run(
        "walk",
        "--no-input",
        "--json",
        "--label",
        "pos-1",
        "--now",
        f"{day}T09:00",
        "--acknowledge",
        "all",
        *answer_flags(again),
        *started,
    )
    assert walk.exit_code == 2, walk.output
    assert "positive naloxone challenge" in flat(walk.stderr), walk.stderr
    check = run("check", "--json", "--label", "POS1", "--now", f"{day}T09:00", *answer_flags(again))
    assert check.exit_code == 2, check.output
    no_traceback(check)


def test_a_care_session_moved_out_and_back_in_is_still_the_record(run: Run, tmp_path: Any) -> None:
    """Invariant 11: a walk records a positive challenge; exported to a file, deleted
    from the store and imported again, it is still the patient's record: a new walk of
    the patient an hour later with a negative "challenge" is refused naming that session,
    and `sessions` lists it."""
    day = TODAY.isoformat()
    elsewhere = tmp_path / "elsewhere" / "visit.record"
    base = {k: v for k, v in after_injection().items() if k != "naloxone_challenge"}
    first = run(
        "walk", "--no-input", "--label", "OUT1", "--now", f"{day}T08:00",
        *answer_flags({**base, "naloxone_challenge": "positive"}),
    )  # fmt: skip
    assert first.exit_code == 1, first.output
    visit = str(stored_sessions()[-1])
    assert run("sessions", "export", visit, "-o", str(elsewhere)).exit_code == 0
    assert run("sessions", "--delete", visit, "--yes").exit_code == 0
    assert run("sessions", "import", str(elsewhere)).exit_code == 0
    again = run(
        "walk", "--no-input", "--label", "OUT1", "--now", f"{day}T09:00", "--acknowledge",
        "all", *answer_flags({**base, "naloxone_challenge": "negative"}),
        "-a", "naloxone_challenge_started=25 minutes ago",
    )  # fmt: skip
    assert again.exit_code == 2, again.output
    assert "positive naloxone challenge" in flat(again.stderr), again.stderr
    listed = run("sessions")
    assert "OUT1" in listed.stdout, listed.output


def test_a_resume_never_changes_whose_visit_it_is(run: Run, tmp_path: Any) -> None:
    """`walk --resume --session FILE --label OTHER` is refused naming both labels (it
    kept the session's label without a word); the session's own label is accepted."""
    made = run("walk", "--no-input", "--label", "LA", "-a", "age=40")
    path = stored_sessions()[-1]
    assert made.exit_code == 4, made.output
    other = run("walk", "--resume", "--session", str(path), "--label", "LB", "--no-input")
    assert other.exit_code == 2, other.output
    assert "'LA'" in other.stderr and "LB" in other.stderr, other.stderr
    same = run("walk", "--resume", "--session", str(path), "--label", "la", "--no-input")
    assert same.exit_code == 4, same.output
