"""The supervised rapid pathway's minimum structure (clinical basis, Supervised rapid
pathway): the injection is ready only after the pack's required number of days of oral
naltrexone given and tolerated, all before the injection day and never on day 1; a site
table must mark its oral naltrexone days and is refused when it loads if its injection day
does not come after enough of them.

Each record is judged on every route a script or a trainer takes (check, a batch line,
an unattended walk, a scenario, a demo): the verdict must not depend on the route.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, Run, json_answers, ready_patient
from xrntx_guide.errors import ExitCode
from xrntx_guide.pack.guide import Guide

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)
SETTING = "rapid_naltrexone_days_required"


def rapid_patient(last_use: dt.date, on: dt.date, days: list[dict[str, Any]]) -> dict[str, Any]:
    """Ready in every other way, on the rapid pathway, with this daily record."""
    answers = json_answers(
        ready_patient(
            last_opioid_use=last_use,
            injection_date=on,
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
            uds_buprenorphine="positive",
            naloxone_challenge="not_done",  # not required on this pathway
        )
    )
    # The day record rates the injection day: the gates read its latest rating.
    answers.pop("cows_total", None)
    answers["rapid_days"] = days
    return answers


def a_day(n: int, *, naltrexone: bool, injection: bool | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "day": n,
        "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
        "given": "buprenorphine" if n == 1 else "oral naltrexone" if naltrexone else "none",
        "tolerated": True,
        "naltrexone_given": naltrexone,
        "cows": [{"time": "09:00", "total": 0}],
    }
    if injection is not None:
        entry["injection_day"] = injection
    return entry


def one_day_record() -> dict[str, Any]:
    """A one-day record: day 1 (buprenorphine, tolerated, COWS 0) confirmed as the
    injection day, heroin used that day, no site table."""
    day1 = a_day(1, naltrexone=False, injection=True)
    return rapid_patient(DAY1, DAY1, [day1])


def record(days_of_naltrexone: int, *, table: bool = False) -> tuple[dt.date, dict[str, Any]]:
    """Day 1 buprenorphine, then ``days_of_naltrexone`` days of oral naltrexone, then the
    injection day (confirmed without a table)."""
    last = days_of_naltrexone + 2
    days = [a_day(1, naltrexone=False)]
    days += [a_day(n, naltrexone=True) for n in range(2, last)]
    days.append(a_day(last, naltrexone=False, injection=None if table else True))
    on = DAY1 + dt.timedelta(days=last - 1)
    return on, rapid_patient(DAY1, on, days)


def status_by_route(
    run: Run, tmp_path: Path, answers: dict[str, Any], on: dt.date
) -> dict[str, str]:
    """The verdict of the same patient on each route: check, a batch line, an unattended
    walk, a scenario (scenarios test and demo compare with an expected "blocked")."""
    today = on.isoformat()
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    out: dict[str, str] = {}
    checked = run("check", "--json", "--now", f"{today}T23:30", "--answers", str(path))
    assert checked.exit_code in (0, 1, 4), checked.output
    out["check"] = json.loads(checked.stdout)["status"]
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(answers) + "\n")
    lines = run("check", "--now", f"{today}T23:30", "--batch", str(batch))
    assert lines.exit_code in (0, 1, 4), lines.output
    out["batch"] = json.loads(lines.stdout.splitlines()[0])["status"]
    walked = run(
        "walk", "--no-input", "--json", "--label", f"w{len(list(tmp_path.iterdir()))}",
        "--now", f"{today}T23:30", "--answers", str(path),
    )  # fmt: skip
    assert walked.exit_code in (0, 1, 4), walked.output
    out["walk"] = json.loads(walked.stdout)["status"]
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    case = {
        "scenario": {"title": "t", "story": "s", "today": today},
        "answers": answers,
        "expect": {"status": "blocked", "blocking": ["rapid_pathway"]},
    }
    (folder / "case.json").write_text(json.dumps(case))
    (folder / "case.toml").write_text(_toml(case))
    (folder / "case.json").unlink()
    tested = run("scenarios", "test", str(folder))
    out["scenarios"] = "blocked" if tested.exit_code == 0 else f"not blocked: {tested.stdout}"
    demo = run("demo", "case", "--dir", str(folder), "--auto", "0", "--plain")
    out["demo"] = "blocked" if demo.exit_code == 0 else f"not blocked: {demo.stdout[-400:]}"
    return out


def _toml(value: Any, prefix: str = "") -> str:
    """A scenario as TOML (inline tables for the record's days)."""
    lines: list[str] = []
    tables: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict) and key != "cows":
            tables.append(f"\n[{prefix}{key}]\n" + _toml(item, f"{prefix}{key}."))
        else:
            lines.append(f"{key} = {_inline(item)}")
    return "\n".join(lines) + "".join(tables) + "\n"


