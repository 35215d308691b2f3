"""A pathway day corrected to another date: the ratings recorded under the date before
have a date in doubt (the day record keeps a rating's time of day only, and the date
typed with it is what was corrected). They are read so that they can never make a
patient look readier: a calm one counts on neither date, withdrawal on both.

Two wrong READYs led here. A correction's date placed every earlier rating on the new
date: day 7 recorded on the 27th with COWS 1, corrected to the 28th with no rating, read
as rated 1 on the 28th, the injection day. Kept on the date typed instead, day 6 typed on
the injection day with COWS 1 and corrected to the day before left that 1 on the
injection day, later than day 7's withdrawal, which it hid. A rating taken on the
corrected date is given again with the correction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import Run, cows_threshold, json_answers, ready_patient
from tests.visit.conftest import DAY1, SITE, pathway_day
from xrntx_guide.pack.guide import Guide
from xrntx_guide.visit.rapid import (
    day_in_force,
    derive,
    parse_day,
    parse_days,
    ratings_of,
    table_of,
)
from xrntx_guide.visit.results import take_day
from xrntx_guide.visit.session import new_session

TYPO = DAY1 + dt.timedelta(days=5)  # day 7 first recorded on the day of day 6
DAY7 = DAY1 + dt.timedelta(days=6)
NOW = dt.datetime.combine(DAY7, dt.time(12)).astimezone()


day = pathway_day


def record(*day7: dict[str, Any]) -> list[dict[str, Any]]:
    return [day(n) for n in range(1, 7)] + list(day7)


def moved(**first: Any) -> list[dict[str, Any]]:
    """Day 7 recorded on the wrong date with a rating, then corrected to its own date."""
    return record(
        day(7, date=TYPO.isoformat(), **first),
        day(7, cows=[], corrects=7, reason="date typed wrong"),
    )


def day_6_typed_on_the_injection_day(tmp_path: Path) -> Path:
    """An answers file of the injection day whose record has days 1-5 and day 6 dated the
    injection day by mistake, rated calm (1) at 11:00."""
    answers = on_the_injection_day(
        [day(n) for n in range(1, 6)]
        + [day(6, date=DAY7.isoformat(), cows=[{"time": "11:00", "total": 1}])]
    )
    first = tmp_path / "a1.json"
    first.write_text(json.dumps(answers))
    return first


def on_the_injection_day(days: list[dict[str, Any]]) -> dict[str, Any]:
    """The ready patient on the supervised rapid pathway on the injection day (day 7), its
    day record ``days`` and no COWS total of its own."""
    answers = json_answers(
        ready_patient(
            last_opioid_use=DAY1,
            pathway="supervised_rapid",
            rapid_supervised_setting=True,
            rapid_protocol_on_file=True,
            uds_buprenorphine="positive",
            cows_total=None,
            naloxone_challenge="not_done",
            injection_date=DAY7,
        )
    )
    answers.pop("cows_total", None)
    answers["rapid_days"] = days
    return answers


def test_the_corrected_day_has_no_rating_it_was_not_given(site_guide: Guide) -> None:
    days = parse_days(site_guide, moved(cows=[{"time": "09:30", "total": 1}]), DAY7, "t", NOW)
    in_force = day_in_force(days, 7)
    assert in_force is not None and in_force.date == DAY7 and in_force.cows == []
    reading = derive(days, table_of(site_guide), DAY7)
    assert reading.answers.get("rapid_day_cows") is None, reading
    high = cows_threshold(site_guide)
    assert [r.total for r in ratings_of(days, DAY7, "t", high)] == []
    # Calm, its date in doubt: no day's rating (day 6's own rating of that date stays).
    assert (TYPO, 1) not in [(r.day, r.total) for r in ratings_of(days, TYPO, "t", high)]


def test_a_rating_given_again_with_the_correction_counts(site_guide: Guide) -> None:
    raw = record(
        day(7, date=TYPO.isoformat(), cows=[{"time": "09:30", "total": 1}]),
        day(7, cows=[{"time": "10:00", "total": 2}], corrects=7, reason="date typed wrong"),
    )
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    assert derive(days, table_of(site_guide), DAY7).answers.get("rapid_day_cows") == 2


def test_withdrawal_on_the_injection_day_never_moves_off_it(site_guide: Guide) -> None:
    high = cows_threshold(site_guide)
    raw = record(
        day(7, cows=[{"time": "08:30", "total": high}]),
        day(7, date=TYPO.isoformat(), cows=[], corrects=7, reason="claimed typo"),
    )
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    assert [r.total for r in ratings_of(days, DAY7, "t", high)] == [high]
    # Withdrawal with its date in doubt counts on the corrected date too.
    assert high in [r.total for r in ratings_of(days, TYPO, "t", high)]


def test_a_calm_rating_left_on_the_injection_day_never_hides_its_withdrawal(
    site_guide: Guide,
) -> None:
    """Day 6 typed on the injection day with COWS 1 at 11:00, corrected to its own date
    with the 1 given again there; day 7, the injection day, rated 13 at 08:00."""
    high = cows_threshold(site_guide)
    raw = [day(n) for n in range(1, 6)] + [
        day(6, date=DAY7.isoformat(), cows=[{"time": "11:00", "total": 1}]),
        day(6, cows=[{"time": "11:00", "total": 1}], corrects=6, reason="date typed wrong"),
        day(7, cows=[{"time": "08:00", "total": high}]),
    ]
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    on_the_day = ratings_of(days, DAY7, "t", high)
    assert [r.total for r in on_the_day] == [high], on_the_day


def test_check_of_a_day_moved_to_the_injection_day_is_not_ready(run: Run, tmp_path: Path) -> None:
    answers = on_the_injection_day(moved(cows=[{"time": "09:30", "total": 1}]))
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    out = run("check", "--json", "--now", NOW.isoformat(), "--site", str(SITE),
              "--answers", str(path))  # fmt: skip
    result = json.loads(out.stdout or out.stderr)
    assert result["status"] != "ready", result
    cows = result.get("used", {}).get("cows_rating")
    assert cows is None or cows["at"][:10] == DAY7.isoformat(), result


def test_a_visits_series_forgets_a_calm_rating_whose_day_moved(site_guide: Guide) -> None:
    """The walk's route: the day typed on the visit day puts its rating into the visit's
    series at once; the correction that moves the day leaves that calm rating on no
    date there too, and withdrawal of the visit day stays."""
    high = cows_threshold(site_guide)
    record = new_session(site_guide, "STRAY", NOW, DAY7)
    for entry in [day(n) for n in range(1, 6)]:
        take_day(site_guide, record, parse_day(site_guide, entry, DAY7, NOW), DAY7, NOW)
    typed = day(6, date=DAY7.isoformat(), cows=[{"time": "11:00", "total": 1}])
    take_day(site_guide, record, parse_day(site_guide, typed, DAY7, NOW), DAY7, NOW)
    assert [r.total for r in record.visit_ratings(DAY7)] == [1]  # taken in on the visit day
    fix = day(6, cows=[{"time": "11:00", "total": 1}], corrects=6, reason="date typed wrong")
    take_day(site_guide, record, parse_day(site_guide, fix, DAY7, NOW), DAY7, NOW)
    seven = day(7, cows=[{"time": "08:00", "total": high}])
    take_day(site_guide, record, parse_day(site_guide, seven, DAY7, NOW), DAY7, NOW)
    assert [r.total for r in record.visit_ratings(DAY7)] == [high]


def test_a_rating_whose_day_moved_is_never_corrected_back_into_the_series(
    run: Run, tmp_path: Path, site_guide: Guide
) -> None:
    """The walk's series took day 6's calm rating when it was typed on the injection day;
    the day then moved back a day. A correction of that series entry (cows_total with
    --correct) would make a calm rating count there again, later than day 7's
    withdrawal: refused, as any correction of a day record's rating is (the record
    corrects it), and the visit stays blocked (it was READY, the dose counted)."""
    high = cows_threshold(site_guide)
    first = day_6_typed_on_the_injection_day(tmp_path)
    moved = {
        "rapid_days": [
            day(6, cows=[{"time": "11:00", "total": 1}], corrects=6, reason="date typed wrong"),
            day(7, cows=[{"time": "08:00", "total": high}]),
        ]
    }
    second = tmp_path / "a2.json"
    second.write_text(json.dumps(moved))
    site = ("--site", str(SITE))
    at = DAY7.isoformat()
    run(
        "walk",
        "--no-input",
        "--now",
        f"{at}T11:30",
        *site,
        "--label",
        "RT",
        "--answers",
        str(first),
    )
    blocked = run("walk", "--no-input", "--json", "--resume", "--label", "RT",
                  "--now", f"{at}T11:40", "--answers", str(second))  # fmt: skip
    assert "withdrawal" in json.loads(blocked.stdout)["blocking"], blocked.output
    fixed = run("walk", "--no-input", "--json", "--resume", "--label", "RT",
                "--now", f"{at}T11:50", "-a", "cows_total=1",
                "--correct", f"cows_total@{at}T11:00=mis-scored")  # fmt: skip
    assert fixed.exit_code == 2, fixed.output
    assert "a rating of the pathway's day record" in fixed.output, fixed.output
    dose = ("injection_given=yes", "injection_side_used=left", "needle_used=2-inch",
            "observation_minutes=30", "wallet_card_given=yes")  # fmt: skip
    given = run("walk", "--no-input", "--json", "--resume", "--label", "RT",
                "--now", f"{at}T11:55", "--acknowledge", "all",
                *[x for a in dose for x in ("-a", a)])  # fmt: skip
    result = json.loads(given.stdout)
    assert result["status"] != "complete" and "withdrawal" in result["blocking"], result


def test_the_fhir_export_never_gives_a_rating_whose_day_moved_as_final(
    run: Run, tmp_path: Path, site_guide: Guide
) -> None:
    """A receiving system reads the latest final COWS: a calm rating whose pathway day
    moved is exported with status 'unknown' (its date is not known), never 'final' after
    the injection day's withdrawal."""
    high = cows_threshold(site_guide)
    first = day_6_typed_on_the_injection_day(tmp_path)
    moved = {
        "rapid_days": [
            day(6, cows=[], corrects=6, reason="date typed wrong"),
            day(7, cows=[{"time": "08:00", "total": high}]),
        ]
    }
    second = tmp_path / "a2.json"
    second.write_text(json.dumps(moved))
    at = DAY7.isoformat()
    run("walk", "--no-input", "--now", f"{at}T11:30", "--site", str(SITE), "--label", "FH",
        "--answers", str(first))  # fmt: skip
    run("walk", "--no-input", "--resume", "--label", "FH", "--now", f"{at}T11:40",
        "--answers", str(second))  # fmt: skip
    out = run("note", "FH", "--format", "fhir")
    assert out.exit_code == 0, out.output
    bundle = json.loads(out.stdout)
    cows = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "cows-total"
    ]
    calm = [o for o in cows if o["valueInteger"] == 1]
    assert calm and all(o["status"] == "unknown" for o in calm), calm
    final = [o for o in cows if o["status"] == "final"]
    latest = max(final, key=lambda o: o["effectiveDateTime"])
    assert latest["valueInteger"] == high, final


def test_a_day_corrected_twice_keeps_the_withdrawal_of_the_date_it_returns_to(
    site_guide: Guide,
) -> None:
    """Day 7 rated in withdrawal on the injection day, corrected to the day before with a
    calm rating at the same time, then back to the injection day with a calm rating
    earlier that morning: the withdrawal rating of the injection day still counts there
    (a correction takes the place of a rating at its instant only). Replaced by time of
    day, it was lost, and the calm rating of 08:00 made the patient READY."""
    high = cows_threshold(site_guide)
    raw = record(
        day(7, cows=[{"time": "09:00", "total": high}]),
        day(7, date=TYPO.isoformat(), cows=[{"time": "09:00", "total": 2}], corrects=7,
            reason="wrong date"),
        day(7, cows=[{"time": "08:00", "total": 2}], corrects=7, reason="date was right"),
    )  # fmt: skip
    days = parse_days(site_guide, raw, DAY7, "t", NOW)
    on_the_day = ratings_of(days, DAY7, "t", high)
    assert high in [r.total for r in on_the_day], on_the_day
    assert max(on_the_day, key=lambda r: r.at).total == high, on_the_day
