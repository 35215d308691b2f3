"""What a choice was taken as is echoed as ``value: label``, the label only where it says
more than the value, and the value once: a label that begins with the value
(``standard: wait out the interval``) is shown alone, never
``standard: standard: wait out the interval``."""

from __future__ import annotations

from xrntx_guide.cli.prompts.questions import QuestionPrompts
from xrntx_guide.pack.guide import Guide


def test_a_label_that_begins_with_its_value_is_echoed_alone(guide: Guide) -> None:
    cq = guide.questions["pathway"]
    label = cq.choice_label("standard")
    assert label is not None and label.startswith("standard:")
    assert QuestionPrompts.as_echoed(cq, "standard", "standard") == label


def test_the_control_another_label_follows_its_value(guide: Guide) -> None:
    cq = guide.questions["last_opioid_kind"]
    label = cq.choice_label("short_acting")
    assert QuestionPrompts.as_echoed(cq, "short_acting", "x") == f"short_acting: {label}"
