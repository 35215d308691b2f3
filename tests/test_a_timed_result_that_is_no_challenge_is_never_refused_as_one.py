"""A pack's timed question (``wait_minutes``, ``wait_for``) is a general feature: a
negative is taken only once the minutes have passed. A pack that times its urine screen
strip that way (its negative read only after the minutes the strip needs), with the
screen's own values (negative, positive, not done), is refused where it loads as "a timed
result with the naloxone challenge's values", told to name its urine screen
``naloxone_challenge``: a fix that would make the screen a challenge."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Run, copy_steps, flat

SCREEN = 'key = "uds_fentanyl"\npoint_in_time = true\ntype = "choice"\n'
STRIP_MINUTES = """
[settings.uds_strip_minutes]
value = 5
unit = "minutes"
description = "Test pack only: minutes before the screen's negative is taken"
sources = ["label"]
site_adjustable = false
"""


def pack_timing_the_screen(root: Path, timed: bool) -> Path:
    """The shipped pack with a setting of the strip's minutes, and (``timed``) the
    fentanyl screen's negative taken only once they have passed."""
    steps = copy_steps(root)
    guide = steps / "00-guide.toml"
    guide.write_text(guide.read_text(encoding="utf-8") + STRIP_MINUTES, encoding="utf-8")
    if timed:
        path = steps / "50-readiness.toml"
        text = path.read_text(encoding="utf-8")
        assert SCREEN in text, "test setup: the screen is written otherwise"
        timer = 'wait_minutes = "settings.uds_strip_minutes"\nwait_for = ["negative"]\n'
        path.write_text(text.replace(SCREEN, SCREEN + timer), encoding="utf-8")
    return steps


def test_the_control_the_pack_with_the_setting_alone_loads(run: Run, tmp_path: Path) -> None:
    out = run("validate", "--steps", str(pack_timing_the_screen(tmp_path, timed=False)))
    assert out.exit_code == 0, out.output


def test_a_timed_urine_screen_loads(run: Run, tmp_path: Path) -> None:
    out = run("validate", "--steps", str(pack_timing_the_screen(tmp_path, timed=True)))
    assert out.exit_code == 0, flat(out.stderr)
