"""The whole guide as a handout: markdown, or one self-contained printable HTML file.

Every phase and step, every question with its allowed answers, every gate with its
conditions in words (not the expression), its severity and what to do when it fails, the
settings in force, the facts marked verify, and the full source list; the HTML adds a
diagram of the flow (phases, steps, and the gates checked before each step). Nothing here
prints; the CLI writes the text where it is asked to.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from .. import expr
from ..expr import Node
from ..pack.guide import CGate, CQuestion, CStep, Guide
from ..pack.model import PLACEHOLDER
from ..pack.severity import SEVERITIES, SEVERITY_RANK
from ..records import record, replace
from .text import markdown_text, visible

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
        # The value in force first, as the screen shows it; the setting named after it so
        # that a reader can find it in the settings table.
        what = f"the {key.replace('_', ' ')} setting"
        if setting is None or isinstance(value, dict):
            return what
        shown = expr.format_value(value) + (f" {setting.unit}" if setting.unit else "")
        return f"{shown} ({what})"
    derived = guide.derived.get(name)
    if derived is not None:
        return derived.spec.label.lower() if derived.spec.label else name.replace("_", " ")
    cq = guide.questions.get(name)
    if cq is not None:
        return "'" + question_words(cq) + "'"
    return name.replace("_", " ")


def question_words(cq: CQuestion) -> str:
    """A question as it is quoted in a sentence: its prompt, or the last sentence of a
    prompt that sets the scene first ("The minimum interval is not met. Which pathway?")."""
    prompt = cq.spec.prompt.strip()
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", prompt)
    return sentences[-1]


def words(guide: Guide, node: Node, context: CQuestion | None = None) -> str:
    """An expression of the condition language in plain words."""
    if isinstance(node, expr.Literal):
        return _literal_words(node.value, context)
    if isinstance(node, expr.Name):
        cq = guide.questions.get(node.name)
        if cq is not None and cq.spec.type == "bool":
            return f"{name_words(guide, node.name)} is yes"
        return name_words(guide, node.name)
    if isinstance(node, expr.ListLit):
        return ", ".join(words(guide, i, context) for i in node.items)
    if isinstance(node, expr.Unary):
        if node.op == "not":
            return _negated(guide, node.operand)
        return f"minus {words(guide, node.operand)}"
    if isinstance(node, expr.Compare):
        return _compare_words(guide, node)
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
            about = _question_of(guide, args[0])
            return (
                f"{words(guide, args[0])} (not answered counts as {words(guide, args[1], about)})"
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


_NEGATED_OPS = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
}


def _negated(guide: Guide, node: Node) -> str:
    """``not X`` said the way a person says it: 'is no', 'is not answered', 'is at least'."""
    if isinstance(node, expr.Name):
        cq = guide.questions.get(node.name)
        if cq is not None:
            return f"{name_words(guide, node.name)} is no"
        if node.name in guide.derived:
            return f"no {name_words(guide, node.name)}"
    if isinstance(node, expr.Call) and node.func == "answered":
        return f"{_side(guide, node.args[0])} is not answered"
    if isinstance(node, expr.Compare) and node.op in _NEGATED_OPS:
        return _compare_words(guide, replace(node, op=_NEGATED_OPS[node.op]))
    return f"not ({words(guide, node)})"


def _compare_words(guide: Guide, node: expr.Compare) -> str:
    about = _question_of(guide, node.left)
    op = _OPS.get(node.op, node.op)
    right = words(guide, node.right, about)
    left = node.left
    if isinstance(left, expr.Call) and left.func == "coalesce":
        # "X (not answered counts as D) is V" reads backwards; say what an unanswered X
        # does to this comparison instead, after it.
        subject = _side(guide, left.args[0])
        default = left.args[1]
        if (
            node.op in ("==", "!=")
            and isinstance(default, expr.Literal)
            and isinstance(node.right, expr.Literal)
        ):
            same = default.value == node.right.value
            if (node.op == "==") == same:
                return f"{subject} {op} {right} (or not answered)"
            return f"{subject} {op} {right}"
        counted = words(guide, default, about)
        return f"{subject} {op} {right} (not answered counts as {counted})"
    return f"{_side(guide, left)} {op} {right}"


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
    """A message as the handout shows it: a setting's placeholder is its value in force,
    as on the screen (the text around it already says "days"), and the others are named
    in brackets: ``{age}`` becomes ``[Age in years]``."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "earliest_date":
            return "[the earliest date]"
        if name.startswith("settings."):
            value: Any = guide.setting_values.get(name[9:])
            if value is not None and not isinstance(value, dict):
                return expr.format_value(value)
        return "[" + name_words(guide, name).strip("'") + "]"

    return _reflow(PLACEHOLDER.sub(one, text))


