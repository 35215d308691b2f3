"""A walk left open past midnight never counts a dose on the day before's results
(clinical basis, safety invariant 3: results count only for their day): as it reaches
the injection step, it stops, saying that the day changed, and its resume moves the
visit (the day's results asked again) or keeps it on its day for a late entry.

The walk begins at 23:59:57 with every answer but the last before the injection step;
the clinician answers it after midnight. Until now the injection step followed, and the
dose counted for the day before, on that day's screen and COWS."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers import EXE, TODAY, answer_flags, ready_patient, wrapping

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

P_GIVEN = r"Was the injection given\? \(yes/no\): "


def test_the_walk_stops_before_the_injection_when_the_day_changed(tmp_path: Path) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    before = {k: v for k, v in ready_patient(injection_date=TODAY).items() if k != "body_habitus"}
    walk = pexpect.spawn(
        str(EXE),
        ["walk", "--plain", "--label", "MIDNIGHT", "--now", f"{TODAY.isoformat()}T23:59:57",
         "--acknowledge", "all", *answer_flags(before)],
        env=env, encoding="utf-8", timeout=20, dimensions=(50, 100),
    )  # fmt: skip
    try:
        walk.expect("Body habitus")
        walk.expect(r"(?:: |\? )$")
        time.sleep(4)  # midnight passes on the walk's clock
        walk.sendline("average")
        seen = walk.expect([pexpect.EOF, wrapping(P_GIVEN)])
        said = " ".join(str(walk.before).split())
    finally:
        walk.close(force=True)
    assert seen == 0, f"the injection step was shown after midnight: {said}"
    assert "the day changed" in said, said
    listed = subprocess.run(
        [str(EXE), "history", "MIDNIGHT", "--json"], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert json.loads(listed.stdout)["injections"] == [], listed.stdout
