"""Pydantic models of the step pack files.

Every model forbids unknown keys, so a misspelled key in a step file fails loudly with its
location. The models describe the *files*; :mod:`xrntx_guide.loader` turns a set of files
into a :class:`~xrntx_guide.loader.Guide` with every expression compiled.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SourceKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
Severity = Literal["contraindication", "stop", "caution", "info"]
QuestionType = Literal["bool", "int", "number", "date", "choice", "text"]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr

SEVERITY_RANK: dict[str, int] = {"contraindication": 3, "stop": 2, "caution": 1, "info": 0}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """One reference that steps, gates, settings and derived values cite by key."""

    title: str
    citation: str
    locator: str | None = None
    used_for: str | None = None


class Setting(Strict):
    """A named clinical value a site may change (reference section 4.3)."""

    value: Scalar | dict[str, StrictInt | StrictFloat | StrictStr]
    description: str
    unit: str | None = None
    sources: list[SourceKey] = Field(min_length=1)
    verify: StrictBool = False
    local_practice: StrictBool = False
    """True when no source gives the value and the shipped one is local practice."""


class Choice(Strict):
    value: StrictStr | StrictInt
    label: str
    help: str | None = None


class Question(Strict):
    """One answer the walkthrough asks for; ``key`` is public vocabulary."""

    key: Identifier
    type: QuestionType
    prompt: str
    help: str | None = None
    choices: list[Choice] | None = None
    min: StrictInt | StrictFloat | StrictStr | None = None
    """Lowest allowed value: a number, or an expression (for dates, e.g. ``"today"``)."""
    max: StrictInt | StrictFloat | StrictStr | None = None
    default: StrictStr | None = None
    """An expression giving the value used when nothing is answered (e.g. ``"today"``)."""
    computed: StrictStr | None = None
    """An expression giving the value from other answers when this one is not given."""
    when: StrictStr | None = None
    optional: StrictBool = False
    wait_minutes: StrictStr | None = None
    """An expression: minutes that must pass after the timer starts before ``wait_for``
    values are accepted (the naloxone challenge's observation minimum)."""
    wait_for: list[StrictStr | StrictInt] = Field(default_factory=list)
    sources: list[SourceKey] = Field(default_factory=list)
    verify: StrictBool = False


class Step(Strict):
    id: Identifier
    phase: Identifier
    title: str
    instructions: str = ""
    when: StrictStr | None = None
    requires_clear: StrictBool = False
    """The step is never shown while any contraindication or un-overridden stop stands."""
    sources: list[SourceKey] = Field(default_factory=list)
    verify: StrictBool = False
    questions: list[Question] = Field(default_factory=list, alias="question")


class Rule(Strict):
    severity: Severity
    fails_when: StrictStr
    message: str
    """Shown when the rule fails; ``{name}`` placeholders show answers and derived values."""
    instead: list[str] = Field(default_factory=list)
    sources: list[SourceKey] = Field(default_factory=list)


class Gate(Strict):
    id: Identifier
    title: str
    before: Identifier
    """The step this gate guards: it is evaluated before that step is shown."""
    applies_when: StrictStr | None = None
    sources: list[SourceKey] = Field(min_length=1)
    pass_message: str | None = None
    verify: StrictBool = False
    rules: list[Rule] = Field(min_length=1, alias="rule")


class Derived(Strict):
    name: Identifier
    label: str
    expr: StrictStr
    description: str = ""
    unit: str | None = None
    sources: list[SourceKey] = Field(default_factory=list)
    verify: StrictBool = False


class Phase(Strict):
    id: Identifier
    title: str


class OverrideCode(Strict):
    code: Identifier
    label: str


class GuideMeta(Strict):
    id: Identifier
    title: str
    version: str
    status: str
    reviewed: dt.date
    statement: str
    date_key: Identifier
    """The answer that holds the date the evaluation is for; earliest dates move it."""
    date_search_days: int = Field(ge=1, le=3660)
    """How far ahead to look for the date on which a blocking gate would pass."""
    phases: list[Phase] = Field(min_length=1)
    override_codes: list[OverrideCode] = Field(min_length=1)


class PackFile(Strict):
    """What one TOML file under ``steps/`` may hold; the files together form the pack."""

    guide: GuideMeta | None = None
    sources: dict[SourceKey, Source] = Field(default_factory=dict)
    settings: dict[Identifier, Setting] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list, alias="step")
    gates: list[Gate] = Field(default_factory=list, alias="gate")
    derived: list[Derived] = Field(default_factory=list)


class SiteFile(Strict):
    """A site overlay: changes setting values, never steps or gates."""

    site: str
    settings: dict[Identifier, Scalar | dict[str, StrictInt | StrictFloat | StrictStr]] = Field(
        default_factory=dict
    )
