"""The step pack files as frozen dataclasses, validated by pydantic.

Every class forbids unknown keys, so a misspelled key in a step file fails loudly with its
location; yes/no fields are strict booleans. The classes are standard-library dataclasses
that pydantic validates (:func:`validate_pack_file`), so a pack that was already checked
and cached is used without importing pydantic at all: that keeps ``check`` quick to start.
Field names are the step file's keys (``[[step.question]]`` is ``Step.question``).
The models describe the *files*; :mod:`xrntx_guide.loader` turns a set of files into a
:class:`~xrntx_guide.loader.Guide` with every expression compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
"""``{name}`` in instructions and messages: shows a value; nothing else is interpreted."""
SEVERITY_RANK: dict[str, int] = {"contraindication": 3, "stop": 2, "caution": 1, "info": 0}
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
SOURCE_KEY = r"^[a-z0-9][a-z0-9_.-]*$"

# Validation rules as markers pydantic reads; they import nothing until pydantic asks.


class _Schema:
    """Sets one key of the type's pydantic schema."""

    def __init__(self, key: str, value: object) -> None:
        self.key, self.value = key, value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        schema[self.key] = self.value  # type: ignore[index]
        return schema


_STRICT = _Schema("strict", True)
"""No coercion: a yes/no field takes true/false, not "yes"; a number is not a string."""
_FINITE = _Schema("allow_inf_nan", False)
"""A real number: TOML's nan and inf are refused (a nan compares false with everything,
so a limit or a gate would never see it)."""
_NON_EMPTY = _Schema("min_length", 1)


class _Pattern:
    def __init__(self, pattern: str, max_length: int = 64) -> None:
        self.pattern = pattern
        self.max_length = max_length

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.str_schema(pattern=self.pattern, max_length=self.max_length, strict=True)


class _Range:
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.int_schema(ge=self.low, le=self.high, strict=True)


StrictBool = Annotated[bool, _STRICT]
StrictInt = Annotated[int, _STRICT]
StrictFloat = Annotated[float, _STRICT, _FINITE]
StrictStr = Annotated[str, _STRICT]
Identifier = Annotated[str, _Pattern(IDENTIFIER)]
SourceKey = Annotated[str, _Pattern(SOURCE_KEY)]
Severity = Literal["contraindication", "stop", "caution", "info"]
QuestionType = Literal["bool", "int", "number", "date", "choice", "text"]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
TableValue = StrictInt | StrictFloat | StrictStr
Number = StrictInt | StrictFloat

_FORBID = {"extra": "forbid"}


@dataclass(frozen=True, slots=True)
class Source:
    """One reference that steps, gates, settings and derived values cite by key."""

    __pydantic_config__ = _FORBID
    title: StrictStr
    citation: StrictStr
    locator: StrictStr | None = None
    used_for: StrictStr | None = None
    verify: StrictBool = False
    """Its figures were not seen in a primary text: a reviewer checks them."""


