"""The loader, the pack models and the whole-pack checks.

Every test starts from one small valid pack (:data:`tests.helpers.MINIMAL`) and changes
one thing, then checks that the :class:`PackError` names the file, the place and what is
wrong, using the words a pack author would look for rather than the full message text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import MINIMAL, PACK_FILE, make_pack
from xrntx_guide import expr
from xrntx_guide.errors import ExitCode, PackError, Problem
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

SITE = """\
site = "test clinic"

[settings]
"""


def pack_problems(
    root: Path,
    *,
    replace: dict[str, str] | None = None,
    append: str = "",
    files: dict[str, str] | None = None,
    site: str | None = None,
) -> list[str]:
    """Load a changed pack that must fail; return its problems."""
    folder = make_pack(root, replace=replace, append=append, files=files)
    site_file = None
    if site is not None:
        site_file = root / "site.toml"
        site_file.write_text(site, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_guide(folder, site_file)
    problems = info.value.problems
    assert problems, "a PackError must list at least one problem"
    assert all(isinstance(p, Problem) for p in problems)
    return [str(p) for p in problems]


def only(problems: list[str] | list[Problem], *needles: str) -> str:
    """The one problem (as text) that contains every needle (case-insensitive)."""
    texts = [str(p) for p in problems]
    hits = [p for p in texts if all(n.lower() in p.lower() for n in needles)]
    assert len(hits) == 1, f"expected one problem with {needles}, got:\n" + "\n".join(texts)
    return hits[0]


# A question appended to the last step of the pack (the injection step).
LATE_STEP = """
[[step]]
id = "late"
phase = "intake"
title = "Later questions"

[[step.question]]
key = "late_answer"
type = "bool"
prompt = "Asked late?"
"""


# ---------------------------------------------------------------------------------------
# Packs that load


def test_minimal_pack_loads_with_its_steps_gates_settings_and_types(tmp_path: Path) -> None:
    guide = load_guide(make_pack(tmp_path))
    assert isinstance(guide, Guide)
    assert guide.meta.id == "mini"
    assert guide.meta.reviewed == dt.date(2026, 1, 1)
    assert [s.id for s in guide.steps] == ["intake", "inject"]
    assert [s.index for s in guide.steps] == [0, 1]
    assert [g.id for g in guide.gates] == ["allergy"]
    assert guide.gate("allergy").severity == "contraindication"
    assert guide.gate("allergy").inputs == frozenset({"allergic"})
    assert set(guide.questions) == {"visit_date", "allergic", "given"}
    assert guide.questions["allergic"].step_id == "intake"
    assert guide.types["visit_date"] == expr.DATE
    assert guide.types["allergic"] == expr.BOOL
    assert guide.types["settings.min_age"] == expr.INT
    assert guide.setting_values == {"min_age": 18}
    assert guide.site is None
    assert guide.phase_title("intake") == "Intake"
    assert guide.root == tmp_path / "steps"


def test_expressions_are_compiled_when_the_pack_loads(tmp_path: Path) -> None:
    guide = load_guide(make_pack(tmp_path))
    rule = guide.gate("allergy").rules[0]
    assert rule.fails.reads == frozenset({"allergic"})
    assert rule.fails.evaluate(expr.MapContext({"allergic": True})) is True
    assert rule.fails.evaluate(expr.MapContext({})) is expr.UNKNOWN
    default = guide.questions["visit_date"].default
    assert default is not None
    assert default.type == expr.DATE


def test_shipped_pack_loads_from_the_default_folder() -> None:
    guide = load_guide()
    assert guide.steps, "the shipped pack has steps"
    assert guide.gates, "the shipped pack has gates"
    assert guide.types[guide.meta.date_key] == expr.DATE
    assert any(s.spec.requires_clear for s in guide.steps)
    assert guide.site is None


def test_files_are_read_in_name_order_so_steps_follow_file_names(tmp_path: Path) -> None:
    early = """