_LIST_ITEM = re.compile(r"\s*(?:[-*]|\d+\.)\s")


def _reflow(text: str) -> str:
    """Undo the hard wraps of a step file's text, which break oddly once a placeholder is
    filled in or the page is wider; list items, and a line after a list, keep their own
    lines (an indented line continues a list item)."""
    out: list[str] = []
    in_list = False
    for raw in text.splitlines():
        line = raw.strip()
        item = bool(_LIST_ITEM.match(raw))
        if out and out[-1] and line and not item and (raw[:1].isspace() if in_list else True):
            out[-1] += " " + line
        else:
            out.append(line)
            in_list = item
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# The document, as data both renderings share


@record(frozen=True)
class Section:
    level: int
    title: str
    anchor: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    """Header row first."""
    toc: tuple[tuple[int, str, str], ...] = ()
    short: str = ""
    """The title in the contents, when the heading carries more (the site's name, which
    comes from the clinic's file, stays in the heading alone)."""
    """A table of contents: (level, title, anchor) of the sections it lists."""
    flow: bool = False
    """The overview of the flow: a diagram in HTML; a Mermaid flowchart and a text
    outline in Markdown."""


def sections(guide: Guide, site_words: Callable[[str], str] = visible) -> Iterator[Section]:
    """The handout: the title, the contents, the flow, the gates on one page, then each
    phase with its steps and gates, the settings, the facts marked verify, the sources.

    ``site_words`` shows the site's name (which comes from the clinic's file) as inert text
    of the format written: by default with its control characters shown (a newline would
    start a line, a heading, of its own)."""
    top, *body = _body(guide, site_words)
    listed = [
        (sec.level, sec.short or sec.title, sec.anchor)
        for sec in (_FLOW, _gate_summary(guide), *body)
        if sec.level <= 3
    ]
    yield top
    yield Section(2, "Contents", "contents", toc=tuple(listed))
    yield _FLOW
    yield _gate_summary(guide)
    yield from body


_FLOW = Section(2, "The flow", "flow", flow=True)


def _gate_summary(guide: Guide) -> Section:
    """Every gate on one page: what it guards, the gravest it can do, its sources."""
    rows: list[tuple[str, ...]] = [("gate", "checked before", "it can be", "sources")]
    for gate in sorted(guide.gates, key=lambda g: guide.step(g.spec.before).index):
        kinds = sorted({r.spec.severity for r in gate.rules}, key=lambda k: -SEVERITY_RANK[k])
        rows.append(
            (
                f"{gate.spec.title} [{gate.id}]" + (" (verify)" if gate.spec.verify else ""),
                guide.step(gate.spec.before).spec.title,
                ", ".join(kinds),
                ", ".join(gate.spec.sources),
            )
        )
    return Section(
        2,
        "The gates on one page",
        "gates-on-one-page",
        ("Each gate in the order it is checked; the details follow under its step.",),
        table=tuple(rows),
    )


