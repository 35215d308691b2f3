"""The floor for `check --batch`: the same result lines, written by hand in plain Python.

For the records bench/bench.py makes (a first injection on the standard pathway, every
answer given), this writes, line for line, the result that ``xrntx-guide check --today
DAY --batch -`` writes: every gate with its title, severity, outcome, reason, sources,
what to do instead, earliest date, what it still needs, and whether it is acknowledged or
to be verified; the derived values, the guide, the day, the answers ignored and the
observation of a timed result. The program's own result must come out byte for byte
(bench.py counts the lines that do; a test holds the two together on its records).

What it is made of: the comparisons of the shipped gates written out by hand, with no
interpreter of conditions, no evaluation of the pack and none of the program's code that
builds results. The guide is loaded once at start and read as a hand-written program would
read its configuration: its numbers (the settings, none written here) and its words (gate
titles, severities, sources, rule messages and what to do instead, choice labels, units,
the bands of a derived value), with the placeholders filled in by this file's own small
substitution from values it works out itself. What does not change from line to line (a
message's settings; a gate's whole entry, passing or failing, when its words name no
answer) is made once at start, as a hand-written program would. Lines are written with
pydantic_core's ``to_json``, the program's own (and fastest) writer, so the two differ in
the work, not in the encoder.

It is a yardstick, not a second guide: it knows nothing of repeat visits, the rapid
pathway, series, times or overrides, and it refuses (exit 2, naming the line) a record
that is not of the kind it judges, rather than writing a result it has not worked out.

``--verdicts-only`` keeps the former floor: the same comparisons, writing only each
record's status, blocking gates and cautions (about 150 bytes, against the program's
5,000): what the gates cost alone.

Run: ``python bench/batch_floor.py --today YYYY-MM-DD [--verdicts-only] < records.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from pydantic_core import to_json

from xrntx_guide.output.versions import CHECK_RESULT  # a constant: the format's version
from xrntx_guide.pack.load import load_guide

UDS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")

# --- the former floor: verdicts only --------------------------------------------------


def verdicts(r: dict[str, Any], s: Mapping[str, Any], today: dt.date) -> dict[str, object]:
    """The status of one record, as the shipped gates give it for these records."""
    fails: list[tuple[str, str]] = []  # (gate, severity)

    def fail(gate: str, severity: str) -> None:
        fails.append((gate, severity))

    if r["opioid_analgesics"]:
        fail("opioid_analgesics", "contraindication")
    if r["hypersensitivity"]:
        fail("hypersensitivity", "contraindication")
    if r["age"] < s["minimum_age"]:
        fail("age", "stop")
    if r["pregnancy_test"] == "positive":
        fail("pregnancy", "stop")
    if r["breastfeeding"]:
        fail("breastfeeding", "stop")
    lft = r["lft_multiple_uln"]
    if r["acute_hepatitis"] or lft > s["liver_stop_multiple"]:
        fail("liver", "stop")
    elif lft > s["liver_caution_multiple"]:
        fail("liver", "caution")
    if r["bleeding_risk"]:
        fail("bleeding_risk", "caution")
    if r["mood_concern"]:
        fail("mood", "caution")
    if r["renal_or_severe_hepatic_impairment"]:
        fail("organ_impairment", "caution")
    if r["planned_surgery_within_28_days"]:
        fail("planned_surgery", "caution")
    if not r["consent"]:
        fail("consent", "contraindication")
    kind = str(r["last_opioid_kind"])
    if kind == "fentanyl" or r["fentanyl_used_30_days"]:
        fail("fentanyl", "caution")
    injection = dt.date.fromisoformat(str(r["injection_date"]))
    free = (injection - dt.date.fromisoformat(str(r["last_opioid_use"]))).days
    table: dict[str, int] = s["min_opioid_free_days"]
    if kind == "buprenorphine_extended_release" or (kind in table and free < table[kind]):
        fail("opioid_free_interval", "contraindication")
    uds = [r[k] for k in UDS]
    if r["uds_fentanyl"] == "positive" or "positive" in uds:
        fail("urine_drug_screen", "contraindication")
    elif "not_done" in uds:
        fail("urine_drug_screen", "stop")
    if r["cows_total"] >= s["cows_threshold"]:
        fail("withdrawal", "contraindication")
    required = kind in ("fentanyl", "unknown") or free < s["challenge_required_within_days"]
    challenge = r["naloxone_challenge"]
    if challenge == "positive":
        fail("naloxone_challenge", "contraindication")
    elif kind == "buprenorphine_extended_release":
        pass  # no interval is established, so whether a challenge is required is undecided
    elif required and challenge == "not_done":
        fail("naloxone_challenge", "stop")
    elif r["abstinence_evidence"] == "self_report" and challenge == "not_done":
        fail("naloxone_challenge", "caution")
    counselled = ("medication_guide_given", "overdose_counselled", "reversal_agent_offered")
    if not all(r[k] for k in counselled):
        fail("counselling", "caution")
    if not r["kit_storage_ok"]:
        fail("kit_storage", "contraindication")
    if r["body_habitus"] == "unsuitable":
        fail("body_habitus", "stop")
    blocking = [g for g, sev in fails if sev != "caution"]
    if any(sev == "contraindication" for _, sev in fails):
        status = "blocked"
    elif blocking:
        status = "needs_override"
    else:
        status = "ready"
    return {
        "id": r.get("id"),
        "status": status,
        "blocking": blocking,
        "cautions": [g for g, sev in fails if sev == "caution"],
        "today": today.isoformat(),
    }


# --- the whole result ----------------------------------------------------------------

RANK = {"info": 0, "caution": 1, "stop": 2, "contraindication": 3}
"""How severe each outcome is: a gate's severity when it does not fail is its worst rule's."""
BLOCKS = ("contraindication", "stop")
ACKNOWLEDGED = ("caution", "info")
NOT_FOR_A_FIRST_INJECTION = (
    "dose_timing",
    "repeat_as_new_induction",
    "end_of_treatment",
    "injection_site_reaction",
    "overdue_dose",
    "monitoring",
    "rapid_pathway",  # the supervised rapid pathway only
)
"""Gates that do not apply to these records (their results are left out, as the program
leaves out a gate that does not apply)."""
DAY1 = ["rapid_day1_date"]
"""The rapid pathway's day 1, never typed: an input of the interval and the challenge, not
given, so a failing one names it as still missing (nothing else is)."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
_PLURAL = re.compile(r"^( (?:COWS )?(?:day|hour|minute|week|month|year|point))s\b")

