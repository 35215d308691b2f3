"""The supervised rapid pathway is a property of the induction (clinical basis, Supervised
rapid pathway): recorded with its first day, it stays chosen on later days whatever the
opioid-free interval says by then, and leaving it is an answer of its own. Its day 1
buprenorphine is opioid use on day 1; the naloxone challenge is not required on its
injection day unless the site requires it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import REPO, Run, json_answers, ready_patient
from xrntx_guide.errors import ExitCode

SITE = REPO / "scenarios" / "_site-rapid-protocol.toml"
DAY1 = dt.date(2026, 11, 22)


def record(last: int, *, table: bool) -> list[dict[str, Any]]:
    """Days 1..last: buprenorphine on day 1, oral naltrexone from day 3 to the day before
    the last (the example site's shape), the last one the injection day."""
    return [
        {
            "day": n,
            "date": (DAY1 + dt.timedelta(days=n - 1)).isoformat(),
            "given": "as the protocol directs",
            "tolerated": True,
            # The example site's table: oral naltrexone on days 3-6.
            "naltrexone_given": 3 <= n <= 6 if table else 3 <= n < last,
            "cows": [{"time": "08:00", "total": 1}],
            **({} if table or n != last else {"injection_day": True}),
        }
        for n in range(1, last + 1)
    ]


def check(run: Run, tmp_path: Path, on: dt.date, answers: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    result = run(
        "check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path), *extra
    )
    assert result.exit_code in (0, 1, 4), result.output
    return json.loads(result.stdout)


def patient(last: int, *, table: bool, **changes: Any) -> tuple[dt.date, dict[str, Any]]:
    on = DAY1 + dt.timedelta(days=last - 1)
    given: dict[str, Any] = {
        "last_opioid_use": DAY1 - dt.timedelta(days=1),  # heroin the day before day 1
        "injection_date": on,
        "pathway": "supervised_rapid",
        "rapid_supervised_setting": True,
        "rapid_protocol_on_file": True,
        "uds_buprenorphine": "positive",
        "naloxone_challenge": "not_done",
    }
    answers = json_answers(ready_patient(**{**given, **changes}))
    # The day record rates the injection day: the gates read its latest rating.
    answers.pop("cows_total", None)
    answers["rapid_days"] = record(last, table=table)
    return on, answers


def test_on_the_tables_injection_day_the_pathway_is_still_chosen(run: Run, tmp_path: Path) -> None:
    """A whole flow: heroin the day before day 1, the example site's table. On day 7
    the interval from the heroin is 7 days, yet the pathway stays chosen: its gate, not
    the interval's, decides, and the expected buprenorphine positive does not block."""
    on, answers = patient(7, table=True)
    data = check(run, tmp_path, on, answers, "--site", str(SITE))
    assert data["status"] == "ready", data
    gates = {g["id"]: g for g in data["gates"]}
    assert gates["rapid_pathway"]["outcome"] == "pass"
    assert gates["urine_drug_screen"]["outcome"] == "pass"


def test_the_pathway_stays_chosen_after_the_interval_is_met(run: Run, tmp_path: Path) -> None:
    """A site that allows 7 days after buprenorphine, a nine-day protocol: on day 9 the
    patient is 8 days past the pathway's buprenorphine, yet the pathway question still
    applies and its gate still decides."""
    site = tmp_path / "site.toml"
    site.write_text('site = "s"\n[settings]\nmin_opioid_free_days = { buprenorphine = 7 }\n')
    on, answers = patient(9, table=False)
    answers["rapid_days"][-1]["cows"] = [{"time": "08:00", "total": 9}]  # withdrawal
    data = check(run, tmp_path, on, answers, "--site", str(site))
    assert "pathway" not in data.get("ignored", []), data
    assert data["status"] == "blocked" and "rapid_pathway" in data["blocking"], data


def test_leaving_the_pathway_counts_its_buprenorphine_as_the_last_opioid(
    run: Run, tmp_path: Path
) -> None:
    """Answered 'standard' (leaving the pathway), the interval runs from day 1, when the
    pathway gave buprenorphine, with at least the minimum after buprenorphine."""
    on, answers = patient(7, table=True, pathway="standard")
    data = check(run, tmp_path, on, answers, "--site", str(SITE))
    assert data["derived"]["days_opioid_free"] == (on - DAY1).days
    assert data["derived"]["required_opioid_free_days"] == 14
    assert data["status"] == "blocked" and "opioid_free_interval" in data["blocking"], data


def test_opioid_use_after_day_1_fails_the_pathway(run: Run, tmp_path: Path) -> None:
    on, answers = patient(7, table=True)
    answers["last_opioid_use"] = (DAY1 + dt.timedelta(days=2)).isoformat()
    data = check(run, tmp_path, on, answers, "--site", str(SITE))
    assert data["status"] == "blocked" and "rapid_pathway" in data["blocking"], data


def test_the_challenge_is_required_on_the_pathway_only_when_the_site_says_so(
    run: Run, tmp_path: Path
) -> None:
    on, answers = patient(7, table=False)
    data = check(run, tmp_path, on, answers)
    assert data["status"] == "ready", data
    assert data["derived"]["naloxone_challenge_required"] is False
    site = tmp_path / "site.toml"
    site.write_text('site = "s"\n[settings]\nrapid_challenge_required = true\n')
    strict = check(run, tmp_path, on, answers, "--site", str(site))
    assert strict["status"] == "needs_override" and strict["blocking"] == ["naloxone_challenge"]
    dropped = tmp_path / "dropped.toml"
    dropped.write_text('site = "s"\n[settings]\nrapid_challenge_required = 1\n')
    path = tmp_path / "answers.json"
    refused = run("check", "--json", "--now", f"{on.isoformat()}T23:30", "--answers", str(path),
                  "--site", str(dropped))  # fmt: skip
    assert refused.exit_code == ExitCode.INVALID_PACK, refused.output


def test_on_the_standard_pathway_the_challenge_rule_is_unchanged(run: Run, tmp_path: Path) -> None:
    answers = json_answers(
        ready_patient(last_opioid_use=DAY1 - dt.timedelta(days=10), injection_date=DAY1)
    )
    data = check(run, tmp_path, DAY1, answers)
    assert data["derived"]["naloxone_challenge_required"] is True
    assert data["status"] == "needs_override"


def test_an_on_track_day_reads_as_such_and_a_broken_record_as_a_contraindication(
    run: Run, tmp_path: Path
) -> None:
    """Day 3 of the example site's 7 days, all recorded: 'day 3 of 7, on track' with the
    injection date, never ready; with day 2 missing it is a contraindication again."""
    on, answers = patient(3, table=True)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    args = ("check", "--plain", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    shown = run(*args, "--site", str(SITE))
    assert shown.exit_code == ExitCode.BLOCKED, shown.output
    words = " ".join(shown.stdout.split())
    injection = (DAY1 + dt.timedelta(days=6)).isoformat()
    assert f"day 3 of 7, on track; injection day {injection}" in words, words
    assert "contraindication rapid_pathway" not in words
    del answers["rapid_days"][1]
    path.write_text(json.dumps(answers))
    broken = run(*args, "--site", str(SITE))
    assert "contraindication rapid_pathway" in " ".join(broken.stdout.split()), broken.output
    assert "on track" not in broken.stdout


def test_leaving_the_pathway_after_a_later_use_waits_for_the_later_of_both_minimums(
    guide: Any,
) -> None:
    """Left after day 1 (its buprenorphine), with heroin two days later: the earliest date
    is the later of the heroin plus its minimum and day 1 plus the buprenorphine minimum
    (each read from the pack's settings), never the heroin's alone."""
    from xrntx_guide.engine.evaluate import Inputs, evaluate

    day1, heroin = dt.date(2026, 11, 10), dt.date(2026, 11, 12)
    minimum = guide.setting_values["min_opioid_free_days"]
    earliest = max(
        heroin + dt.timedelta(days=minimum["short_acting"]),
        day1 + dt.timedelta(days=minimum["buprenorphine"]),
    )
    answers = ready_patient(
        last_opioid_use=heroin,
        last_opioid_kind="short_acting",
        pathway="standard",
        naloxone_challenge="negative",
        rapid_day1_date=day1,
    )
    for on in (heroin + dt.timedelta(days=minimum["short_acting"]), earliest):
        state = evaluate(guide, Inputs({**answers, "injection_date": on}, on))
        gate = state.gates["opioid_free_interval"]
        if on < earliest:
            assert gate.outcome == "fail", gate.reason
            assert gate.earliest_date == earliest, gate.reason
            assert day1.isoformat() in gate.reason
        else:
            assert gate.outcome == "pass", gate.reason


RESULTS_OF_THE_DAY = (
    "uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone",
    "cows_total", "naloxone_challenge", "kit_storage_ok", "body_habitus", "injection_given",
    "injection_side_used", "needle_used", "observation_minutes", "overdose_counselled",
    "reversal_agent_offered", "wallet_card_given", "pregnancy_test",
)  # fmt: skip


def test_a_walk_that_leaves_the_pathway_and_its_note_say_the_same(run: Run, tmp_path: Path) -> None:
    """Days 1-2 recorded in a walk; resumed on a later day with pathway = standard and the
    results of the day: the walk's ending and the chart note's readiness agree (the
    record's pathway answers, which no longer apply, are history, not a contradiction)."""
    site = str(SITE)
    _, full = patient(2, table=True)
    first = {k: v for k, v in full.items() if k not in RESULTS_OF_THE_DAY}
    first["injection_date"] = (DAY1 + dt.timedelta(days=1)).isoformat()
    path = tmp_path / "first.json"
    path.write_text(json.dumps(first))
    started = run("walk", "--site", site, "--no-input", "--label", "LEAVE", "--now",
                  f"{first['injection_date']}T23:30", "--answers", str(path))  # fmt: skip
    assert started.exit_code in (0, 1, 4), started.output
    on = DAY1 + dt.timedelta(days=20)
    later = {k: v for k, v in full.items() if k in RESULTS_OF_THE_DAY}
    later |= {"pathway": "standard", "injection_date": on.isoformat(),
              "uds_buprenorphine": "negative", "naloxone_challenge": "negative",
              "cows_total": 2,  # no day of the record on this day: its rating
              "naloxone_challenge_started": f"{on.isoformat()}T09:00",
              "injection_given": True, "injection_side_used": "right",
              "needle_used": "1.5-inch", "observation_minutes": 30,
              "overdose_counselled": True, "reversal_agent_offered": True,
              "wallet_card_given": True}  # fmt: skip
    path.write_text(json.dumps(later))
    walked = run("walk", "--site", site, "--no-input", "--json", "--resume", "--label", "LEAVE",
                 "--now", f"{on.isoformat()}T23:30", "--answers", str(path))  # fmt: skip
    assert walked.exit_code in (0, 1, 2), walked.output
    note = run("note", "LEAVE", "--site", site, "--format", "json")
    assert note.exit_code == 0, note.output
    data = json.loads(note.stdout)
    if walked.exit_code == 0:
        assert data["readiness"] == "ready", data["readiness"]
        assert data["injection_given"] is True
    else:
        assert data["injection_given"] is not True


def test_check_of_a_left_pathway_with_a_later_use_gives_the_later_earliest_date(
    run: Run, tmp_path: Path, guide: Any
) -> None:
    """`check` given the record with pathway = standard judges the standard pathway (the
    record is its history, never refused as a contradiction), and its earliest date is the
    later of the later use plus its minimum and day 1 plus the buprenorphine minimum."""
    minimum = guide.setting_values["min_opioid_free_days"]
    used = DAY1 + dt.timedelta(days=1)
    on, answers = patient(7, table=True, pathway="standard", last_opioid_use=used,
                          uds_buprenorphine="negative", naloxone_challenge="negative")  # fmt: skip
    on = used + dt.timedelta(days=minimum["short_acting"])
    answers["injection_date"] = on.isoformat()
    data = check(run, tmp_path, on, answers, "--site", str(SITE))
    earliest = max(
        used + dt.timedelta(days=minimum["short_acting"]),
        DAY1 + dt.timedelta(days=minimum["buprenorphine"]),
    )
    assert data["status"] == "blocked" and "opioid_free_interval" in data["blocking"], data
    assert data["derived"]["earliest_injection_date"] == earliest.isoformat(), data


def test_after_fentanyl_or_an_unknown_opioid_the_challenge_stays_required_on_the_pathway(
    run: Run, tmp_path: Path
) -> None:
    """The stricter reading where the reference's table (always required for fentanyl and
    unknown) and its pathway section (not required on the injection day) disagree."""
    for kind in ("fentanyl", "unknown"):
        on, answers = patient(7, table=True, last_opioid_kind=kind)
        data = check(run, tmp_path, on, answers, "--site", str(SITE))
        assert data["derived"]["naloxone_challenge_required"] is True, (kind, data)
        assert data["status"] != "ready" and "naloxone_challenge" in data["blocking"], data


def test_without_a_site_table_an_on_track_day_reads_as_such_too(run: Run, tmp_path: Path) -> None:
    """The shipped pack has no table: the injection day is confirmed on that day, so no
    day before it is confirmed. Day 3, all recorded, none confirmed yet, is on track
    (reference section 6: an on-track day is not a contraindication box), never ready;
    with day 2 missing it is a contraindication again."""
    on, answers = patient(3, table=False)
    for day in answers["rapid_days"]:
        day.pop("injection_day", None)  # not the injection day: none is confirmed yet
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    args = ("check", "--plain", "--now", f"{on.isoformat()}T23:30", "--answers", str(path))
    shown = run(*args)
    assert shown.exit_code == ExitCode.BLOCKED, shown.output
    words = " ".join(shown.stdout.split())
    assert "day 3, on track" in words, words
    assert "contraindication rapid_pathway" not in words
    del answers["rapid_days"][1]
    path.write_text(json.dumps(answers))
    broken = run(*args)
    assert "contraindication rapid_pathway" in " ".join(broken.stdout.split()), broken.output
    assert "on track" not in broken.stdout
