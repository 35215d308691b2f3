"""The supervised rapid pathway's daily record (reference section 6): the site's table, the
record, what it answers, and the gate that reads it. The oracle (tests/oracle.py) judges
each record independently of visit/rapid.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from tests import oracle
from tests.helpers import ready_patient
from tests.strategies import patients as gen
from tests.visit.conftest import DAY1, pathway_day
from xrntx_guide.errors import InvalidAnswer, UserError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.model import ProtocolDay
from xrntx_guide.pack.site import protocol_problems
from xrntx_guide.visit.presets import evaluate_presets, parse_answers
from xrntx_guide.visit.rapid import derive, parse_days, table_of

ROOT = Path(__file__).resolve().parents[2]
INJECTION_DAY = 7


def day(n: int, **changes: Any) -> dict[str, Any]:
    # The example site's table gives oral naltrexone on days 3-6 (before day 7).
    two = [{"time": "09:00", "total": 3}, {"time": "15:00", "total": 1}]
    return pathway_day(n, **{"cows": two, **changes})


def patient(days: list[dict[str, Any]], on: dt.date) -> dict[str, Any]:
    return ready_patient(
        last_opioid_use=DAY1,
        injection_date=on,
        pathway="supervised_rapid",
        rapid_supervised_setting=True,
        rapid_protocol_on_file=True,
        uds_buprenorphine="positive",
        naloxone_challenge="negative",
        rapid_days=days,
        cows_total=None,  # the day record rates the injection day: its latest counts
    )


def status(guide: Guide, answers: dict[str, Any], today: dt.date) -> str:
    try:
        presets = parse_answers(guide, answers, "file", today, "test")
        return evaluate_presets(guide, presets, today).status
    except UserError:
        return "refused"


def test_the_shipped_pack_ships_no_table(guide: Guide) -> None:
    assert guide.rapid_protocol is None


def test_the_site_table_loads(site_guide: Guide) -> None:
    table = table_of(site_guide)
    assert table is not None and [t.day for t in table] == list(range(1, 8))
    assert [t.day for t in table if t.injection] == [INJECTION_DAY]


@pytest.mark.parametrize(
    ("rows", "where", "words"),
    [
        ([(1, False, False), (3, True, True)], (1, "day"), "in order"),
        ([(1, False, False), (1, True, True)], (1, "day"), "twice"),
        ([(1, False, True), (2, False, False)], (), "no day is the injection day"),
        ([(1, True, True), (2, True, True)], (1, "injection"), "second injection day"),
        ([(1, True, False)], (0, "cows_due"), "cows_due"),
        ([], (), "no days"),
    ],
)
def test_a_site_table_is_checked_with_located_problems(
    rows: list[tuple[int, bool, bool]], where: tuple[Any, ...], words: str
) -> None:
    table = [
        ProtocolDay(day=d, given="text", injection=inj, cows_due=cows) for d, inj, cows in rows
    ]
    problems = protocol_problems(table)
    assert any(path == where and words in message for path, message in problems), problems


def test_a_bad_site_table_refuses_the_site_file(tmp_path: Path) -> None:
    from xrntx_guide.pack.load import load_guide

    bad = tmp_path / "site.toml"
    bad.write_text('site = "x"\n[[rapid_protocol]]\nday = 2\ngiven = "x"\ninjection = true\n')
    with pytest.raises(UserError, match="rapid_protocol"):
        load_guide(ROOT / "steps", bad)


def test_seven_days_with_a_site_table(site_guide: Guide) -> None:
    """not ready before the injection day, ready on it when the
    record is complete, and each day the record says the day reached."""
    for n in range(1, INJECTION_DAY + 1):
        today = DAY1 + dt.timedelta(days=n - 1)
        days = [day(k) for k in range(1, n + 1)]
        got = status(site_guide, patient(days, today), today)
        assert got == ("ready" if n == INJECTION_DAY else "blocked"), (n, got)
        reading = derive(parse_days(site_guide, days, today, None), table_of(site_guide), today)
        assert reading.day_reached == n and reading.missing == []
        problems = oracle.rapid_record_problems(site_guide, patient(days, today), today)
        assert (problems == []) == (n == INJECTION_DAY), (n, problems)


def test_without_a_table_the_clinician_confirms_the_injection_day(guide: Guide) -> None:
    today = DAY1 + dt.timedelta(days=6)
    days = [day(k) for k in range(1, 8)]
    assert status(guide, patient(days, today), today) == "incomplete"
    days[-1]["injection_day"] = True
    assert status(guide, patient(days, today), today) == "ready"


def test_two_days_confirmed_as_the_injection_day_say_how_to_correct_them(
    guide: Guide,
) -> None:
    """Without a table, two days recorded as the injection day: the record said so and,
    beside it, that no day was confirmed, with no way out; it now says which days and how
    to correct the one that is not, and never that none is confirmed."""
    today = DAY1 + dt.timedelta(days=6)
    days = [day(k) for k in range(1, 8)]
    days[4]["injection_day"] = True
    days[5]["injection_day"] = True
    reading = derive(parse_days(guide, days, today, None), None, today)
    said = " | ".join(reading.missing)
    assert "more than one day is recorded as the injection day: [5, 6]" in said, said
    assert "'correct'" in said, said
    assert "no day is confirmed" not in said, said
    assert status(guide, patient(days, today), today) != "ready"


def test_a_day_past_the_injection_day_says_so_and_how_to_correct_it(guide: Guide) -> None:
    """Day 7 recorded after day 6 was confirmed as the injection day: not ready, and the
    gate says the injection day has passed, with the way out of a day typed wrongly.
    Before, it advised continuing day by day until an injection day already gone."""
    today = DAY1 + dt.timedelta(days=6)
    days = [day(k) for k in range(1, 8)]
    days[5]["injection_day"] = True
    presets = parse_answers(guide, patient(days, today), "file", today, "test")
    state = evaluate_presets(guide, presets, today)
    assert state.status != "ready"
    gate = state.gates["rapid_pathway"]
    assert gate.outcome == "fail", gate
    assert "past its injection day (day 6)" in gate.reason, gate.reason
    assert any("'correct'" in step for step in gate.instead), gate.instead
    assert not any("Continue the protocol day by day" in step for step in gate.instead)


def test_the_pathway_answers_are_refused_from_every_route(guide: Guide) -> None:
    with pytest.raises(InvalidAnswer, match="daily record"):
        parse_answers(guide, {"rapid_day": 7}, "file", DAY1, "test")
    with pytest.raises(InvalidAnswer, match="list of days"):
        parse_answers(guide, {"rapid_days": "7"}, "flag", DAY1, "--answer")


def test_a_future_day_is_refused(site_guide: Guide) -> None:
    with pytest.raises(InvalidAnswer, match="after today"):
        parse_days(site_guide, [day(1), day(2)], DAY1, None)


@settings(max_examples=150, deadline=None)
@given(
    last=gen.RAPID_LAST_DAY,
    mutation=gen.RAPID_MUTATION,
    which=gen.RAPID_WHICH_DAY,
    table=gen.RAPID_WITH_TABLE,
)
def test_no_broken_record_is_ever_ready(
    site_guide: Guide, guide: Guide, last: int, mutation: str, which: int, table: bool
) -> None:
    """A record that misses a day, has a day in the future, is not on the injection day,
    or is otherwise broken is never ready; and whatever is ready, the oracle agrees."""
    g = site_guide if table else guide
    days = [day(k) for k in range(1, last + 1)]
    if not table:
        days[-1]["injection_day"] = True
    today = DAY1 + dt.timedelta(days=last - 1)
    on = today
    k = which % last
    if mutation == "drop" and last > 1:
        del days[k if k < last - 1 else 0]
    elif mutation == "future":
        today -= dt.timedelta(days=1)
    elif mutation == "early":
        on = today - dt.timedelta(days=1)
    elif mutation == "shift":
        days[k]["date"] = (
            dt.date.fromisoformat(days[k]["date"]) - dt.timedelta(days=2)
        ).isoformat()
    elif mutation == "duplicate":
        days.append(dict(days[k], given="again"))
    elif mutation == "untolerated":
        days[k]["tolerated"] = False
    elif mutation == "no_cows":
        days[k]["cows"] = []
    elif mutation == "high":
        days[-1]["cows"] = [{"time": "23:00", "total": g.setting_values["cows_threshold"]}]
    answers = patient(days, on)
    got = status(g, answers, today)
    problems = oracle.rapid_record_problems(g, answers, today)
    if got == "ready":
        assert problems == [], (mutation, problems)
    if mutation in ("future", "early", "untolerated", "high") or (mutation == "drop" and last > 1):
        assert got != "ready", mutation
    if table and last != INJECTION_DAY:
        assert got != "ready"


# -- the day dialog's logic, the screen's rows, the check block -------


def test_the_next_day_follows_the_last_recorded(site_guide: Guide) -> None:
    from xrntx_guide.visit.rapid import next_day

    assert next_day([]) == 1
    days = parse_days(site_guide, [day(1), day(2), day(3)], DAY1 + dt.timedelta(days=2), None)
    assert next_day(days) == 4


def test_a_day_number_beyond_the_site_table_is_refused_at_the_prompt(site_guide: Guide) -> None:
    from xrntx_guide.visit.rapid import day_number_problem

    table = table_of(site_guide)
    assert table is not None
    assert day_number_problem(table, "3") == (3, "")
    assert day_number_problem(table, str(len(table) + 1))[0] is None
    assert "beyond the site's protocol" in day_number_problem(table, str(len(table) + 1))[1]
    assert day_number_problem(None, str(len(table) + 1)) == (len(table) + 1, "")
    for bad in ("0", "x", "-1"):
        assert day_number_problem(None, bad)[0] is None


def test_a_date_after_today_is_refused_and_today_or_before_is_not() -> None:
    from xrntx_guide.visit.rapid import date_refusal

    assert date_refusal(2, DAY1, DAY1) is None
    assert date_refusal(2, DAY1 - dt.timedelta(days=1), DAY1) is None
    refused = date_refusal(2, DAY1 + dt.timedelta(days=1), DAY1)
    assert refused is not None and "after today" in refused


def test_a_date_off_the_consecutive_days_is_warned_and_leaves_the_record_incomplete(
    site_guide: Guide,
) -> None:
    from xrntx_guide.visit.rapid import date_warning

    today = DAY1 + dt.timedelta(days=5)
    days = parse_days(site_guide, [day(1), day(2)], today, None)
    assert date_warning(days, 3, DAY1 + dt.timedelta(days=2)) is None
    warned = date_warning(days, 3, today)
    assert warned is not None and (DAY1 + dt.timedelta(days=2)).isoformat() in warned
    late = parse_days(site_guide, [day(1), day(2), day(3, date=today.isoformat())], today, None)
    assert derive(late, table_of(site_guide), today).answers["rapid_record_complete"] is False


def test_the_rows_show_every_field_and_whose_injection_day(site_guide: Guide, guide: Guide) -> None:
    from xrntx_guide.visit.rapid import day_rows

    today = DAY1 + dt.timedelta(days=6)
    entries = [day(n) for n in range(1, 8)]
    entries[2]["note"] = "cramps, treated"
    entries[3]["tolerated"] = None
    days = parse_days(site_guide, entries, today, None)
    rows = day_rows(days, table_of(site_guide))
    assert [r["day"] for r in rows] == [str(n) for n in range(1, 8)]
    assert rows[0]["cows"] == "3 at 09:00, 1 at 15:00"
    assert rows[2]["note"] == "cramps, treated"
    assert rows[3]["tolerated"] == "not recorded"
    assert rows[6]["injection"] == "injection day (site table)"
    assert all(r["injection"] == "" for r in rows[:6])
    untabled = day_rows(parse_days(guide, [day(1, injection_day=True)], today, None), None)
    assert untabled[0]["injection"] == "confirmed injection day"


def test_what_is_due_today_names_the_day_and_the_site_table_text(site_guide: Guide) -> None:
    from xrntx_guide.visit.rapid import due_words

    table = table_of(site_guide)
    assert table is not None
    today = DAY1 + dt.timedelta(days=2)
    days = parse_days(site_guide, [day(1), day(2)], today, None)
    said = due_words(days, table, today)
    assert "day 3 of the protocol" in said and table[2].given in said and "'day'" in said
    last = due_words(days, table, DAY1 + dt.timedelta(days=INJECTION_DAY - 1))
    assert f"day {INJECTION_DAY}" in last and "injection day" in last
    assert "no site table" in due_words(days, None, today)


def test_the_check_block_is_given_on_the_pathway_only(site_guide: Guide) -> None:
    from xrntx_guide.visit.rapid import check_block

    today = DAY1 + dt.timedelta(days=2)
    days = parse_days(site_guide, [day(1), day(2), day(3)], today, None)
    on = evaluate_presets(
        site_guide, parse_answers(site_guide, patient([], today), "file", today, None), today
    )
    block = check_block(site_guide, on.question_visible, days, today)
    assert block is not None and block["day_reached"] == 3 and block["days_to_injection"] == 4
    off = evaluate_presets(
        site_guide, parse_answers(site_guide, ready_patient(), "file", today, None), today
    )
    assert check_block(site_guide, off.question_visible, days, today) is None
