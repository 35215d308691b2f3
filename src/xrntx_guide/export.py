"""The whole guide as a handout: markdown, or one self-contained printable HTML file.

Every phase and step, every question with its allowed answers, every gate with its
conditions in words (not the expression), its severity and what to do when it fails, the
settings in force, the facts marked verify, and the full source list; the HTML adds a
diagram of the flow (phases, steps, and the gates checked before each step). Nothing here
prints; the CLI writes the text where it is asked to.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import expr
from .expr import Node
from .loader import PLACEHOLDER, CGate, CQuestion, CStep, Guide
from .report import visible

SEVERITY_WORDS = {
    "contraindication": "Contraindication: the injection cannot be given; no override.",
    "stop": "Stop: blocks until an override with a coded reason and a comment is recorded.",
    "caution": "Caution: shown, and must be acknowledged.",
    "info": "Information: shown; no action.",
}
_OPS = {
    "==": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
    "in": "is one of",
    "not in": "is not one of",
}


# ---------------------------------------------------------------------------------------
# Conditions in words


def name_words(guide: Guide, name: str) -> str:
    """What a name in an expression stands for, as a clinician reads it."""
    if name == "today":
        return "today"
    if name.startswith("settings."):
        key = name[9:]
        setting = guide.settings.get(key)
        value: Any = guide.setting_values.get(key)
        if setting is None:
            return key.replace("_", " ")
        shown = "" if isinstance(value, dict) else f" ({expr.format_value(value)}"
        if shown and setting.unit:
            shown += f" {setting.unit}"
        return f"the setting '{key.replace('_', ' ')}'" + (shown + ")" if shown else "")
    derived = guide.derived.get(name)
    if derived is not None:
        return derived.d.label.lower() if derived.d.label else name.replace("_", " ")
    cq = guide.questions.get(name)
    if cq is not None:
        return "'" + cq.q.prompt.rstrip("?").rstrip() + "'"
    return name.replace("_", " ")


def words(guide: Guide, node: Node, context: CQuestion | None = None) -> str:
    """An expression of the condition language in plain words."""
    if isinstance(node, expr.Literal):
        return _literal_words(node.value, context)
    if isinstance(node, expr.Name):
        cq = guide.questions.get(node.name)
        if cq is not None and cq.q.type == "bool":
            return f"{name_words(guide, node.name)} is yes"
        return name_words(guide, node.name)
    if isinstance(node, expr.ListLit):
        return ", ".join(words(guide, i, context) for i in node.items)
    if isinstance(node, expr.Unary):
        if node.op == "not":
            inner = node.operand
            if isinstance(inner, expr.Name) and inner.name in guide.questions:
                return f"{name_words(guide, inner.name)} is no"
            return f"not ({words(guide, inner)})"
        return f"minus {words(guide, node.operand)}"
    if isinstance(node, expr.Compare):
        about = _question_of(guide, node.left)
        left = _side(guide, node.left)
        right = words(guide, node.right, about)
        return f"{left} {_OPS.get(node.op, node.op)} {right}"
    if isinstance(node, expr.Binary):
        op = "plus" if node.op == "+" else "minus"
        return f"{words(guide, node.left)} {op} {words(guide, node.right)}"
    if isinstance(node, expr.BoolOp):
        parts = [
            f"({words(guide, o)})" if isinstance(o, expr.BoolOp) else words(guide, o)
            for o in node.operands
        ]
        return f" {node.op} ".join(parts)
    if isinstance(node, expr.Cond):
        return (
            f"{words(guide, node.body)} when {words(guide, node.test)}, "
            f"otherwise {words(guide, node.orelse)}"
        )
    if isinstance(node, expr.Call):
        args = node.args
        if node.func == "coalesce":
            return (
                f"{words(guide, args[0])} (counted as {words(guide, args[1])} while not answered)"
            )
        if node.func == "answered":
            return f"{_side(guide, args[0])} is answered"
        if node.func == "days_between":
            return f"the days from {_side(guide, args[0])} to {_side(guide, args[1])}"
        if node.func == "add_days":
            return f"{_side(guide, args[0])} plus {words(guide, args[1])} days"
    if isinstance(node, expr.Index):
        return f"{_side(guide, node.target)} for {_side(guide, node.key)}"
    return expr.unparse(node)  # pragma: no cover - every node kind is handled above


def condition_words(guide: Guide, source: str | None) -> str:
    if source is None:
        return "always"
    return words(guide, expr.parse(source))


def _side(guide: Guide, node: Node) -> str:
    """A value (not a condition): a yes/no question named without 'is yes'."""
    if isinstance(node, expr.Name):
        return name_words(guide, node.name)
    return words(guide, node)


def _question_of(guide: Guide, node: Node) -> CQuestion | None:
    if isinstance(node, expr.Call) and node.func == "coalesce":
        node = node.args[0]
    return guide.questions.get(node.name) if isinstance(node, expr.Name) else None


def _literal_words(value: object, context: CQuestion | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if context is not None:
        label = context.choice_label(value)
        if label is not None:
            return f"'{label}'"
    if isinstance(value, str):
        return f"'{value.replace('_', ' ')}'"
    return expr.format_value(value)  # type: ignore[arg-type]


def template_words(guide: Guide, text: str) -> str:
    """A message with its placeholders named: ``{age}`` becomes ``[Age in years]``."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "earliest_date":
            return "[the earliest date]"
        return "[" + name_words(guide, name).strip("'") + "]"

    return PLACEHOLDER.sub(one, text)


