"""The emergency card a patient on XR-naltrexone carries: one printable page.

What the card says is the pack's (``[guide.card]``): the clinical text lives in data. The
dates come from the patient's record: the last injection, and the date the blockade ends
(the last injection plus the pack's ``blockade_days``). A name is printed only when the
clinician types one for the card; otherwise the lines that would show it are left out.

Pure: a record in, text out. The CLI writes it.
"""

from __future__ import annotations

import datetime as dt
import html  # only the card command writes one (see card_text)
import textwrap
from typing import TYPE_CHECKING

from ..errors import SessionError
from ..pack.guide import Guide
from ..records import record

if TYPE_CHECKING:
    from ..engine.evaluate import State
    from ..visit.history import Timeline

BLOCKADE_SETTING = "blockade_days"
"""The pack's setting for how long the blockade lasts after an injection."""

WIDTH = 72
"""The text card's width, so that it prints and fits an 80-column screen."""


@record(frozen=True)
class Card:
    """The card's content, placeholders filled."""

    title: str
    patient: tuple[str, ...]
    staff_heading: str
    staff: tuple[str, ...]
    source_note: str
    last_injection: dt.date
    blockade_end: dt.date


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def last_injection(tl: Timeline) -> dt.date | None:
    """The patient's last injection as the record holds it: a finished visit with the
    injection given, a visit whose dose counted but that did not finish (a finding
    entered after the dose reopened it: the dose was given all the same, and its blockade
    is the one emergency staff must know), or the last injection a visit that ended the
    treatment recorded."""
    dates = [d for v in tl.injections if (d := _date(v.date)) is not None]
    dates += [d for v in tl.visits if v.unfinished_injection and (d := _date(v.date)) is not None]
    dates += [d for v in tl.visits if v.ended and (d := _date(v.last_injection)) is not None]
    return max(dates) if dates else None


def blockade_end(guide: Guide, last: dt.date) -> dt.date | None:
    """The day the blockade of an injection on ``last`` ends about (the pack's
    ``blockade_days`` after it); None when the pack has no whole-day setting for it."""
    days = guide.setting_values.get(BLOCKADE_SETTING)
    if not isinstance(days, int) or isinstance(days, bool):
        return None
    try:
        return last + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def blockade_lasts(guide: Guide, last: object, day: object) -> bool:
    """Whether the blockade of the last injection (on ``last``) has not ended by ``day``:
    the one rule for whether a visit has a blockade to put on an emergency card. A card
    says the patient receives XR-naltrexone and that opioids are blocked; after the
    blockade ends neither is true, and a card that says so misleads emergency staff."""
    if not isinstance(last, dt.date) or not isinstance(day, dt.date):
        return False
    end = blockade_end(guide, last)
    return end is not None and end >= day


def card_offered(state: State) -> bool:
    """Whether the visit leaves the patient with a blockade to put on an emergency card:
    the injection given at it, or a repeat visit whose last injection's blockade has not
    ended by the visit's day. The end of a walk and the note offer the card only then."""
    guide = state.guide
    report = guide.meta.report
    if guide.meta.card is None:
        return False
    if state.injection_given is True:
        return True
    repeat = report.history.repeat_visit
    if report.visit is None or repeat is None or state.value(report.visit) != repeat:
        return False
    last_key = guide.last_injection_key
    if last_key is None:
        return False
    return blockade_lasts(guide, state.value(last_key), state.value(guide.meta.date_key))


