"""Printable case cards: one card per scenario, for a workshop's tables.

The front of a card holds what a group works from (the story, the date of the visit and
what to ask at each step); the back, printed on the reverse (two-sided printing), the
teaching points and the outcome the guide gives. One self-contained HTML file with print
styles; nothing here prints.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..pack.guide import Guide
from ..scenarios import Scenario

_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; color: #111; margin: 0; background: #ddd; }
.card { background: #fff; max-width: 42rem; margin: 1.5rem auto; padding: 1.5rem 2rem;
  border: 1px solid #999; border-radius: 6px; }
.card h2 { margin: 0 0 .2rem; font-size: 1.5rem; } .meta { color: #333; margin: 0 0 1rem; }
.story { font-size: 1.1rem; }
h3 { margin: 1.2rem 0 .4rem; font-size: 1.1rem; border-bottom: 1px solid #999; }
li { margin-bottom: .35rem; } .side { float: right; font-size: .85rem; color: #333; }
dt { font-weight: bold; } dd { margin: 0 0 .4rem 1rem; }
@page { margin: 15mm; }
@media print { body { background: #fff; } .card { border: none; margin: 0; max-width: none;
  padding: 0; break-after: page; page-break-after: always; } li { break-inside: avoid; } }
"""


def cards_html(guide: Guide, cases: Sequence[Scenario]) -> str:
    """One front and one back page per case, in the order given."""
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Case cards</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    titles = {s.id: s.spec.title for s in guide.steps}
    for n, case in enumerate(cases, 1):
        ask = []
        for step_id, note in case.notes.items():
            title = titles.get(step_id, step_id)
            ask.append(f"<dt>{e(title)}</dt><dd>{e(note)}</dd>")
        parts += [
            f'<section class="card front" id="card-{e(case.id)}">',
            f'<p class="side">Case {n} · front</p>',
            f"<h2>{e(case.title)}</h2>",
            f'<p class="meta">{e(case.id)} · visit on {case.today.isoformat()}</p>',
            *(f'<p class="story">{e(p)}</p>' for p in _paragraphs(case.story)),
            "<h3>What to ask (the trainer's notes, step by step)</h3>",
            f"<dl>{''.join(ask)}</dl>" if ask else "<p>Ask the group what the guide will say.</p>",
            "</section>",
            f'<section class="card back" id="card-{e(case.id)}-back">',
            f'<p class="side">Case {n} · back</p>',
            f"<h2>{e(case.title)}</h2>",
            "<h3>Teaching points</h3>",
            "<ul>" + "".join(f"<li>{e(p)}</li>" for p in case.teaching_points) + "</ul>",
            "<h3>The outcome</h3>",
            "<ul>" + "".join(f"<li>{e(line)}</li>" for line in outcome_lines(case)) + "</ul>",
            "</section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def outcome_lines(case: Scenario) -> list[str]:
    """The case's expected outcome, as its file states it (only what it states)."""
    labels = {
        "status": "status",
        "blocking": "blocking gates",
        "cautions": "cautions",
        "earliest_injection_date": "earliest injection date",
        "next_dose_due": "next dose due",
    }
    out = []
    for key, label in labels.items():
        if key not in case.expect:
            continue
        value = case.expect[key]
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "none"
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out.append(f"{label}: {value}")
    return out


def _paragraphs(text: str) -> list[str]:
    """A story as its paragraphs: the line breaks of the file are not the card's."""
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
