"""Random patients for the safety properties and the long fuzz run, and the ways to drive
the product with them.

One generator serves both: it draws through a small :class:`Chooser`, which is either a
``random.Random`` (``bench/fuzz_safety.py``: fast, a patient per seed) or a Hypothesis
``draw`` (``tests/test_safety_invariants.py``: the same patients, shrunk to a minimal one
when a property fails). Every choice lists its plain option first, so Hypothesis shrinks
towards a plain, nearly ready patient and what is left in a minimal example is what
matters.

A patient is a first or repeat visit of any opioid kind, on either pathway, with answers
left out at random, odd dates (far past, future, the last use after the injection, the
first and last years of the calendar), out-of-range and contradictory answers, overrides
and acknowledgements (valid codes and, when asked for, invalid ones; bound to these
answers, to an earlier version of them, or to nothing), and the order in which a session
answered and edited them. Site files come from :func:`random_site`: values inside and
outside the limits of reference 4.3.

The drivers at the end run a patient through the engine, the single ``check`` path, the
``check --batch`` path (in process) and an unattended session, and turn what they return
into violations of the oracle's invariants (:mod:`tests.oracle`). Only the generator reads
numbers from the pack (to aim at the edges of the settings in force); the oracle reads
them on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

from tests import oracle
from tests.helpers import STEPS, TODAY
from xrntx_guide.engine.context import LazyContext, inputs_fingerprint
from xrntx_guide.engine.evaluate import Inputs, Override, State, evaluate
from xrntx_guide.errors import UsageError, UserError
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

T = TypeVar("T")
Scalar = bool | int | float | str | dt.date
GARBAGE_FINGERPRINT = "0" * 16


# --- Choosing -------------------------------------------------------------------------------


class Chooser(Protocol):
    """Where the generator's choices come from."""

    def integer(self, lo: int, hi: int) -> int: ...

    def chance(self, percent: int) -> bool:
        """True about ``percent`` times in a hundred (shrinks to False)."""
        ...

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options`` (shrinks to the first)."""
        ...


class RandomChooser:
    """Choices from a ``random.Random``: fast, for the long run.

    Each choice scales one ``random()`` (a single call into C) instead of ``randrange``
    (a few Python frames): a patient takes some seventy choices, and the long safety
    fuzz spent about a sixth of its time making them."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def integer(self, lo: int, hi: int) -> int:
        return lo + int(self.random() * (hi - lo + 1))

    def chance(self, percent: int) -> bool:
        return self.random() * 100 < percent

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.random() * len(options))]


class DrawChooser:
    """Choices from Hypothesis, so that a failing patient shrinks."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return int(self.draw(st.integers(lo, hi)))

    def chance(self, percent: int) -> bool:
        return bool(self.draw(st.integers(0, 99)) >= 100 - percent)

    def pick(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))  # type: ignore[no-any-return]


def shuffled(c: Chooser, items: Sequence[T]) -> list[T]:
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = c.integer(0, i)
        out[i], out[j] = out[j], out[i]
    return out


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, held inside the calendar (years 1 to 9999)."""
    ordinal = min(max(day.toordinal() + days, dt.date.min.toordinal()), dt.date.max.toordinal())
    return dt.date.fromordinal(ordinal)


# --- Patients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    odd: bool = True
    """Odd dates, out-of-range values and contradictory answers."""
    drops: bool = True
    """Leave answers out at random."""
    override_faults: bool = False
    """Overrides with unknown codes, no code or an empty comment."""
    overrides: bool = True


@dataclass(frozen=True)
class OverrideSpec:
    gate: str
    code: str
    """Empty: the flag gives a comment without a code."""
    comment: str
    basis: str
    """now (bound to the final answers) | earlier (to ``Patient.earlier``) | garbage"""

    def flag(self) -> str:
        reason = f"{self.code}: {self.comment}" if self.code else self.comment
        return f"{self.gate}={reason}"


@dataclass(frozen=True)
class Patient:
    today: dt.date
    answers: dict[str, Scalar]
    earlier: dict[str, Scalar]
    """The same answers before some were edited."""
    overrides: tuple[OverrideSpec, ...] = ()
    acks: tuple[tuple[str, str], ...] = ()
    """(gate, basis) with basis now | garbage."""

    def __repr__(self) -> str:
        shown = {k: to_json(v) for k, v in self.answers.items()}
        changed = {k: to_json(v) for k, v in self.earlier.items() if self.answers.get(k) != v}
        gone = sorted(set(self.answers) - set(self.earlier))
        return (
            f"Patient(today={self.today}, answers={shown}, earlier_changes={changed}, "
            f"earlier_missing={gone}, overrides={list(self.overrides)}, acks={list(self.acks)})"
        )


def to_json(value: Scalar) -> bool | int | float | str:
    return value.isoformat() if isinstance(value, dt.date) else value