[[step]]
id = "before_all"
phase = "intake"
title = "First of all"
"""
    guide = load_guide(make_pack(tmp_path, files={"05-early.toml": early}))
    assert [s.id for s in guide.steps] == ["before_all", "intake", "inject"]


def test_files_not_ending_in_toml_are_ignored(tmp_path: Path) -> None:
    guide = load_guide(make_pack(tmp_path, files={"notes.txt": "not [valid toml"}))
    assert [s.id for s in guide.steps] == ["intake", "inject"]


def test_a_gate_may_read_a_later_question_that_has_a_default(tmp_path: Path) -> None:
    # visit_date has default = "today", so the gate can be decided before it is asked.
    guide = load_guide(
        make_pack(
            tmp_path,
            replace={
                'before = "inject"': 'before = "intake"',
                'fails_when = "allergic"': 'fails_when = "visit_date < today"',
                'severity = "contraindication"': 'severity = "caution"',
            },
        )
    )
    assert guide.gate("allergy").time_dependent is True


# ---------------------------------------------------------------------------------------
# Files that cannot be read or validated


def test_toml_syntax_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'title = "Intake"\n': 'title = "Intake\n'})
    problem = only(problems, "not valid TOML")
    assert f"{PACK_FILE}:14:16: not valid TOML" in problem, "the line and column of the error"


def test_toml_syntax_errors_in_two_files_are_both_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={"[guide]": "[guide"},
        files={"20-other.toml": "[[step]\n"},
    )
    assert len(problems) == 2
    only(problems, PACK_FILE, "not valid TOML")
    only(problems, "20-other.toml", "not valid TOML")


def test_file_that_is_not_utf8_is_reported_by_name(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    (folder / "20-latin1.toml").write_bytes(b'# caf\xe9\n[sources.x]\ntitle = "x"\n')
    with pytest.raises(PackError) as info:
        load_guide(folder)
    problem = only(info.value.problems, "20-latin1.toml")
    assert "20-latin1.toml:1:6: not UTF-8" in problem, "the line and column of the byte"


def test_misspelled_key_in_a_step_names_the_step_and_says_unknown_key(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'title = "Give the injection"': 'titel = "Give the injection"'}
    )
    problem = only(problems, "titel")
    assert f"{PACK_FILE}:50:1: step[1].titel: unknown key" in problem
    assert "did you mean 'title'?" in problem


def test_misspelled_key_in_a_question_names_step_and_question(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'prompt = "Allergic to the drug?"': 'promt = "Allergic to the drug?"'}
    )
    problem = only(problems, "promt")
    assert f"{PACK_FILE}:45:1: step[0].question[1].promt: unknown key" in problem
    # The correctly spelled key is then missing, and that is said too, at the table.
    missing = only(problems, "question[1].prompt")
    assert f"{PACK_FILE}:42:1: step[0].question[1].prompt: " in missing
    assert "required" in missing.lower()


def test_misspelled_key_in_a_gate_rule_names_the_gate_and_rule(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"fails_when =": "fail_when ="})
    problem = only(problems, "fail_when", "unknown key")
    assert f"{PACK_FILE}:61:1: gate[0].rule[0].fail_when" in problem


def test_misspelled_top_level_table_is_an_unknown_key(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, append="\n[setting.x]\nvalue = 1\n")
    problem = only(problems, "setting", "unknown key")
    assert PACK_FILE in problem


def test_wrong_value_type_names_the_field(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"requires_clear = true": "requires_clear = 7"})
    problem = only(problems, "requires_clear")
    assert f"{PACK_FILE}:51:1: step[1].requires_clear" in problem
    assert "bool" in problem.lower()


def test_expression_given_as_a_number_is_a_type_error(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'fails_when = "allergic"': "fails_when = true"})
    problem = only(problems, "fails_when")
    assert f"{PACK_FILE}:61:1: gate[0].rule[0].fails_when" in problem
    assert "string" in problem.lower()


def test_bad_identifier_and_missing_required_fields_are_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'id = "inject"': 'id = "Inject-Step"',
            'sources = ["ref"]\n\n[[gate.rule]]': ("\n[[gate.rule]]"),
        },
    )
    only(problems, f"{PACK_FILE}:48:1: step[1].id", "pattern")
    only(problems, f"{PACK_FILE}:53:1: gate[0].sources", "required")


def test_requires_clear_given_as_a_string_is_rejected(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"requires_clear = true": 'requires_clear = "yes"'})
    problem = only(problems, "requires_clear")
    assert "step[1].requires_clear" in problem


def test_wrong_guide_date_is_reported_under_guide(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"reviewed = 2026-01-01": 'reviewed = "last year"'})
    problem = only(problems, "guide.reviewed")
    assert PACK_FILE in problem
    assert "date" in problem.lower()


# ---------------------------------------------------------------------------------------
# Names defined twice


def test_duplicate_step_id_across_two_files_names_both_files(tmp_path: Path) -> None:
    other = '[[step]]\nid = "intake"\nphase = "intake"\ntitle = "Again"\n'
    problems = pack_problems(tmp_path, files={"20-other.toml": other})
    problem = only(problems, "'intake'", "already defined")
    assert "20-other.toml" in problem
    assert PACK_FILE in problem
    assert "step" in problem


def test_duplicate_gate_id_across_two_files_names_both_files(tmp_path: Path) -> None:
    other = """
[[gate]]
id = "allergy"
title = "Allergy again"
before = "inject"
sources = ["ref"]

[[gate.rule]]
severity = "info"
fails_when = "allergic"
message = "Allergic."
"""
    problems = pack_problems(tmp_path, files={"20-other.toml": other})
    problem = only(problems, "gate 'allergy'", "already defined")
    assert "20-other.toml" in problem
    assert PACK_FILE in problem


def test_duplicate_question_key_across_two_files_names_both_files(tmp_path: Path) -> None:
    other = """
[[step]]
id = "again"
phase = "intake"
title = "Asked again"

[[step.question]]
key = "allergic"
type = "bool"
prompt = "Allergic, again?"
"""
    problems = pack_problems(tmp_path, files={"20-other.toml": other})
    problem = only(problems, "question 'allergic'", "already defined")
    assert "20-other.toml:8:1: step[0].question[0].key" in problem
    assert f"{PACK_FILE} at step[0].question[1]" in problem


def test_duplicate_source_setting_and_derived_across_files_are_reported(tmp_path: Path) -> None:
    derived = '[[derived]]\nname = "risk"\nlabel = "Risk"\nexpr = "allergic"\n'
    other = f"""
[sources.ref]
title = "Other"
citation = "Other."

[settings.min_age]
value = 16
description = "Again"
sources = ["ref"]

