"""The floor for `check --batch`: the shipped guide's gates for a first injection written
by hand in plain Python, for the records bench/bench.py makes (every answer given, the
standard pathway), one JSON result line per input line.

No interpreter of conditions, no pack, no provenance: only the comparisons themselves, so
its time per record is what the gates cost at the least. Its numbers are the loaded
guide's settings (none is written here). It is a yardstick, not a second guide: it knows
nothing of the rapid pathway, repeat injections, series or times, and bench.py counts how
often its status, blocking gates and cautions agree with the program's on the same records.

Run: ``python bench/batch_floor.py --today YYYY-MM-DD < records.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from xrntx_guide.pack.load import load_guide

UDS = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")


def judge(r: dict[str, object], s: dict[str, object], today: dt.date) -> dict[str, object]:
    """The status of one record, as the shipped gates give it for these records."""
    fails: list[tuple[str, str]] = []  # (gate, severity)

    def fail(gate: str, severity: str) -> None:
        fails.append((gate, severity))

    if r["opioid_analgesics"]:
        fail("opioid_analgesics", "contraindication")
    if r["hypersensitivity"]:
        fail("hypersensitivity", "contraindication")
    if r["age"] < s["minimum_age"]:  # type: ignore[operator]
        fail("age", "stop")
    if r["pregnancy_test"] == "positive":
        fail("pregnancy", "stop")
    if r["breastfeeding"]:
        fail("breastfeeding", "stop")
    lft = r["lft_multiple_uln"]
    if r["acute_hepatitis"] or lft > s["liver_stop_multiple"]:  # type: ignore[operator]
        fail("liver", "stop")
    elif lft > s["liver_caution_multiple"]:  # type: ignore[operator]
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
    table: dict[str, int] = s["min_opioid_free_days"]  # type: ignore[assignment]
    if kind == "buprenorphine_extended_release" or (kind in table and free < table[kind]):
        fail("opioid_free_interval", "contraindication")
    uds = [r[k] for k in UDS]
    if r["uds_fentanyl"] == "positive" or "positive" in uds:
        fail("urine_drug_screen", "contraindication")
    elif "not_done" in uds:
        fail("urine_drug_screen", "stop")
    if r["cows_total"] >= s["cows_threshold"]:  # type: ignore[operator]
        fail("withdrawal", "contraindication")
    required = kind in ("fentanyl", "unknown") or free < s["challenge_required_within_days"]  # type: ignore[operator]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--today", required=True)
    today = dt.date.fromisoformat(ap.parse_args().today)
    settings = dict(load_guide(None, None).setting_values)
    write = sys.stdout.write
    for line in sys.stdin:
        write(json.dumps(judge(json.loads(line), settings, today)) + "\n")


if __name__ == "__main__":
    main()