def to_flag(value: Scalar) -> str:
    """An answer as ``--answer KEY=VALUE`` gives it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _settings(guide: Guide) -> dict[str, Any]:
    return dict(guide.setting_values)


def _near(c: Chooser, centre: int | None, fallback: tuple[int, int]) -> int:
    if centre is None:
        return c.integer(*fallback)
    return centre + c.pick([0, 1, -1, 2, -2])


def _today(c: Chooser, o: Options) -> dt.date:
    if o.odd and c.chance(4):
        return c.pick([shift(dt.date.min, c.integer(0, 40)), shift(dt.date.max, -c.integer(0, 40))])
    return shift(TODAY, c.integer(-3000, 3000) if c.chance(50) else 0)


def _injection_date(c: Chooser, today: dt.date, o: Options) -> dt.date | None:
    """None: not given (it defaults to today)."""
    if o.odd and c.chance(8):
        return c.pick(
            [
                shift(today, c.integer(1, 400)),  # a future date: a plan, not a visit
                shift(today, -c.integer(400, 800_000)),  # far past
                dt.date.max,
                dt.date.min,
            ]
        )
    return c.pick([None, today, shift(today, -c.integer(1, 3))])


def _free_days(c: Chooser, s: Mapping[str, Any], kind: str, o: Options) -> int:
    mins = s.get("min_opioid_free_days")
    minimum = mins.get(kind) if isinstance(mins, Mapping) else None
    if minimum is None and isinstance(mins, Mapping) and mins:
        minimum = max(mins.values())
    if o.odd and c.chance(6):
        return -c.integer(1, 400)  # the last use after the injection date
    mode = c.pick(["minimum", "window", "small", "range", "large"])
    if mode == "minimum":
        return _near(c, minimum, (0, 30))
    if mode == "window":
        return _near(c, s.get("challenge_required_within_days"), (0, 30))
    if mode == "small":
        return c.integer(0, 6)
    if mode == "range":
        return c.integer(0, 60)
    return c.integer(60, 100_000)


def _since_last_injection(c: Chooser, s: Mapping[str, Any], o: Options) -> int:
    if o.odd and c.chance(6):
        return -c.integer(1, 60)  # the last injection after this one
    centre = c.pick(
        [
            s.get("dose_interval_days"),
            s.get("blockade_days"),
            s.get("early_repeat_stop_days"),
            s.get("early_repeat_caution_days"),
            None,
        ]
    )
    if centre is None:
        return c.integer(0, 400) if c.chance(20) else c.integer(0, 60)
    return _near(c, centre, (0, 60))


def _mostly(c: Chooser, good: T, others: Sequence[T], percent: int = 8) -> T:
    return c.pick(others) if c.chance(percent) else good


def _cows(c: Chooser, guide: Guide, s: Mapping[str, Any], o: Options) -> dict[str, Scalar]:
    threshold = s.get("cows_threshold")
    items = {
        item: [
            ch.value
            for ch in (guide.questions[f"cows_{item}"].spec.choices or [])
            if isinstance(ch.value, int)
        ]
        for item in oracle.COWS_ITEMS
        if f"cows_{item}" in guide.questions
    }
    top = sum(max(v) for v in items.values() if v)
    mode = c.pick(["total", "items", "both"])
    out: dict[str, Scalar] = {}
    if mode in ("items", "both"):
        for item, allowed in items.items():
            score = _mostly(c, allowed[0], allowed, 25) if allowed else 0
            if o.odd and c.chance(2):
                score = c.pick(
                    [-1, max(allowed or [0]) + 1, *[n for n in range(6) if n not in allowed]]
                )
            out[f"cows_{item}"] = score
    if mode == "both" and o.odd and c.chance(30):
        # Some item scores with a total: a script that gives both, or an edit that left
        # a few behind; those given may already sum past the total.
        keep = {k for k in out if c.chance(25)}
        out = {k: v for k, v in out.items() if k in keep}
    if mode in ("total", "both"):
        if mode == "both":
            total = sum(v for v in out.values() if isinstance(v, int))
            if o.odd and c.chance(50):
                total += c.pick([1, -1, 2])
        elif c.chance(20):
            total = c.pick([_near(c, threshold, (0, 12)), 0, top, c.integer(0, top)])
        else:
            total = c.integer(0, max(0, (threshold or 1) - 1))
        if o.odd and c.chance(3):
            total = c.pick([-1, top + 1])
        out["cows_total"] = total
    return out


def random_answers(c: Chooser, guide: Guide, today: dt.date, o: Options) -> dict[str, Scalar]:
    """One visit's answers, complete before any are left out."""
    s = _settings(guide)
    a: dict[str, Scalar] = {}
    visit = c.pick([oracle.FIRST, oracle.REPEAT])
    a["visit"] = visit
    given_date = _injection_date(c, today, o)
    if given_date is not None:
        a["injection_date"] = given_date
    day = given_date or today
    kind = c.pick(oracle.KINDS)
    free = _free_days(c, s, kind, o)
    if visit == oracle.REPEAT:
        since = _since_last_injection(c, s, o)
        last_injection = shift(day, -since)
        a["last_injection_date"] = last_injection
        a["last_injection_side"] = c.pick(["left", "right", "unknown"])
        used = c.pick([False, True])
        a["opioid_use_since_last_injection"] = used
        a["opioid_use_significant"] = c.pick([False, True])
        if used and since >= 0 and free > since and not (o.odd and c.chance(15)):
            free = c.integer(0, since)  # used since the last injection, after it
        elif not used and since >= 0 and free < since:
            # No use since the last injection: the last use is before it. A use dated after
            # it is a contradiction of invariant 10, drawn by ``contradict`` and checked on the
            # routes that refuse it (tests/test_contradictions_are_refused.py).
            free = since + c.integer(0, 30)
        # Sections 9 and 10: the monthly visit, and now and then the end of treatment.
        a["end_of_treatment"] = _mostly(c, False, [True], 5)
        a["injection_site_reaction"] = _mostly(c, "none", ["mild", "severe", "not_examined"], 20)
        a["reaction_after_last_dose"] = _mostly(c, False, [True], 8)
        for key, good in (
            ("lft_within_interval", True),
            ("respiratory_symptoms", False),
            ("suicidal_thoughts", False),
        ):
            a[key] = _mostly(c, good, [not good], 10)
        if a["end_of_treatment"]:
            a["end_of_treatment_reason"] = c.pick(["patient_choice", "switch_to_agonist"])
            if a["end_of_treatment_reason"] == "switch_to_agonist":
                a["agonist_after_naltrexone"] = c.pick(["buprenorphine", "methadone"])
            a["end_overdose_counselled"] = _mostly(c, True, [False], 10)
            a["end_reversal_agent_prescribed"] = _mostly(c, True, [False], 10)
    a["planned_surgery_within_28_days"] = _mostly(c, False, [True], 10)
    a["oud_diagnosis"] = _mostly(c, True, [False])
    a["last_opioid_kind"] = kind
    a["last_opioid_use"] = shift(day, -free)
    a["fentanyl_used_30_days"] = _mostly(c, False, [True], 20)
    a["abstinence_evidence"] = c.pick(["supervised", "self_report"])
    mins = s.get("min_opioid_free_days")
    minimum = mins.get(kind) if isinstance(mins, Mapping) else None
    short = minimum is None or free < minimum
    if (short and c.chance(75)) or c.chance(10):
        a["pathway"] = c.pick([oracle.RAPID, oracle.STANDARD])
    if a.get("pathway") == oracle.RAPID or c.chance(10):
        for key in oracle.RAPID_KEYS:
            a[key] = _mostly(c, True, [False], 6)
    for key, good in (
        ("opioid_analgesics", False),
        ("hypersensitivity", False),
        ("breastfeeding", False),
        ("acute_hepatitis", False),
        ("bleeding_risk", False),
        ("mood_concern", False),
        ("renal_or_severe_hepatic_impairment", False),
        ("medication_guide_given", True),
        ("consent", True),
        # Counselled before the injection (reference 3.5): the caution is decided then.
        ("overdose_counselled", True),
        ("reversal_agent_offered", True),
        ("kit_storage_ok", True),
    ):
        a[key] = _mostly(c, good, [not good], 5)
    age_q = guide.questions.get("age")
    bounds = [b for b in (age_q.spec.min, age_q.spec.max) if isinstance(b, int)] if age_q else []
    minimum_age = s.get("minimum_age")
    a["age"] = c.integer(18, 90) if minimum_age is None else minimum_age + c.integer(0, 60)
    if c.chance(10):
        a["age"] = _near(c, minimum_age, (0, 120))
    if o.odd and c.chance(3) and bounds:
        a["age"] = c.pick([min(bounds) - 1, max(bounds) + 1])
    a["pregnancy_test"] = _mostly(c, "not_applicable", ["negative", "positive"], 20)
    a["lft_multiple_uln"] = 1.0
    if c.chance(15):
        edges = [
            edge + step
            for edge in (s.get("liver_stop_multiple"), s.get("liver_caution_multiple"))
            if isinstance(edge, int | float)
            for step in (0, 0.01)
        ]
        a["lft_multiple_uln"] = float(c.pick([*edges, round(c.integer(0, 2000) / 100, 2)]))
    if o.odd and c.chance(2):
        a["lft_multiple_uln"] = c.pick([-0.5, 1000.5])
    for key in oracle.UDS_KEYS:
        a[key] = _mostly(c, "negative", ["positive", "not_done"], 5)
    a.update(_cows(c, guide, s, o))
    a["naloxone_challenge"] = _mostly(c, "negative", ["not_done", "positive"], 25)
    if (a["naloxone_challenge"] == "positive" or c.chance(3)) and c.chance(70):
        # 5.2: the rechallenge, around the edges of its window.
        a["naloxone_rechallenge"] = _mostly(c, "negative", ["positive", "not_done"], 30)
        window = s.get("naloxone_rechallenge_window_hours")
        hours: list[float] = [0.0, round(c.integer(0, 2400) / 100, 2)]
        if isinstance(window, int | float):
            hours += [float(window), round(window - 0.01, 2)]
            if o.odd and c.chance(30):
                hours = [round(window + 0.01, 2), window + 1.0, -1.0]
        if c.chance(90):
            a["naloxone_rechallenge_hours"] = c.pick(hours)
    a["body_habitus"] = _mostly(
        c, "average", ["lean", "more_subcutaneous_tissue", "unsuitable"], 15
    )
    if c.chance(15):
        a["injection_given"] = c.pick([True, False])
        a["injection_side_used"] = c.pick(["left", "right"])
        a["observation_minutes"] = c.integer(0, 120)
        a["wallet_card_given"] = _mostly(c, True, [False], 10)
    return a