{derived}
"""
    problems = pack_problems(tmp_path, append="\n" + derived, files={"20-other.toml": other})
    for kind, name in (("source", "'ref'"), ("setting", "'min_age'"), ("derived", "'risk'")):
        problem = only(problems, f"{kind} {name}", "already defined")
        assert problem.startswith(str(tmp_path / "steps" / "20-other.toml"))
        assert PACK_FILE in problem


def test_derived_value_with_the_name_of_a_question_is_rejected(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, append='\n[[derived]]\nname = "allergic"\nlabel = "A"\nexpr = "true"\n'
    )
    problem = only(problems, "'allergic'", "already a question")
    assert f"{PACK_FILE}:73:1: derived[0].name" in problem


def test_question_key_that_shadows_today_is_rejected(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        append=LATE_STEP.replace(
            'key = "late_answer"\ntype = "bool"', 'key = "today"\ntype = "date"'
        ),
    )
    only(problems, "step[2].question[0].key", "'today' is a built-in name")


# ---------------------------------------------------------------------------------------
# Unknown references


def test_unknown_source_in_a_gate_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={'before = "inject"\nsources = ["ref"]': 'before = "inject"\nsources = ["reff"]'},
    )
    problem = only(problems, "unknown source 'reff'")
    assert f"{PACK_FILE}:57:12: gate[0].sources[0]" in problem, "the place of the key in the list"
    assert "known: ref" in problem


def test_unknown_source_in_a_step_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={'title = "Intake"\nsources = ["ref"]': 'title = "Intake"\nsources = ["label"]'},
    )
    problem = only(problems, "unknown source 'label'")
    assert f"{PACK_FILE}:32:12: step[0].sources[0]" in problem


def test_unknown_source_in_a_setting_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'description = "Minimum age"\nsources = ["ref"]': (
                'description = "Minimum age"\nsources = ["nowhere"]'
            )
        },
    )
    problem = only(problems, "unknown source 'nowhere'")
    assert PACK_FILE in problem
    assert "settings.min_age" in problem


def test_unknown_source_in_a_question_rule_and_derived_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'prompt = "Allergic to the drug?"': (
                'prompt = "Allergic to the drug?"\nsources = ["q-src"]'
            ),
            'message = "Allergic: do not inject."': (
                'message = "Allergic: do not inject."\nsources = ["rule-src"]'
            ),
        },
        append=(
            '\n[[derived]]\nname = "risk"\nlabel = "Risk"\nexpr = "allergic"\nsources = ["d-src"]\n'
        ),
    )
    assert "step[0].question[1].sources[0]" in only(problems, "'q-src'")
    assert "gate[0].rule[0].sources[0]" in only(problems, "'rule-src'")
    assert "derived[0].sources[0]" in only(problems, "'d-src'")


def test_gate_before_a_step_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'before = "inject"': 'before = "injection"'})
    problem = only(problems, "'injection'")
    assert f"{PACK_FILE}:56:1: gate[0].before" in problem
    assert "not a step id" in problem


def test_step_in_an_unknown_phase_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'id = "inject"\nphase = "intake"': 'id = "inject"\nphase = "dosing"'}
    )
    problem = only(problems, "'dosing'")
    assert f"{PACK_FILE}:49:1: step[1].phase" in problem
    assert "intake" in problem


def test_date_key_that_is_not_a_date_question_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'date_key = "visit_date"': 'date_key = "allergic"'})
    problem = only(problems, "date_key")
    assert PACK_FILE in problem
    assert "'allergic'" in problem
    assert "not a date question" in problem


# ---------------------------------------------------------------------------------------
# Expressions


@pytest.mark.parametrize(
    ("replace", "place"),
    [
        (
            {'fails_when = "allergic"': 'fails_when = "allergic and"'},
            ":61:27: gate[0].rule[0].fails_when",
        ),
        (
            {'prompt = "Allergic to the drug?"': 'prompt = "Allergic?"\nwhen = "(visit_date"'},
            ":46:20: step[0].question[1].when",
        ),
        ({'default = "today"': 'default = "today +"'}, ":39:19: step[0].question[0].default"),
        (
            {'default = "today"': 'default = "today"\nmin = "today <"'},
            ":40:15: step[0].question[0].min",
        ),
        (
            {'title = "Give the injection"': 'title = "Give it"\nwhen = "allergic =="'},
            ":51:20: step[1].when",
        ),
    ],
    ids=["fails_when", "question-when", "default", "min", "step-when"],
)
def test_expression_syntax_error_names_the_place_and_the_text(
    tmp_path: Path, replace: dict[str, str], place: str
) -> None:
    """The column is that of the character where the expression goes wrong."""
    problems = pack_problems(tmp_path, replace=replace)
    problem = only(problems, PACK_FILE + place)
    assert "at character" in problem
    assert "unexpected" in problem or "expected" in problem


@pytest.mark.parametrize(
    ("replace", "place", "says"),
    [
        (
            {'fails_when = "allergic"': 'fails_when = "settings.min_age"'},
            "gate[0].rule[0].fails_when",
            "must give a bool",
        ),
        (
            {'fails_when = "allergic"': 'fails_when = "allergic + 1 > 2"'},
            ":61:24: gate[0].rule[0].fails_when",
            "needs numbers",
        ),
        (
            {'prompt = "Allergic to the drug?"': 'prompt = "Allergic?"\nwhen = "visit_date"'},
            ":46:1: step[0].question[1].when",
            "must give a bool",
        ),
        (
            {'default = "today"': 'default = "settings.min_age"'},
            "step[0].question[0].default",
            "gives int but the question is date",
        ),
        (
            {'default = "today"': 'default = "today"\nmin = 5'},
            ":40:1: step[0].question[0].min",
            "gives int but the question is date",
        ),
        (
            {'prompt = "Allergic to the drug?"': 'prompt = "Allergic?"\nmin = 0'},
            "step[0].question[1].min",
            "only numbers and dates have bounds",
        ),
        (
            {'title = "Give the injection"': 'title = "Give it"\nwhen = "visit_date == 3"'},
            ":51:20: step[1].when",
            "cannot compare date with int",
        ),
    ],
    ids=[
        "fails_when-not-bool",
        "fails_when-bool-plus-int",
        "when-not-bool",
        "default-wrong-type",
        "min-wrong-type",
        "min-on-bool",
        "step-when-date-vs-int",
    ],
)
def test_expression_type_error_names_the_place_and_the_types(
    tmp_path: Path, replace: dict[str, str], place: str, says: str
) -> None:
    problems = pack_problems(tmp_path, replace=replace)
    problem = only(problems, place)
    assert PACK_FILE in problem
    assert says in problem


def test_unknown_name_in_an_expression_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'fails_when = "allergic"': 'fails_when = "alergic"'}
    )
    problem = only(problems, "unknown name 'alergic'")
    assert f"{PACK_FILE}:61:15: gate[0].rule[0].fails_when" in problem


def test_unknown_setting_in_an_expression_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'fails_when = "allergic"': 'fails_when = "settings.max_age > 3"'}
    )
    only(problems, "unknown name 'settings.max_age'", "fails_when")


def test_unknown_function_in_an_expression_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'fails_when = "allergic"': 'fails_when = "days_since(visit_date) > 1"'}
    )
    problem = only(problems, "unknown function 'days_since'")
    assert "fails_when" in problem


CHOICE_QUESTION = """
[[step.question]]
key = "route"
type = "choice"
prompt = "Route"
choices = [
  { value = "iv", label = "intravenous" },
  { value = "sc", label = "subcutaneous" },
]
"""


def test_comparing_a_choice_to_a_value_not_among_its_choices_is_reported(
    tmp_path: Path,
) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION + '\n[[step]]\nid = "inject"',
            'fails_when = "allergic"': "fails_when = \"route == 'im'\"",
        },
    )
    problem = only(problems, "'im'")
    assert PACK_FILE in problem
    assert "fails_when" in problem
    assert "not a possible value" in problem
    assert "'iv'" in problem
    assert "'sc'" in problem


def test_choice_in_a_list_with_an_impossible_value_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION + '\n[[step]]\nid = "inject"',
            'fails_when = "allergic"': "fails_when = \"route in ['iv', 'oral']\"",
        },
    )
    assert "not a possible value" in only(problems, "'oral'")


def test_comparing_a_choice_to_one_of_its_values_loads(tmp_path: Path) -> None:
    guide = load_guide(
        make_pack(
            tmp_path,
            replace={
                '\n[[step]]\nid = "inject"': CHOICE_QUESTION + '\n[[step]]\nid = "inject"',
                'fails_when = "allergic"': "fails_when = \"route == 'iv' and allergic\"",
            },
        )
    )
    assert guide.gate("allergy").inputs == frozenset({"route", "allergic"})


def test_unknown_placeholder_in_a_gate_message_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={'message = "Allergic: do not inject."': 'message = "Allergic on {visit_dat}."'},
    )
    problem = only(problems, "{visit_dat}")
    assert f"{PACK_FILE}:62:24: gate[0].rule[0].message" in problem, "the placeholder's column"
    assert "unknown placeholder" in problem


def test_unknown_placeholder_in_step_instructions_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"{settings.min_age}": "{settings.minimum_age}"})
    problem = only(problems, "{settings.minimum_age}")
    assert f"{PACK_FILE}:33:53: step[0].instructions" in problem
    assert "unknown placeholder" in problem


def test_gate_messages_may_use_the_gate_local_earliest_date(tmp_path: Path) -> None:
    guide = load_guide(
        make_pack(
            tmp_path,
            replace={
                'message = "Allergic: do not inject."': (
                    'message = "Not before {earliest_date}; visit {visit_date}."'
                )
            },
        )
    )
    assert guide.gate("allergy").rules[0].spec.message.startswith("Not before")


def test_derived_values_that_refer_to_each_other_are_reported_as_a_cycle(tmp_path: Path) -> None:
    derived = """
