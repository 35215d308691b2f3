"""A dose answered given and counted stays counted when a result is taken after it
(clinical basis, safety invariants 9 and 12): a withdrawal rating of the observation after
the injection (precipitated withdrawal is what the observation watches for), entered when
the visit is resumed to finish its after-care, later the same day or the next, describes
the patient after the dose; it never turns the visit into "blocked, injection not given",
and the patient's record then never offers a second first injection the next day."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import EXE, TODAY, after_injection, answer_flags

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

LABEL = "AFTER-DOSE"
TOMORROW = TODAY + dt.timedelta(days=1)


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.parametrize("resumed", ["T11:00", "+1T10:00"], ids=["same_day", "next_day"])
def test_a_dose_given_stays_counted_after_a_withdrawal_rating_taken_after_it(
    tmp_path: Path, resumed: str
) -> None:
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("XRNTX_GUIDE_DEBUG", None)
    given = {k: v for k, v in after_injection().items() if k != "wallet_card_given"}
    first = program(
        env, "walk", "--no-input", "--json", "--label", LABEL,
        "--now", f"{TODAY.isoformat()}T10:00", "--acknowledge", "all", *answer_flags(given),
    )  # fmt: skip
    day1 = json.loads(first.stdout)
    assert day1["missing"] == ["wallet_card_given"], first.stdout  # the dose is given
    (visit,) = json.loads(program(env, "history", LABEL, "--json").stdout)["visits"]
    assert visit["injection_given"] is True, visit
    when = (
        f"{TODAY.isoformat()}{resumed}"
        if resumed.startswith("T")
        else f"{TOMORROW.isoformat()}{resumed[2:]}"
    )
    program(
        env, "walk", "--no-input", "--json", "--resume", "--session", day1["session"],
        "--now", when, "--acknowledge", "all", "-a", "cows_total=12",
        "-a", "wallet_card_given=yes",
    )  # fmt: skip
    (visit,) = json.loads(program(env, "history", LABEL, "--json").stdout)["visits"]
    assert visit["injection_given"] is True, (
        f"the dose given on {TODAY} at 10:00 is no longer counted after a rating at {when}: {visit}"
    )
    # Its note says the dose was given, with its side and the next dose, as recorded.
    note = json.loads(program(env, "note", day1["session"], "--format", "json").stdout)
    assert note["injection_given"] is True and not note["injection_given_not_counted"], note
    assert note["side"] == "left" and note["next_dose_due"] is not None, note
    assert note["next_dose_due"] == visit["next_dose_due"], (note, visit)
