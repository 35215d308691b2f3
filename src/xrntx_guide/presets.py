"""Answers and overrides given up front: ``--answer``, ``--answers FILE``, ``--override``.

Values are validated exactly as the interactive prompt validates them (same parser, same
bounds), and every problem names the key and the fix.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .answers import Scalar, parse_pairs, parse_value, unknown_key
from .engine import Inputs, Override, State, evaluate
from .errors import InvalidAnswer, UsageError
from .loader import Guide


class Preset(NamedTuple):
    """An answer given before the walk, and where from. (A named tuple: a batch makes
    one per answer per line.)"""

    value: Scalar
    origin: str  # "flag" | "file" | "session"


def read_answers_file(path: Path) -> dict[str, Any]:
    """A TOML or JSON file of ``key = value`` answers (by extension; JSON otherwise tried first)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--answers {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--answers {path}: cannot read: {exc}") from None
    data: Any
    if path.suffix.lower() == ".toml":
        import tomllib  # only for a TOML answers file: it stays out of every start-up

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"--answers {path}: not valid TOML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"--answers {path}: not valid JSON: line {exc.lineno} column {exc.colno}: "
                f"{exc.msg}",
                hint="Name the file *.toml for TOML.",
            ) from None
    if not isinstance(data, dict):
        raise UsageError(f"--answers {path}: must hold one object of key/value answers")
    data.pop("id", None)
    return data


def parse_answers(
    guide: Guide,
    raw: Mapping[str, Any],
    origin: str,
    today: dt.date,
    where: str,
) -> dict[str, Preset]:
    out: dict[str, Preset] = {}
    for key, value in raw.items():
        cq = guide.questions.get(key)
        if cq is None:
            err = unknown_key(guide, key)
            raise UsageError(f"{where}: {err.message}", hint=err.hint)
        if type(value) is not str:  # TOML gives dates; JSON may give lists and objects
            if isinstance(value, dt.datetime):
                raise InvalidAnswer(
                    key,
                    f"{where}: {value.isoformat()} is a date and time; give a date (YYYY-MM-DD)",
                )
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value is None or isinstance(value, list | dict):
                raise InvalidAnswer(key, f"{where}: {value!r} is not a single value")
        try:
            out[key] = Preset(parse_value(cq, value, today=today), origin)
        except InvalidAnswer as exc:
            raise InvalidAnswer(
                key, f"{exc.reason} ({where})", hint=_allowed_hint(guide, key)
            ) from None
    return out


def _allowed_hint(guide: Guide, key: str) -> str | None:
    cq = guide.questions[key]
    if cq.q.choices:
        return "Allowed: " + ", ".join(str(c.value) for c in cq.q.choices)
    return {"bool": "Allowed: yes, no", "date": "Dates are YYYY-MM-DD."}.get(cq.q.type)


def gather(
    guide: Guide,
    answer_flags: Iterable[str],
    answers_file: Path | None,
    today: dt.date,
    base: Mapping[str, Preset] | None = None,
) -> dict[str, Preset]:
    """Flag over file over session (``base``): later sources win."""
    merged: dict[str, Preset] = dict(base or {})
    if answers_file is not None:
        merged.update(
            parse_answers(
                guide, read_answers_file(answers_file), "file", today, f"--answers {answers_file}"
            )
        )
    pairs = dict(parse_pairs(answer_flags))
    merged.update(parse_answers(guide, pairs, "flag", today, "--answer"))
    return merged


def check_bounds(state: State, keys: Iterable[str]) -> None:
    """Refuse an answer that cannot count once all are in: outside its bounds (which may
    read other answers, e.g. ``max = "injection_date"``) or contradicting the answers it is
    computed from (the engine's verdict, so every input route refuses the same answers)."""
    for key in keys:
        problem = state.invalid.get(key)
        if problem is not None:
            raise InvalidAnswer(key, problem, hint=_allowed_hint(state.guide, key))