def _perturb(c: Chooser, guide: Guide, key: str, value: Scalar) -> Scalar | None:
    """Another value for the same question (None: the answer was not given then)."""
    if c.chance(20):
        return None
    cq = guide.questions.get(key)
    choices = [ch.value for ch in (cq.spec.choices or [])] if cq is not None else []
    if isinstance(value, bool):
        return not value
    if isinstance(value, dt.date):
        return shift(value, c.pick([1, -1, 7, -7, 30]))
    if choices:
        others = [ch for ch in choices if ch != value]
        return c.pick(others) if others else value
    if isinstance(value, int):
        return value + c.pick([1, -1, 5])
    if isinstance(value, float):
        return round(value + c.pick([0.5, -0.5, 3.0]), 2)
    return value


def random_patient(c: Chooser, guide: Guide, o: Options = Options()) -> Patient:
    """A patient the pack can be asked about: answers only for keys the pack knows.

    The oracle judges the same dictionary, so an answer the pack cannot take (a key it
    lacks) counts as missing for both.
    """
    today = _today(c, o)
    answers = random_answers(c, guide, today, o)
    if o.drops and c.chance(30):
        for key in list(answers):
            if c.chance(4):
                del answers[key]
    if o.drops and c.chance(10) and answers:
        del answers[c.pick(sorted(answers))]
    answers = {k: v for k, v in answers.items() if k in guide.questions}
    earlier = dict(answers)
    for _ in range(c.integer(0, 3)):
        if not answers:
            break
        key = c.pick(sorted(answers))
        other = _perturb(c, guide, key, answers[key])
        if other is None:
            earlier.pop(key, None)
        else:
            earlier[key] = other
    gate_ids = [g.id for g in guide.gates]
    stops = [g for g in oracle.GATE_INPUTS if g in gate_ids]
    codes = sorted(oracle.valid_override_codes(guide))
    overrides: list[OverrideSpec] = []
    if o.overrides and stops and c.chance(40):
        for _ in range(c.integer(1, 3)):
            gate = c.pick(gate_ids) if c.chance(10) else c.pick(stops)
            code, comment = c.pick(codes), "reviewed with the patient"
            if o.override_faults and c.chance(30):
                fault = c.pick(["unknown_code", "no_code", "empty_comment"])
                if fault == "unknown_code":
                    code = c.pick(["not_a_code", "clinical_judgment", "default"])
                elif fault == "no_code":
                    code = ""
                else:
                    comment = ""
            basis = c.pick(["now", "earlier", "garbage"])
            overrides.append(OverrideSpec(gate, code, comment, basis))
    acks = tuple((c.pick(gate_ids), c.pick(["now", "garbage"])) for _ in range(c.integer(0, 2)))
    return Patient(today, answers, earlier, tuple(overrides), acks)


