"""The date offered for the injection is the first on which every gate that waiting clears
would pass: the opioid-free interval, and the early-dose stop of a repeat visit (its way
out is waiting, marked in the pack). A repeat visit three days after a dose, treated as a
new induction after a short-acting use that day, offered "Wait: the injection can be
given on or after" the day the interval ends, day 7 after the dose: a second dose a week
after the first, which the clinical basis says an early-dose block never suggests; it
suggests the due date and the first date without the early-dose caution. Overridden, the
stop holds nothing back, and the interval's own date is offered again. The numbers are
the shipped pack's settings, never restated here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from tests.helpers import TODAY, Run, after_injection, flat, gate, make_pack
from tests.strategies.patients import dose_then_use
from xrntx_guide.engine.evaluate import Inputs, evaluate
from xrntx_guide.errors import PackError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide


def new_induction_repeat(guide: Guide, days_since_dose: int, used: int) -> dict[str, Any]:
    """A repeat visit on TODAY, ``days_since_dose`` after the last injection, with a
    significant short-acting use ``used`` days ago (after the dose): a new induction."""
    answers = after_injection(
        visit="repeat_injection",
        end_of_treatment=False,
        last_injection_date=TODAY - dt.timedelta(days=days_since_dose),
        last_injection_side="left",
        opioid_use_since_last_injection=True,
        opioid_use_significant=True,
        last_opioid_use=TODAY - dt.timedelta(days=used),
        last_opioid_kind="short_acting",
    )
    return {k: v for k, v in answers.items() if v is not None}


def settings_of(guide: Guide) -> tuple[int, int]:
    stop = guide.setting_values["early_repeat_stop_days"]
    caution = guide.setting_values["early_repeat_caution_days"]
    assert isinstance(stop, int) and isinstance(caution, int)
    return stop, caution


def test_a_new_induction_days_after_a_dose_waits_for_the_end_of_the_caution(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    stop, caution = settings_of(guide)
    since = max(0, stop - 4)
    answers = new_induction_repeat(guide, since, used=since)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers, default=str))
    out = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path))
    result = json.loads(out.stdout)
    dose = TODAY - dt.timedelta(days=since)
    first_clear = (dose + dt.timedelta(days=caution)).isoformat()
    assert {"dose_timing", "opioid_free_interval"} <= set(result["blocking"]), result
    interval = gate(result, "opioid_free_interval")
    assert interval["earliest_date"] < first_clear, interval  # the interval alone is sooner
    assert result["derived"]["earliest_injection_date"] == first_clear, result["derived"]
    assert f"on or after {first_clear}" in " ".join(interval["instead"]), interval
    # At the terminal too: the date offered is the same.
    plain = run("check", "--today", TODAY.isoformat(), "--answers", str(path))
    assert f"Earliest injection date: {first_clear}" in plain.stdout, plain.stdout
    assert f"on or after {interval['earliest_date']}" not in flat(plain.stdout), plain.stdout


def test_overridden_the_stop_no_longer_holds_the_date(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    stop, _ = settings_of(guide)
    since = max(0, stop - 4)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(new_induction_repeat(guide, since, used=since), default=str))
    code = sorted(guide.override_codes)[0]
    out = run("check", "--json", "--today", TODAY.isoformat(), "--answers", str(path),
              "--override", f"dose_timing={code}:travelling abroad for a month")  # fmt: skip
    result = json.loads(out.stdout)
    interval = gate(result, "opioid_free_interval")
    assert gate(result, "dose_timing")["outcome"] == "overridden", result
    assert result["derived"]["earliest_injection_date"] == interval["earliest_date"], result


@settings(max_examples=60, deadline=None)
@given(drawn=dose_then_use())
def test_the_date_offered_never_falls_where_a_gate_that_waits_still_blocks(
    guide: Guide, drawn: tuple[int, int]
) -> None:
    """Evaluated again on the date offered, no gate that waiting clears blocks there."""
    since, used = drawn
    answers = new_induction_repeat(guide, since, used)
    state = evaluate(guide, Inputs(answers=answers, today=TODAY))
    day = state.earliest_injection_date
    if day is None:
        return
    named = [t for g in state.gates.values() for t in g.instead if "can be given on or after" in t]
    assert all(day.isoformat() in t for t in named), named
    later = {**answers, "injection_date": day}
    again = evaluate(guide, Inputs(answers=later, today=day))
    held = [g.id for g in again.readiness_gates() if g.blocking and g.holds_date]
    assert not held, (since, used, day, held)


RULE = 'fails_when = "allergic"\n'


def test_only_a_stop_that_waits_can_hold_the_injection_date(tmp_path: Path) -> None:
    """Only a stop that waiting clears may say it holds the date (a contraindication that
    waiting clears always does; a caution never blocks)."""
    steps = make_pack(
        tmp_path,
        replace={RULE: RULE + "holds_the_injection_date = true\n"},
    )
    with pytest.raises(PackError) as caught:
        load_guide(steps)
    assert "holds_the_injection_date is for a stop whose condition reads the date" in str(
        caught.value
    )
