"""The pack's own commands: `validate`, `questions`, `gates`, `schema`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ...errors import ExitCode, UsageError
from ...pack.load import validate_pack
from ..streams import write_result
from .common import (
    JsonOpt,
    PlainDataOpt,
    PlainOpt,
    SiteOpt,
    StepsOpt,
    did_you_mean,
    environment,
    guide_of,
    pack_paths,
    ui_for,
)


def validate(
    ctx: typer.Context,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Every problem as a JSON array on stdout.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warnings fail the run too (exit 3).")
    ] = False,
    plain: PlainOpt = False,
) -> None:
    """Check a step pack: report every problem at once, with file, line and column.

    Errors (the pack cannot be used) exit 3. Warnings (a source nothing cites, facts marked
    verify, a step no answers can reach) are reported but exit 0, unless --strict.
    """
    env = environment(ctx)

    ui = ui_for(env, plain)
    result = validate_pack(*pack_paths(env, steps, site))
    errors, warnings = result.errors, result.warnings
    failed = bool(errors) or (strict and bool(warnings))
    if json_out:
        problems = [p.to_json() for p in (*errors, *warnings)]
        ui.result(json.dumps(problems, ensure_ascii=False, indent=2))
        if failed:
            raise typer.Exit(int(ExitCode.INVALID_PACK))
        return
    for problem in errors:
        ui.error(str(problem))
    for problem in warnings:
        ui.warning(str(problem))
    counts = f"{_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}"
    if errors:
        ui.error(f"{counts}: the pack cannot be used")
        raise typer.Exit(int(ExitCode.INVALID_PACK))
    guide = result.guide
    assert guide is not None
    ui.result(
        f"{guide.root}: OK: {guide.meta.id} {guide.meta.version}, {len(guide.steps)} "
        f"steps, {len(guide.questions)} questions, {len(guide.gates)} gates, "
        f"{len(guide.sources)} sources; {_count(len(warnings), 'warning')}"
    )
    if failed:
        ui.error(f"{counts}: --strict fails on warnings")
        raise typer.Exit(int(ExitCode.INVALID_PACK))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def questions(
    ctx: typer.Context,
    json_out: JsonOpt = False,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """List the answer keys: type, allowed values, which step asks them."""
    env = environment(ctx)
    guide = guide_of(*pack_paths(env, steps, site))
    rows: list[dict[str, Any]] = []
    for step in guide.steps:
        for cq in step.questions:
            q = cq.spec
            allowed = ", ".join(str(c.value) for c in q.choices or ())
            if not allowed and q.type == "bool":
                allowed = "yes, no"
            bounds = [f"{w} {b}" for w, b in (("min", q.min), ("max", q.max)) if b is not None]
            rows.append(
                {
                    "key": q.key,
                    "type": q.type,
                    "allowed": [c.value for c in q.choices or ()],
                    "bounds": {k: v for k, v in (("min", q.min), ("max", q.max)) if v is not None},
                    "step": step.id,
                    "prompt": q.prompt,
                    "when": q.when,
                    "optional": q.optional,
                    "default": q.default,
                    "_allowed": "; ".join(filter(None, [allowed, *bounds])),
                }
            )
    if json_out:  # written without a screen: rich is not even imported
        write_result(
            env.stdout,
            json.dumps(
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                ensure_ascii=False,
            ),
        )
        return
    ui_for(env, plain).table(
        ["key", "type", "allowed", "step", "asked when"],
        [[r["key"], r["type"], r["_allowed"], r["step"], r["when"] or ""] for r in rows],
        prose=("allowed", "asked when"),
    )


def gates(
    ctx: typer.Context,
    json_out: JsonOpt = False,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """List the gates: id, severities, what makes them fail, sources."""
    env = environment(ctx)
    guide = guide_of(*pack_paths(env, steps, site))
    rows: list[dict[str, Any]] = [
        {
            "id": g.id,
            "title": g.spec.title,
            "severity": g.severity,
            "before": g.spec.before,
            "applies_when": g.spec.applies_when,
            "rules": [
                {"severity": r.spec.severity, "fails_when": r.spec.fails_when} for r in g.rules
            ],
            "sources": g.spec.sources,
            "verify": g.spec.verify,
            "time_dependent": g.time_dependent,
            "overridable": g.overridable,
        }
        for g in guide.gates
    ]
    if json_out:  # written without a screen: rich is not even imported
        write_result(env.stdout, json.dumps(rows, ensure_ascii=False))
        return
    # The long column last: into a pipe (| head -3) no row is padded out to the width
    # of the longest rule.
    ui_for(env, plain).table(
        ["gate", "severity", "before step", "sources", "fails when"],
        [
            [
                r["id"],
                ", ".join(_severities(r["rules"])),
                r["before"],
                ", ".join(r["sources"]),
                _fails_when(r["rules"]),
            ]
            for r in rows
        ],
        prose=("severity", "sources", "fails when"),
    )


def _severities(rules: list[dict[str, Any]]) -> list[str]:
    """Each severity once ('contraindication, contraindication, ..., caution' repeated)."""
    return list(dict.fromkeys(str(x["severity"]) for x in rules))


def _fails_when(rules: list[dict[str, Any]]) -> str:
    """The rules, ' | ' between them; when a gate has several severities, each rule
    says its own."""
    if len(_severities(rules)) == 1:
        return " | ".join(str(x["fails_when"]) for x in rules)
    return " | ".join(f"{x['severity']}: {x['fails_when']}" for x in rules)


def schema(
    ctx: typer.Context,
    which: Annotated[
        str,
        typer.Argument(
            help="list (the default) | answers | steps | check-result | batch-error | "
            "usage-error | walk | history | note | scenarios-test"
        ),
    ] = "list",
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainDataOpt = False,
) -> None:
    """Print a JSON Schema: for answers files, step files, or any JSON output
    (`schema list` names them all)."""
    env = environment(ctx)
    # seam: pydantic, only for `schema`
    from ...output.schemas import SCHEMAS, answers_schema, output_schema
    from ...pack.file_schema import pack_file_schema  # seam: pydantic, only for `schema`

    names = ("answers", "steps", *SCHEMAS)
    if which == "list":
        out = env.stdout  # plain lines, written without a screen
        write_result(out, "answers         an --answers file (and a --batch line), from the guide")
        write_result(out, "steps           a step file of the pack")
        for name, (what, _) in SCHEMAS.items():
            write_result(out, f"{name:<15} {what}")
        return
    steps, site = pack_paths(env, steps, site)
    if which == "answers":
        data = answers_schema(guide_of(steps, site))
    elif which == "steps":
        data = pack_file_schema()
    elif which in SCHEMAS:
        data = output_schema(which)
    else:
        raise UsageError(
            f"schema {which!r}{did_you_mean(which, names)}: choose one of " + ", ".join(names),
            hint="`xrntx-guide schema list` names them.",
        )
    write_result(env.stdout, json.dumps(data, indent=2, ensure_ascii=False))
