"""The step pack files as frozen records, validated by pydantic.

Every class forbids unknown keys, so a misspelled key in a step file fails loudly with its
location; yes/no fields are strict booleans. The classes are records (records.py: what
the standard library's dataclasses make, without compiling source at import) that pydantic
validates as dataclasses (:func:`validate_pack_file`), so a pack that was already checked
and cached is used without importing pydantic at all: that keeps ``check`` quick to start.
Field names are the step file's keys (``[[step.question]]`` is ``Step.question``).
The models describe the *files*; :mod:`xrntx_guide.loader` turns a set of files into a
:class:`~xrntx_guide.loader.Guide` with every expression compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ..records import field, record
from .severity import Severity

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
"""``{name}`` in instructions and messages: shows a value; nothing else is interpreted."""
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
        from pydantic_core import core_schema  # seam: pydantic asks for it, only on a cache miss

        return core_schema.str_schema(pattern=self.pattern, max_length=self.max_length, strict=True)


class _Range:
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema  # seam: pydantic asks for it, only on a cache miss

        return core_schema.int_schema(ge=self.low, le=self.high, strict=True)


StrictBool = Annotated[bool, _STRICT]
StrictInt = Annotated[int, _STRICT]
StrictFloat = Annotated[float, _STRICT, _FINITE]
StrictStr = Annotated[str, _STRICT]
Identifier = Annotated[str, _Pattern(IDENTIFIER)]
SourceKey = Annotated[str, _Pattern(SOURCE_KEY)]
QuestionType = Literal["bool", "int", "number", "date", "choice", "text"]
FileScalar = StrictBool | StrictInt | StrictFloat | StrictStr
TableValue = StrictInt | StrictFloat | StrictStr
Number = StrictInt | StrictFloat

_CONFIG = {"extra": "forbid"}
"""Unknown keys are errors. (The docstrings under fields become their descriptions in the
JSON Schema of step files, pack/file_schema.py, without pydantic reading the source
each time a pack is validated.)"""


@record(frozen=True, slots=True)
class Source:
    """One reference that steps, gates, settings and derived values cite by its key
    (``[sources.label]``)."""

    __pydantic_config__ = _CONFIG
    title: StrictStr
    """The reference's title, as a reader would look it up."""
    citation: StrictStr
    """The full citation: authors, title, where and when published."""
    locator: StrictStr | None = None
    """Which part of the reference is used (sections, tables, the revision)."""
    used_for: StrictStr | None = None
    """What the guide takes from it, in a few words."""
    verify: StrictBool = False
    """Its figures were not seen in a primary text: a reviewer checks them."""
    url: Annotated[str, _Pattern(r"^https://[^\s<>\"'`]+$", 500)] | None = None
    """Where the reference can be read (https), as the reference gives it; the handout
    links to it. Left out when no address is known: never guessed."""
    doi: Annotated[str, _Pattern(r"^10\.[0-9]{4,9}/[^\s<>\"'`]+$", 200)] | None = None
    """Its DOI (``10.1176/appi.ajp.2016.16030293``), as the reference gives it; the
    handout links it to https://doi.org/."""


