"""Every string of a visit's FHIR Bundle is a FHIR string: FHIR R4 forbids the control
characters below U+0020 other than tab, CR and LF. A kit lot or an override's comment
read from a file (or a hand-edited session) may hold ESC or NUL: the Bundle shows them
escaped (``\\x1b``), as the chart note does, so an EHR's parser never rejects the visit
or passes a terminal escape on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.helpers import TODAY, Run, after_injection

FHIR_STRING = re.compile(r"[ \r\n\t\S]+")
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_a_lot_with_control_characters_is_a_valid_fhir_string(run: Run, tmp_path: Path) -> None:
    lot = "\x1b[31mLOT\x00-7\x07"
    answers = {
        k: v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in after_injection(kit_lot=lot).items()
    }
    file = tmp_path / "a.json"
    file.write_text(json.dumps(answers), encoding="utf-8")
    w = run(
        "walk", "--no-input", "--now", f"{TODAY.isoformat()}T10:00", "--label", "F",
        "--acknowledge", "all", "--answers", str(file),
    )  # fmt: skip
    assert w.exit_code == 0, w.output

    r = run("note", "F", "--format", "fhir")

    assert r.exit_code == 0, r.output
    bundle = json.loads(r.stdout)
    bad = [s for s in strings(bundle) if FORBIDDEN.search(s) or not FHIR_STRING.fullmatch(s)]
    assert bad == [], bad
    assert "\\x1b[31mLOT\\x00-7\\x07" in r.stdout.replace("\\\\", "\\")  # shown, escaped