def _body(guide: Guide, site_words: Callable[[str], str]) -> Iterator[Section]:
    meta = guide.meta
    site = f" Site settings: {site_words(guide.site)}." if guide.site else ""
    yield Section(
        1,
        meta.title,
        "top",
        (
            f"Guide {meta.id} version {meta.version} ({meta.status}; reviewed "
            f"{meta.reviewed.isoformat()}).{site}",
            meta.statement,
            "Words in [brackets] are filled in from the patient's answers on the day; "
            "a setting shows its value in force. The severities:",
        ),
        tuple(k.meaning for k in SEVERITIES.values()),
    )
    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.spec.before, []).append(gate)
    for phase in meta.phases:
        steps = [s for s in guide.steps if s.spec.phase == phase.id]
        if not steps:
            continue
        yield Section(2, phase.title, f"phase-{phase.id}")
        for step in steps:
            yield from _step_sections(guide, step, gates_before.get(step.id, []))
    yield _settings_section(guide, site_words)
    yield _verify_section(guide)
    yield Section(
        2,
        "Sources",
        "sources",
        items=tuple(_source_words(key, src) for key, src in guide.sources.items()),
    )


def _step_sections(guide: Guide, step: CStep, gates: list[CGate]) -> Iterator[Section]:
    s = step.spec
    paras = []
    if step.when is not None:
        paras.append("Shown when: " + words(guide, step.when.node) + ".")
    if s.requires_clear:
        paras.append("Shown only when every gate before it is clear.")
    paras.append(template_words(guide, s.instructions))
    for when, text in step.notes:
        paras.append(f"When {words(guide, when.node)}: {template_words(guide, text)}")
    for proc_when, proc in step.procedures:
        # The walkthrough shows these one at a time at the prompt; a handout lists them.
        where = f" (when {words(guide, proc_when.node)})" if proc_when is not None else ""
        done = " ".join(
            f"{i}. {template_words(guide, a)}" for i, a in enumerate(proc.actions, start=1)
        )
        cited = f" Sources: {', '.join(proc.sources)}." if proc.sources else ""
        asked = guide.questions[proc.question].spec.prompt
        paras.append(f"{asked}, {proc.route} route{where}: {done}{cited}")
    if s.sources:
        paras.append("Sources: " + ", ".join(s.sources) + (" (verify)" if s.verify else ""))
    rows: list[tuple[str, ...]] = []
    for cq in step.questions:
        rows.append(
            (
                cq.key,
                cq.spec.prompt + (" (optional)" if cq.spec.optional else ""),
                _allowed(guide, cq),
                words(guide, cq.when.node) if cq.when is not None else "always",
            )
        )
    head = ("answer key", "question", "allowed answers", "asked when")
    table = (head, *rows) if rows else ()  # a step that only shows text has no table
    yield Section(3, f"Step: {s.title}", f"step-{s.id}", tuple(paras), table=table)
    for gate in gates:
        yield _gate_section(guide, gate)


def _allowed(guide: Guide, cq: CQuestion) -> str:
    q = cq.spec
    if q.choices:
        # The value is what is typed (or written in an answers file); the label is the
        # meaning, left out when it only repeats the value.
        text = "; ".join(_choice_words(c.value, c.label) for c in q.choices)
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


def _choice_words(value: object, label: str) -> str:
    """``value: label``, or one of them when the label only repeats the value."""
    typed = str(value)
    if label == typed.replace("_", " "):
        return typed
    if label.startswith(typed + ":"):
        return label
    return f"{typed}: {label}"


