"""The severities a gate rule can have: one home for what each one means.

A severity says how bad a failing rule is (its rank: the worst failing rule wins), what
the clinician can do about it (nothing, record an override, acknowledge it, or read it)
and how it is shown (its heading on a gate box, its sentence in the handout, its terminal
style and its colour in the flow chart). Every module reads these here, so a new severity
is one more entry below; an architecture test keeps lists of severity names out of every
other module.
"""

from __future__ import annotations

from typing import Literal

from ..records import record

Severity = Literal["contraindication", "stop", "caution", "info"]
"""The names a step file may give a rule's ``severity``."""


@record(frozen=True, slots=True)
class SeverityKind:
    """One severity and everything the program does differently because of it."""

    name: str
    rank: int
    """How severe: when several rules fail, the one of highest rank gives the outcome."""
    blocking: bool
    """A failure stands between the patient and the injection."""
    overridable: bool
    """A failure can be passed by recording an override (a coded reason and a comment)."""
    acknowledgeable: bool
    """A failure is shown to the clinician and can be acknowledged (it never blocks)."""
    needs_acknowledgement: bool
    """A failure is settled only once acknowledged (otherwise showing it is enough)."""
    heading: str
    """What a gate box is headed when it fails with this severity."""
    meaning: str
    """What it means, in one sentence (the handout's legend)."""
    style: str
    """The terminal style of its heading (rich's style syntax, read only by the CLI)."""
    colour: str
    """Its colour in the flow chart (CSS)."""


SEVERITIES: dict[str, SeverityKind] = {
    kind.name: kind
    for kind in (
        SeverityKind(
            name="contraindication",
            rank=3,
            blocking=True,
            overridable=False,
            acknowledgeable=False,
            needs_acknowledgement=False,
            heading="CONTRAINDICATION",
            meaning="Contraindication: the injection cannot be given; no override.",
            style="bold red",
            colour="#b00020",
        ),
        SeverityKind(
            name="stop",
            rank=2,
            blocking=True,
            overridable=True,
            acknowledgeable=False,
            needs_acknowledgement=False,
            heading="STOP",
            meaning=(
                "Stop: blocks until an override with a coded reason and a comment is recorded."
            ),
            style="bold yellow",
            colour="#8f3f00",
        ),
        SeverityKind(
            name="caution",
            rank=1,
            blocking=False,
            overridable=False,
            acknowledgeable=True,
            needs_acknowledgement=True,
            heading="CAUTION",
            meaning="Caution: shown, and must be acknowledged.",
            style="yellow",
            colour="#6b5300",
        ),
        SeverityKind(
            name="info",
            rank=0,
            blocking=False,
            overridable=False,
            acknowledgeable=True,
            needs_acknowledgement=False,
            heading="NOTE",
            meaning="Information: shown; no action.",
            style="cyan",
            colour="#245",
        ),
    )
}
"""Every severity by name, from the most severe to the least."""

SEVERITY_RANK: dict[str, int] = {name: kind.rank for name, kind in SEVERITIES.items()}
BLOCKING: frozenset[str] = frozenset(n for n, k in SEVERITIES.items() if k.blocking)
"""The severities whose failure stands between the patient and the injection."""
ACKNOWLEDGEABLE: frozenset[str] = frozenset(n for n, k in SEVERITIES.items() if k.acknowledgeable)
"""The severities whose failure is shown and acknowledged, never blocking."""
OVERRIDABLE: frozenset[str] = frozenset(n for n, k in SEVERITIES.items() if k.overridable)
"""The severities whose failure an override can pass."""
HARD_STOPS: frozenset[str] = BLOCKING - OVERRIDABLE
"""The severities whose failure no override lifts (a contraindication)."""


def severity(name: str) -> SeverityKind:
    """The severity called ``name`` (a name the pack's schema accepted)."""
    return SEVERITIES[name]
