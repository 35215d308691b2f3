"""Routes around ``[guide.report]`` (the report vocabulary as data)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Run, answer_flags, copy_steps, days_ago, ready_patient


def test_report_injection_given_naming_a_pre_injection_answer_dates_a_blocked_dose(
    run: Run, tmp_path: Path
) -> None:
    """A pack whose ``[guide.report] injection_given`` names an answer given before the
    injection (``consent``) validates, and a BLOCKED patient then gets a next dose date in
    ``check --json`` (and a blocked session a 'next dose' calendar event saying the last
    injection was given). ``injection_given`` should be refused unless it is asked in or
    after the injection step (a step that requires the gates clear)."""
    steps = copy_steps(tmp_path)
    guide = steps / "00-guide.toml"
    text = guide.read_text(encoding="utf-8")
    assert 'injection_given = "injection_given"' in text
    guide.write_text(
        text.replace('injection_given = "injection_given"', 'injection_given = "consent"'),
        encoding="utf-8",
    )
    validated = run("validate", "--steps", str(steps))
    flags = answer_flags(ready_patient(last_opioid_use=days_ago(4)))
    r = run("check", "--steps", str(steps), "--today", "2026-11-24", "--json", *flags)
    if validated.exit_code == 3:
        # Refused as a pack: no result at all, so no dose date for a blocked patient.
        assert "injection_given" in validated.stdout + validated.stderr
        assert r.exit_code == 3, r.stdout
        return
    out = json.loads(r.stdout)
    assert out["status"] == "blocked"
    assert out["derived"].get("next_dose_due") is None, (
        f"blocked patient, yet next_dose_due={out['derived'].get('next_dose_due')}"
    )
