"""An answer given for a question that does not apply is not used; ``check --json`` lists
it as ``ignored``, and the screen names it too, so that a clinician who typed, say,
"no confirmed diagnosis" on a monthly visit that is no new induction sees that the guide
did not read it (safety invariant 10: never silently ignored)."""

from __future__ import annotations

from tests.helpers import TODAY, Run, after_injection, answer_flags, days_ago, flat
from xrntx_guide.errors import ExitCode


def monthly(**changes: object) -> dict[str, object]:
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
    # Only what a monthly visit that is no new induction asks (no history, no readiness).
    for key in (
        "oud_diagnosis",
        "last_opioid_use",
        "last_opioid_kind",
        "fentanyl_used_30_days",
        "abstinence_evidence",
        "cows_total",
        "naloxone_challenge",
        *(k for k in answers if k.startswith("uds_")),
    ):
        answers.pop(key, None)
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def test_the_check_screen_names_an_answer_it_did_not_use(run: Run) -> None:
    out = run("check", "--today", TODAY.isoformat(), *answer_flags(monthly(oud_diagnosis=False)))
    assert out.exit_code == ExitCode.OK, out.output
    said = flat(out.stdout)
    assert "Not used (their questions do not apply to this visit as answered)" in said, said
    assert "oud_diagnosis" in said


def test_the_check_screen_says_nothing_of_the_kind_when_every_answer_is_used(run: Run) -> None:
    out = run("check", "--today", TODAY.isoformat(), *answer_flags(monthly()))
    assert out.exit_code == ExitCode.OK, out.output
    assert "Not used" not in out.stdout
