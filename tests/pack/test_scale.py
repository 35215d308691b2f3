"""Validation never grows quadratically or crashes on size, and a pack that loads can always
be evaluated.

No test here is timed (``bench/validate.py`` prints the figures); each pins a behaviour on a
pack large enough that the old quadratic or recursive code failed it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import MINIMAL, PACK_FILE, Run, make_pack
from xrntx_guide.engine import evaluate as engine
from xrntx_guide.engine.context import LazyContext
from xrntx_guide.errors import ExitCode, PackError
from xrntx_guide.pack.checks import MAX_EVALUATION_DEPTH, deepest_chain
from xrntx_guide.pack.guide import Guide
from xrntx_guide.pack.load import load_guide

INJECT = '[[step]]\nid = "inject"'


def derived_chain(count: int, expr: str = "{prev} + 1") -> str:
    """``count`` derived values, each reading the one before; the gate reads the last."""
    parts = ['\n[[derived]]\nname = "d0"\nlabel = "D"\nexpr = "1"\n']
    for i in range(1, count):
        e = expr.format(prev=f"d{i - 1}")
        parts.append(f'\n[[derived]]\nname = "d{i}"\nlabel = "D"\nexpr = "{e}"\n')
    return "".join(parts)


def chain_pack(tmp_path: Path, count: int, expr: str = "{prev} + 1") -> Path:
    return make_pack(
        tmp_path,
        replace={'fails_when = "allergic"': f'fails_when = "allergic or d{count - 1} > 5"'},
        append=derived_chain(count, expr),
    )


def question_chain(count: int, spec: Callable[[int], str]) -> dict[str, str]:
    """``count`` steps before the injection, each asking q{i}; ``spec(i)`` adds lines to
    step i (a when) or to its question (computed, bounds)."""
    steps = "".join(
        f'[[step]]\nid = "s{i}"\nphase = "intake"\ntitle = "S{i}"\n{spec(i)}' for i in range(count)
    )
    return {INJECT: steps + INJECT}


# ---------------------------------------------------------------------------------------
# Deep chains: refused by name, never a crash


@pytest.mark.parametrize("count", [250, 1000])
def test_a_long_chain_of_derived_values_is_refused_naming_it(
    run: Run, tmp_path: Path, count: int
) -> None:
    """250 used to pass validate and crash every check; 1000 crashed validate itself."""
    folder = chain_pack(tmp_path, count)
    result = run("validate", "--steps", str(folder))
    assert result.exit_code == ExitCode.INVALID_PACK, result.output
    assert "definitions chain too deeply to evaluate" in result.stderr
    assert f"d{count - 1} -> d{count - 2}" in result.stderr, "the chain is named"
    assert f"most is {MAX_EVALUATION_DEPTH}" in result.stderr
    assert "Traceback" not in result.output
    result = run("check", "--steps", str(folder), "--json", "--answer", "allergic=false")
    assert result.exit_code == ExitCode.INVALID_PACK, result.output


def test_derived_values_listed_last_first_load_without_recursion(tmp_path: Path) -> None:
    """The dependency order is found without recursion: a chain written from its end, too
    long for Python to recurse through, is refused by the depth limit, not a crash."""
    parts = [
        f'\n[[derived]]\nname = "d{i}"\nlabel = "D"\nexpr = "d{i + 1} + 1"\n' for i in range(1500)
    ]
    parts.append('\n[[derived]]\nname = "d1500"\nlabel = "D"\nexpr = "1"\n')
    folder = make_pack(
        tmp_path,
        replace={'fails_when = "allergic"': 'fails_when = "allergic or d0 > 5"'},
        append="".join(parts),
    )
    with pytest.raises(PackError) as info:
        load_guide(folder, use_cache=False)
    (problem,) = info.value.problems
    assert "chain too deeply" in problem.message


def test_a_circle_of_many_derived_values_is_reported_once(tmp_path: Path) -> None:
    parts = [
        f'\n[[derived]]\nname = "d{i}"\nlabel = "D"\nexpr = "d{(i + 1) % 2000} + 1"\n'
        for i in range(2000)
    ]
    folder = make_pack(tmp_path, append="".join(parts))
    with pytest.raises(PackError) as info:
        load_guide(folder, use_cache=False)
    circles = [p for p in info.value.problems if "refer to each other" in p.message]
    assert len(circles) == 1, [str(p) for p in info.value.problems]


@contextmanager
def recursion_room(calls: int) -> Iterator[None]:
    """Python may nest only ``calls`` more calls than here."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + calls)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def deepest_first(guide: Guide, answers: dict[str, object]) -> None:
    """Evaluate the pack in the worst order: a fresh context asked for the end of its
    deepest chain first, then everything (nothing is memoised on the way down)."""
    _, chain = deepest_chain(guide)
    ctx = LazyContext(guide, dt.date(2026, 1, 1), True, answers)  # type: ignore[arg-type]
    kind, name = chain[0]
    if kind == "step":
        ctx.step_visible(guide.step(name))
    elif kind == "shown":
        ctx.visible(guide.questions[name])
    else:
        ctx.lookup(name)
    engine.evaluate(guide, engine.Inputs(answers=answers, today=dt.date(2026, 1, 1)))  # type: ignore[arg-type]