CONTRADICTIONS = (
    "future injection date",
    "last use after the injection date",
    "last injection after this one",
    "use since the last injection dated before it",
    "COWS item score outside the scale",
    "COWS total with an item score outside the scale",
    "COWS items given already past the total",
    "COWS total not the sum of its items",
    "COWS total outside the scale",
    "negative challenge beside a positive screen",
    "negative challenge beside withdrawal",
)


def contradict(c: Chooser, guide: Guide, p: Patient, kind: str) -> Patient:
    """``p`` with one contradiction or bound violation of 4.4.3 and 4.4.4 written in."""
    a = dict(p.answers)
    day = a.get("injection_date", p.today)
    assert isinstance(day, dt.date)
    later = c.integer(1, 400)
    if kind == "future injection date":
        a["injection_date"] = shift(p.today, later)
    elif kind == "last use after the injection date":
        a.update(visit=oracle.FIRST, last_opioid_use=shift(day, later))
    elif kind == "last injection after this one":
        a.update(visit=oracle.REPEAT, last_injection_date=shift(day, later))
        a.update(opioid_use_since_last_injection=False, last_injection_side="left")
    elif kind in (
        "negative challenge beside a positive screen",
        "negative challenge beside withdrawal",
    ):
        # 5.2: the challenge is not done while the urine holds opioids or the patient
        # shows withdrawal; a first injection, where the readiness checks are asked.
        a.update(visit=oracle.FIRST, naloxone_challenge="negative")
        for key in [k for k in a if k.startswith("cows_")]:
            a.pop(key)
        threshold = guide.setting_values["cows_threshold"]
        if kind == "negative challenge beside a positive screen":
            a[c.pick(["uds_opiates", "uds_fentanyl", "uds_methadone", "uds_oxycodone"])] = (
                "positive"
            )
            a["cows_total"] = c.integer(0, 48)
        else:
            a["cows_total"] = c.integer(threshold, 48)
    elif kind == "use since the last injection dated before it":
        last_injection = shift(day, -c.integer(1, 60))
        a.update(visit=oracle.REPEAT, last_injection_date=last_injection)
        a.update(opioid_use_since_last_injection=True, opioid_use_significant=True)
        a.update(last_injection_side="left", last_opioid_use=shift(last_injection, -later))
    else:
        allowed = {
            item: sorted(
                ch.value
                for ch in (guide.questions[f"cows_{item}"].spec.choices or [])
                if isinstance(ch.value, int)
            )
            for item in oracle.COWS_ITEMS
        }
        top = sum(max(v) for v in allowed.values())
        for item in oracle.COWS_ITEMS:
            a.pop(f"cows_{item}", None)
        a.pop("cows_total", None)
        a["visit"] = oracle.FIRST  # where the withdrawal rating counts
        item = c.pick(oracle.COWS_ITEMS)
        scores = {f"cows_{i}": _mostly(c, allowed[i][0], allowed[i]) for i in oracle.COWS_ITEMS}
        if kind == "COWS item score outside the scale":
            outside = [n for n in range(-1, max(allowed[item]) + 2) if n not in allowed[item]]
            a.update(scores, **{f"cows_{item}": c.pick(outside)})
        elif kind == "COWS total with an item score outside the scale":
            # A score between the allowed ones (3 for the pulse), and the total it sums to.
            gaps = {
                i: [n for n in range(1, max(allowed[i])) if n not in allowed[i]]
                for i in oracle.COWS_ITEMS
            }
            item = c.pick([i for i in oracle.COWS_ITEMS if gaps[i]])
            scores[f"cows_{item}"] = c.pick(gaps[item])
            a.update(scores, cows_total=sum(scores.values()))
        elif kind == "COWS items given already past the total":
            score = c.pick([n for n in allowed[item] if n > 0])
            a.update({f"cows_{item}": score, "cows_total": c.integer(0, score - 1)})
        elif kind == "COWS total not the sum of its items":
            total = sum(scores.values()) + c.pick([1, -1, 2])
            a.update(scores, cows_total=total)
        else:
            a["cows_total"] = c.pick([-1, top + 1])
    a = {k: v for k, v in a.items() if k in guide.questions}
    return Patient(p.today, a, a, p.overrides, p.acks)


EDGES = (
    "buprenorphine screen positive on the rapid pathway",
    "opioid-free for exactly the minimum",
    "COWS one below the threshold",
)
"""Answers at an edge the reference lets pass: none of them is a contraindication."""


def edge(c: Chooser, guide: Guide, p: Patient, kind: str) -> Patient:
    """``p`` as a first injection with one answer at an edge that passes (``EDGES``)."""
    s = guide.setting_values
    a = dict(p.answers, visit=oracle.FIRST)
    day = a.get("injection_date", p.today)
    assert isinstance(day, dt.date)
    if kind == EDGES[0]:
        a.update(dict.fromkeys(oracle.RAPID_KEYS, True), pathway=oracle.RAPID)
        a.update(last_opioid_kind="buprenorphine", uds_buprenorphine="positive")
        a.update(last_opioid_use=shift(day, -c.integer(0, 2)), naloxone_challenge="negative")
    elif kind == EDGES[1]:
        opioid = c.pick([k for k in oracle.KINDS if k != oracle.BUP_ER])
        minimum = oracle.minimum_opioid_free_days(guide, opioid)
        if minimum is not None:
            a.update(last_opioid_kind=opioid, last_opioid_use=shift(day, -minimum))
    else:
        for item in oracle.COWS_ITEMS:
            a.pop(f"cows_{item}", None)
        a["cows_total"] = s["cows_threshold"] - 1
    a = {k: v for k, v in a.items() if k in guide.questions}
    return Patient(p.today, a, a, p.overrides, p.acks)


# --- Hypothesis strategies -------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A patient and the pack (shipped, or with one of the pool's site files) it meets."""

    site: int
    patient: Patient

    @property
    def guide(self) -> Guide:
        return pool_guide(self.site)

    def __repr__(self) -> str:
        return f"Case(site={SITE_POOL_NAMES[self.site]!r}, {self.patient!r})"