def _inline(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return str(item)
    if isinstance(item, str):
        is_date = len(item) == 10 and item[4] == "-" and item[7] == "-"
        return item if is_date else json.dumps(item)
    if isinstance(item, list):
        return "[" + ", ".join(_inline(i) for i in item) + "]"
    return "{" + ", ".join(f"{k} = {_inline(v)}" for k, v in item.items()) + "}"


def test_one_day_with_heroin_that_day_is_not_ready_on_any_route(run: Run, tmp_path: Path) -> None:
    """Day 1 is the buprenorphine day: never the injection day, on any route."""
    got = status_by_route(run, tmp_path, one_day_record(), DAY1)
    assert got == dict.fromkeys(got, "blocked"), got


def test_too_few_days_of_oral_naltrexone_is_not_ready_on_any_route(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    required = guide.setting_values[SETTING]
    assert isinstance(required, int) and required >= 1
    on, answers = record(required - 1)
    got = status_by_route(run, tmp_path, answers, on)
    assert got == dict.fromkeys(got, "blocked"), got


def test_the_required_days_of_oral_naltrexone_make_the_record_ready(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    required = guide.setting_values[SETTING]
    assert isinstance(required, int)
    on, answers = record(required)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    result = run("check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    assert result.exit_code == ExitCode.OK, result.output


def test_a_day_of_naltrexone_not_tolerated_does_not_count(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    required = guide.setting_values[SETTING]
    assert isinstance(required, int)
    on, answers = record(required + 1)
    answers["rapid_days"][2]["tolerated"] = False
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    checked = run("check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    data = json.loads(checked.stdout)
    assert data["status"] == "blocked" and "rapid_pathway" in data["blocking"]
    assert data["rapid"]["naltrexone_days"] == required  # one of required + 1 not tolerated


def test_a_day_without_whether_naltrexone_was_given_leaves_the_record_incomplete(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    required = guide.setting_values[SETTING]
    assert isinstance(required, int)
    on, answers = record(required)
    del answers["rapid_days"][1]["naltrexone_given"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    checked = run("check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    data = json.loads(checked.stdout)
    assert data["status"] != "ready"
    assert any("oral naltrexone" in m for m in data["rapid"]["missing"]), data["rapid"]


def test_a_site_may_require_more_days_of_naltrexone_never_fewer(
    run: Run, tmp_path: Path, guide: Guide
) -> None:
    required = guide.setting_values[SETTING]
    assert isinstance(required, int)
    on, answers = record(required)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    stricter = tmp_path / "stricter.toml"
    stricter.write_text(f'site = "s"\n[settings]\n{SETTING} = {required + 1}\n')
    args = ("check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    data = json.loads(run(*args, "--site", str(stricter)).stdout)
    assert data["status"] == "blocked" and "rapid_pathway" in data["blocking"]
    looser = tmp_path / "looser.toml"
    looser.write_text(f'site = "s"\n[settings]\n{SETTING} = {required - 1}\n')
    refused = run(*args, "--site", str(looser))
    assert refused.exit_code == ExitCode.INVALID_PACK, refused.output
    assert SETTING in refused.stderr and "sigmon-2012" in refused.stderr


# -- the site's table ------------------------------------------------------------------------


INJECTION_4 = "rapid_protocol[3].injection"


def table_text(rows: list[tuple[int, bool, bool]]) -> str:
    """(day, oral_naltrexone, injection) rows of a site table."""
    out = ['site = "x"\n']
    for n, naltrexone, injection in rows:
        out.append(
            f'[[rapid_protocol]]\nday = {n}\ngiven = "day {n}"\ncows_due = true\n'
            f"oral_naltrexone = {'true' if naltrexone else 'false'}\n"
            f"injection = {'true' if injection else 'false'}\n"
        )
    return "".join(out)


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([(1, False, True)], "rapid_protocol[0].injection"),
        ([(1, False, False), (2, True, False), (3, True, False), (4, False, True)], INJECTION_4),
        (
            [(1, False, False), (2, False, True), (3, True, False), (4, True, False)],
            "rapid_protocol[1].injection",
        ),
        (
            [(1, True, False), (2, True, False), (3, True, False), (4, False, True)],
            "rapid_protocol[0].oral_naltrexone",
        ),
    ],
    ids=["injection-on-day-1", "two-naltrexone-days", "naltrexone-after-injection", "on-day-1"],
)
def test_a_site_table_without_enough_naltrexone_days_before_its_injection_day_is_refused(
    run: Run, tmp_path: Path, rows: list[tuple[int, bool, bool]], where: str
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(table_text(rows))
    for args in (("validate",), ("check", "--json", "--today", DAY1.isoformat())):
        result = run(*args, "--site", str(site))
        assert result.exit_code == ExitCode.INVALID_PACK, result.output
        assert where in result.stderr, result.stderr


def test_the_example_site_table_loads_with_its_naltrexone_days_marked(run: Run) -> None:
    result = run("validate", "--site", str(SITE))
    assert result.exit_code == ExitCode.OK, result.output
    assert "oral_naltrexone = true" in SITE.read_text(encoding="utf-8")