Parts = tuple[tuple[bool, str], ...]
"""A text split into (is a name to fill, text) parts."""


def singular(after_one: str) -> str:
    """The text after the number 1 with its unit in the singular (" days" -> " day")."""
    return _PLURAL.sub(r"\1", after_one, count=1)


def number(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def show(value: object) -> str:
    """A setting's value as a message shows it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    return str(value)


def parts(text: str, settings: Mapping[str, Any]) -> Parts:
    """``text`` split at its placeholders, with the settings filled in now (they do not
    change from line to line) and a unit after a setting of 1 made singular."""
    pieces: list[tuple[str, str]] = []  # ("text" | "name" | "setting", text)
    at = 0
    for m in _PLACEHOLDER.finditer(text):
        pieces.append(("text", text[at : m.start()]))
        name = m.group(1)
        if name.startswith("settings."):
            pieces.append(("setting", show(settings[name[9:]])))
        else:
            pieces.append(("name", name))
        at = m.end()
    pieces.append(("text", text[at:]))
    out: list[tuple[bool, str]] = []
    after = ""  # the setting just filled in
    for kind, piece in pieces:
        if kind == "name":
            out.append((True, piece))
            after = ""
            continue
        if kind == "text" and after == "1":
            piece = singular(piece)
        after = piece if kind == "setting" else ""
        if out and not out[-1][0]:
            out[-1] = (False, out[-1][1] + piece)
        elif piece:
            out.append((False, piece))
    return tuple(out)


def fill(p: Parts, values: Mapping[str, str]) -> str:
    """The text with its names filled in from ``values`` (a unit after a 1 singular)."""
    out: list[str] = []
    for is_name, text in p:
        if is_name:
            out.append(values[text])
        elif out and out[-1] == "1":
            out.append(singular(text))
        else:
            out.append(text)
    return "".join(out)


class Rule:
    """One rule's words, read from the guide once; made whole once when they name no
    answer (only the settings)."""

    def __init__(self, spec: Any, gate: Any, settings: Mapping[str, Any]) -> None:
        self.severity: str = spec.severity
        self.message = parts(spec.message, settings)
        self.instead = [parts(t, settings) for t in spec.instead]
        own = list(spec.sources)
        cited = own if spec.own_sources_only else [*own, *gate.sources]
        self.sources = list(dict.fromkeys(cited))
        self.verify: bool = gate.verify or spec.verify
        named = any(is_name for p in (self.message, *self.instead) for is_name, _ in p)
        self.reason = None if named else fill(self.message, {})
        self.instead_text = None if named else [fill(t, {}) for t in self.instead]
        self.whole: dict[str, Any] = {}
        """The whole entry of a failure that names no answer (made by its gate)."""


class Gate:
    """One gate's words, read from the guide once."""

    def __init__(self, spec: Any, settings: Mapping[str, Any]) -> None:
        self.id: str = spec.id
        self.title: str = spec.title
        self.sources = list(spec.sources)
        self.verify: bool = spec.verify
        self.rules = [Rule(r, spec, settings) for r in spec.rule]
        self.severity = max((r.severity for r in self.rules), key=RANK.__getitem__)
        self.passing = parts(spec.pass_message or "passed", settings)
        self.constant_pass = (
            self.entry("pass", fill(self.passing, {}))
            if not any(is_name for is_name, _ in self.passing)
            else None
        )
        for rule in self.rules:
            if rule.reason is not None and rule.instead_text is not None:
                rule.whole = self.failure(rule, rule.reason, rule.instead_text)

    def entry(self, outcome: str, reason: str, severity: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "severity": severity or self.severity,
            "outcome": outcome,
            "reason": reason,
            "sources": self.sources,
        }
        if self.verify:
            out["verify"] = True
        return out

    def passed(self, values: Mapping[str, str] | None = None) -> dict[str, Any]:
        if self.constant_pass is not None:
            return self.constant_pass
        return self.entry("pass", fill(self.passing, values or {}))

    def undecided(self, reason: str) -> dict[str, Any]:
        """Undecided with no answer that would decide it: the reason says why, and nothing
        is named as missing."""
        return self.entry("unknown", reason)

    def unknown(self, missing: list[str]) -> dict[str, Any]:
        out = self.entry("unknown", "not decided yet: needs " + ", ".join(missing))
        verify = out.pop("verify", None)
        out["missing"] = missing
        if verify:
            out["verify"] = True
        return out

    def failed(
        self,
        index: int,
        values: Mapping[str, str] | None = None,
        *,
        earliest: str | None = None,
        missing: list[str] | None = None,
    ) -> dict[str, Any]:
        rule = self.rules[index]
        if rule.reason is not None and rule.instead_text is not None:
            if earliest is None and not missing:
                return rule.whole
            reason, instead = rule.reason, rule.instead_text
        else:
            values = values or {}
            reason = fill(rule.message, values)
            instead = [fill(t, values) for t in rule.instead]
        return self.failure(rule, reason, instead, earliest, missing)

    def failure(
        self,
        rule: Rule,
        reason: str,
        instead: list[str],
        earliest: str | None = None,
        missing: list[str] | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "severity": rule.severity,
            "outcome": "fail",
            "reason": reason,
            "sources": rule.sources,
        }
        if instead:
            out["instead"] = instead
        if earliest is not None:
            out["earliest_date"] = earliest
        if missing:
            out["missing"] = missing
        if rule.severity in ACKNOWLEDGED:
            out["acknowledged"] = False
        if rule.verify:
            out["verify"] = True
        return out


def _bands(expr: str, name: str) -> tuple[list[tuple[str, str, int]], str]:
    """The bands of a derived value written ``'a' if name < N else ('b' if name <= M ...
    else 'z')``, read from its text: [(label, comparison, bound)], the last label."""
    found = re.findall(rf"'([^']+)' if {name} (<=|<) (\d+)", expr)
    last = re.search(r"else '([^']+)'\)*$", expr)
    if not found or last is None:
        sys.exit(f"batch_floor: the derived value over {name} is no longer a list of bands")
    return [(label, op, int(bound)) for label, op, bound in found], last.group(1)


def _choices(expr: str, name: str) -> tuple[dict[str, str], str]:
    """A derived value written ``'x' if name == 'a' else (... else 'z')``: {a: x}, z."""
    found = re.findall(rf"'([^']+)' if {name} == '([^']+)'", expr)
    last = re.search(r"else '([^']+)'\)*$", expr)
    if not found or last is None:
        sys.exit(f"batch_floor: the derived value over {name} is no longer a table")
    return {value: text for text, value in found}, last.group(1)


class Floor:
    """The guide read once: its settings, its words, and what every line shares."""

    def __init__(self, today: dt.date) -> None:
        guide = load_guide(None, None)
        s = self.s = dict(guide.setting_values)
        self.today = today.isoformat()
        self.gates = {g.spec.id: Gate(g.spec, s) for g in guide.gates}
        known = {*JUDGED, *NOT_FOR_A_FIRST_INJECTION}
        strange = [g for g in self.gates if g not in known]
        if strange:
            sys.exit(f"batch_floor: gates it does not judge by hand: {strange}")
        self.order = [g for g in self.gates if g in JUDGED]
        self.labels = {
            key: {c.value: c.label for c in cq.spec.choices}
            for key, cq in guide.questions.items()
            if cq.spec.choices
        }
        derived = guide.derived
        self.unit = {n: d.spec.unit for n, d in derived.items() if d.spec.unit}
        self.no_value = {n: d.spec.no_value for n, d in derived.items() if d.spec.no_value}
        self.labels_of = {n: d.spec.label or n for n, d in derived.items()}
        self.cows_bands = _bands(derived["cows_band"].spec.expr, "cows_total")
        self.needles = _choices(derived["needle"].spec.expr, "body_habitus")
        side = re.search(r"else '([^']+)'\)*$", derived["injection_side"].spec.expr)
        assert side is not None
        self.first_side = side.group(1)  # no last side at a first injection
        self.report = list(guide.meta.report.result)
        self.after_injection = set(guide.meta.report.after_injection)
        self.guide = {"id": guide.meta.id, "version": guide.meta.version, "site": None}
        self.dose_interval = dt.timedelta(days=s["dose_interval_days"])
        self.horizon = guide.meta.date_search_days
        challenge = guide.questions["naloxone_challenge"].spec
        self.observed = set(challenge.wait_for or ())
        self.minutes = float(s["naloxone_observation_minutes"])

    def days(self, n: int) -> str:
        unit = " " + self.unit["days_opioid_free"]
        return f"{n}{singular(unit) if n == 1 else unit}"

    def band(self, total: int) -> str:
        bands, last = self.cows_bands
        for label, op, bound in bands:
            if total < bound or (op == "<=" and total == bound):
                return label
        return last

    def label(self, key: str, value: str) -> str:
        return self.labels[key].get(value, value)

    def result(self, r: dict[str, Any]) -> dict[str, Any]:
        """One record's check result, from its answers (``id`` taken out)."""
        s, G, yes = self.s, self.gates, ("no", "yes")
        if r["visit"] != "first_injection" or "pathway" in r or "rapid_days" in r:
            raise ValueError("only first injections on the standard pathway are judged here")
        gates: dict[str, dict[str, Any]] = {}
        kind = r["last_opioid_kind"]
        injection = dt.date.fromisoformat(r["injection_date"])
        last_use = dt.date.fromisoformat(r["last_opioid_use"])
        free = (injection - last_use).days
        required: int | None = s["min_opioid_free_days"].get(kind)  # none after XR-bup

        gates["indication"] = (
            G["indication"].passed() if r["oud_diagnosis"] else (G["indication"].failed(0))
        )
        g = G["opioid_analgesics"]
        gates[g.id] = g.failed(0) if r["opioid_analgesics"] else g.passed()
        g = G["hypersensitivity"]
        gates[g.id] = g.failed(0) if r["hypersensitivity"] else g.passed()
        age = r["age"]
        g = G["age"]
        gates[g.id] = (
            g.failed(0, {"age": str(age)})
            if age < s["minimum_age"]
            else (g.passed({"age": str(age)}))
        )
        g = G["pregnancy"]
        test = r["pregnancy_test"]
        gates[g.id] = (
            g.failed(1)
            if test == "positive"
            else (g.passed({"pregnancy_test": self.label("pregnancy_test", test)}))
        )
        g = G["breastfeeding"]
        gates[g.id] = g.failed(0) if r["breastfeeding"] else g.passed()
        g = G["liver"]
        lft = r["lft_multiple_uln"]
        liver = {"lft_multiple_uln": number(lft), "acute_hepatitis": yes[r["acute_hepatitis"]]}
        if r["acute_hepatitis"] or lft > s["liver_stop_multiple"]:
            gates[g.id] = g.failed(0, liver)
        elif lft > s["liver_caution_multiple"]:
            gates[g.id] = g.failed(1, liver)
        else:
            gates[g.id] = g.passed(liver)
        for gid, key in (
            ("bleeding_risk", "bleeding_risk"),
            ("mood", "mood_concern"),
            ("organ_impairment", "renal_or_severe_hepatic_impairment"),
            ("planned_surgery", "planned_surgery_within_28_days"),
        ):
            gates[gid] = G[gid].failed(0) if r[key] else G[gid].passed()
        g = G["consent"]
        gates[g.id] = g.passed() if r["consent"] else g.failed(0)
        g = G["fentanyl"]
        # Asked only when the last opioid was not fentanyl: otherwise ignored.
        fentanyl = kind == "fentanyl" or r["fentanyl_used_30_days"]
        gates[g.id] = g.failed(0) if fentanyl else g.passed()

        # The opioid-free interval. The earliest date is the day the interval is met
        # (when that is within the days the guide searches).
        g = G["opioid_free_interval"]
        shown_kind = self.label("last_opioid_kind", kind)
        free_text = self.days(free)
        earliest_injection: str | None = None
        if required is None:
            gates[g.id] = g.failed(0, missing=DAY1)
        elif free < required:
            met = last_use + dt.timedelta(days=required)
            within = (met - injection).days <= self.horizon
            when = met.isoformat() if within else f"no date within {self.horizon} days"
            values = {
                "days_opioid_free": free_text,
                "last_opioid_kind": shown_kind,
                "required_opioid_free_days": self.days(required),
                "earliest_date": when,
                # The only gate of these records that holds the injection back.
                "earliest_injection_date": when,
            }
            earliest_injection = met.isoformat() if within else None
            gates[g.id] = g.failed(1, values, earliest=earliest_injection, missing=DAY1)
        else:
            gates[g.id] = g.passed(
                {
                    "days_opioid_free": free_text,
                    "last_opioid_date": last_use.isoformat(),
                    "last_opioid_kind": shown_kind,
                    "required_opioid_free_days": self.days(required),
                    "pathway": "not answered",  # asked only while the interval is not met
                }
            )

        g = G["urine_drug_screen"]
        screens = {k: r[k] for k in UDS}
        shown = {k: self.label(k, v) for k, v in screens.items()}
        if screens["uds_fentanyl"] == "positive":
            gates[g.id] = g.failed(0, shown)
        elif "positive" in screens.values():  # buprenorphine counts on the standard pathway
            gates[g.id] = g.failed(1, shown)
        elif "not_done" in screens.values():
            gates[g.id] = g.failed(2, shown)
        else:
            # On the standard pathway the buprenorphine assay reads as given.
            gates[g.id] = g.passed({**shown, "uds_buprenorphine_reading": screens[UDS[2]]})

        g = G["withdrawal"]
        cows = r["cows_total"]
        band = self.band(cows)
        values = {"cows_total": str(cows), "cows_band": band}
        gates[g.id] = g.failed(0, values) if cows >= s["cows_threshold"] else g.passed(values)

        g = G["naloxone_challenge"]
        challenge = r["naloxone_challenge"]
        if challenge not in ("negative", "not_done"):
            raise ValueError("a positive challenge is not judged here")
        need: bool | None = None  # undecided after XR-bup: no interval is established
        if required is not None:
            need = kind in ("fentanyl", "unknown") or free < s["challenge_required_within_days"]
        self_report = r["abstinence_evidence"] == "self_report"
        if challenge == "negative" or (need is False and not self_report):
            # After XR-bup the requirement has no value, and the reason says so in the
            # derived value's own words for having none, as every screen does.
            none = self.no_value["naloxone_challenge_required"]
            shown_need = none if need is None else yes[need]
            gates[g.id] = g.passed(
                {
                    "naloxone_challenge": self.label("naloxone_challenge", challenge),
                    "naloxone_rechallenge": "not answered",  # asked after a positive one
                    "naloxone_challenge_required": shown_need,
                }
            )
        elif need is None:  # no requirement is established: the pack's words say so
            label = self.labels_of["naloxone_challenge_required"]
            none = self.no_value["naloxone_challenge_required"]
            gates[g.id] = g.undecided(f"not decided: {label}: {none}")
        elif need:
            # Waiting clears it only where the interval alone requires the challenge and
            # the abstinence is supervised (after a self-report the caution stays).
            waited = None
            if kind not in ("fentanyl", "unknown") and not self_report:
                day = last_use + dt.timedelta(days=s["challenge_required_within_days"])
                if (day - injection).days <= self.horizon:
                    waited = day.isoformat()
            gates[g.id] = g.failed(
                3,
                {"days_opioid_free": free_text, "last_opioid_kind": shown_kind},
                earliest=waited,
                missing=DAY1,
            )
        else:
            gates[g.id] = g.failed(4, missing=DAY1)

        g = G["kit_storage"]
        gates[g.id] = g.passed() if r["kit_storage_ok"] else g.failed(0)
        g = G["body_habitus"]
        habitus = r["body_habitus"]
        table, other = self.needles
        needle = table.get(habitus, other)
        gates[g.id] = g.failed(0) if habitus == "unsuitable" else g.passed({"needle": needle})
        g = G["counselling"]
        counselled = {
            k: yes[r[k]]
            for k in ("medication_guide_given", "overdose_counselled", "reversal_agent_offered")
        }
        gates[g.id] = g.passed() if "no" not in counselled.values() else g.failed(0, counselled)

        blocking = [
            gid for gid, e in gates.items() if e["outcome"] == "fail" and e["severity"] in BLOCKS
        ]
        if any(
            e["outcome"] == "fail" and e["severity"] == "contraindication" for e in gates.values()
        ):
            status = "blocked"
        elif blocking:
            status = "needs_override"
        else:
            status = "ready"
        # Judged after the injection (its outcome does not decide the status): whether the
        # injection was given is asked once the patient is ready.
        g = G["wallet_card"]
        gates[g.id] = g.unknown(["injection_given" if status == "ready" else "wallet_card_given"])

        derived: dict[str, Any] = {}
        values_: dict[str, Any] = {
            "days_opioid_free": free,
            "required_opioid_free_days": required,
            "naloxone_challenge_required": need,
            "cows_total": cows,
            "cows_band": band,
            "needle": needle,
            "injection_side": self.first_side,
            "next_dose_due": (injection + self.dose_interval).isoformat(),
        }
        for name in self.report:
            if name in self.after_injection and status != "ready":
                derived[name] = None
            else:
                derived[name] = values_[name]
        if earliest_injection is not None:
            derived["earliest_injection_date"] = earliest_injection

        out: dict[str, Any] = {
            "format_version": CHECK_RESULT,
            "status": status,
            "blocking": blocking,
            "cautions": [
                gid
                for gid, e in gates.items()
                if e["outcome"] == "fail" and e["severity"] == "caution"
            ],
            "missing": [],  # every answer is given
            "gates": [gates[gid] for gid in self.order],
            "derived": derived,
            "guide": self.guide,
            "today": self.today,
        }
        if kind == "fentanyl":
            out["ignored"] = ["fentanyl_used_30_days"]  # asked only after another opioid
        if challenge in self.observed:
            out["observation"] = {
                "naloxone_challenge": {
                    "result": challenge,
                    "started": None,
                    "observation_recorded": False,
                    "minutes": self.minutes,
                }
            }
        return out


JUDGED = (
    "indication",
    "opioid_analgesics",
    "hypersensitivity",
    "age",
    "pregnancy",
    "breastfeeding",
    "liver",
    "bleeding_risk",
    "mood",
    "organ_impairment",
    "planned_surgery",
    "consent",
    "fentanyl",
    "opioid_free_interval",
    "urine_drug_screen",
    "withdrawal",
    "naloxone_challenge",
    "kit_storage",
    "body_habitus",
    "counselling",
    "wallet_card",
)


def run(lines: Any, write: Callable[[bytes], object], today: dt.date, whole: bool) -> None:
    """Write one result line per record line (blank lines skipped, still counted)."""
    if not whole:
        settings = dict(load_guide(None, None).setting_values)
        for line in lines:
            write(json.dumps(verdicts(json.loads(line), settings, today)).encode() + b"\n")
        return
    floor = Floor(today)
    for number_, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = json.loads(line)
        ident = record.pop("id", None)
        try:
            result = floor.result(record)
        except (ValueError, KeyError) as exc:
            sys.exit(f"batch_floor: line {number_}: not a record this floor judges ({exc})")
        head: dict[str, Any] = (
            {"line": number_} if ident is None else {"id": ident, "line": number_}
        )
        write(to_json({**head, **result}) + b"\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--today", required=True)
    ap.add_argument(
        "--verdicts-only",
        action="store_true",
        help="write only status, blocking gates and cautions (the gates alone)",
    )
    args = ap.parse_args()
    today = dt.date.fromisoformat(args.today)
    run(sys.stdin.buffer, sys.stdout.buffer.write, today, not args.verdicts_only)


if __name__ == "__main__":
    main()
