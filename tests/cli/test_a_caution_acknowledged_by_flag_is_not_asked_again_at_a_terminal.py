"""A caution acknowledged by ``--acknowledge GATE`` is not asked again at a terminal.

``walk --help`` says "--acknowledge: Acknowledge a caution gate without a prompt". A
trainer who starts a scripted case (``walk --answers case.toml --acknowledge fentanyl``)
or a clinician who has already read the caution is still stopped at "Acknowledge this
caution? Type 'ok' to go on" for that very gate: the flag is silently ignored unless
``--no-input`` is given too. A given answer is never silently ignored; every prompt has a
flag, and the flag answers it.
"""

from __future__ import annotations

from tests.helpers import TODAY, Run, answer_flags, ready_patient

ASKED = "Acknowledge this caution?"


def _fentanyl_patient() -> dict[str, object]:
    return ready_patient(fentanyl_used_30_days=True, injection_date=TODAY)


def test_the_caution_is_asked_without_the_flag(run: Run, at_a_terminal: None) -> None:
    walked = run(
        "walk", "--plain", "--label", "ACK-1", "--today", TODAY.isoformat(),
        *answer_flags(_fentanyl_patient()), input="quit\n",
    )  # fmt: skip

    assert "[fentanyl]" in walked.stdout and ASKED in walked.stdout, walked.output


def test_the_caution_acknowledged_by_flag_is_not_asked(run: Run, at_a_terminal: None) -> None:
    walked = run(
        "walk", "--plain", "--label", "ACK-2", "--today", TODAY.isoformat(),
        "--acknowledge", "fentanyl", *answer_flags(_fentanyl_patient()), input="quit\n",
    )  # fmt: skip

    assert "[fentanyl]" in walked.stdout, walked.output
    assert ASKED not in walked.stdout, walked.output