# ---------------------------------------------------------------------------------------
# The document, as data both renderings share


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    anchor: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    """Header row first."""


def sections(guide: Guide) -> Iterator[Section]:
    meta = guide.meta
    # A site's name comes from the clinic's file: a newline in it would start a line (a
    # heading) of its own in the handout.
    site = f" Site settings: {visible(guide.site)}." if guide.site else ""
    yield Section(
        1,
        meta.title,
        "top",
        (
            f"Guide {meta.id} version {meta.version} ({meta.status}; reviewed "
            f"{meta.reviewed.isoformat()}).{site}",
            meta.statement,
            "Severities: " + " ".join(SEVERITY_WORDS.values()),
        ),
    )
    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.gate.before, []).append(gate)
    for phase in meta.phases:
        steps = [s for s in guide.steps if s.step.phase == phase.id]
        if not steps:
            continue
        yield Section(2, phase.title, f"phase-{phase.id}")
        for step in steps:
            yield from _step_sections(guide, step, gates_before.get(step.id, []))
    yield _settings_section(guide)
    yield _verify_section(guide)
    yield Section(
        2,
        "Sources",
        "sources",
        items=tuple(
            f"{key}: {src.citation}" + (f" ({src.locator})" if src.locator else "")
            for key, src in guide.sources.items()
        ),
    )


def _step_sections(guide: Guide, step: CStep, gates: list[CGate]) -> Iterator[Section]:
    s = step.step
    paras = []
    if step.when is not None:
        paras.append("Shown when " + words(guide, step.when.node) + ".")
    if s.requires_clear:
        paras.append("Shown only when every gate before it is clear.")
    paras.append(template_words(guide, s.instructions))
    for when, text in step.notes:
        paras.append(f"When {words(guide, when.node)}: {template_words(guide, text)}")
    if s.sources:
        paras.append("Sources: " + ", ".join(s.sources) + (" (verify)" if s.verify else ""))
    rows: list[tuple[str, ...]] = [("answer key", "question", "allowed answers", "asked when")]
    for cq in step.questions:
        rows.append(
            (
                cq.key,
                cq.q.prompt + (" (optional)" if cq.q.optional else ""),
                _allowed(guide, cq),
                words(guide, cq.when.node) if cq.when is not None else "always",
            )
        )
    yield Section(3, f"Step: {s.title}", f"step-{s.id}", tuple(paras), table=tuple(rows))
    for gate in gates:
        yield _gate_section(guide, gate)