@record(frozen=True, slots=True)
class Setting:
    """A named clinical value that expressions read as ``settings.NAME`` and that a site
    file may change within its limits (``[settings.NAME]``)."""

    __pydantic_config__ = _CONFIG
    value: FileScalar | dict[str, TableValue]
    """The shipped value: a number, text, yes/no, or a table of them (read as
    ``settings.NAME[key]``)."""
    description: StrictStr
    """What the value means, for a reader of the guide and of a site file."""
    sources: list[SourceKey]
    """Keys of the sources that give the value; empty only for local practice
    (``local_practice = true``), which no source gives."""
    unit: StrictStr | None = None
    """The unit the value is in (days, minutes, x upper limit of normal)."""
    verify: StrictBool = False
    """The value was not seen in a primary text: a reviewer checks it."""
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
    site_choices: list[StrictStr] | list[StrictBool] | None = None
    """The only values a site file may set, the default among them: text for a text
    setting; true or false for a yes/no one (``[false, true]`` with the default false: a
    site may add the requirement; ``[true]`` with the default true: none may drop it)."""
    limit_sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources that set site_min, site_max or site_choices (required with
    them, except for local practice, whose limit no source sets)."""


@record(frozen=True, slots=True)
class Choice:
    """One allowed answer of a choice question (or a score of an int question)."""

    __pydantic_config__ = _CONFIG
    value: StrictStr | StrictInt
    """The answer as given on the command line and read in expressions: text for a
    choice question, a whole number for a score."""
    label: StrictStr
    """The answer as the clinician reads it."""
    help: StrictStr | None = None
    """More about this answer, shown beside it."""
    undecided: StrictBool = False
    """This answer records that the fact was not established (a site not examined): it is
    kept in the record and the note, and conditions read it as unknown, so a gate that
    needs it stays undecided and is never passed."""
    aliases: list[StrictStr] = field(default_factory=list)
    """Other words accepted for this answer (an earlier name that scripts use), read as
    ``value``."""


@record(frozen=True, slots=True)
class Question:
    """One answer the walkthrough asks for (``[[step.question]]``); ``key`` is public
    vocabulary."""

    __pydantic_config__ = _CONFIG
    key: Identifier
    """The answer's name: ``--answer KEY=VALUE``, answers files and expressions use it."""
    type: QuestionType
    """bool (yes/no), int, number, date, choice or text."""
    prompt: StrictStr
    """The question as the clinician is asked it."""
    help: StrictStr | None = None
    """More about the question, shown under the prompt."""
    choices: list[Choice] | None = None
    """The allowed answers of a choice question, or the scores of an int question."""
    min: StrictInt | StrictFloat | StrictStr | None = None
    """Lowest allowed value: a number, or an expression (for dates, e.g. ``"today"``)."""
    max: StrictInt | StrictFloat | StrictStr | None = None
    """Highest allowed value: a number, or an expression (``"today"``,
    ``"injection_date"``)."""
    default: StrictStr | None = None
    """An expression giving the value used when nothing is answered (e.g. ``"today"``)."""
    suggest: StrictStr | None = None
    """An expression offered as the answer at the prompt (Enter takes it), but never used
    without a person: what was done is not assumed (the side injected)."""
    computed: StrictStr | None = None
    """An expression giving the value from other answers when this one is not given."""
    when: StrictStr | None = None
    """An expression: the question is asked only when it is true."""
    optional: StrictBool = False
    """The walkthrough may go on without an answer."""
    asked: StrictBool = True
    """False for a value the walkthrough never asks: it comes from a record kept beside
    the answers (the supervised rapid pathway's day 1), and without one it is absent.
    Such a question is optional by nature: nothing waits for it."""
    wait_minutes: StrictStr | None = None
    """An expression: minutes that must pass after the timer starts before ``wait_for``
    values are accepted (the naloxone challenge's observation minimum)."""
    wait_for: list[StrictStr | StrictInt] = field(default_factory=list)
    """The answers accepted only once ``wait_minutes`` have passed."""
    sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources behind the question."""
    point_in_time: StrictBool = False
    """An answer that speaks for the visit's day only: a result that describes the day it
    was taken (a urine screen, a COWS rating, a naloxone challenge, a pregnancy test), or an
    account of the days up to the visit (opioid use since the last injection): when a
    resumed walk's visit date moves to a new day, it is cleared and asked again."""
    verify: StrictBool = False
    """The fact behind the question was not seen in a primary text: a reviewer checks it."""
    refused_when: StrictStr | None = None
    """An expression over the answers given: when it is true, this answer contradicts them
    and is refused on every route (exit 2) with ``refused_because`` (a negative naloxone
    challenge beside a positive urine screen: the challenge is not done then)."""
    refused_because: StrictStr | None = None
    """Why an answer ``refused_when`` holds for is refused, and the fix (required with it)."""


@record(frozen=True, slots=True)
class Note:
    """A paragraph of a step's instructions shown only when ``when`` holds (the X:BOT
    figures at a first induction, not at a repeat injection)."""

    __pydantic_config__ = _CONFIG
    when: StrictStr
    """An expression: the note is shown only when it is true."""
    text: StrictStr
    """The paragraph; ``{name}`` placeholders show values."""