[[derived]]
name = "alpha"
label = "Alpha"
expr = "beta and allergic"

[[derived]]
name = "beta"
label = "Beta"
expr = "not alpha"
"""
    problems = pack_problems(tmp_path, append=derived)
    problem = only(problems, "refer to each other")
    assert PACK_FILE in problem
    assert "alpha -> beta -> alpha" in problem


def test_derived_value_that_refers_to_itself_is_a_cycle(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, append='\n[[derived]]\nname = "loop"\nlabel = "L"\nexpr = "not loop"\n'
    )
    assert "loop -> loop" in only(problems, "refer to each other")


def test_derived_values_load_in_dependency_order_whatever_their_file_order(
    tmp_path: Path,
) -> None:
    derived = """
[[derived]]
name = "second"
label = "Second"
expr = "not first"

[[derived]]
name = "first"
label = "First"
expr = "allergic"
"""
    guide = load_guide(make_pack(tmp_path, append=derived))
    assert guide.types["second"] == expr.BOOL
    assert guide.answer_inputs("second") == frozenset({"allergic"})


def test_derived_value_type_error_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, append='\n[[derived]]\nname = "odd"\nlabel = "O"\nexpr = "visit_date + 1"\n'
    )
    problem = only(problems, "derived[0].expr")
    assert f"{PACK_FILE}:75:20" in problem
    assert "add_days" in problem


# ---------------------------------------------------------------------------------------
# Question shapes


def test_choice_question_without_choices_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path, replace={'key = "allergic"\ntype = "bool"': 'key = "allergic"\ntype = "choice"'}
    )
    problem = only(problems, "needs choices")
    assert f"{PACK_FILE}:44:1: step[0].question[1].type" in problem


def test_choice_value_that_is_a_walkthrough_command_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION.replace('"sc"', '"back"')
            + '\n[[step]]\nid = "inject"'
        },
    )
    problem = only(problems, "'back'")
    assert f"{PACK_FILE}:51:1: step[0].question[2].choices" in problem
    assert "walkthrough commands" in problem


def test_choice_value_that_is_a_command_in_other_case_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION.replace('"sc"', '"Back"')
            + '\n[[step]]\nid = "inject"'
        },
    )
    only(problems, "'Back'", "walkthrough commands")


def test_repeated_choice_values_are_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION.replace('"sc"', '"iv"')
            + '\n[[step]]\nid = "inject"'
        },
    )
    assert "step[0].question[2].choices" in only(problems, "choice values repeat")


def test_choices_on_a_bool_question_are_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'prompt = "Allergic to the drug?"': (
                'prompt = "Allergic?"\nchoices = [{ value = "y", label = "yes" }]'
            )
        },
    )
    assert "step[0].question[1].choices" in only(
        problems, "only choice and int questions have choices"
    )


def test_number_choice_values_on_a_choice_question_are_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION.replace('"sc"', "2")
            + '\n[[step]]\nid = "inject"'
        },
    )
    assert "step[0].question[2].choices" in only(problems, "choice values must be strings")


def test_wait_for_without_wait_minutes_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            '\n[[step]]\nid = "inject"': CHOICE_QUESTION
            + 'wait_for = ["iv"]\n'
            + '\n[[step]]\nid = "inject"'
        },
    )
    assert "step[0].question[2].wait_for" in only(problems, "wait_for needs wait_minutes")


def test_small_float_bound_on_a_number_question_loads(tmp_path: Path) -> None:
    question = (
        '\n[[step.question]]\nkey = "dose"\ntype = "number"\nprompt = "Dose"\nmin = 0.00001\n'
    )
    guide = load_guide(
        make_pack(
            tmp_path,
            replace={'\n[[step]]\nid = "inject"': question + '\n[[step]]\nid = "inject"'},
        )
    )
    assert guide.questions["dose"].min is not None


# ---------------------------------------------------------------------------------------
# Whole-pack ordering checks


def test_gate_reading_an_answer_asked_at_the_step_it_guards_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'before = "inject"': 'before = "intake"'})
    problem = only(problems, "gate 'allergy'")
    assert "'allergic'" in problem
    assert "at or after" in problem
    assert "'intake'" in problem


def test_gate_reading_an_answer_asked_after_its_step_through_a_derived_value_is_reported(
    tmp_path: Path,
) -> None:
    problems = pack_problems(
        tmp_path,
        replace={'fails_when = "allergic"': 'fails_when = "late_risk"'},
        append=LATE_STEP
        + '\n[[derived]]\nname = "late_risk"\nlabel = "Late"\nexpr = "late_answer"\n',
    )
    problem = only(problems, "gate 'allergy'")
    assert "'late_answer'" in problem
    assert "'inject'" in problem


def test_step_when_reading_a_question_asked_later_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={'title = "Give the injection"': 'title = "Give it"\nwhen = "late_answer"'},
        append=LATE_STEP,
    )
    problem = only(problems, "step 'inject'", "when reads")
    assert "'late_answer'" in problem
    assert "at or after" in problem


def test_question_when_reading_a_question_asked_later_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'default = "today"': 'default = "today"\nwhen = "allergic"',
        },
    )
    problem = only(problems, "question 'visit_date'")
    assert "when reads 'allergic'" in problem
    assert "not asked before it" in problem


def test_question_max_reading_a_question_asked_later_is_reported(tmp_path: Path) -> None:
    question = (
        '\n[[step.question]]\nkey = "first_date"\ntype = "date"\nprompt = "First"\n'
        'max = "second_date"\n\n[[step.question]]\nkey = "second_date"\ntype = "date"\n'
        'prompt = "Second"\n'
    )
    problems = pack_problems(
        tmp_path,
        replace={'\n[[step]]\nid = "inject"': question + '\n[[step]]\nid = "inject"'},
    )
    problem = only(problems, "question 'first_date'")
    assert "max reads 'second_date'" in problem


def test_instructions_showing_an_answer_from_a_later_step_are_reported(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={"{settings.min_age}": "{late_answer}"},
        append=LATE_STEP,
    )
    problem = only(problems, "step 'intake'", "instructions")
    assert "{late_answer}" in problem
    assert "later step" in problem


def test_contraindication_gate_after_the_last_requires_clear_step_is_reported(
    tmp_path: Path,
) -> None:
    problems = pack_problems(
        tmp_path, replace={'before = "inject"': 'before = "late"'}, append=LATE_STEP
    )
    problem = only(problems, "gate 'allergy'")
    assert "contraindication" in problem
    assert "after the last requires_clear step" in problem
    assert "'late'" in problem


def test_caution_gate_after_the_last_requires_clear_step_is_allowed(tmp_path: Path) -> None:
    guide = load_guide(
        make_pack(
            tmp_path,
            replace={
                'before = "inject"': 'before = "late"',
                'severity = "contraindication"': 'severity = "caution"',
            },
            append=LATE_STEP,
        )
    )
    assert guide.gate("allergy").severity == "caution"


def test_pack_without_a_requires_clear_step_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={"requires_clear = true\n": ""})
    only(problems, "no step has requires_clear")


def test_ordering_problems_name_the_file_that_holds_the_gate(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, replace={'before = "inject"': 'before = "intake"'})
    assert PACK_FILE in only(problems, "gate 'allergy'")


# ---------------------------------------------------------------------------------------
# The folder and the [guide] table


def test_pack_without_a_guide_table_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "steps"
    folder.mkdir()
    (folder / "10-steps.toml").write_text(
        '[[step]]\nid = "only"\nphase = "p"\ntitle = "Only"\n', encoding="utf-8"
    )
    with pytest.raises(PackError) as info:
        load_guide(folder)
    problem = only(info.value.problems, "[guide]")
    assert str(folder) in problem
    assert "no file has" in problem


def test_two_guide_tables_in_two_files_name_both_files(tmp_path: Path) -> None:
    guide_table = MINIMAL.split("[sources.ref]")[0]
    problems = pack_problems(tmp_path, files={"20-second.toml": guide_table})
    problem = only(problems, "[guide] is already defined")
    assert "20-second.toml" in problem
    assert PACK_FILE in problem


def test_two_guide_tables_in_one_file_are_a_toml_error(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, append='\n[guide]\nid = "again"\n')
    problem = only(problems, "not valid TOML")
    assert PACK_FILE in problem


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(PackError) as info:
        load_guide(folder)
    (problem,) = info.value.problems
    assert problem.file == str(folder)
    assert "no .toml files" in problem.message


def test_folder_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "missing"
    with pytest.raises(PackError) as info:
        load_guide(folder)
    (problem,) = info.value.problems
    assert problem.file == str(folder)
    assert problem.line is None, "a folder has no lines"
    assert "no such folder" in problem.message


def test_pack_error_exits_with_the_invalid_pack_code_and_lists_problems(tmp_path: Path) -> None:
    with pytest.raises(PackError) as info:
        load_guide(tmp_path / "missing")
    assert info.value.exit_code == ExitCode.INVALID_PACK
    assert "1 problem" in str(info.value)
    assert "no such folder" in str(info.value)


# ---------------------------------------------------------------------------------------
# All problems at once


def test_several_validation_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'title = "Give the injection"': 'titel = "Give the injection"',
            "fails_when =": "fail_when =",
        },
        files={"20-other.toml": '[[step]]\nid = "x"\nphase = "intake"\ntitle = 3\n'},
    )
    assert len(problems) >= 3
    only(problems, "titel")
    only(problems, "fail_when", "unknown key")
    only(problems, "20-other.toml:4:1: step[0].title")


def test_several_reference_and_expression_problems_are_all_reported_at_once(
    tmp_path: Path,
) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'before = "inject"\nsources = ["ref"]': 'before = "nowhere"\nsources = ["reff"]',
            'fails_when = "allergic"': 'fails_when = "alergic"',
            'message = "Allergic: do not inject."': 'message = "{nothing}"',
            'default = "today"': 'default = "today +"',
        },
    )
    assert len(problems) >= 5
    only(problems, "'nowhere'", "not a step id")
    only(problems, "unknown source 'reff'")
    only(problems, "unknown name 'alergic'")
    only(problems, "unknown placeholder {nothing}")
    only(problems, "step[0].question[0].default")


def test_several_ordering_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace={
            'before = "inject"': 'before = "intake"',
            'title = "Give the injection"': 'title = "Give it"\nwhen = "late_answer"',
        },
        append=LATE_STEP,
    )
    assert len(problems) >= 2
    only(problems, "gate 'allergy'")
    only(problems, "step 'inject'", "when reads")


# ---------------------------------------------------------------------------------------
# Site files


def test_site_file_changes_a_setting_value(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(SITE + "min_age = 21\n", encoding="utf-8")
    guide = load_guide(make_pack(tmp_path), site)
    assert guide.setting_values["min_age"] == 21
    assert guide.settings["min_age"].value == 18, "the pack's default stays on record"
    assert guide.site == "test clinic"


def test_site_file_may_give_a_whole_number_for_a_decimal_setting(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(SITE + "ratio = 2\n", encoding="utf-8")
    folder = make_pack(
        tmp_path,
        replace={
            "[settings.min_age]": (
                '[settings.ratio]\nvalue = 1.5\ndescription = "R"\nsources = ["ref"]\n'
                'site_min = 1\nlimit_sources = ["ref"]\n\n'
                "[settings.min_age]"
            )
        },
    )
    guide = load_guide(folder, site)
    assert guide.setting_values["ratio"] == 2


def test_site_file_may_change_values_in_a_table_setting(tmp_path: Path) -> None:
    table = (
        '[settings.days]\nvalue = { short = 7, long = 14 }\ndescription = "D"\nsources = ["ref"]\n'
        'site_min = { short = 7, long = 14 }\nlimit_sources = ["ref"]\n'
    )
    site = tmp_path / "site.toml"
    site.write_text(SITE + "days = { short = 10, long = 21 }\n", encoding="utf-8")
    guide = load_guide(make_pack(tmp_path, append="\n" + table), site)
    assert guide.setting_values["days"] == {"short": 10, "long": 21}


def test_site_file_with_an_unknown_setting_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site=SITE + "min_agee = 21\n")
    problem = only(problems, "min_agee")
    assert "site.toml" in problem
    assert "no such setting" in problem
    assert "known: min_age" in problem


def test_site_file_with_a_string_for_a_number_setting_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site=SITE + 'min_age = "21"\n')
    problem = only(problems, "settings.min_age")
    assert "site.toml" in problem
    assert "must be like the default 18" in problem
    assert "'21'" in problem


@pytest.mark.parametrize("value", ["true", "21.5", "{ a = 1 }"], ids=["bool", "float", "table"])
def test_site_file_with_another_shape_for_an_int_setting_is_reported(
    tmp_path: Path, value: str
) -> None:
    problems = pack_problems(tmp_path, site=SITE + f"min_age = {value}\n")
    assert "site.toml" in only(problems, "settings.min_age", "must be like the default")


MIN_AGE = (
    '[settings.min_age]\nvalue = 18\nunit = "years"\n'
    'description = "Minimum age"\nsources = ["ref"]\n'
)
LIMIT = 'site_min = 18\nlimit_sources = ["ref"]\n'
TABLE = (
    '[settings.days]\nvalue = { short = 7, long = 14, note = "x" }\ndescription = "D"\n'
    'sources = ["ref"]\n'
)


INJECT = '[[step]]\nid = "inject"'


def _questions(*specs: str) -> dict[str, str]:
    """Questions added at the end of the intake step."""
    return {INJECT: "".join(f"[[step.question]]\n{q}\n" for q in specs) + INJECT}


def test_two_computed_values_that_read_each_other_are_refused(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace=_questions(
            'key = "q"\ntype = "int"\nprompt = "Q"\ncomputed = "p"\n',
            'key = "p"\ntype = "int"\nprompt = "P"\ncomputed = "coalesce(q, 1)"\n',
        ),
    )
    problem = only(problems, "circle")
    assert "q (computed reads p) -> p (computed reads q) -> q" in problem


def test_a_question_shown_only_by_a_value_that_reads_it_is_refused(tmp_path: Path) -> None:
    problems = pack_problems(
        tmp_path,
        replace=_questions(
            'key = "q"\ntype = "int"\nprompt = "Q"\nwhen = "r > 0"\n',
            'key = "r"\ntype = "int"\nprompt = "R"\ncomputed = "coalesce(q, 1)"\n',
        ),
    )
    assert "whether q applies (when reads r)" in only(problems, "circle")


def test_a_gate_before_the_injection_reading_an_answer_of_that_step_is_refused(
    tmp_path: Path,
) -> None:
    # The injection step is shown only once its gates are clear: such a gate could only
    # ever see the default.
    problems = pack_problems(
        tmp_path,
        replace={
            "requires_clear = true\n": "requires_clear = true\n\n[[step.question]]\n"
            'key = "kit_ok"\ntype = "bool"\nprompt = "Kit?"\ndefault = "true"\n',
            'fails_when = "allergic"': 'fails_when = "allergic or not kit_ok"',
        },
    )
    assert "gate allergy reads kit_ok" in only(problems, "circle")


def test_a_total_asked_first_and_computed_from_later_items_loads(tmp_path: Path) -> None:
    """The COWS pattern: the total is given directly, or computed from items asked only
    when it was not; answered(total) needs whether the total applies, not its value."""
    folder = make_pack(
        tmp_path,
        replace=_questions(
            'key = "total"\ntype = "int"\nprompt = "Total"\ncomputed = "a + b"\n',
            'key = "a"\ntype = "int"\nprompt = "A"\nwhen = "not answered(total)"\n',
            'key = "b"\ntype = "int"\nprompt = "B"\nwhen = "not answered(total)"\n',
        ),
    )
    assert "total" in load_guide(folder).questions


@pytest.mark.parametrize(
    ("replace", "site", "where"),
    [
        ({"value = 18": "value = nan"}, None, "settings.min_age.value"),
        ({"site_min = 18": "site_min = nan"}, None, "site_min"),
        ({}, "min_age = inf", "settings.min_age"),
        ({}, "min_age = -inf", "settings.min_age"),
    ],
    ids=["default_nan", "limit_nan", "site_inf", "site_minus_inf"],
)
def test_a_number_that_is_not_finite_is_refused_with_one_clear_line(
    tmp_path: Path, replace: dict[str, str], site: str | None, where: str
) -> None:
    """A nan compares false with everything: a limit or a gate would never see it."""
    problems = pack_problems(
        tmp_path, replace=replace, site=None if site is None else SITE + site + "\n"
    )
    assert len(problems) == 1, problems
    assert where in problems[0] and "finite number" in problems[0]


def test_a_value_of_no_allowed_kind_is_one_line_naming_the_kinds(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site=SITE + "min_age = [21]\n")
    assert len(problems) == 1, problems
    assert "settings.min_age: should be a valid boolean or a valid integer" in problems[0]


def test_a_setting_the_sources_fix_cannot_be_changed_by_a_site(tmp_path: Path) -> None:
    fixed = {MIN_AGE: MIN_AGE + "site_adjustable = false\n"}
    problems = pack_problems(tmp_path, replace=fixed, site=SITE + "min_age = 21\n")
    problem = only(problems, "settings.min_age")
    assert "site.toml" in problem
    assert "may not change" in problem


@pytest.mark.parametrize(
    ("site_value", "allowed"),
    [("17", False), ("18", True), ("21", True)],
    ids=["looser", "equal", "stricter"],
)
def test_a_site_may_be_stricter_than_site_min_never_looser(
    tmp_path: Path, site_value: str, allowed: bool
) -> None:
    folder = make_pack(tmp_path)  # the mini pack's min_age has site_min = 18
    site = tmp_path / "site.toml"
    site.write_text(SITE + f"min_age = {site_value}\n", encoding="utf-8")
    if allowed:
        assert load_guide(folder, site).setting_values["min_age"] == int(site_value)
        return
    with pytest.raises(PackError) as info:
        load_guide(folder, site)
    problem = only(info.value.problems, "settings.min_age")
    assert "site.toml" in problem
    assert f"{site_value} is below 18" in problem
    assert "(ref)" in problem


def test_site_max_and_table_limits_apply_entry_by_entry(tmp_path: Path) -> None:
    limited = (
        TABLE + 'site_min = { short = 7 }\nsite_max = { long = 30 }\nlimit_sources = ["ref"]\n'
    )
    folder = make_pack(tmp_path, append="\n" + limited)
    site = tmp_path / "site.toml"
    site.write_text(SITE + "days = { short = 5, long = 31 }\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_guide(folder, site)
    assert "short = 5 is below 7" in only(info.value.problems, "settings.days", "short")
    assert "long = 31 is above 30" in only(info.value.problems, "settings.days", "long")
    site.write_text(SITE + "days = { short = 8, long = 30 }\n", encoding="utf-8")
    assert load_guide(folder, site).setting_values["days"]["short"] == 8


@pytest.mark.parametrize(
    ("limits", "needle"),
    [
        ("site_min = 18\n", "needs limit_sources"),
        ('site_min = 18\nlimit_sources = ["nope"]\n', "unknown source 'nope'"),
        ('site_min = 21\nlimit_sources = ["ref"]\n', "the default 18 is below 21"),
        ('site_min = { a = 1 }\nlimit_sources = ["ref"]\n', "must be a number"),
    ],
    ids=["no_source", "unknown_source", "default_outside", "wrong_shape"],
)
def test_a_pack_limit_must_be_sourced_and_consistent(
    tmp_path: Path, limits: str, needle: str
) -> None:
    problems = pack_problems(tmp_path, replace={MIN_AGE + LIMIT: MIN_AGE + limits})
    assert "settings.min_age" in only(problems, needle)


def test_a_table_limit_names_numeric_entries_of_the_value(tmp_path: Path) -> None:
    bad = TABLE + 'site_min = { nope = 1, note = 2 }\nlimit_sources = ["ref"]\n'
    problems = pack_problems(tmp_path, append="\n" + bad)
    assert "settings.days" in only(problems, "'nope' is not an entry")
    assert "settings.days" in only(problems, "'note' is not a number")


def test_site_file_may_not_change_steps(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site=SITE + '\n[[step]]\nid = "x"\n')
    problem = only(problems, "unknown key")
    assert "site.toml" in problem
    assert "step" in problem


def test_site_file_without_a_site_name_is_reported(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site="[settings]\nmin_age = 21\n")
    problem = only(problems, "site.toml", "site")
    assert "required" in problem.lower()


def test_site_file_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    folder = make_pack(tmp_path)
    with pytest.raises(PackError) as info:
        load_guide(folder, tmp_path / "no-site.toml")
    assert "cannot read" in only(info.value.problems, "no-site.toml")


def test_site_file_with_a_toml_error_is_reported_with_the_line(tmp_path: Path) -> None:
    problems = pack_problems(tmp_path, site='site = "x"\n[settings\n')
    problem = only(problems, "site.toml", "not valid TOML")
    assert "site.toml:2:10: not valid TOML" in problem


def test_site_file_with_a_misspelled_key_in_a_table_setting_is_reported(tmp_path: Path) -> None:
    table = (
        '[settings.days]\nvalue = { short = 7, long = 14 }\ndescription = "D"\nsources = ["ref"]\n'
        'site_min = { short = 7, long = 14 }\nlimit_sources = ["ref"]\n'
    )
    problems = pack_problems(
        tmp_path, append="\n" + table, site=SITE + "days = { shortt = 10, long = 21 }\n"
    )
    only(problems, "settings.days")


# ---------------------------------------------------------------------------------------
# Loading never runs code


INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    "exec(\\\"open('{marker}', 'w')\\\")",
    "{{__import__('os').system('touch {marker}')}}",
    "{{x.__class__.__init__.__globals__}} open('{marker}','w')",
]


@pytest.mark.parametrize("payload", INJECTIONS, ids=["import", "exec", "braces", "globals"])
@pytest.mark.parametrize(
    "target",
    ["fails_when", "when", "message", "instructions", "default", "derived"],
)
def test_loading_a_pack_never_executes_code_in_its_strings(
    tmp_path: Path, payload: str, target: str
) -> None:
    marker = tmp_path / "pwned"
    text = payload.format(marker=marker)
    replace: dict[str, str] = {}
    append = ""
    if target == "fails_when":
        replace = {'fails_when = "allergic"': f'fails_when = "{text}"'}
    elif target == "when":
        replace = {'title = "Give the injection"': f'title = "Give it"\nwhen = "{text}"'}
    elif target == "message":
        replace = {'message = "Allergic: do not inject."': f'message = "{text}"'}
    elif target == "instructions":
        replace = {'instructions = "Ask the patient;': f'instructions = "{text};'}
    elif target == "default":
        replace = {'default = "today"': f'default = "{text}"'}
    else:
        append = f'\n[[derived]]\nname = "evil"\nlabel = "E"\nexpr = "{text}"\n'
    folder = make_pack(tmp_path, replace=replace, append=append)
    try:
        load_guide(folder)
    except PackError as exc:
        assert exc.problems
    assert not marker.exists(), "loading the pack ran code from a string"


def test_code_in_a_condition_is_a_pack_error_not_a_crash(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    problems = pack_problems(
        tmp_path,
        replace={
            'fails_when = "allergic"': (
                f"fails_when = \"__import__('os').system('touch {marker}')\""
            )
        },
    )
    problem = only(problems, "fails_when")
    assert PACK_FILE in problem
    assert not marker.exists()