def _allowed(guide: Guide, cq: CQuestion) -> str:
    q = cq.q
    if q.choices:
        text = "; ".join(f"{c.value} ({c.label})" for c in q.choices)
    else:
        text = {"bool": "yes or no", "date": "a date", "text": "text"}.get(q.type, q.type)
        text = {"int": "a whole number", "number": "a number"}.get(q.type, text)
    bounds = []
    if cq.min is not None:
        bounds.append("from " + _side(guide, cq.min.node))
    if cq.max is not None:
        bounds.append("up to " + _side(guide, cq.max.node))
    if bounds:
        text += ", " + " ".join(bounds)
    if cq.default is not None:
        text += f"; default {_side(guide, cq.default.node)}"
    return text


def _gate_section(guide: Guide, gate: CGate) -> Section:
    g = gate.gate
    items = []
    for r in gate.rules:
        rule = r.rule
        line = f"{rule.severity.upper()} when {words(guide, r.fails.node)}. "
        line += template_words(guide, rule.message)
        if rule.instead:
            line += " Instead: " + " ".join(template_words(guide, t) for t in rule.instead)
        sources = list(dict.fromkeys([*rule.sources, *g.sources]))
        line += f" [{', '.join(sources)}]" + (" (verify)" if rule.verify else "")
        items.append(line)
    paras = [
        f"Gate {g.id}, checked before '{guide.step(g.before).step.title}'"
        + ("" if gate.applies is None else f", when {words(guide, gate.applies.node)}")
        + "."
        + (" Part of its basis is marked verify." if g.verify else "")
    ]
    return Section(4, f"Gate: {g.title} [{g.id}]", f"gate-{g.id}", tuple(paras), tuple(items))


def _settings_section(guide: Guide) -> Section:
    rows: list[tuple[str, ...]] = [("setting", "value in force", "a site may set", "sources")]
    for key, s in guide.settings.items():
        value = guide.setting_values[key]
        shown = (
            ", ".join(f"{k} {expr.format_value(v)}" for k, v in value.items())
            if isinstance(value, dict)
            else expr.format_value(value)
        ) + (f" {s.unit}" if s.unit else "")
        if not s.site_adjustable:
            limit = "nothing (fixed)"
        else:
            parts = []
            for word, b in (("at least", s.site_min), ("at most", s.site_max)):
                if isinstance(b, dict):
                    parts.append(word + " " + ", ".join(f"{k} {v}" for k, v in b.items()))
                elif b is not None:
                    parts.append(f"{word} {b}")
            if s.site_choices:
                parts.append("one of " + ", ".join(s.site_choices))
            limit = "; ".join(parts)
        marks = " (local practice)" if s.local_practice else ""
        marks += " (verify)" if s.verify else ""
        rows.append((key, shown + marks, limit, ", ".join(s.sources)))
    title = "Settings in force" + (f" (site: {visible(guide.site)})" if guide.site else "")
    return Section(2, title, "settings", table=tuple(rows))


def _verify_section(guide: Guide) -> Section:
    items = [f"source {k}: {s.used_for or s.title}" for k, s in guide.sources.items() if s.verify]
    items += [f"setting {k}: {s.description}" for k, s in guide.settings.items() if s.verify]
    items += [f"step {s.id}: {s.step.title}" for s in guide.steps if s.step.verify]
    for gate in guide.gates:
        if gate.gate.verify:
            items.append(f"gate {gate.id}: {gate.gate.title}")
        items += [
            f"gate {gate.id}, {r.rule.severity} rule: {words(guide, r.fails.node)}"
            for r in gate.rules
            if r.rule.verify
        ]
    return Section(
        2,
        "Facts marked verify",
        "verify",
        ("Not seen in a primary text: a clinical reviewer checks each of these.",),
        tuple(items),
    )


# ---------------------------------------------------------------------------------------
# Renderings