def emergency_card(
    guide: Guide, tl: Timeline, name: str | None = None, day: dt.date | None = None
) -> Card:
    """The card for the patient whose record is ``tl``, for the visit of ``day`` (None:
    the record's day).

    Raises:
        SessionError: the pack has no card, the record holds no injection, or the blockade
            of the last injection ended before ``day`` (exit 2).
    """
    spec = guide.meta.card
    if spec is None:
        raise SessionError(
            "the step pack has no emergency card ([guide.card])",
            hint="Use the shipped steps, or add a [guide.card] table to the pack.",
        )
    last = last_injection(tl)
    if last is None:
        raise SessionError(
            f"label {tl.label!r}: the record holds no injection given, so there is no "
            "blockade to put on an emergency card",
            hint="The card is printed from a visit with the injection given (or one that "
            "ended the treatment after an injection): `xrntx-guide history LABEL` lists them.",
        )
    end = blockade_end(guide, last)
    if end is None:
        raise SessionError(
            f"the step pack has no whole-day setting {BLOCKADE_SETTING!r} for the blockade",
            hint="Use the shipped steps.",
        )
    visit_day = tl.day if day is None else day
    if not blockade_lasts(guide, last, visit_day):
        raise SessionError(
            f"label {tl.label!r}: the blockade of the last injection ({last.isoformat()}) "
            f"ended about {end.isoformat()}, before the visit of {visit_day.isoformat()}: "
            "a card saying that the patient receives XR-naltrexone and that opioids are "
            "blocked would mislead emergency staff, so none is printed",
            hint="The card is for the weeks until the blockade ends. After it, tolerance "
            "to opioids is lower than before treatment: the overdose counselling and a "
            "reversal agent cover that time.",
        )
    given = (name or "").strip()
    values = {
        "{name}": given,
        "{last_injection_date}": last.isoformat(),
        "{blockade_end_date}": end.isoformat(),
    }

    def fill(line: str) -> str:
        for key, value in values.items():
            line = line.replace(key, value)
        return line

    # After a visit that ended the treatment no injection is to come: the card says so,
    # not that the injections go on.
    ended = tl.off_treatment is not None
    lines = spec.ended_patient if ended and spec.ended_patient else spec.patient
    title = spec.ended_title if ended and spec.ended_title else spec.title
    patient = tuple(fill(line) for line in lines if given or "{name}" not in line)
    return Card(
        title=fill(title),
        patient=patient,
        staff_heading=fill(spec.staff_heading),
        staff=tuple(fill(line) for line in spec.staff),
        source_note=fill(spec.source_note),
        last_injection=last,
        blockade_end=end,
    )


def card_text(card: Card) -> str:
    """The card as plain text, wrapped to :data:`WIDTH` columns."""
    # Imported here: every check's result reads whether a card is offered (this module),
    # and only the card command writes one.

    rule = "=" * WIDTH
    out = [rule, *textwrap.wrap(card.title, WIDTH), rule]
    for line in card.patient:
        out += textwrap.wrap(line, WIDTH, subsequent_indent="  ")
    out += ["", *textwrap.wrap(card.staff_heading.upper(), WIDTH)]
    for line in card.staff:
        out += textwrap.wrap(line, WIDTH, initial_indent="- ", subsequent_indent="  ")
    if card.source_note:
        out += ["", *textwrap.wrap(card.source_note, WIDTH)]
    out.append(rule)
    return "\n".join(out) + "\n"


_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; margin: 1.5em; color: #000; }
.card { max-width: 42em; border: 3px solid #000; padding: 1em 1.4em; }
h1 { font-size: 1.35em; margin: 0 0 0.6em; }
h2 { font-size: 1.1em; margin: 1em 0 0.4em; text-transform: uppercase; }
p { margin: 0.25em 0; }
ul { margin: 0.3em 0 0 1.2em; padding: 0; }
li { margin: 0.2em 0; }
.dates { font-size: 1.15em; font-weight: bold; }
.basis { font-size: 0.8em; margin-top: 1em; }
@page { size: A5; margin: 10mm; }
@media print {
  body { margin: 0; }
  .card { border-width: 2px; max-width: none; page-break-inside: avoid; }
}
"""


def card_html(card: Card) -> str:
    """The card as one HTML page with print styles (one printed page)."""
    e = html.escape
    patient = "\n".join(
        f'<p class="dates">{e(line)}</p>'
        if card.last_injection.isoformat() in line or card.blockade_end.isoformat() in line
        else f"<p>{e(line)}</p>"
        for line in card.patient
    )
    staff = "\n".join(f"<li>{e(line)}</li>" for line in card.staff)
    basis = f'<p class="basis">{e(card.source_note)}</p>' if card.source_note else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(card.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<div class="card">\n<h1>{e(card.title)}</h1>\n{patient}\n'
        f"<h2>{e(card.staff_heading)}</h2>\n<ul>\n{staff}\n</ul>\n{basis}\n</div>\n"
        "</body>\n</html>\n"
    )