SHAPES: dict[str, Callable[[int], tuple[dict[str, str], str]]] = {
    "sums": lambda n: ({}, derived_chain(n)),
    "nested calls": lambda n: ({}, derived_chain(n, "min(min(min({prev}, 5), 5), 5)")),
    "conditions": lambda n: (
        question_chain(
            n,
            lambda i: (
                (f'when = "q{i - 1}"\n' if i else "")
                + f'\n[[step.question]]\nkey = "q{i}"\ntype = "bool"\nprompt = "Q"\n'
            ),
        ),
        "",
    ),
    "computed": lambda n: (
        question_chain(
            n,
            lambda i: (
                f'\n[[step.question]]\nkey = "q{i}"\ntype = "int"\nprompt = "Q"\n'
                + (f'computed = "coalesce(q{i - 1}, 0) + 1"\n' if i else "")
            ),
        ),
        "",
    ),
    "bounds": lambda n: (
        question_chain(
            n,
            lambda i: (
                f'\n[[step.question]]\nkey = "q{i}"\ntype = "int"\nprompt = "Q"\n'
                + (f'max = "q{i - 1}"\n' if i else "")
            ),
        ),
        "",
    ),
    "answered": lambda n: (
        question_chain(
            n,
            lambda i: (
                (f'when = "answered(q{i - 1})"\n' if i else "")
                + f'\n[[step.question]]\nkey = "q{i}"\ntype = "int"\nprompt = "Q"\n'
            ),
        ),
        "",
    ),
}


def longest_that_loads(tmp_path: Path, shape: str) -> tuple[Guide, int]:
    """The pack of this shape with the longest chain the loader accepts."""
    low, high = 1, 400
    best: Guide | None = None
    while low < high:
        mid = (low + high + 1) // 2
        replace, append = SHAPES[shape](mid)
        last = f"d{mid - 1}" if append else f"coalesce(q{mid - 1} == 1, false)"
        if shape == "conditions":
            last = f"coalesce(q{mid - 1}, false)"
        replace['fails_when = "allergic"'] = f'fails_when = "allergic or {last}"'
        if append:
            replace['fails_when = "allergic"'] = f'fails_when = "allergic or {last} > 5"'
        (tmp_path / f"{shape}-{mid}").mkdir()
        folder = make_pack(tmp_path / f"{shape}-{mid}", replace=replace, append=append)
        try:
            best, low = load_guide(folder, use_cache=False), mid
        except PackError as exc:
            assert all("chain too deeply" in p.message for p in exc.problems), exc
            high = mid - 1
    assert best is not None
    return best, low


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_pack_at_the_depth_limit_evaluates_in_the_worst_order(tmp_path: Path, shape: str) -> None:
    """The limit is an upper bound of the calls the engine nests: at the limit, a fresh
    evaluation that starts at the deep end fits in MAX_EVALUATION_DEPTH calls."""
    guide, length = longest_that_loads(tmp_path, shape)
    assert length >= 20, f"the limit should allow a chain of {shape} of some length"
    answers: dict[str, object] = {"allergic": False}
    answers.update({f"q{i}": (True if shape == "conditions" else 1) for i in range(length)})
    with recursion_room(MAX_EVALUATION_DEPTH + 20):
        deepest_first(guide, answers)
        deepest_first(guide, {"allergic": False})