@record(frozen=True, slots=True)
class Procedure:
    """How a result is obtained on one route, as the actions done one after another (the
    naloxone challenge given IV or SC, ``[[step.procedure]]``): the walkthrough shows them
    one at a time at the prompt of ``question``, each when the one before it is done."""

    __pydantic_config__ = _CONFIG
    question: Identifier
    """The key of the step's question whose result the procedure obtains."""
    route: StrictStr
    """The route's name, as the clinician types it to follow it (``IV``)."""
    actions: Annotated[list[StrictStr], _NON_EMPTY]
    """The actions in the order they are done; ``{name}`` placeholders show values."""
    when: StrictStr | None = None
    """An expression: the route is offered only when it is true (the site's route)."""
    sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources behind the actions."""


@record(frozen=True, slots=True)
class Step:
    """One screen of the walkthrough (``[[step]]``): instructions and the questions asked
    there, in the order of the files."""

    __pydantic_config__ = _CONFIG
    id: Identifier
    """The step's name: gates name it in ``before``."""
    phase: Identifier
    """The id of one of the guide's phases (``guide.phases``)."""
    title: StrictStr
    """The heading of the step."""
    instructions: StrictStr = ""
    """What to do; ``{name}`` placeholders show answers, derived values and settings."""
    when: StrictStr | None = None
    """An expression: the step is shown only when it is true."""
    requires_clear: StrictBool = False
    """The step is never shown while any contraindication or un-overridden stop stands."""
    sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources behind the step."""
    verify: StrictBool = False
    """The step's content was not seen in a primary text: a reviewer checks it."""
    note: list[Note] = field(default_factory=list)
    """Paragraphs added after ``instructions`` when their condition holds."""
    question: list[Question] = field(default_factory=list)
    """The questions of the step, asked in this order."""
    procedure: list[Procedure] = field(default_factory=list)
    """The routes by which a question's result is obtained, each a list of actions shown
    one at a time at its prompt."""