@st.composite
def cases(
    draw: Callable[[Any], Any], options: Options = Options(), shipped_only: bool = False
) -> Case:
    site = 0 if shipped_only else draw(st.integers(0, len(SITE_POOL_NAMES) - 1))
    return Case(site, random_patient(DrawChooser(draw), pool_guide(site), options))


@st.composite
def contradicted(draw: Callable[[Any], Any], kind: str) -> Case:
    """A nearly ready patient with one contradiction of ``kind`` written in."""
    case = draw(cases(Options(odd=False, drops=False)))
    return Case(case.site, contradict(DrawChooser(draw), case.guide, case.patient, kind))


@st.composite
def without_the_diagnosis(draw: Callable[[Any], Any]) -> Case:
    """A first injection, otherwise drawn at random, whose OUD diagnosis is not confirmed,
    with no override of the indication stop (any other override may stand)."""
    case = draw(cases())
    p = case.patient
    answers = {**p.answers, "visit": oracle.FIRST, "oud_diagnosis": False}
    overrides = tuple(o for o in p.overrides if o.gate != "indication")
    return Case(case.site, Patient(p.today, answers, answers, overrides, p.acks))


@st.composite
def at_an_edge(draw: Callable[[Any], Any], kind: str) -> Case:
    """A nearly ready first injection with one answer at an edge of ``kind``."""
    case = draw(cases(Options(odd=False, drops=False)))
    return Case(case.site, edge(DrawChooser(draw), case.guide, case.patient, kind))


@st.composite
def patients(draw: Callable[[Any], Any], guide: Guide, options: Options = Options()) -> Patient:
    return random_patient(DrawChooser(draw), guide, options)


@st.composite
def site_files(draw: Callable[[Any], Any]) -> dict[str, object]:
    return random_site(DrawChooser(draw), pool_guide(0))


@dataclass(frozen=True)
class Sitting:
    """One run of ``walk --no-input`` (a first one, or a resume) with its flags."""

    day: dt.date
    answers: dict[str, Scalar]
    overrides: tuple[str, ...] = ()
    acknowledge: tuple[str, ...] = ()
    prune: bool = False


def random_sittings(c: Chooser, guide: Guide, p: Patient) -> list[Sitting]:
    """The patient's answers given over one to three sittings, in random order; some are
    first given as in ``p.earlier`` and changed at a later sitting."""
    n = c.integer(1, 3)
    offsets = sorted((c.integer(0, 2) for _ in range(n - 1)), reverse=True)
    days = [shift(p.today, -d) for d in offsets] + [p.today]
    given: list[dict[str, Scalar]] = [{} for _ in range(n)]
    for key in shuffled(c, sorted(p.answers)):
        at = c.integer(0, n - 1)
        given[at][key] = p.answers[key]
        before = p.earlier.get(key)
        if at > 0 and before is not None and before != p.answers[key] and c.chance(70):
            given[c.integer(0, at - 1)][key] = before
    flags: list[list[str]] = [[] for _ in range(n)]
    for spec in p.overrides:
        flags[c.integer(0, n - 1)].append(spec.flag())
    acks = [tuple(g for g, _ in p.acks) if c.chance(50) else ("all",) for _ in range(n)]
    return [Sitting(days[i], given[i], tuple(flags[i]), acks[i], c.chance(30)) for i in range(n)]


@st.composite
def session_cases(
    draw: Callable[[Any], Any], options: Options = Options()
) -> tuple[Case, list[Sitting]]:
    case = draw(cases(options))
    return case, random_sittings(DrawChooser(draw), case.guide, case.patient)


@st.composite
def with_a_needed_answer_left_out(draw: Any) -> tuple[Case, str]:
    options = Options(odd=False, drops=False)
    case = draw(cases(options))
    guide, p = case.guide, case.patient
    before = set(oracle.findings(guide, p.answers, p.today))
    needed = []
    for key in sorted(p.answers):
        rest = {k: v for k, v in p.answers.items() if k != key}
        after = oracle.findings(guide, rest, p.today)
        if any(f.state == oracle.UNDECIDED and f not in before for f in after):
            needed.append(key)
    if not needed:
        return case, ""
    return case, draw(st.sampled_from(needed))


STOP_TRIGGERS = {
    "pregnancy": ("pregnancy_test", "positive"),
    "breastfeeding": ("breastfeeding", True),
    "body_habitus": ("body_habitus", "unsuitable"),
    "age": ("age", 0),
}
"""An answer that makes each stop hold whatever else is answered (an age of 0 is under
any minimum age)."""


@st.composite
def with_a_faulty_override(draw: Any) -> tuple[Case, OverrideSpec]:
    case = draw(cases(Options(odd=False, overrides=False)))
    gate = draw(st.sampled_from(sorted(STOP_TRIGGERS)))
    key, value = STOP_TRIGGERS[gate]
    p = case.patient
    answers = {**p.answers, key: value}
    fault = draw(st.sampled_from(["unknown code", "no code", "no comment"]))
    codes = sorted(oracle.valid_override_codes(case.guide))
    spec = OverrideSpec(
        gate,
        {"unknown code": "not_a_code", "no code": ""}.get(fault, codes[0]),
        "" if fault == "no comment" else "discussed",
        "now",
    )
    patient = Patient(p.today, answers, answers, (spec,), p.acks)
    return Case(case.site, patient), spec


# --- Site files (reference 4.3) ------------------------------------------------------------