@dataclass(frozen=True, slots=True)
class Setting:
    """A named clinical value a site may change (reference section 4.3)."""

    __pydantic_config__ = _FORBID
    value: Scalar | dict[str, TableValue]
    description: StrictStr
    sources: Annotated[list[SourceKey], _NON_EMPTY]
    unit: StrictStr | None = None
    verify: StrictBool = False
    local_practice: StrictBool = False
    """True when no source gives the value and the shipped one is local practice."""
    site_adjustable: StrictBool = True
    """False for a value the sources fix (only those of reference section 4.3 are site
    policy): a site file may not change it."""
    site_min: Number | dict[str, Number] | Identifier | None = None
    """The lowest value a site file may set (for a table, per entry named), from
    ``limit_sources``: a site may be stricter than the sources, never looser. A name is
    another numeric setting: the value in force for it (``liver_stop_multiple`` is never
    below ``liver_caution_multiple``)."""
    site_max: Number | dict[str, Number] | Identifier | None = None
    """The highest value a site file may set, likewise."""
    site_choices: list[StrictStr] | None = None
    """For a text setting: the only values a site file may set."""
    limit_sources: list[SourceKey] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Choice:
    __pydantic_config__ = _FORBID
    value: StrictStr | StrictInt
    label: StrictStr
    help: StrictStr | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One answer the walkthrough asks for; ``key`` is public vocabulary."""

    __pydantic_config__ = _FORBID
    key: Identifier
    type: QuestionType
    prompt: StrictStr
    help: StrictStr | None = None
    choices: list[Choice] | None = None
    min: StrictInt | StrictFloat | StrictStr | None = None
    """Lowest allowed value: a number, or an expression (for dates, e.g. ``"today"``)."""
    max: StrictInt | StrictFloat | StrictStr | None = None
    default: StrictStr | None = None
    """An expression giving the value used when nothing is answered (e.g. ``"today"``)."""
    suggest: StrictStr | None = None
    """An expression offered as the answer at the prompt (Enter takes it), but never used
    without a person: what was done is not assumed (the side injected)."""
    computed: StrictStr | None = None
    """An expression giving the value from other answers when this one is not given."""
    when: StrictStr | None = None
    optional: StrictBool = False
    wait_minutes: StrictStr | None = None
    """An expression: minutes that must pass after the timer starts before ``wait_for``
    values are accepted (the naloxone challenge's observation minimum)."""
    wait_for: list[StrictStr | StrictInt] = field(default_factory=list)
    sources: list[SourceKey] = field(default_factory=list)
    point_in_time: StrictBool = False
    """A result that describes only the day it was taken (a urine screen, a COWS rating, a
    naloxone challenge, a pregnancy test): when a resumed walk's visit date moves to a new
    day, it is cleared and asked again."""
    verify: StrictBool = False


@dataclass(frozen=True, slots=True)
class Note:
    """A paragraph of a step's instructions shown only when ``when`` holds (the X:BOT
    figures at a first induction, not at a repeat injection)."""

    __pydantic_config__ = _FORBID
    when: StrictStr
    text: StrictStr


@dataclass(frozen=True, slots=True)
class Step:
    __pydantic_config__ = _FORBID
    id: Identifier
    phase: Identifier
    title: StrictStr
    instructions: StrictStr = ""
    when: StrictStr | None = None
    requires_clear: StrictBool = False
    """The step is never shown while any contraindication or un-overridden stop stands."""
    sources: list[SourceKey] = field(default_factory=list)
    verify: StrictBool = False
    note: list[Note] = field(default_factory=list)
    """Paragraphs added after ``instructions`` when their condition holds."""
    question: list[Question] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rule:
    __pydantic_config__ = _FORBID
    severity: Severity
    fails_when: StrictStr
    message: StrictStr
    """Shown when the rule fails; ``{name}`` placeholders show answers and derived values."""
    instead: list[StrictStr] = field(default_factory=list)
    sources: list[SourceKey] = field(default_factory=list)
    verify: StrictBool = False
    """The fact behind this rule was not seen in a primary text: a reviewer checks it."""


@dataclass(frozen=True, slots=True)
class Gate:
    __pydantic_config__ = _FORBID
    id: Identifier
    title: StrictStr
    before: Identifier
    """The step this gate guards: it is evaluated before that step is shown."""
    sources: Annotated[list[SourceKey], _NON_EMPTY]
    rule: Annotated[list[Rule], _NON_EMPTY]
    applies_when: StrictStr | None = None
    pass_message: StrictStr | None = None
    verify: StrictBool = False


@dataclass(frozen=True, slots=True)
class Derived:
    __pydantic_config__ = _FORBID
    name: Identifier
    label: StrictStr
    expr: StrictStr
    description: StrictStr = ""
    unit: StrictStr | None = None
    sources: list[SourceKey] = field(default_factory=list)
    verify: StrictBool = False


@dataclass(frozen=True, slots=True)
class Phase:
    __pydantic_config__ = _FORBID
    id: Identifier
    title: StrictStr


@dataclass(frozen=True, slots=True)
class OverrideCode:
    __pydantic_config__ = _FORBID
    code: Identifier
    label: StrictStr


@dataclass(frozen=True, slots=True)
class GuideMeta:
    __pydantic_config__ = _FORBID
    id: Identifier
    title: StrictStr
    version: StrictStr
    status: StrictStr
    reviewed: dt.date
    statement: StrictStr
    date_key: Identifier
    """The answer that holds the date the evaluation is for; earliest dates move it."""
    date_search_days: Annotated[int, _Range(1, 3660)]
    """How far ahead to look for the date on which a blocking gate would pass."""
    phases: Annotated[list[Phase], _NON_EMPTY]
    override_codes: Annotated[list[OverrideCode], _NON_EMPTY]


@dataclass(frozen=True, slots=True)
class PackFile:
    """What one TOML file under ``steps/`` may hold; the files together form the pack."""

    __pydantic_config__ = _FORBID
    guide: GuideMeta | None = None
    sources: dict[SourceKey, Source] = field(default_factory=dict)
    settings: dict[Identifier, Setting] = field(default_factory=dict)
    step: list[Step] = field(default_factory=list)
    gate: list[Gate] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SiteFile:
    """A site overlay: changes setting values, never steps or gates."""

    __pydantic_config__ = _FORBID
    site: StrictStr
    settings: dict[Identifier, Scalar | dict[str, TableValue]] = field(default_factory=dict)


def validate(kind: type[Any], raw: Any) -> Any:
    """Validate raw file data as ``kind``; raises ``pydantic.ValidationError``."""
    from pydantic import TypeAdapter

    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter.validate_python(raw)


_ADAPTERS: dict[type[Any], Any] = {}