def markdown(guide: Guide) -> str:
    out: list[str] = []
    for sec in sections(guide):
        out += ["#" * sec.level + " " + sec.title, ""]
        for p in sec.paragraphs:
            out += [p, ""]
        if sec.items:
            out += [f"- {i}" for i in sec.items] + [""]
        if sec.table:
            head, *rows = sec.table
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
            out.append("")
    return "\n".join(out)


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
  padding: 0 1rem; color: #111; }
h1 { font-size: 1.7rem; } h2 { border-bottom: 2px solid #333; margin-top: 2.2rem; }
h3 { margin-top: 1.6rem; } h4 { margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .25rem .4rem; text-align: left;
  vertical-align: top; }
th { background: #eee; } .gate { border-left: 5px solid #777; padding-left: .7rem; }
.gate-contraindication { border-color: #b00020; } .gate-stop { border-color: #c25e00; }
.gate-caution { border-color: #a08000; } .gate-info { border-color: #245; }
p { white-space: pre-line; } svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: page; }
  .gate, table, svg { break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""


def html_document(guide: Guide) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(guide.meta.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    first = True
    for sec in sections(guide):
        gate_id = sec.anchor[5:] if sec.anchor.startswith("gate-") else None
        if gate_id is not None:
            sev = guide.gate(gate_id).severity
            parts.append(f'<section class="gate gate-{e(sev)}" id="{e(sec.anchor)}">')
        else:
            parts.append(f'<section id="{e(sec.anchor)}">')
        parts.append(f"<h{sec.level}>{e(sec.title)}</h{sec.level}>")
        parts += [f"<p>{e(p)}</p>" for p in sec.paragraphs]
        if first:
            parts.append("<h2>The flow</h2>")
            parts.append(flow_svg(guide))
            first = False
        if sec.items:
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in sec.items) + "</ul>")
        if sec.table:
            head, *rows = sec.table
            parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in head))
            parts.append("</tr></thead><tbody>")
            parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


_COLOURS = {
    "contraindication": "#b00020",
    "stop": "#c25e00",
    "caution": "#a08000",
    "info": "#245",
}


def flow_svg(guide: Guide) -> str:
    """Phases, their steps in order, and the gates checked before each step."""
    e = html.escape
    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.gate.before, []).append(gate)
    rows: list[tuple[str, Any]] = []
    for phase in guide.meta.phases:
        steps = [s for s in guide.steps if s.step.phase == phase.id]
        if steps:
            rows.append(("phase", phase.title))
            for step in steps:
                for gate in gates_before.get(step.id, []):
                    rows.append(("gate", gate))
                rows.append(("step", step))
    width, line = 760, 26
    height = line * (len(rows) + 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="The flow of the guide">',
        "<style>text { font: 13px system-ui, sans-serif; }</style>",
    ]
    y = 10
    for kind, item in rows:
        if kind == "phase":
            out.append(f'<text x="4" y="{y + 17}" font-weight="bold">{e(str(item))}</text>')
        elif kind == "gate":
            colour = _COLOURS.get(item.severity, "#444")
            x = 60
            out.append(
                f'<polygon points="{x},{y + 12} {x + 9},{y + 3} {x + 18},{y + 12} {x + 9},'
                f'{y + 21}" fill="{colour}"/>'
            )
            kinds = ", ".join(dict.fromkeys(r.rule.severity for r in item.rules))
            out.append(
                f'<text x="{x + 26}" y="{y + 17}" fill="{colour}">gate {e(item.id)} '
                f"({e(kinds)}), checked before the step below</text>"
            )
        else:
            step = item
            dash = ' stroke-dasharray="5,3"' if step.when is not None else ""
            out.append(
                f'<rect x="40" y="{y + 2}" width="{width - 60}" height="{line - 4}" rx="5" '
                f'fill="#f4f4f4" stroke="#333"{dash}/>'
            )
            label = step.step.title + (" (only when it applies)" if step.when is not None else "")
            out.append(f'<text x="50" y="{y + 18}">{e(label)}</text>')
        y += line
    out.append("</svg>")
    return "".join(out)