def random_site(c: Chooser, shipped: Guide) -> dict[str, object]:
    """Site settings inside and outside the limits of 4.3 (``oracle.site_problems`` says
    which). Values are whole numbers where the pack's are, so only the limits decide."""
    base = shipped.setting_values
    out: dict[str, object] = {}
    table = base.get("min_opioid_free_days")
    if isinstance(table, Mapping) and c.chance(50):
        entries: dict[str, object] = {}
        for kind in oracle.KINDS:
            if kind == oracle.BUP_ER:
                if c.chance(5):
                    entries[kind] = c.integer(0, 90)
            elif kind in table and c.chance(40):
                entries[kind] = table[kind] + c.pick([0, 1, 3, -1, -3, -7])
        if entries:
            out["min_opioid_free_days"] = entries
    for name, steps in (
        ("challenge_required_within_days", [0, 7, -1, -7]),
        ("cows_threshold", [0, -1, -2, 1]),
        ("liver_caution_multiple", [0, -1, 1]),
        ("liver_stop_multiple", [0, -1, -2, 1]),
    ):
        value = base.get(name)
        if isinstance(value, int) and c.chance(35):
            out[name] = value + c.pick(steps)
    if "post_injection_observation_minutes" in base and c.chance(20):
        out["post_injection_observation_minutes"] = c.pick([30, 0, 60, -1])
    if "rapid_naltrexone_days_required" in base and c.chance(20):
        out["rapid_naltrexone_days_required"] = base["rapid_naltrexone_days_required"] + c.pick(
            [0, 1, 2, -1, -3]
        )
    if "rapid_challenge_required" in base and c.chance(15):
        # Only true, or a value of the wrong type: false is the shipped default.
        out["rapid_challenge_required"] = c.pick([True, "yes"])
    if "naloxone_challenge_route" in base and c.chance(15):
        out["naloxone_challenge_route"] = c.pick([*oracle.ROUTES, "IM"])
    if c.chance(8):
        name = c.pick(oracle.FIXED_SETTINGS)
        value = base.get(name)
        if isinstance(value, int):
            out[name] = value + c.pick([1, -1])
        elif isinstance(value, str):
            out[name] = value + " (site)"
    return out


