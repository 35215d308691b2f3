"""A day of the rapid pathway typed at the prompt while another room (another terminal, a
script) records the same day is never silently overruled (clinical basis, safety
invariants 1 and 9: a recorded day is never replaced; a different value of a recorded
field is refused, naming the recorded value and the fix). The walk merges what the other
room saved; the nurse's day, which says the doses were NOT tolerated, must not be read
away under the other room's "tolerated": both entries are kept, the clash is named with
its fix (a correction of the day), and the gate does not pass on to the injection.

Driven for real in a pseudo-terminal, as tests/cli/test_rapid_walk.py does."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.helpers import EXE, json_answers, ready_patient

pytestmark = pytest.mark.skipif(not EXE.exists(), reason=f"{EXE} is not installed")

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
DAYS_BEFORE = 6  # the example site's table: oral naltrexone on days 3-6, the injection on 7
DAY = DAYS_BEFORE + 1
ON = DAY1 + dt.timedelta(days=DAY - 1)
LABEL = "ROOMS-1"

P_DATE = r"Date of the injection [^\n]*: "
P_BLOCKED = r"Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]: "
P_DAY = r"Day of the protocol \(number\) \[(\d+)\]: "
P_DAY_DATE = r"Date of day \d+ [^\n]*\[([0-9-]+)\]: "
P_GIVEN = r"What was given on day \d+[^\n]*: "
P_NALTREXONE = r"oral naltrexone given\? \(yes/no\) \[Enter: [^\]\n]*\]: "
P_TOLERATED = r"doses given and tolerated\? \(yes/no\) \[Enter: [^\]\n]*\]: "
P_COWS = r"Day \d+ COWS total[^\n]*\[Enter: (?:none|no other)\]: "
P_TIME = r"Time of the rating \(HH:MM\)[^\n]*: "
P_NOTE = r"Note \[Enter to skip\]: "
P_NEXT = (
    r"(?:Command \[back / edit / review / why / (?:rate again / )?(?:day / )?quit\]"
    r"|Urine screen: opiates [^\n]*): "
)


def case(tmp_path: Path) -> str:
    answers = ready_patient(
        last_opioid_use=DAY1,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_opiates=None,
        uds_fentanyl=None,
        uds_buprenorphine=None,
        uds_methadone=None,
        uds_oxycodone=None,
        cows_total=None,
        naloxone_challenge=None,
        kit_storage_ok=None,
        body_habitus=None,
    )
    data: dict[str, Any] = json_answers({k: v for k, v in answers.items() if v is not None})
    data["rapid_days"] = [
        {
            "day": n,
            "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
            "given": "as the site's protocol directs",
            "tolerated": True,
            "naltrexone_given": 3 <= n <= DAYS_BEFORE,
            "cows": [{"time": "09:00", "total": 2}],
        }
        for n in range(1, DAYS_BEFORE + 1)
    ]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_not_tolerated_typed_at_the_prompt_is_never_overruled_by_another_rooms_day(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "XRNTX_GUIDE_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm",
           "COLUMNS": "100"}  # fmt: skip
    env.pop("XRNTX_GUIDE_DEBUG", None)
    child = pexpect.spawn(
        str(EXE),
        ["--label", LABEL, "--answers", case(tmp_path), "--site", str(SITE), "--plain",
         "--now", f"{ON.isoformat()}T10:00"],
        env=env, encoding="utf-8", timeout=15, dimensions=(50, 100),
    )  # fmt: skip
    log: list[str] = []

    def answer(pattern: str, text: str) -> None:
        child.expect(pattern)
        log.append(str(child.before) + str(child.after))
        child.sendline(text)

    try:
        answer(P_DATE, "")
        answer(P_BLOCKED, "day")
        answer(P_DAY, str(DAY))
        answer(P_DAY_DATE, "")
        answer(P_GIVEN, "")
        answer(P_NALTREXONE, "n")
        answer(P_TOLERATED, "no")
        answer(P_COWS, "9")
        answer(P_TIME, "09:45")
        answer(P_COWS, "")
        child.expect(P_NOTE)
        log.append(str(child.before) + str(child.after))

        # Meanwhile another room records the same day as tolerated, with a later rating.
        other = tmp_path / "other.json"
        other.write_text(
            json.dumps(
                {
                    "rapid_days": [
                        {"day": DAY, "date": ON.isoformat(), "given": "as the protocol directs",
                         "tolerated": True, "naltrexone_given": False,
                         "cows": [{"time": "09:50", "total": 1}]}
                    ]
                }
            )
        )  # fmt: skip
        done = subprocess.run(
            [str(EXE), "walk", "--resume", "--label", LABEL, "--no-input", "--json",
             "--now", f"{ON.isoformat()}T10:01", "--answers", str(other)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode in (1, 4), done.stdout + done.stderr

        child.sendline("")
        child.expect(P_NEXT)
        after = str(child.before) + str(child.after)
        log.append(after)
        assert "gate rapid_pathway: passes" not in after, "".join(log)
        assert "Urine screen" not in after, "".join(log)
        said = " ".join(after.split())  # the clash named, with its fix
        assert "tolerated no" in said and f"corrects = {DAY}" in said, "".join(log)
        # The day is not said to be plainly recorded: it waits for a correction.
        assert f"Day {DAY} recorded (" not in said, "".join(log)
        assert "not decided until corrected" in said, "".join(log)
    finally:
        child.terminate(force=True)