def test_the_shipped_guide_is_far_from_the_depth_limit(guide: Guide) -> None:
    depth, chain = deepest_chain(guide)
    assert 0 < depth <= MAX_EVALUATION_DEPTH // 3, (depth, chain)


# ---------------------------------------------------------------------------------------
# Size


def test_twenty_thousand_misspelled_keys_are_each_reported_with_their_line(
    tmp_path: Path,
) -> None:
    """25.7 s before (a quadratic search for union branches); now linear."""
    bad = "".join(f"titel{i} = 1\n" for i in range(20000))
    folder = make_pack(tmp_path, replace={'title = "Give the injection"\n': bad})
    with pytest.raises(PackError) as info:
        load_guide(folder, use_cache=False)
    errors = info.value.problems
    assert len(errors) == 20001, "each key, and the title they replaced"
    lines = {p.line for p in errors if p.path.startswith("step[1].titel")}
    assert lines == set(range(50, 20050)), "every key at its own line"
    assert "did you mean 'title'?" in errors[1].message


def test_a_thousand_steps_load_and_validate(tmp_path: Path) -> None:
    steps = "".join(
        f'[[step]]\nid = "s{i}"\nphase = "intake"\ntitle = "S"\n'
        + (f'when = "not q{i - i % 10}"\n' if i % 10 else "")
        + f'\n[[step.question]]\nkey = "q{i}"\ntype = "bool"\nprompt = "Q"\n\n'
        for i in range(1000)
    )
    gates = "".join(
        f'\n[[gate]]\nid = "g{i}"\ntitle = "G"\nbefore = "s{i + 1}"\nsources = ["ref"]\n'
        f'\n[[gate.rule]]\nseverity = "caution"\nfails_when = "q{i}"\nmessage = "Q."\n'
        for i in range(0, 999, 3)
    )
    folder = make_pack(tmp_path, replace={INJECT: steps + INJECT}, append=gates)
    guide = load_guide(folder, use_cache=False)
    assert len(guide.steps) == 1002


def test_unknown_sources_do_not_repeat_every_known_source(tmp_path: Path) -> None:
    """A message lists a few known keys, not thousands, in each of thousands of problems."""
    sources = "".join(f'\n[sources.s{i}]\ntitle = "S"\ncitation = "C"\n' for i in range(3000))
    steps = "".join(
        f'[[step]]\nid = "x{i}"\nphase = "intake"\ntitle = "X"\nsources = ["nope{i}"]\n\n'
        for i in range(3000)
    )
    folder = make_pack(tmp_path, replace={INJECT: steps + INJECT}, append=sources)
    with pytest.raises(PackError) as info:
        load_guide(folder, use_cache=False)
    unknown = [p for p in info.value.problems if "unknown source" in p.message]
    assert len(unknown) == 3000
    assert all(len(p.message) < 300 for p in unknown)
    assert "(3001 in all)" in unknown[0].message


def test_deeply_nested_toml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    folder = make_pack(tmp_path, files={"20-deep.toml": deep})
    with pytest.raises(PackError) as info:
        load_guide(folder, use_cache=False)
    assert any("20-deep.toml" in p.file for p in info.value.problems)


def test_the_minimal_pack_is_unchanged_by_these_builders(tmp_path: Path) -> None:
    assert (make_pack(tmp_path) / PACK_FILE).read_text(encoding="utf-8") == MINIMAL