def _gate_section(guide: Guide, gate: CGate) -> Section:
    g = gate.spec
    items = []
    for r in gate.rules:
        rule = r.spec
        # One line each for when, what, instead and sources: a rule is read, not scanned.
        lines = [
            f"{rule.severity.upper()} when {words(guide, r.fails.node)}.",
            template_words(guide, rule.message),
        ]
        if rule.instead:
            lines.append("Instead: " + " ".join(template_words(guide, t) for t in rule.instead))
        sources = rule.cited(g.sources)
        lines.append(f"Sources: {', '.join(sources)}" + (" (verify)" if rule.verify else ""))
        items.append("\n".join(lines))
    paras = [
        f"Gate {g.id}, checked before the step '{guide.step(g.before).spec.title}'"
        + ("" if gate.applies is None else f", only when: {words(guide, gate.applies.node)}")
        + "."
        + (" Part of its basis is marked verify." if g.verify else "")
    ]
    return Section(4, f"Gate: {g.title} [{g.id}]", f"gate-{g.id}", tuple(paras), tuple(items))


def _settings_section(guide: Guide, site_words: Callable[[str], str]) -> Section:
    rows: list[tuple[str, ...]] = [
        ("setting (site file key)", "what it sets", "value in force", "a site may set", "sources")
    ]
    for key, s in guide.settings.items():
        value = guide.setting_values[key]
        unit = f" {s.unit}" if s.unit else ""
        shown = _setting_value_words(value) + unit
        if not s.site_adjustable:
            limit = "nothing (fixed)"
        else:
            parts = []
            for word, b in (("at least", s.site_min), ("at most", s.site_max)):
                if isinstance(b, str):  # another setting's value bounds this one
                    parts.append(f"{word} {name_words(guide, 'settings.' + b)}")
                elif b is not None:
                    parts.append(f"{word} {_setting_value_words(b)}{unit}")
            if s.site_choices:
                parts.append("one of " + ", ".join(_setting_value_words(c) for c in s.site_choices))
            limit = "; ".join(parts)
        marks = " (local practice)" if s.local_practice else ""
        marks += " (verify)" if s.verify else ""
        if value != s.value:  # a site's value: the handout says what it replaced
            marks += f" (site; shipped: {_setting_value_words(s.value)}{unit})"
        cited = ", ".join(s.sources) or "none (local practice)"
        rows.append((key, s.description, shown + marks, limit, cited))
    short = "Settings in force"
    title = short + (f" (site: {site_words(guide.site)})" if guide.site else "")
    return Section(2, title, "settings", table=tuple(rows), short=short)


def _setting_value_words(value: Any) -> str:
    """A setting's value; a table of values by answer as "methadone 14, unknown 14"."""
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {expr.format_value(v)}" for k, v in value.items())
    return expr.format_value(value)


def _source_words(key: str, src: Any) -> str:
    """One entry of the source list: the citation, where in it (unless the citation says
    so already), what the guide takes from it, and whether it was seen."""
    text = f"{key}: {src.citation}"
    if src.locator and src.locator not in src.citation:
        text += f" Where: {src.locator}."
    if src.used_for:
        text += f" Cited for: {src.used_for}."
    if src.verify and "(verify)" not in text:
        text += " (verify: not seen in a primary text)"
    # Only an address the pack gives (the reference's own): never one made up here.
    if src.doi:
        text += f" DOI: {src.doi} https://doi.org/{src.doi}"
    if src.url:
        text += f" Link: {src.url}"
    return text


