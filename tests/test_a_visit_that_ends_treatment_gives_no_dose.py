"""A visit that ends the treatment gives no injection (reference section 10), and its
answers say so on every route: "the injection was given" beside "this visit ends the
treatment (no injection today)" is refused, naming both (safety invariant 4), and the
answers of an end of treatment that was taken back never block the visit that continues.
The emergency card speaks only of a blockade that has not ended by the visit's day: after
it, the card's "I receive XR-naltrexone" and "opioids are blocked" are no longer true."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.helpers import TODAY, Run, after_injection, answer_flags, check, days_ago, flat
from xrntx_guide.errors import ExitCode

LABEL = "END-1"

END = {
    "end_of_treatment": True,
    "end_of_treatment_reason": "switch_to_agonist",
    "agonist_after_naltrexone": "buprenorphine",
    "end_overdose_counselled": True,
    "end_reversal_agent_prescribed": True,
}


def ending(last: dt.date, **changes: Any) -> dict[str, Any]:
    return {
        "visit": "repeat_injection",
        "last_injection_date": last,
        "opioid_use_since_last_injection": False,
        **END,
        **changes,
    }


def continuing(**changes: Any) -> dict[str, Any]:
    """A monthly visit on TODAY, 28 days after the last injection, all clear, given."""
    answers = after_injection(
        visit="repeat_injection",
        last_injection_date=days_ago(28),
        last_injection_side="right",
        opioid_use_since_last_injection=False,
        end_of_treatment=False,
        injection_site_reaction="none",
        reaction_after_last_dose=False,
        lft_within_interval=True,
        respiratory_symptoms=False,
        suicidal_thoughts=False,
        **changes,
    )
    for key in ("last_opioid_use", "last_opioid_kind", "uds_opiates"):
        answers.pop(key, None)
    return {k: v for k, v in answers.items() if v is not None}


def walk_on(run: Run, day: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    """An unattended walk of the label on ``day``; the last injection from the record."""
    if answers.get("visit") == "repeat_injection":
        answers = {k: v for k, v in answers.items() if k != "last_injection_date"}
    return run(
        "walk",
        "--no-input",
        "--label",
        LABEL,
        "--today",
        day.isoformat(),
        "--acknowledge",
        "all",
        *extra,
        *answer_flags(answers),
    )


# -- an injection on a visit that ends the treatment ------------------------------------------


def test_an_injection_given_on_a_visit_that_ends_treatment_is_refused_naming_both(
    run: Run,
) -> None:
    answers = ending(days_ago(28), injection_given=True)
    out = check(run, answers)
    assert out.exit_code == ExitCode.USAGE, out.output
    said = flat(out.stdout + out.stderr)
    assert "injection_given" in said and "end_of_treatment" in said, said
    walked = walk_on(run, TODAY, answers)
    assert walked.exit_code == ExitCode.USAGE, walked.output
    assert "end_of_treatment" in flat(walked.stdout + walked.stderr)


def test_a_batch_line_giving_an_injection_on_a_visit_that_ends_treatment_is_an_error(
    run: Run, tmp_path: Any
) -> None:
    line = {
        k: v.isoformat() if isinstance(v, dt.date) else v
        for k, v in ending(days_ago(28), injection_given=True).items()
    }
    batch = tmp_path / "lines.jsonl"
    batch.write_text(json.dumps(line) + "\n")
    out = run("check", "--batch", str(batch), "--today", TODAY.isoformat())
    data = json.loads(out.stdout.splitlines()[0])
    assert data["status"] == "error", data
    assert "end_of_treatment" in flat(data["message"])


def test_no_injection_answered_on_a_visit_that_ends_treatment_is_no_contradiction(
    run: Run,
) -> None:
    out = check(run, ending(days_ago(28), injection_given=False))
    assert out.exit_code == ExitCode.BLOCKED, out.output
    assert json.loads(out.stdout)["blocking"] == ["end_of_treatment"]


# -- an end of treatment taken back -------------------------------------------------------------


def test_end_of_treatment_answers_beside_a_visit_that_continues_never_block_it(
    run: Run,
) -> None:
    """Answers of the end (a switch, counselling not done) do not apply when the visit
    continues; they are ignored like any answer of a step not shown, never refused as a
    contraindication the visit does not have."""
    for extra in (
        {"end_of_treatment_reason": "switch_to_agonist", "agonist_after_naltrexone": "methadone"},
        {"end_overdose_counselled": False},
        {"end_reversal_agent_prescribed": False, "end_of_treatment_reason": "patient_choice"},
        {k: v for k, v in END.items() if k != "end_of_treatment"},
    ):
        out = check(run, continuing(**extra))
        assert out.exit_code == ExitCode.OK, (extra, out.output)
        assert json.loads(out.stdout)["status"] == "ready"


def test_a_walk_that_ended_treatment_resumes_as_a_visit_that_continues(run: Run) -> None:
    first = after_injection(last_opioid_use=days_ago(42))
    assert walk_on(run, days_ago(28), first).exit_code == ExitCode.OK
    ended = walk_on(run, TODAY, ending(days_ago(28)))
    assert ended.exit_code == ExitCode.BLOCKED, ended.output
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    session = history["off_treatment"]["session"]
    today = continuing()
    today.pop("last_injection_date")
    today.pop("last_injection_side")
    resumed = run(
        "walk",
        "--no-input",
        "--resume",
        "--session",
        session,  # the store takes the session's id
        "--today",
        TODAY.isoformat(),
        "--acknowledge",
        "all",
        *answer_flags(today),
    )
    assert resumed.exit_code == ExitCode.OK, resumed.output


# -- the card after the blockade ended ---------------------------------------------------------


def test_no_card_is_offered_or_printed_once_the_blockade_has_ended(run: Run) -> None:
    last = days_ago(64)
    given = walk_on(run, last, after_injection(last_opioid_use=last - dt.timedelta(days=14)))
    assert given.exit_code == ExitCode.OK, given.output
    ended = walk_on(run, TODAY, ending(last))
    assert ended.exit_code == ExitCode.BLOCKED, ended.output
    blockade_end = (last + dt.timedelta(days=28)).isoformat()
    said = flat(ended.stdout)
    assert f"The blockade ended about {blockade_end}, before this visit" in said
    assert "xrntx-guide card" not in said, said  # no card offered for a blockade that ended
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    session = history["off_treatment"]["session"]
    note = run("note", session, "--format", "text")
    assert "End of treatment" in note.stdout and "xrntx-guide card" not in note.stdout
    assert json.loads(run("note", session, "--format", "json").stdout)["emergency_card"] is False
    refused = run("card", session)
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "Last injection" not in refused.stdout
    assert f"ended about {blockade_end}" in flat(refused.stderr), refused.stderr
    # The card of the visit that gave the dose still prints (its blockade was on then).
    injections = history["injections"]
    printed = run("card", injections[0]["session"])
    assert printed.exit_code == ExitCode.OK, printed.output
    assert f"ends about: {blockade_end}" in printed.stdout


def test_a_card_is_offered_while_the_blockade_lasts(run: Run) -> None:
    last = days_ago(20)
    given = walk_on(run, last, after_injection(last_opioid_use=last - dt.timedelta(days=14)))
    assert given.exit_code == ExitCode.OK, given.output
    ended = walk_on(run, TODAY, ending(last))
    assert ended.exit_code == ExitCode.BLOCKED, ended.output
    assert "xrntx-guide card" in flat(ended.stdout)
    history = json.loads(run("history", LABEL, "--json", "--today", TODAY.isoformat()).stdout)
    session = history["off_treatment"]["session"]
    assert "xrntx-guide card" in run("note", session, "--format", "text").stdout
    printed = run("card", session)
    assert printed.exit_code == ExitCode.OK, printed.output


def test_an_end_for_an_allergic_reaction_is_recorded_not_refused(run: Run) -> None:
    """Ending the treatment because of urticaria or anaphylaxis after the last dose: the
    reaction given beside the end is no contradiction; the visit ends, no injection."""
    answers = ending(
        days_ago(20),
        end_of_treatment_reason="adverse_effect",
        reaction_after_last_dose=True,
        injection_site_reaction="severe",
    )
    answers.pop("agonist_after_naltrexone")
    out = check(run, answers)
    assert out.exit_code == ExitCode.BLOCKED, out.output
    assert json.loads(out.stdout)["blocking"] == ["end_of_treatment"]
