"""Two rooms, one after the other: room A finished the visit with the injection given;
room B, about to give the dose, resumes the same visit and answers it given. One dose
stays recorded, and room B is told, loudly, to make sure only one injection was given,
and which answers of the recorded dose it changed. Before, B's side and needle silently
replaced A's, exit 0, with no word of a second injection."""

from __future__ import annotations

from tests.helpers import TODAY, Run, after_injection, flat, walk_at

LABEL = "TWO-ROOMS-LATER"


def finished_then_resumed(run: Run, *flags: str) -> str:
    """Room A finishes the visit at 10:00 with the dose given; room B resumes it at 10:30
    with ``flags``. What room B was told on stderr, on one line."""
    first = walk_at(run, LABEL, f"{TODAY.isoformat()}T10:00", after_injection())
    assert first.exit_code == 0, first.output
    again = run(
        "walk", "--no-input", "--resume", "--label", LABEL, "--now", f"{TODAY.isoformat()}T10:30",
        "--acknowledge", "all", *flags,
    )  # fmt: skip
    return flat(again.stderr)


def test_giving_a_recorded_dose_again_is_told_to_check(run: Run) -> None:
    said = finished_then_resumed(
        run, "-a", "injection_given=yes", "-a", "injection_side_used=right"
    )
    assert "CHECK:" in said and "make sure only one injection was given" in said, said
    assert "injection_side_used changes from left to right" in said, said


def test_a_resume_that_gives_no_dose_is_not_told_so(run: Run) -> None:
    said = finished_then_resumed(run, "-a", "wallet_card_given=yes")
    assert "CHECK:" not in said, said


def test_an_answer_the_recorded_dose_lacked_is_named_too(run: Run) -> None:
    """A kit lot the first room never recorded, given by the second: named, or the second
    room's kit would be attached to the first room's dose in silence."""
    said = finished_then_resumed(run, "-a", "injection_given=yes", "-a", "kit_lot=XYZ")
    assert "kit_lot changes from none to XYZ" in said, said