def _verify_section(guide: Guide) -> Section:
    items = [f"source {k}: {s.used_for or s.title}" for k, s in guide.sources.items() if s.verify]
    items += [f"setting {k}: {s.description}" for k, s in guide.settings.items() if s.verify]
    items += [f"step {s.id}: {s.spec.title}" for s in guide.steps if s.spec.verify]
    for gate in guide.gates:
        if gate.spec.verify:
            items.append(f"gate {gate.id}: {gate.spec.title}")
        items += [
            f"gate {gate.id}, {r.spec.severity} rule: {words(guide, r.fails.node)}"
            for r in gate.rules
            if r.spec.verify
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
    # the site's name: no HTML, link or emphasis
    slugs = _github_slugs([sec.title for sec in sections(guide, markdown_text)])
    anchors = {sec.anchor: slugs[i] for i, sec in enumerate(sections(guide, markdown_text))}
    for sec in sections(guide, markdown_text):
        out += ["#" * sec.level + " " + sec.title, ""]
        for p in sec.paragraphs:
            out += [_markdown_paragraph(p), ""]
        if sec.toc:
            out += [
                "  " * (level - 2) + f"- [{title}](#{anchors[anchor]})"
                for level, title, anchor in sec.toc
            ] + [""]
        if sec.flow:
            out += [
                "Phases from top to bottom; a diamond is a gate, checked before the step after it.",
                "",
                *mermaid(guide),
                "",
                *outline(guide),
                "",
            ]
        if sec.items:
            out += ["- " + _autolink(i).replace("\n", "\n  ") for i in sec.items] + [""]
        if sec.table:
            head, *rows = sec.table
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
            out.append("")
    return "\n".join(out)


def _github_slugs(titles: list[str]) -> list[str]:
    """The anchors common Markdown viewers (GitHub, GitLab) give headings: lower case,
    punctuation dropped, spaces as hyphens, a repeat numbered."""
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.append(slug if n == 0 else f"{slug}-{n}")
    return out


_URL = re.compile(r"https://[^\s<>\"]+?(?=[.,;)]?(?:\s|$))")


def _autolink(text: str) -> str:
    """An address as a link in Markdown (``<https://...>``), not left to the viewer."""
    return _URL.sub(lambda m: f"<{m.group(0)}>", text)


def mermaid(guide: Guide) -> list[str]:
    """The flow as a Mermaid flowchart (a code block common Markdown viewers draw): a
    box per phase holding its steps, each gate a diamond before the step it guards."""

    def label(text: str) -> str:
        return '"' + text.replace('"', "#quot;").replace("\n", " ") + '"'

    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.spec.before, []).append(gate)
    lines = ["```mermaid", "flowchart TD"]
    chain: list[str] = []
    for n, phase in enumerate(guide.meta.phases):
        steps = [s for s in guide.steps if s.spec.phase == phase.id]
        if not steps:
            continue
        lines.append(f"  subgraph P{n}[{label(phase.title)}]")
        for step in steps:
            for gate in gates_before.get(step.id, []):
                node = f"G_{gate.id}"
                lines.append(f"    {node}{{{label(gate.spec.title + ' [' + gate.id + ']')}}}")
                chain.append(node)
            node = f"S_{step.id}"
            lines.append(f"    {node}[{label(step.spec.title)}]")
            chain.append(node)
        lines.append("  end")
    lines += [f"  {a} --> {b}" for a, b in itertools.pairwise(chain)]
    lines.append("```")
    return lines


def outline(guide: Guide) -> list[str]:
    """The flow as a text outline: each phase, its steps, the gates checked before each."""
    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.spec.before, []).append(gate)
    lines = []
    for phase in guide.meta.phases:
        steps = [s for s in guide.steps if s.spec.phase == phase.id]
        if not steps:
            continue
        lines.append(f"- {phase.title}")
        for step in steps:
            gates = gates_before.get(step.id, [])
            checked = (
                " (checked first: " + ", ".join(f"{g.spec.title} [{g.id}]" for g in gates) + ")"
                if gates
                else ""
            )
            shown = " (some patients only)" if step.when is not None else ""
            lines.append(f"  - {step.spec.title}{shown}{checked}")
    return lines


def _markdown_paragraph(text: str) -> str:
    """A blank line after a list, so that the line after it is not read as part of its
    last item."""
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and _LIST_ITEM.match(lines[-1]) and not _LIST_ITEM.match(line):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
  padding: 0 1rem; color: #111; }
