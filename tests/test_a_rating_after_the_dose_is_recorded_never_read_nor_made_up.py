"""A COWS rating taken after the dose counted describes the patient after the dose: it is
recorded in the series, never read by the gates the dose was given on (clinical basis,
safety invariants 9 and 12), and never answered by a rating nobody took.

The visit: COWS 2 at 08:00 (no challenge needed), the dose at 09:30. Withdrawal rated
at 10:00, by flag or typed at a prompt after 'rate again'.
Until now the flag's rating was followed by a copy of the 2, stamped 10:00, that nobody
gave: taking the dose back then read the 2 as the latest, and the visit as ready. The
typed rating was read by the gates: the visit turned "blocked" with its injection
given, and could never be finished."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import TODAY, Run, opened, ready_patient, resume_at, stored_sessions
from tests.helpers import at_today as at
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide

LABEL = "RATED-AFTER"
DOSE = [
    "-a", "injection_given=yes", "-a", "injection_side_used=left", "-a", "needle_used=2-inch",
]  # fmt: skip
AFTER = ["-a", "observation_minutes=30", "-a", "wallet_card_given=yes"]


def dosed(run: Run, *after: str) -> str:
    """The visit above up to its dose at 09:30 (with ``after`` given then): its session."""
    session = opened(run, LABEL, "08:00", ready_patient())
    out = resume_at(run, session, "09:30", *DOSE, *after)
    assert out.exit_code in (0, 4), out.output
    return session


def ratings(label: str) -> list[tuple[str, int]]:
    """The stored series of the visit: each rating's time and total."""
    (stored,) = stored_sessions(label)
    record = json.loads(stored.read_text())
    return [(r["at"], r["total"]) for r in record["cows_ratings"]]


def rated_at_the_prompt(run: Run, session: str, total: int) -> Any:
    """At 10:00, at the walk's next prompt after the dose: 'rate again', ``total``, then
    the observation's minutes and the wallet card."""
    return run(
        "walk", "--plain", "--resume", "--session", session, "--now", at("10:00"),
        "--acknowledge", "all", input=f"rate again\n{total}\n30\ny\n\n",
    )  # fmt: skip


def outcome(out: Any) -> dict[str, Any]:
    return dict(json.loads(out.stdout))


def test_a_rating_given_after_the_dose_adds_no_rating_nobody_took(run: Run, guide: Guide) -> None:
    session = dosed(run, *AFTER)
    withdrawal = threshold(guide) + 4
    out = resume_at(run, session, "10:00", "-a", f"cows_total={withdrawal}")
    assert out.exit_code == 0, out.output
    after = [total for when, total in ratings(LABEL) if when >= at("09:30")]
    assert after == [withdrawal], ratings(LABEL)


def test_the_dose_taken_back_reads_the_withdrawal_rated_after_it(run: Run, guide: Guide) -> None:
    session = dosed(run, *AFTER)
    resume_at(run, session, "10:00", "-a", f"cows_total={threshold(guide) + 4}")
    back = resume_at(run, session, "10:30", "-a", "injection_given=no", "--json")
    assert "withdrawal" in outcome(back)["blocking"], back.output  # said at once
    again = resume_at(run, session, "10:40", "-a", "injection_given=yes", "--json")
    assert outcome(again)["status"] != "complete", again.output
    assert "withdrawal" in outcome(again)["blocking"], again.output


def test_the_control_without_the_late_rating_the_dose_counts_again(run: Run) -> None:
    session = dosed(run, *AFTER)
    resume_at(run, session, "10:30", "-a", "injection_given=no")
    again = resume_at(run, session, "10:40", "-a", "injection_given=yes", "--json")
    assert outcome(again)["status"] == "complete", again.output


def test_a_rating_typed_after_the_dose_is_recorded_and_the_visit_finishes(
    run: Run, guide: Guide, at_a_terminal: None
) -> None:
    session = dosed(run)
    withdrawal = threshold(guide) + 4
    walked = rated_at_the_prompt(run, session, withdrawal)
    assert walked.exit_code == 0, walked.output
    assert "cannot be given" not in " ".join(walked.output.split()), walked.output
    assert [t for when, t in ratings(LABEL) if when >= at("09:30")] == [withdrawal]
    history = run("history", LABEL, "--json", "--today", TODAY.isoformat())
    assert [i["date"] for i in json.loads(history.stdout)["injections"]] == [TODAY.isoformat()]


def test_the_note_marks_the_rating_the_dose_was_given_on(run: Run, guide: Guide) -> None:
    """The note's chart marks the rating the gates read ('>'): the one before the dose,
    never the withdrawal rated after it."""
    session = dosed(run, *AFTER)
    resume_at(run, session, "10:00", "-a", f"cows_total={threshold(guide) + 4}")
    data = json.loads(run("note", session, "--format", "json").stdout)
    used = [r["total"] for r in data["cows_ratings"] if r["used"]]
    assert used == [2], data["cows_ratings"]
    text = run("note", session).stdout
    marked = [line for line in text.splitlines() if line.lstrip().startswith(">")]
    assert len(marked) == 1 and " 2 " in marked[0], text


def test_a_rating_typed_after_the_dose_beside_a_negative_challenge_is_recorded(
    run: Run, guide: Guide, at_a_terminal: None
) -> None:
    """Withdrawal rated after the injection describes the patient after it: never judged
    against the negative challenge the dose was given on (it was refused at the prompt,
    "a challenge is not done beside withdrawal"), and the visit resumes afterwards."""
    session = opened(run, LABEL, "08:00", ready_patient(cows_total=2, naloxone_challenge=None))
    challenge = resume_at(
        run, session, "09:00", "-a", "naloxone_challenge=negative",
        "-a", "naloxone_challenge_started=08:30",
    )  # fmt: skip
    assert challenge.exit_code in (0, 1, 4), challenge.output
    assert resume_at(run, session, "09:30", *DOSE).exit_code in (0, 4)
    withdrawal = threshold(guide) + 4
    walked = rated_at_the_prompt(run, session, withdrawal)
    assert walked.exit_code == 0, walked.output
    assert [t for when, t in ratings(LABEL) if when >= at("09:30")] == [withdrawal]
    again = resume_at(run, session, "11:00", "--json")
    assert again.exit_code == 0, again.output