@dataclass(frozen=True)
class OverrideRequest:
    gate: str
    code: str
    comment: str


def parse_overrides(guide: Guide, flags: Iterable[str]) -> list[OverrideRequest]:
    out = []
    codes = {c.code for c in guide.meta.override_codes}
    gate_ids = [g.id for g in guide.gates]
    for item in flags:
        gate, sep, reason = item.partition("=")
        gate, reason = gate.strip(), reason.strip()
        if not sep or not gate or not reason:
            raise UsageError(
                f'--override {item!r}: expected GATE="REASON", '
                'e.g. --override pregnancy="clinical_judgement: discussed"'
            )
        if gate not in gate_ids:
            import difflib

            close = difflib.get_close_matches(gate, gate_ids, n=1)
            extra = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"--override: unknown gate {gate!r}{extra}",
                hint="`xrntx-guide gates` lists every gate.",
            )
        if not any(r.rule.severity == "stop" for r in guide.gate(gate).rules):
            raise UsageError(
                f"--override {gate}: a {guide.gate(gate).severity} cannot be "
                "overridden; only stop gates can"
            )
        code, colon, comment = reason.partition(":")
        code, comment = code.strip(), comment.strip()
        if not colon or code not in codes:
            # An override records who-why as a coded reason: a reason without a known code
            # is refused, never filed under a default code (reference 4.4, item 6).
            import difflib

            close = difflib.get_close_matches(code, sorted(codes), n=1, cutoff=0.75)
            extra = f" (did you mean {close[0]!r}?)" if colon and close else ""
            what = f"unknown reason code {code!r}{extra}" if colon else "no reason code"
            raise UsageError(
                f'--override {gate}: {what}: give GATE="CODE: comment"',
                hint="Codes: " + ", ".join(sorted(codes)),
            )
        if not comment:
            raise UsageError(f"--override {gate}: the comment is empty")
        out.append(OverrideRequest(gate, code, comment))
    return out


def apply_overrides(state: State, requests: Iterable[OverrideRequest]) -> dict[str, Override]:
    """Bind each override to the gate's current inputs; a contraindication cannot be."""
    out: dict[str, Override] = {}
    for req in requests:
        g = state.gates[req.gate]
        if g.outcome == "fail" and g.severity == "contraindication":
            raise UsageError(
                f"--override {req.gate}: the gate fails as a contraindication ({g.reason}); "
                "a contraindication cannot be overridden"
            )
        out[req.gate] = Override(req.code, req.comment, g.fingerprint)
    return out


def evaluate_presets(
    guide: Guide,
    presets: Mapping[str, Preset],
    today: dt.date,
    overrides: Iterable[OverrideRequest] = (),
) -> State:
    """Evaluate answers given up front, checking bounds and binding overrides."""
    answers = {k: p.value for k, p in presets.items()}
    state = evaluate(guide, Inputs(answers, today))
    check_bounds(state, answers)
    requests = list(overrides)
    if requests:
        bound = apply_overrides(state, requests)
        state = evaluate(guide, Inputs(answers, today, overrides=bound))
    return state


def missing_message(state: State, keys: list[str]) -> str:
    lines = []
    for key in keys:
        cq = state.guide.questions[key]
        example = _example(cq.q.type, cq.q.choices)
        maybe = " only if it applies;" if state.question_visible.get(key) is None else ""
        lines.append(f"  --answer {key}={example}   ({maybe} {cq.q.prompt})".replace("( ", "("))
    text = "\n".join(lines)
    if any(k.startswith("cows_") for k in keys):
        text += "\n  (or give the COWS total directly: --answer cows_total=N)"
    return text


def _example(kind: str, choices: Any) -> str:
    if choices:
        return "|".join(str(c.value) for c in choices)
    return {"bool": "yes|no", "date": "YYYY-MM-DD", "int": "N", "number": "N", "text": "TEXT"}.get(
        kind, "VALUE"
    )