h1 { font-size: 1.7rem; } h2 { border-bottom: 2px solid #333; margin-top: 2.2rem; }
h3 { margin-top: 1.6rem; } h4 { margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; table-layout: fixed; }
th, td { border: 1px solid #999; padding: .25rem .4rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; white-space: pre-line; }
td:first-child { font-family: ui-monospace, monospace; font-size: .85em; }
table.questions col:nth-child(1) { width: 21%; } table.questions col:nth-child(2) { width: 27%; }
table.questions col:nth-child(3) { width: 30%; } table.questions col:nth-child(4) { width: 22%; }
table.settings col:nth-child(1) { width: 21%; } table.settings col:nth-child(2) { width: 27%; }
table.settings col:nth-child(3) { width: 19%; } table.settings col:nth-child(4) { width: 18%; }
table.settings col:nth-child(5) { width: 15%; }
th { background: #eee; } .gate { border-left: 5px solid #777; padding-left: .7rem; }
li { white-space: pre-line; margin-bottom: .4rem; }
.gate-contraindication { border-color: #b00020; } .gate-stop { border-color: #8f3f00; }
.gate-caution { border-color: #6b5300; } .gate-info { border-color: #245; }
p { white-space: pre-line; } svg { display: block; max-width: 100%; height: auto; }
@media (max-width: 40rem) { body { font-size: 14px; margin: 1rem auto; }
  table { font-size: 12px; } }
ol.toc { columns: 2; list-style: none; padding-left: 0; } ol.toc a { color: inherit; }
.toc-3 { padding-left: 1.2rem; font-size: .92em; }
table.summary { font-size: .9em; } table.summary col:nth-child(1) { width: 34%; }
table.summary col:nth-child(2) { width: 30%; } table.summary col:nth-child(3) { width: 18%; }
table.summary col:nth-child(4) { width: 18%; }
table.summary td { padding: .1rem .3rem; }
@page { margin: 14mm 12mm; }
@media print { body { margin: 0; max-width: none; font-size: 10.5pt; padding: 0; }
  h2 { break-before: page; break-after: avoid; } h3, h4 { break-after: avoid; }
  .gate, tr, li { break-inside: avoid; } thead { display: table-header-group; }
  #flow svg { max-height: 215mm; width: auto; margin: 0 auto; }
  #gates-on-one-page { break-after: page; font-size: 8.5pt; }
  #gates-on-one-page h2 { margin-top: 0; }
  ol.toc { font-size: 9pt; }
  a { color: inherit; text-decoration: none; } }
"""


def html_document(guide: Guide) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(guide.meta.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    for sec in sections(guide):
        gate_id = sec.anchor[5:] if sec.anchor.startswith("gate-") else None
        if gate_id is not None:
            sev = guide.gate(gate_id).severity
            parts.append(f'<section class="gate gate-{e(sev)}" id="{e(sec.anchor)}">')
        else:
            parts.append(f'<section id="{e(sec.anchor)}">')
        parts.append(f"<h{sec.level}>{e(sec.title)}</h{sec.level}>")
        parts += [f"<p>{e(p)}</p>" for p in sec.paragraphs]
        if sec.toc:
            parts.append('<ol class="toc">')
            parts += [
                f'<li class="toc-{level}"><a href="#{e(anchor)}">{e(title)}</a></li>'
                for level, title, anchor in sec.toc
            ]
            parts.append("</ol>")
        if sec.flow:
            parts.append(flow_svg(guide))
        if sec.items:
            parts.append("<ul>" + "".join(f"<li>{_item_html(i)}</li>" for i in sec.items))
            parts.append("</ul>")
        if sec.table:
            head, *rows = sec.table
            kind = {"settings": "settings", "gates-on-one-page": "summary"}.get(
                sec.anchor, "questions"
            )
            parts.append(f'<table class="{kind}"><colgroup>' + "<col>" * len(head))
            parts.append("</colgroup><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in head))
            parts.append("</tr></thead><tbody>")
            lists = kind == "questions"  # its allowed answers: one choice a line
            parts += [
                "<tr>"
                + "".join(f"<td>{_cell_html(c, lists and i == 2)}</td>" for i, c in enumerate(r))
                + "</tr>"
                for r in rows
            ]
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _cell_html(text: str, choices: bool = False) -> str:
    """A table cell: long answer keys break after an underscore, never inside a word, and
    a long list of choices puts one choice on each line."""
    cell = html.escape(text).replace("_", "_<wbr>")
    return cell.replace("; ", ";\n") if choices and len(text) > 60 else cell


def _item_html(item: str) -> str:
    """A list item; one of several lines (a gate's rule) leads with its first in bold;
    an address (a source's link or DOI) is a link."""
    first, sep, rest = item.partition("\n")
    if not sep:
        return _linked(item)
    return f"<strong>{html.escape(first)}</strong>\n{_linked(rest)}"


def _linked(text: str) -> str:
    out, at = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[at : m.start()]))
        url = html.escape(m.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def flow_svg(guide: Guide) -> str:
    """Phases, their steps in order, and the gates checked before each step.

    One column read from top to bottom, joined by a line: a phase title, then for each
    step the gates checked before it (a diamond in the colour of its gravest severity,
    linking to the gate's section) and the step's box (dashed when it applies to some
    patients only)."""
    e = html.escape
    gates_before: dict[str, list[CGate]] = {}
    for gate in guide.gates:
        gates_before.setdefault(gate.spec.before, []).append(gate)
    rows: list[tuple[str, Any]] = [("legend", None)]
    for phase in guide.meta.phases:
        steps = [s for s in guide.steps if s.spec.phase == phase.id]
        if steps:
            rows.append(("phase", phase.title))
            for step in steps:
                for gate in gates_before.get(step.id, []):
                    rows.append(("gate", gate))
                rows.append(("step", step))
    width, line = 760, 26
    height = line * len(rows) + 16
    top, bottom = line + 24, height - 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="The flow of the guide">',
        "<style>text { font: 13px system-ui, sans-serif; } .phase { font-weight: bold; }"
        " .legend { font-size: 12px; fill: #333; }</style>",
        f'<line x1="30" y1="{top}" x2="30" y2="{bottom}" stroke="#999" stroke-width="2"/>',
    ]
    y = 6
    for kind, item in rows:
        if kind == "legend":
            out.append(
                f'<text class="legend" x="4" y="{y + 15}">From top to bottom. A diamond is a '
                "gate, checked before the step below it; a dashed step is shown only to "
                "some patients.</text>"
            )
        elif kind == "phase":
            out.append(f'<circle cx="30" cy="{y + 13}" r="5" fill="#333"/>')
            out.append(f'<text class="phase" x="44" y="{y + 18}">{e(str(item))}</text>')
        elif kind == "gate":
            colour = SEVERITIES[item.severity].colour
            x = 60
            kinds = ", ".join(dict.fromkeys(r.spec.severity for r in item.rules))
            out.append(f'<a href="#gate-{e(item.id)}">')
            out.append(
                f'<polygon points="{x},{y + 12} {x + 9},{y + 3} {x + 18},{y + 12} {x + 9},'
                f'{y + 21}" fill="{colour}"/>'
            )
            out.append(
                f'<text x="{x + 26}" y="{y + 17}" fill="{colour}">{e(item.spec.title)} '
                f"[{e(item.id)}]: {e(kinds)}</text></a>"
            )
        else:
            step = item
            dash = ' stroke-dasharray="5,3"' if step.when is not None else ""
            out.append(f'<a href="#step-{e(step.id)}">')
            out.append(
                f'<rect x="44" y="{y + 2}" width="{width - 60}" height="{line - 4}" rx="5" '
                f'fill="#f4f4f4" stroke="#333"{dash}/>'
            )
            out.append(f'<text x="54" y="{y + 18}">{e(step.spec.title)}</text></a>')
        y += line
    out.append("</svg>")
    return "".join(out)