def site_toml(values: Mapping[str, object]) -> str:
    """A site file with these settings."""

    def lit(v: object) -> str:
        if isinstance(v, Mapping):
            return "{ " + ", ".join(f"{k} = {lit(x)}" for k, x in v.items()) + " }"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        return repr(v)

    lines = ['site = "fuzz"', "", "[settings]"]
    lines += [f"{name} = {lit(value)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def load_site(values: Mapping[str, object], steps: Path = STEPS) -> Guide:
    """The pack with a site file of these settings (raises PackError if refused)."""
    return _load_site_text(site_toml(values), str(steps))


@functools.lru_cache(maxsize=64)
def _load_site_text(text: str, steps: str) -> Guide:
    with tempfile.TemporaryDirectory(prefix="xrntx-site-") as tmp:
        path = Path(tmp) / "site.toml"
        path.write_text(text, encoding="utf-8")
        return load_guide(Path(steps), path, use_cache=False)


@functools.lru_cache(maxsize=1)
def shipped_guide() -> Guide:
    return load_guide(STEPS, use_cache=False)


def _pool_sites() -> list[tuple[str, Callable[[Mapping[str, Any]], dict[str, object]]]]:
    """Site files inside the limits of 4.3, as relations to the shipped values."""

    def longer(b: Mapping[str, Any]) -> dict[str, object]:
        table = b["min_opioid_free_days"]
        return {
            "min_opioid_free_days": {k: v + 3 for k, v in table.items()},
            "challenge_required_within_days": b["challenge_required_within_days"] + 7,
        }

    def loosest(b: Mapping[str, Any]) -> dict[str, object]:
        short = b["min_opioid_free_days"]["short_acting"]
        return {"min_opioid_free_days": {"methadone": short, "buprenorphine": short}}

    def lower(b: Mapping[str, Any]) -> dict[str, object]:
        return {
            "cows_threshold": b["cows_threshold"] - 1,
            "liver_caution_multiple": b["liver_caution_multiple"] - 1,
            "liver_stop_multiple": b["liver_caution_multiple"] - 1,
        }

    return [("longer intervals", longer), ("loosest allowed", loosest), ("lower cut-offs", lower)]


SITE_POOL_NAMES = ["shipped", *(name for name, _ in _pool_sites())]


def pool_site_toml(index: int) -> str | None:
    """The site file of the pool's pack ``index`` (None: the shipped pack), for a run of
    the command line (``--site``)."""
    if index == 0:
        return None
    _, make = _pool_sites()[index - 1]
    try:
        return site_toml(make(shipped_guide().setting_values))
    except (KeyError, TypeError):
        return None


@functools.cache
def pool_guide(index: int) -> Guide:
    """The shipped pack (0) or the pack with one of the pool's site files."""
    shipped = shipped_guide()
    if index == 0:
        return shipped
    _, make = _pool_sites()[index - 1]
    try:
        values = make(shipped.setting_values)
    except (KeyError, TypeError):
        return shipped  # the pack has no such setting: nothing to vary
    return load_site(values)


# --- Drivers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """What an override was given for: its reason, and the answers on that day."""

    code: str
    comment: str
    answers: Mapping[str, Scalar] | None
    """None: bound to nothing the oracle knows (a made-up fingerprint)."""
    today: dt.date


@dataclass
class Run:
    """One path's verdict on a patient."""

    status: str
    """ready | blocked | needs_override | incomplete | refused"""
    answers: Mapping[str, Scalar]
    today: dt.date
    bases: dict[str, Basis] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    state: State | None = None
    date_default: bool = True
    """An injection date not given is today (False in a walkthrough, which asks)."""


def bound_fingerprint(
    guide: Guide, answers: Mapping[str, Scalar], today: dt.date, gate: str
) -> str:
    """The fingerprint a session binds an override or acknowledgement of ``gate`` to: the
    gate's in the evaluation of ``answers`` without any (``GateResult.fingerprint``, the
    engine's :func:`inputs_fingerprint` over that evaluation's context). The context is
    lazy and order-free, so a fresh one gives the same fingerprint, working out only what
    the gate reads instead of judging every gate (a test pins the two equal)."""
    ctx = LazyContext(guide, today, Inputs(answers, today).use_defaults, answers)
    return inputs_fingerprint(guide.gate(gate), ctx)


def engine_run(guide: Guide, p: Patient) -> Run:
    """The engine, with overrides bound as a session would have bound them."""
    overrides: dict[str, Override] = {}
    bases: dict[str, Basis] = {}
    acks: dict[str, str] = {}
    gates = {g.id for g in guide.gates} if p.overrides or p.acks else set()

    for spec in p.overrides:
        if spec.basis == "garbage":
            fingerprint, given_for = GARBAGE_FINGERPRINT, None
        else:
            if spec.gate not in gates:
                continue
            given_for = p.answers if spec.basis == "now" else p.earlier
            fingerprint = bound_fingerprint(guide, given_for, p.today, spec.gate)
        overrides[spec.gate] = Override(spec.code, spec.comment, fingerprint)
        bases[spec.gate] = Basis(spec.code, spec.comment, given_for, p.today)
    for gate_id, basis in p.acks:
        if gate_id in gates:
            acks[gate_id] = (
                bound_fingerprint(guide, p.answers, p.today, gate_id)
                if basis == "now"
                else GARBAGE_FINGERPRINT
            )
    state = evaluate(guide, Inputs(p.answers, p.today, overrides=overrides, acks=acks))
    return Run(state.status, p.answers, p.today, bases, state=state)


def check_run(guide: Guide, p: Patient, with_overrides: bool = True) -> Run:
    """``check --answer ... --override ...`` in process: refused answers are exit 2. The
    judge's evaluation, as the command's: the bounds, the overrides and the one rule for
    answers that contradict each other (visit/contradiction.py)."""
    from xrntx_guide.judge import with_record
    from xrntx_guide.output.check import check_result
    from xrntx_guide.visit.presets import gather, parse_overrides

    flags = [f"{k}={to_flag(v)}" for k, v in p.answers.items()]
    specs = [s for s in p.overrides if s.basis == "now"] if with_overrides else []
    bases = {s.gate: Basis(s.code, s.comment, p.answers, p.today) for s in specs}
    try:
        presets = gather(guide, flags, None, p.today)
        requests = parse_overrides(guide, [s.flag() for s in specs])
        state, _ = with_record(guide, presets, p.today, None, requests)
    except UsageError:
        return Run("refused", p.answers, p.today, bases)
    result = check_result(state)
    # The command adds what the rapid pathway's record says (no days: flags give none).
    from xrntx_guide.visit.rapid import check_block

    rapid = check_block(guide, state.question_visible, [], p.today)
    if rapid is not None:
        result["rapid"] = rapid
    return Run(state.status, p.answers, p.today, bases, result=result, state=state)


def batch_run(guide: Guide, p: Patient, with_overrides: bool = True) -> Run:
    """One line of ``check --batch`` in process, with the same ``--override`` flags as
    :func:`check_run`; an error line is a refusal."""
    from xrntx_guide.batch import Job, check_line
    from xrntx_guide.visit.presets import parse_overrides

    specs = [s for s in p.overrides if s.basis == "now"] if with_overrides else []
    bases = {s.gate: Basis(s.code, s.comment, p.answers, p.today) for s in specs}
    try:
        requests = parse_overrides(guide, [s.flag() for s in specs])
    except UsageError:
        return Run("refused", p.answers, p.today, bases)
    line = json.dumps({k: to_json(v) for k, v in p.answers.items()})
    job = Job(guide, p.today, {}, False, overrides=tuple(requests))
    text, bad = check_line(job, 1, line)
    if bad:
        return Run("refused", p.answers, p.today, bases)
    result = json.loads(text)
    result.pop("line")  # the batch's own: the input line number, which a check has not
    return Run(str(result["status"]), p.answers, p.today, bases, result=result)


def session_run(guide: Guide, p: Patient, sittings: Sequence[Sitting]) -> Run:
    """The sittings as ``walk --no-input`` runs them (``--resume`` after the first), with
    the record saved and read back between sittings; the verdict is the record's."""
    from xrntx_guide.engine.drive import walk_unattended
    from xrntx_guide.engine.next_action import prune
    from xrntx_guide.visit.presets import Preset, evaluate_presets, gather, parse_overrides
    from xrntx_guide.visit.session import SessionRecord, new_session, refresh_defaults

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    record = new_session(guide, "fuzz", start, None)
    snapshots: dict[dt.datetime, tuple[dict[str, Scalar], dt.date]] = {}
    day = p.today
    for i, sitting in enumerate(sittings):
        day = sitting.day
        now = start + dt.timedelta(minutes=i + 1)
        try:
            base = {k: Preset(v, "session") for k, v in record.typed_answers(guide, day).items()}
            flags = [f"{k}={to_flag(v)}" for k, v in sitting.answers.items()]
            presets = gather(guide, flags, None, day)
            requests = parse_overrides(guide, list(sitting.overrides))
            evaluate_presets(guide, {**base, **presets}, day)
        except UserError:
            continue  # the command is refused: nothing is recorded
        for key, preset in presets.items():
            record.set_answer(key, preset.value, "flag", now)
        if i > 0:
            refresh_defaults(guide, record, day, now)
        if sitting.prune:
            inputs = record.inputs(guide, day)
            _, cleared = prune(guide, inputs.answers, day, inputs.overrides)
            record.clear(cleared, now, "no longer applies")
        outcome = walk_unattended(
            guide, record, day, {r.gate: r for r in requests}, sitting.acknowledge, now
        )
        record.summarise(outcome.state, now)
        record = SessionRecord.model_validate_json(record.model_dump_json())
        snapshots[now] = (record.typed_answers(guide, day), day)
    inputs = record.inputs(guide, day)
    state = evaluate(guide, inputs)
    bases: dict[str, Basis] = {}
    for gate, o in record.overrides.items():
        answers_then, day_then = snapshots.get(o.at, (None, day))
        bases[gate] = Basis(o.code, o.comment, answers_then, day_then)
    return Run(state.status, dict(inputs.answers), day, bases, state=state, date_default=False)


# --- Invariants --------------------------------------------------------------------------


def ready_violations(guide: Guide, run: Run) -> list[str]:
    """(a) Ready means the reference finds nothing standing, apart from stops that carry a
    valid override given for these answers (invariants 4.4.1, 4.4.2, 4.4.6)."""
    if run.status != "ready":
        return []
    bad = []
    for f in oracle.findings(guide, run.answers, run.today, run.date_default):
        if f.severity == oracle.STOP and f.state == oracle.HOLDS:
            b = run.bases.get(f.gate)
            if (
                b is not None
                and b.answers is not None
                and oracle.override_is_valid(guide, b.code, b.comment)
                and oracle.override_binds(f.gate, b.answers, b.today, run.answers, run.today)
            ):
                continue
            why = "no override" if b is None else "no valid override bound to these answers"
            bad.append(f"ready, but {f} [{why}]")
        else:
            bad.append(f"ready, but {f}")
    return bad


def blocked_violations(guide: Guide, run: Run) -> list[str]:
    """(c) Blocked means a contraindication holds. Two allowances: answers the reference
    refuses may end in any status but ready, and a gate the oracle cannot decide yet
    (answers missing) may already fail: blocking early is not unsafe, blocking on a gate
    the reference decides passes is wrong."""
    if run.status != "blocked":
        return []
    found = oracle.findings(guide, run.answers, run.today, run.date_default)
    if any(f.severity == oracle.REFUSED for f in found):
        return []
    if any(f.severity == oracle.CONTRAINDICATION and f.state == oracle.HOLDS for f in found):
        return []
    failing: list[str] = []
    if run.state is not None:
        failing = [
            g.id
            for g in run.state.gates.values()
            if g.outcome == "fail" and g.severity == "contraindication"
        ]
    elif run.result is not None:
        failing = [
            g["id"]
            for g in run.result.get("gates", [])
            if g.get("outcome") == "fail" and g.get("severity") == "contraindication"
        ]
    open_gates = {
        f.gate for f in found if f.severity == oracle.CONTRAINDICATION and f.state != oracle.HOLDS
    }
    if any(g in open_gates for g in failing):
        return []
    return [f"blocked by {failing}, but per the reference no contraindication holds"]


def violations(guide: Guide, run: Run) -> list[str]:
    return ready_violations(guide, run) + blocked_violations(guide, run)


# --- Answers to the shipped pack, one question at a time -------------------------------------

SHIPPED = shipped_guide()


def answer_values(key: str) -> st.SearchStrategy[Any]:
    q = SHIPPED.questions[key].spec
    if q.choices:
        return st.sampled_from([c.value for c in q.choices])
    if q.type == "bool":
        return st.booleans()
    if q.type == "date":
        return st.integers(0, 400).map(lambda n: TODAY - dt.timedelta(days=n))
    if q.type == "int":
        return st.integers(0, 120)
    if q.type == "number":
        return st.floats(0, 20, allow_nan=False)
    return st.text(min_size=1, max_size=5).filter(str.strip)


ANSWERS = st.fixed_dictionaries({}, optional={k: answer_values(k) for k in SHIPPED.questions})
"""Any subset of the shipped pack's questions, each answered with a value of its type."""

SKIP_OPTIONAL = st.booleans()
"""Whether a person leaves an optional question unanswered."""


@st.composite
def cows_series(draw: st.DrawFn, scores: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Ratings over yesterday, today and tomorrow's early hours, by total or by items."""
    n = draw(st.integers(1, 6))
    minutes = draw(st.lists(st.integers(-1440, 1500), min_size=n, max_size=n, unique=True))
    out = []
    for m in minutes:
        when = dt.datetime.combine(TODAY, dt.time(0)) + dt.timedelta(minutes=m)
        entry: dict[str, Any] = {"at": when.isoformat(), "context": "repeat"}
        if draw(st.booleans()):
            entry["total"] = draw(st.integers(0, 48))
        else:
            entry["items"] = {i: draw(st.sampled_from(s)) for i, s in scores.items()}
        out.append(entry)
    return out


# --- The rapid pathway's daily record (tests/visit/test_rapid.py) ---------------------------

RAPID_MUTATIONS = (
    "drop",
    "future",
    "early",
    "shift",
    "duplicate",
    "untolerated",
    "no_cows",
    "high",
)
"""The ways a daily record is broken, each applied to an otherwise complete record."""
RAPID_LAST_DAY = st.integers(1, 9)
RAPID_MUTATION = st.sampled_from(RAPID_MUTATIONS)
RAPID_WHICH_DAY = st.integers(0, 8)
RAPID_WITH_TABLE = st.booleans()


REACTIONS = {
    "severe site reaction": ("injection_site_reaction", "severe"),
    "allergic reaction after the last dose": ("reaction_after_last_dose", True),
}
"""Sections 9 and 4.2: what a repeat visit may find about the last dose."""


@st.composite
def with_a_reaction(draw: Any) -> tuple[Case, str]:
    """A repeat visit (continuing the treatment) that found one of :data:`REACTIONS`, with
    overrides, good and bad, for any stop including the site's."""
    case = draw(cases(Options(odd=False)))
    kind = draw(st.sampled_from(sorted(REACTIONS)))
    key, value = REACTIONS[kind]
    p = case.patient
    day = p.answers.get("injection_date", p.today)
    assert isinstance(day, dt.date)
    base: dict[str, Scalar] = {
        "visit": oracle.REPEAT,
        "last_injection_date": shift(day, -draw(st.integers(7, 60))),
        "last_injection_side": "left",
        "opioid_use_since_last_injection": False,
        "injection_site_reaction": "none",
        "reaction_after_last_dose": False,
        "lft_within_interval": True,
        "respiratory_symptoms": False,
        "suicidal_thoughts": False,
    }
    answers = {**p.answers, **base, "end_of_treatment": False, key: value}
    answers.pop("last_opioid_use", None)  # no use since the last injection
    answers = {k: v for k, v in answers.items() if k in case.guide.questions}
    codes = sorted(oracle.valid_override_codes(case.guide))
    overrides = tuple(
        OverrideSpec(
            draw(st.sampled_from(["injection_site_reaction", "hypersensitivity", "age"])),
            draw(st.sampled_from(codes)),
            "reviewed with the patient",
            draw(st.sampled_from(["now", "earlier", "garbage"])),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    before: list[Scalar] = ["severe", "mild", "none"] if value == "severe" else [True, False]
    earlier = {**answers, key: draw(st.sampled_from(before))}
    patient = Patient(p.today, answers, earlier, overrides, (("injection_site_reaction", "now"),))
    return Case(case.site, patient), kind


def dose_then_use() -> st.SearchStrategy[tuple[int, int]]:
    """(days since the last injection, days since a use after it): a repeat visit within
    a few weeks of a dose, with a use since it (never before it)."""
    return st.integers(0, 40).flatmap(
        lambda since: st.tuples(st.just(since), st.integers(0, since))
    )