@record(frozen=True, slots=True)
class Rule:
    """One way a gate fails (``[[gate.rule]]``); the worst failing rule decides."""

    __pydantic_config__ = _CONFIG
    severity: Severity
    """contraindication (blocks), stop (blocks unless overridden with a reason), caution
    (needs an acknowledgement) or info."""
    fails_when: StrictStr
    """An expression: the rule fails when it is true."""
    message: StrictStr
    """Shown when the rule fails; ``{name}`` placeholders show answers and derived values."""
    instead: list[StrictStr] = field(default_factory=list)
    """What to do instead, one line each; ``{earliest_date}`` shows the date the gate
    would pass, ``{earliest_injection_date}`` the date the injection could be given (the
    latest of every blocking gate's that waiting clears: engine/state.py)."""
    sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources behind this rule, beyond the gate's."""
    own_sources_only: StrictBool = False
    """This rule rests on its own sources alone: the gate's are not cited with it (a rule
    whose basis is another source than the gate's other rules)."""
    verify: StrictBool = False
    """The fact behind this rule was not seen in a primary text: a reviewer checks it."""
    holds_the_injection_date: StrictBool = False
    """A stop whose way out is waiting (an early repeat dose): while it blocks, the
    injection's earliest date is no earlier than the date its gate passes, as for a
    contraindication. Other stops are cleared by an action or an override (the naloxone
    challenge done), so waiting is not what they ask."""

    def cited(self, gate_sources: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """The keys a failure of this rule cites: its own, then the gate's unless
        ``own_sources_only``."""
        own = list(self.sources)
        return tuple(dict.fromkeys(own if self.own_sources_only else [*own, *gate_sources]))


@record(frozen=True, slots=True)
class Gate:
    """A check the walk must pass before a step (``[[gate]]``)."""

    __pydantic_config__ = _CONFIG
    id: Identifier
    """The gate's name: public vocabulary (``--override ID=...``, check results)."""
    title: StrictStr
    """The gate as the clinician reads it."""
    before: Identifier
    """The step this gate guards: it is evaluated before that step is shown."""
    sources: Annotated[list[SourceKey], _NON_EMPTY]
    """Keys of the sources behind the gate."""
    rule: Annotated[list[Rule], _NON_EMPTY]
    """The ways the gate fails."""
    applies_when: StrictStr | None = None
    """An expression: the gate is checked only when it is true."""
    pass_message: StrictStr | None = None
    """Shown when the gate passes; ``{name}`` placeholders show values."""
    heading: StrictStr | None = None
    """What the walk calls this gate when it stops there, in place of its severity: for a
    gate that records where a visit ends (the end of treatment), not a finding."""
    verify: StrictBool = False
    """The gate was not seen in a primary text: a reviewer checks it."""


@record(frozen=True, slots=True)
class Derived:
    """A value computed from answers and settings (``[[derived]]``), read by name."""

    __pydantic_config__ = _CONFIG
    name: Identifier
    """The name expressions and placeholders read it by."""
    label: StrictStr
    """The value as the clinician reads it."""
    expr: StrictStr
    """The expression that computes it."""
    description: StrictStr = ""
    """What the value means."""
    unit: StrictStr | None = None
    """The unit shown after the value (days)."""
    no_value: StrictStr | None = None
    """What a placeholder shows when every answer the value reads is given and it still
    has none (no minimum is established for that opioid), instead of "not answered"."""
    sources: list[SourceKey] = field(default_factory=list)
    """Keys of the sources behind the computation."""
    verify: StrictBool = False
    """The computation was not seen in a primary text: a reviewer checks it."""


@record(frozen=True, slots=True)
class Phase:
    """A part of the walkthrough that steps belong to (history, readiness, ...)."""

    __pydantic_config__ = _CONFIG
    id: Identifier
    """The name steps give in ``phase``."""
    title: StrictStr
    """The phase as the clinician reads it."""


@record(frozen=True, slots=True)
class OverrideCode:
    """A reason an override of a stop may give."""

    __pydantic_config__ = _CONFIG
    code: Identifier
    """The code given with ``--override GATE="CODE: comment"``."""
    label: StrictStr
    """The reason as the clinician reads it."""


@record(frozen=True, slots=True)
class ReportLine:
    """One line of a summary table: a label and the value it shows."""

    __pydantic_config__ = _CONFIG
    label: StrictStr
    """What the line is called on screen."""
    value: Identifier
    """The question or derived value it shows."""


@record(frozen=True, slots=True)
class Carry:
    """A repeat-visit answer filled in from the patient's last visit with the injection."""

    __pydantic_config__ = _CONFIG
    question: Identifier
    """The question of this visit that is filled in."""
    from_answer: Identifier
    """The answer of the earlier visit that fills it in."""


@record(frozen=True, slots=True)
class RecentKind:
    """A yes/no history question that a use of one opioid, recorded by another care visit
    of the patient within a number of days before this visit, answers: a no beside such a
    use is refused, naming the visit that recorded it."""

    __pydantic_config__ = _CONFIG
    question: Identifier
    """The yes/no question ("fentanyl among the opioids used in the last 30 days?")."""
    kind: StrictStr
    """The opioid (one of ``last_kind``'s choices) whose recorded use answers it."""
    days: Identifier
    """The setting (whole days) the question looks back over from the visit's date."""


@record(frozen=True, slots=True)
class History:
    """What a patient's timeline across visits reads and carries (``[guide.report.history]``)."""

    __pydantic_config__ = _CONFIG
    carry: list[Carry] = field(default_factory=list)
    """Answers a repeat visit takes from the last finished visit with the injection given."""
    offer: list[Carry] = field(default_factory=list)
    """Facts that do not change between visits (age, a diagnosis, allergies), offered from
    the same visit with their origin: changeable, and a different answer is taken (never
    refused as contradicting the record)."""
    after_end: list[Carry] = field(default_factory=list)
    """Answers offered from the visit that ended the treatment after the last injection
    (a switch to an agonist), with their origin: changeable, like ``offer``."""
    repeat_visit: StrictStr | None = None
    """The value of the visit answer (``report.visit``) that marks a repeat visit."""
    due: list[Identifier] = field(default_factory=list)
    """Values that say when the dose is due and how early or late a visit is."""
    kit_lot: Identifier | None = None
    """The answer recording the kit's lot, listed with each injection."""
    use_since: Identifier | None = None
    """The yes/no answer "any opioid use since the last injection?" of a repeat visit."""
    last_use: Identifier | None = None
    """The date of the last opioid use: a date after the last injection beside a "no" to
    ``use_since`` contradicts it and is refused (safety invariant 10)."""
    last_kind: Identifier | None = None
    """The kind of the last opioid used: a use an earlier visit recorded keeps its kind
    when a later visit gives the same date."""
    pathway_opioid: StrictStr | None = None
    """The opioid the supervised rapid pathway gives on its day 1 (one of ``last_kind``'s
    choices): a visit that recorded the pathway bounds the patient's later visits with it,
    as a recorded use on day 1."""
    recent_kind: list[RecentKind] = field(default_factory=list)
    """History questions a recorded use of an opioid within their days answers yes."""
    unnamed_kind: StrictStr | None = None
    """The opioid a use is judged as when the visit that recorded it did not name one (one
    of ``last_kind``'s choices: the unknown opioid): an earlier use without its opioid
    holds a later visit back by that opioid's rules, never by the later use's."""
    end_of_treatment: Identifier | None = None
    """The yes/no answer of a visit that ends the treatment: the timeline says the patient
    is off treatment from that visit on."""
    end_reason: Identifier | None = None
    """The answer giving why the treatment ended, shown beside it."""
    standing: list[Identifier] = field(default_factory=list)
    """Yes/no answers whose yes, once a care visit of the patient recorded it, stands for
    every later visit (a known hypersensitivity, an allergic reaction after a dose): a no
    to any of them there is refused, naming the visit that recorded the yes."""


@record(frozen=True, slots=True)
class Report:
    """Which of the pack's values the results, the summary and the chart note show
    (``[guide.report]``). Names of questions or derived values; the product knows no
    clinical name of its own."""

    __pydantic_config__ = _CONFIG
    result: list[Identifier] = field(default_factory=list)
    """Values in ``check --json`` (``derived``), in a scenario's outcome and in the note."""
    summary: list[Identifier] = field(default_factory=list)
    """Values the short ``check`` report prints under the verdict."""
    after_injection: list[Identifier] = field(default_factory=list)
    """Values that mean something only for a patient who can have, or had, the injection
    (a next dose date): left out (null) otherwise."""
    injection_given: Identifier | None = None
    """The yes/no answer that records the injection as given."""
    next_dose_due: Identifier | None = None
    """The date value of the next dose, kept in the session list and the calendar file."""
    visit: Identifier | None = None
    """The answer naming the kind of visit, in the chart note."""
    dose_setting: Identifier | None = None
    """The setting holding the dose given, in the chart note once the injection is given."""
    side_given: Identifier | None = None
    """The answer recording the side injected, in the chart note."""
    side_advised: Identifier | None = None
    """The value naming the side to inject: a side injected (``side_given``) that is
    another of the sides it can name is said, on the screen and in the note, never filed
    in silence."""
    needle: list[Identifier] = field(default_factory=list)
    """The needle in the chart note: the first of these that is known."""
    dose_planned: list[ReportLine] = field(default_factory=list)
    """The walkthrough summary's dose table before the injection is given."""
    dose_given: list[ReportLine] = field(default_factory=list)
    """The lines added to it once the injection is given."""
    history: History = field(default_factory=History)
    """What the patient's timeline across visits reads and carries."""
    end_of_treatment: list[ReportLine] = field(default_factory=list)
    """The chart note's lines for a visit that ended the treatment (``history.
    end_of_treatment``); a line whose value is not known is left out."""


@record(frozen=True, slots=True)
class Card:
    """The emergency card the patient carries (``[guide.card]``): one printable page. Its
    lines may show ``{name}``, ``{last_injection_date}`` and ``{blockade_end_date}``; a
    line showing ``{name}`` is printed only when a name is given for the card."""

    __pydantic_config__ = _CONFIG
    title: StrictStr
    """The card's heading."""
    patient: Annotated[list[StrictStr], _NON_EMPTY]
    """About the patient: the treatment and its dates."""
    staff_heading: StrictStr
    """The heading of what emergency staff need to know."""
    staff: Annotated[list[StrictStr], _NON_EMPTY]
    """What emergency staff need to know (pain relief)."""
    sources: Annotated[list[SourceKey], _NON_EMPTY]
    """The sources of what the card says."""
    source_note: StrictStr = ""
    """The basis, printed at the foot of the card."""
    ended_title: StrictStr | None = None
    """The heading once a visit has ended the treatment (None: ``title``)."""
    ended_patient: list[StrictStr] | None = None
    """About the patient once a visit has ended the treatment, in place of ``patient``
    (None: ``patient``): the card then covers the weeks until the blockade ends, with no
    injection to come."""


@record(frozen=True, slots=True)
class GuideMeta:
    """What the guide is (``[guide]``, in exactly one file of the pack)."""

    __pydantic_config__ = _CONFIG
    id: Identifier
    """The guide's name, kept in sessions and results."""
    title: StrictStr
    """The guide's title."""
    version: StrictStr
    """The guide's version, kept in sessions and results."""
    status: StrictStr
    """Its review status (a draft for clinical review, approved, ...)."""
    reviewed: dt.date
    """The date of its last review (a TOML date: 2026-11-24)."""
    statement: StrictStr
    """The statement shown with every result (it supports, and does not replace,
    clinical judgement)."""
    date_key: Identifier
    """The answer that holds the date the evaluation is for; earliest dates move it."""
    date_search_days: Annotated[int, _Range(1, 3660)]
    """How far ahead to look for the date on which a blocking gate would pass."""
    phases: Annotated[list[Phase], _NON_EMPTY]
    """The parts of the walkthrough, in order."""
    override_codes: Annotated[list[OverrideCode], _NON_EMPTY]
    """The reasons an override may give."""
    report: Report = field(default_factory=Report)
    """Which values the results, the summary and the chart note show."""
    card: Card | None = None
    """The emergency card printed from a finished visit (``card``)."""


@record(frozen=True, slots=True)
class PackFile:
    """What one TOML file under ``steps/`` may hold; the files together form the pack."""

    __pydantic_config__ = _CONFIG
    guide: GuideMeta | None = None
    """What the guide is: in exactly one file."""
    sources: dict[SourceKey, Source] = field(default_factory=dict)
    """The references, by key."""
    settings: dict[Identifier, Setting] = field(default_factory=dict)
    """Clinical values, by name; a site file may change them within their limits."""
    step: list[Step] = field(default_factory=list)
    """The steps, in the order the walkthrough shows them."""
    gate: list[Gate] = field(default_factory=list)
    """The gates."""
    derived: list[Derived] = field(default_factory=list)
    """Values computed from answers and settings."""


@record(frozen=True, slots=True)
class ProtocolDay:
    """One day of the site's own supervised rapid-induction protocol (reference section 6).

    The pack ships no day-by-day doses: what is given is the site's text, shown as it is."""

    __pydantic_config__ = _CONFIG
    day: Annotated[int, _Range(1, 1000)]
    """The day number: the table's days are 1, 2, ... N, in order."""
    given: Annotated[str, _STRICT, _NON_EMPTY, _Schema("max_length", 500)]
    """What is given that day, in the site's words (text; the guide reads no dose from it)."""
    cows_due: StrictBool = False
    """Whether a COWS rating is due that day (always on the injection day)."""
    injection: StrictBool = False
    """Whether this is the protocol's injection day (exactly one day is)."""
    oral_naltrexone: StrictBool = False
    """Whether oral naltrexone is given that day. The injection day must come after at
    least the pack's ``rapid_naltrexone_days_required`` such days, none of them day 1."""


@record(frozen=True, slots=True)
class SiteFile:
    """A site overlay: changes setting values, never steps or gates."""

    __pydantic_config__ = _CONFIG
    site: StrictStr
    """The site's name, kept in sessions and results."""
    settings: dict[Identifier, FileScalar | dict[str, TableValue]] = field(default_factory=dict)
    """New values of the pack's settings; a table names only the entries it changes."""
    rapid_protocol: list[ProtocolDay] | None = None
    """The site's own day-by-day table of the supervised rapid pathway, if it has one."""


def validate(kind: type[Any], raw: Any) -> Any:
    """Validate raw file data as ``kind``; raises ``pydantic.ValidationError``."""
    from pydantic import TypeAdapter  # seam: pydantic validates only on a cache miss

    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter.validate_python(raw)


_ADAPTERS: dict[type[Any], Any] = {}
