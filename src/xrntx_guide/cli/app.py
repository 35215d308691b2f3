"""The commands. Thin: parse options, call the core, render, map results to exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..engine.evaluate import evaluate
from ..errors import ExitCode, Incomplete, UsageError, UserError
from ..pack.compile import load_guide
from ..pack.guide import Guide
from ..visit.answers import parse_date
from ..visit.presets import Preset, evaluate_presets, gather, missing_message, parse_overrides
from ..visit.resume import (
    another_day_warning,
    refuse_early_timed_results,
    session_clock,
    session_guide,
)

if TYPE_CHECKING:
    from ..visit.session import SessionRecord
    from .ui import UI

# Screens, the session store, reports and rich are imported inside the commands that use
# them: `check --json` and the other machine-readable paths start without them.

app = typer.Typer(
    name="xrntx-guide",
    help="Walk a clinician through starting extended-release injectable naltrexone "
    "(XR-NTX) for opioid use disorder, checking every gate on the way. It supports, and "
    "does not replace, clinical judgement.",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

# -- shared options ---------------------------------------------------------------------

StepsOpt = Annotated[
    Path | None, typer.Option("--steps", help="Load another step pack folder.", show_default=False)
]


def _regular_file(value: Path | None) -> Path | None:
    """A file option names a regular file: a FIFO would be waited on for ever, and a
    device such as /dev/zero read for ever. (A missing file is left to the reader, which
    says so in its own words.)"""
    if value is not None:
        from ..files import Unreadable, open_regular

        try:
            open_regular(value).close()
        except Unreadable as exc:
            if not exc.missing:
                raise typer.BadParameter(f"{value} {exc.reason}") from None
    return value


SiteOpt = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="A site file that changes setting values.",
        show_default=False,
        callback=_regular_file,
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today", help="Fix today's date (YYYY-MM-DD) for reproducible runs.", show_default=False
    ),
]
PlainOpt = Annotated[
    bool,
    typer.Option("--plain", help="No colour or boxes (also when NO_COLOR is set or TERM=dumb)."),
]
AnswerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--answer",
        "-a",
        help="KEY=VALUE, repeatable; see `xrntx-guide questions`.",
        show_default=False,
    ),
]
AnswersOpt = Annotated[
    Path | None,
    typer.Option("--answers", help="A TOML or JSON file of answers.", show_default=False),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option(
        "--record", help="Save what the screen showed: FILE.svg or FILE.html.", show_default=False
    ),
]
OverrideOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--override",
        help='GATE="[CODE: ]comment": override a stop gate, repeatable.',
        show_default=False,
    ),
]


def guarded(fn: F) -> F:
    """The one error boundary: user errors print a message and exit with their code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            from .ui import UI

            # In --json mode (and --batch, whose output is JSON too) as one JSON object.
            as_json = bool(kwargs.get("json_out")) or kwargs.get("batch") is not None
            UI(plain=True).user_error(exc, as_json=as_json)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            from .ui import UI

            UI(plain=True).error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except typer.Exit:
            raise
        except BrokenPipeError:  # the reader has gone (`| head -1`): end quietly, in main()
            from .streams import ReaderGone

            raise ReaderGone() from None
        except OSError as exc:  # the machine refused (a full disk, a closed stream): no bug
            from .streams import SystemRefused
            from .ui import UI

            as_json = bool(kwargs.get("json_out")) or kwargs.get("batch") is not None
            UI(plain=True).user_error(SystemRefused(exc), as_json=as_json)
            raise typer.Exit(int(ExitCode.USAGE)) from None
        except Exception as exc:  # a bug: say so, show the traceback only when asked
            if os.environ.get("XRNTX_GUIDE_DEBUG"):
                raise
            from .ui import UI

            UI(plain=True).error(
                f"internal error ({type(exc).__name__}): this is a bug. Run again with "
                "XRNTX_GUIDE_DEBUG=1 to see the traceback."
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    wrapper.guarded = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Register a command behind the one error boundary (:func:`guarded`): a command
    registered this way cannot forget it, and a test checks that every command is."""

    def register(fn: F) -> F:
        app.command(*args, **kwargs)(guarded(fn))
        return fn

    return register


def _today(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return parse_date(text, dt.date.today())
    except ValueError as exc:
        raise UsageError(f"--today: {exc}") from None


def _guide(steps: Path | None, site: Path | None) -> Guide:
    return load_guide(steps, site)


# -- walk -------------------------------------------------------------------------------


@command()
def walk(
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue a saved walkthrough (the latest unfinished one, or --session/--label).",
        ),
    ] = False,
    session: Annotated[
        Path | None,
        typer.Option(
            "--session", help="The session file to write (or to resume).", show_default=False
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="Patient label (not a name).", show_default=False)
    ] = None,
    answer: AnswerOpt = None,
    answers: AnswersOpt = None,
    override: OverrideOpt = None,
    acknowledge: Annotated[
        list[str] | None,
        typer.Option(
            "--acknowledge",
            help="Acknowledge a caution gate without a prompt (or 'all').",
            show_default=False,
        ),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
    today: TodayOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
    demo_clock: Annotated[
        float,
        typer.Option(
            "--demo-clock",
            min=1.0,
            max=3600.0,
            help="Run timers N times faster (training demos only).",
        ),
    ] = 1.0,
    record_to: RecordOpt = None,
) -> None:
    """Walk through the guide step by step (the default command)."""
    from ..visit.session import (
        clean_label,
        default_path,
        find_session,
        load,
        new_session,
        refresh_defaults,
        sessions_dir,
    )
    from .render import welcome
    from .ui import UI, plain_wanted
    from .walk import HELP, Clock, Walk

    ui = UI(plain_wanted(plain))
    if not math.isfinite(demo_clock):
        raise UsageError(f"--demo-clock {demo_clock}: give a number from 1 to 3600")
    _start_recording(ui, record_to)
    guide = _guide(steps, site)
    directory = sessions_dir()
    if resume:
        path = session or find_session(directory, label, warn=ui.warning)
        record = load(path)
        guide = session_guide(guide, record, path, steps, site)
        demo_clock = session_clock(record, path, demo_clock)
        if record.guide_id != guide.meta.id:
            raise UsageError(
                f"{path}: the session is for guide {record.guide_id!r}, not {guide.meta.id!r}"
            )
        if record.guide_version != guide.meta.version:
            ui.warning(
                f"the session was started with guide {record.guide_version}; "
                f"continuing with {guide.meta.version}"
            )
        day = _today(today) if today else (record.today or dt.date.today())
        if today and record.today is not None:
            record.today = day  # a fixed-date run resumed on another fixed date runs there
        elif record.today is not None and record.today != dt.date.today():
            ui.warning(
                f"this session runs on its fixed date {record.today.isoformat()} (it was "
                f"started with --today), not on today's date {dt.date.today().isoformat()}"
            )
    else:
        day = _today(today)
        if not no_input and sys.stdin.isatty():
            welcome(ui, guide, [HELP])  # always first, --label or not (issue 9, item 2)
        if label is None and not no_input and sys.stdin.isatty():
            label = _ask_label(ui, day)
        elif label is not None:
            try:
                label = clean_label(label)
            except ValueError as exc:
                raise UsageError(f"--label: {exc}") from None
        label = label or f"patient-{day.strftime('%Y%m%d')}-{dt.datetime.now().strftime('%H%M')}"
        _warn_if_label_used(ui, directory, label)
        record = new_session(guide, label, dt.datetime.now(dt.UTC), day if today else None)
        if demo_clock != 1.0:
            record.demo_clock = demo_clock
        path = session or default_path(record, directory)
        if session is not None and session.exists():
            raise UsageError(f"--session {session}: the file exists; use --resume to continue it")

    clock = Clock(factor=demo_clock)
    if record.demo_clock is not None:
        ui.warning(
            f"TRAINING run: timers run {demo_clock:g} times faster; this session is not a "
            "care record"
        )
    if resume and record.status != "complete":  # a finished walk is never moved
        from ..visit.resume import move_visit_day

        # Before this run's answers go in: only results from an earlier day are stale.
        for line in move_visit_day(guide, record, day, dt.datetime.now(dt.UTC)):
            ui.warning(line)
    base = {k: Preset(v, "session") for k, v in record.typed_answers(guide, day).items()}
    presets = gather(guide, answer or [], answers, day)
    refuse_early_timed_results(guide, record, presets, day, clock.timer_now)
    requests = parse_overrides(guide, override or [])
    _check_acknowledge(guide, acknowledge or [])
    # Every answer, from the session file too, is checked as a prompt would check it.
    try:
        evaluate_presets(guide, {**base, **presets}, day)
    except UsageError as exc:
        if resume and not any(getattr(exc, "key", None) == k for k in presets):
            raise UsageError(
                f"{path}: {exc.message}",
                hint="Correct it with --answer KEY=VALUE, or start a new session.",
            ) from None
        raise
    now = clock.now()
    date_key = guide.meta.date_key
    date_before = record.answers[date_key].value if date_key in record.answers else None
    for key, p in presets.items():
        record.set_answer(key, p.value, p.origin, now)  # type: ignore[arg-type]
    date_after = record.answers[date_key].value if date_key in record.answers else None
    if date_before is not None and date_after != date_before:
        from ..visit.resume import clear_results_of_another_day

        for line in clear_results_of_another_day(
            guide, record, str(date_before), str(date_after), now, keep=frozenset(presets)
        ):
            ui.warning(line)
    if resume and record.status != "complete":  # a finished walk is never moved
        for note in refresh_defaults(guide, record, day, now):
            ui.note(note)
    if resume:
        other_day = another_day_warning(guide, record, day)
        if other_day is not None:
            ui.warning(other_day)

    interactive = not no_input and sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and arrow keys at the prompts
    if not interactive:
        try:
            code = _walk_without_prompts(ui, guide, record, path, day, requests, acknowledge or [])
        finally:
            _save_recording(ui, record_to, record.label)
        raise typer.Exit(int(code))
    if resume:
        welcome(ui, guide, [f"Resuming {record.label!r} ({path})", HELP])
    else:
        ui.note(f"Session {record.label!r}: {path}")
    w = Walk(ui, guide, record, path, day, clock, flag_overrides={r.gate: r for r in requests})
    try:
        code = w.run()
    finally:
        _save_recording(ui, record_to, record.label)
    raise typer.Exit(int(code))


def _start_recording(ui: Any, record_to: Path | None) -> None:
    if record_to is None:
        return
    if record_to.suffix.lower() not in (".svg", ".html"):
        raise UsageError(f"--record {record_to}: name it FILE.svg or FILE.html")
    ui.out.record = True


def _save_recording(ui: Any, record_to: Path | None, title: str) -> None:
    """What the screen showed, as SVG or HTML, for slides and handouts."""
    if record_to is None:
        return
    try:
        if record_to.suffix.lower() == ".svg":
            ui.out.save_svg(str(record_to), title=title)
        else:
            ui.out.save_html(str(record_to))
    except OSError as exc:
        raise UsageError(f"--record {record_to}: cannot write: {exc.strerror or exc}") from None
    ui.note(f"Recorded: {record_to}")


def _check_acknowledge(guide: Guide, gates: list[str]) -> None:
    for gid in gates:
        if gid == "all":
            continue
        try:
            gate = guide.gate(gid)
        except KeyError:
            raise UsageError(
                f"--acknowledge: unknown gate {gid!r}", hint="`xrntx-guide gates` lists every gate."
            ) from None
        if not any(r.spec.severity in ("caution", "info") for r in gate.rules):
            raise UsageError(
                f"--acknowledge {gid}: only cautions are acknowledged; {gid} is a {gate.severity}"
            )


def _ask_label(ui: UI, day: dt.date) -> str:
    """The patient label, asked until it is usable; 'quit' leaves without a session."""
    from ..visit.session import clean_label
    from .walk import COMMANDS

    # The date part follows --today (issue 9, item 13); the time keeps labels apart.
    suggested = f"patient-{day.strftime('%Y%m%d')}-{dt.datetime.now().strftime('%H%M')}"
    while True:
        try:
            typed = ui.ask(f"Patient label, not a name [{suggested}]: ").strip()
        except EOFError:
            raise typer.Exit(0) from None
        if typed.lower() == "quit":
            raise typer.Exit(0)
        if typed.lower() in COMMANDS:
            ui.note(
                "Type a label for this patient (not a name: for example initials and a "
                "clinic number), Enter for the suggested one, or quit."
            )
            continue
        try:
            return clean_label(typed or suggested)
        except ValueError as exc:
            ui.error(str(exc))


def _warn_if_label_used(ui: UI, directory: Path, label: str) -> None:
    from ..visit.session import list_sessions

    same = [r for _, r in list_sessions(directory) if r is not None and r.label == label]
    if same:
        ui.warning(
            f"the label {label!r} is already used by session {same[0].id} ({same[0].status}); "
            f"this starts a new session. To continue that one: "
            f"xrntx-guide walk --resume --session <file> (see `xrntx-guide sessions`)"
        )


def _walk_without_prompts(
    ui: UI,
    guide: Guide,
    record: SessionRecord,
    path: Path,
    day: dt.date,
    requests: list[Any],
    acknowledge: list[str],
) -> ExitCode:
    """Run the unattended walk, save the session, and say where it ended."""
    from ..engine.drive import walk_unattended
    from ..visit.session import save
    from .render import show_gate, show_summary

    now = dt.datetime.now(dt.UTC)
    wanted = {r.gate: r for r in requests}
    outcome = walk_unattended(guide, record, day, wanted, acknowledge, now)
    record.summarise(outcome.state, now)
    save(record, path, now)
    if outcome.kind == "missing":
        assert outcome.filled is not None
        keys = outcome.missing
        raise Incomplete(
            f"answers are missing ({len(keys)}); give them with --answer or --answers:\n"
            + missing_message(outcome.filled, keys),
            hint=f"The answers so far are saved in {path}.",
        )
    if outcome.kind == "stop":
        assert outcome.stop is not None
        g, kind = outcome.stop.gate, outcome.stop.kind
        show_gate(ui, outcome.state, g)
        if kind == "override":
            ui.error(f'gate {g.id} needs an override: --override {g.id}="CODE: comment"')
        elif kind == "acknowledge":
            ui.error(f"caution {g.id} must be acknowledged: --acknowledge {g.id}")
        ui.note(f"Saved: {path}")
        return ExitCode.BLOCKED
    show_summary(ui, outcome.state, record)
    ui.note(f"Saved: {path}")
    return ExitCode.OK


# -- check ------------------------------------------------------------------------------


@command()
def check(
    answer: AnswerOpt = None,
    answers: AnswersOpt = None,
    override: OverrideOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    today: TodayOpt = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help="Never prompt (check never does; accepted for symmetry)."),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Add each gate's findings (every comparison with its values) to the JSON.",
        ),
    ] = False,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            help="JSON Lines of answers (- for stdin): one result line per input line.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Can the patient receive the injection now? Never prompts."""
    from ..output.report import check_result

    guide = _guide(steps, site)
    day = _today(today)
    if batch is not None:
        code = _check_batch(guide, day, batch, answer or [], answers, override or [], explain)
        raise typer.Exit(int(code))
    presets = gather(guide, answer or [], answers, day)
    state = evaluate_presets(guide, presets, day, parse_overrides(guide, override or []))
    if json_out:
        sys.stdout.write(json.dumps(check_result(state, explain), ensure_ascii=False) + "\n")
    else:
        from .render import show_check
        from .ui import UI, plain_wanted

        show_check(UI(plain_wanted(plain)), state)
    code = {
        "ready": ExitCode.OK,
        "blocked": ExitCode.BLOCKED,
        "needs_override": ExitCode.BLOCKED,
        "incomplete": ExitCode.INCOMPLETE,
    }[state.status]
    raise typer.Exit(int(code))


def _check_batch(
    guide: Guide,
    day: dt.date,
    source: Path,
    answer: list[str],
    answers: Path | None,
    override: list[str],
    explain: bool,
) -> ExitCode:
    """One JSON object of answers per line in, one result per line out; bad lines go on.

    Each line is the single check of its answers with the same options: ``--answer`` over
    the line over ``--answers FILE``, and ``--override`` checked here, before any line.
    """
    from ..batch import Job, read_lines, run
    from ..files import Unreadable, open_regular
    from .streams import OutputFailed, ReaderGone

    job = Job(
        guide,
        day,
        gather(guide, [], answers, day),
        explain,
        flags=gather(guide, answer, None, day),
        overrides=tuple(parse_overrides(guide, override)),
    )
    if str(source) == "-":
        handle = sys.stdin.buffer
    else:
        try:
            handle = open_regular(source)
        except Unreadable as exc:
            raise UsageError(
                f"--batch {source}: {exc.reason}", hint="Give - to read standard input."
            ) from None

    try:
        failed = run(job, read_lines(handle), sys.stdout.write)
        sys.stdout.flush()
    except BrokenPipeError:
        raise ReaderGone() from None
    except OSError as exc:  # reading the input is read_lines' to report
        raise OutputFailed(exc) from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    return ExitCode.USAGE if failed else ExitCode.OK


# -- introspection ------------------------------------------------------------------------


@command()
def validate(
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
    from ..pack.compile import validate_pack
    from .ui import UI, plain_wanted

    ui = UI(plain_wanted(plain))
    result = validate_pack(steps, site)
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


SHARED_VALUE_OPTIONS = ("--steps", "--site", "--today")
SHARED_FLAGS = ("--plain", "--no-input")
"""Options that mean the same to every command that takes them: they may come before the
command (``xrntx-guide --site FILE check --json``)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``xrntx-guide [SHARED OPTIONS] [COMMAND] [OPTIONS]``.

    With no command (or only options) the walkthrough runs. Shared options given before
    the command are passed to it; ``--version``, ``-h`` and ``--help`` work there too.
    In ``--json`` (or ``--batch``) mode a command-line error comes as one JSON object on
    stderr, as every other error there does.
    """
    from .streams import ReaderGone

    closed = _closed_streams()
    if closed is not None:
        _error(UsageError(closed))
        return int(ExitCode.USAGE)
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args or any(a == "--batch" or a.startswith("--batch=") for a in args)
    try:
        args, version = _arrange(args)
        if version:
            return _show_version(args)
        code = app(
            args=args,
            prog_name="xrntx-guide",
            standalone_mode=False,
            help_option_names=["-h", "--help"],
        )
    except typer.TyperException as exc:  # the command line itself: click's usage errors
        show = getattr(exc, "show", None)
        if as_json or show is None:
            error = UsageError(exc.format_message())
            error.exit_code = ExitCode(exc.exit_code)
            _error(error, as_json)
        else:
            show()
        return exc.exit_code
    except typer.Abort:
        _error(UserError("interrupted"))
        return int(ExitCode.INTERRUPTED)
    except UserError as exc:  # from the arguments themselves, or from --version
        _error(exc, as_json)
        return int(exc.exit_code)
    except (ReaderGone, BrokenPipeError):
        return _reader_gone()
    return _flushed(code if isinstance(code, int) else 0)


READER_GONE = int(ExitCode.READER_GONE)


def _reader_gone() -> int:
    """End quietly: nothing more can be written, and nothing needs saying. What is still
    buffered for stdout goes to /dev/null, or Python would complain of it at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return READER_GONE


def _error(exc: UserError, as_json: bool = False) -> None:
    from .ui import UI  # only now: rich stays out of every start-up that needs no screen

    UI(plain=True).user_error(exc, as_json=as_json)


def _closed_streams() -> str | None:
    """A standard stream the program was started without (``<&-``, ``>&-``).

    A closed standard input reads as empty (nothing to answer, so nothing is prompted);
    without a standard error messages are lost but exit codes still tell. Without a
    standard output there is nowhere for results to go: that is an error, said at once.
    """
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdout is None:
        return "standard output is closed: there is nowhere to write (redirect it to a file)"
    return None


def _flushed(code: int) -> int:
    """Write out what is still buffered for stdout; a write that fails (a full disk) is an
    error with a message, never a traceback at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        from .streams import OutputFailed

        # What stays buffered would fail again at exit: let it go to /dev/null instead.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _error(OutputFailed(exc))
        return int(ExitCode.USAGE)
    return code


def _arrange(args: list[str]) -> tuple[list[str], bool]:
    """The arguments as the app takes them: shared options given before the command
    moved after it, and ``walk`` when there is no command. True with ``--version``.

    Raises:
        UsageError: a shared option without its value, or one the command does not take.
    """
    shared: list[str] = []
    version = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-h", "--help"):
            return ["--help"], False
        if arg == "--version":
            version = True
        elif arg.split("=", 1)[0] in SHARED_VALUE_OPTIONS:
            if "=" not in arg:
                if i + 1 == len(args):
                    raise UsageError(f"{arg} needs a value")
                shared.append(arg)
                i += 1
                arg = args[i]
            shared.append(arg)
        elif arg in SHARED_FLAGS:
            shared.append(arg)
        else:
            break
        i += 1
    rest = args[i:]
    if version:
        return shared, True
    if not rest or rest[0].startswith("-"):
        return ["walk", *shared, *rest], False  # options of the walkthrough, the default
    command, tail = rest[0], rest[1:]
    if shared:
        taken = _options_of(command)
        if taken is not None:
            for option in shared:
                name = option.split("=", 1)[0]
                if name.startswith("--") and name not in taken:
                    raise UsageError(
                        f"{name} does not apply to `{command}`",
                        hint=f"`xrntx-guide {command} --help` lists its options.",
                    )
    return [command, *shared, *tail], False


def _options_of(command: str) -> set[str] | None:
    """The options a command takes, or None for a command that does not exist (the app
    says so in its own words)."""
    import typer.main

    commands = getattr(typer.main.get_command(app), "commands", {})
    found = commands.get(command)
    if found is None:
        return None
    return {opt for param in found.params for opt in param.opts}


def _show_version(shared: list[str]) -> int:
    """The program's version, the guide's id and version, and a fingerprint of the pack
    in use (every step file and the site file), so two runs can be shown to have used
    the same pack."""
    import hashlib

    from .. import __version__
    from .ui import UI

    values = _shared_values(shared)
    site = Path(values["--site"]) if "--site" in values else None
    site = _regular_file(site)
    guide = _guide(Path(values["--steps"]) if "--steps" in values else None, site)
    digest = hashlib.sha256()
    for path in sorted(p for p in guide.root.glob("*.toml") if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if site is not None:
        digest.update(b"site\0" + site.read_bytes())
    ui = UI(plain=True)
    ui.result(f"xrntx-guide {__version__}")
    ui.result(f"guide {guide.meta.id} {guide.meta.version} ({guide.meta.status})")
    where = f"{guide.root}" + (f" with site file {site}" if site is not None else "")
    ui.result(f"pack sha256:{digest.hexdigest()[:16]} ({where})")
    return _flushed(int(ExitCode.OK))


def _shared_values(shared: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    i = 0
    while i < len(shared):
        name, eq, value = shared[i].partition("=")
        if not eq and name in SHARED_VALUE_OPTIONS:
            i += 1
            value = shared[i]
        values[name] = value
        i += 1
    return values


# -- vocabulary -----------------------------------------------------------------------------

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON on stdout.")]


@command()
def questions(
    json_out: JsonOpt = False, steps: StepsOpt = None, site: SiteOpt = None, plain: PlainOpt = False
) -> None:
    """List the answer keys: type, allowed values, which step asks them."""
    from .ui import UI, plain_wanted

    ui = UI(plain_wanted(plain))
    guide = _guide(steps, site)
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
    if json_out:
        ui.result(
            json.dumps(
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                ensure_ascii=False,
            )
        )
        return
    ui.table(
        ["key", "type", "allowed", "step", "asked when"],
        [[r["key"], r["type"], r["_allowed"], r["step"], r["when"] or ""] for r in rows],
    )


@command()
def gates(
    json_out: JsonOpt = False, steps: StepsOpt = None, site: SiteOpt = None, plain: PlainOpt = False
) -> None:
    """List the gates: id, severities, what makes them fail, sources."""
    from .ui import UI, plain_wanted

    ui = UI(plain_wanted(plain))
    guide = _guide(steps, site)
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
            "overridable": any(r.spec.severity == "stop" for r in g.rules),
        }
        for g in guide.gates
    ]
    if json_out:
        ui.result(json.dumps(rows, ensure_ascii=False))
        return
    ui.table(
        ["gate", "severity", "fails when", "before step", "sources"],
        [
            [
                r["id"],
                ", ".join(x["severity"] for x in r["rules"]),
                " | ".join(x["fails_when"] for x in r["rules"]),
                r["before"],
                ", ".join(r["sources"]),
            ]
            for r in rows
        ],
    )


@command()
def schema(
    which: Annotated[str, typer.Argument(help="answers | check-result | steps")],
    steps: StepsOpt = None,
    site: SiteOpt = None,
) -> None:
    """Print a JSON Schema: for answers files, check results, or step files."""
    from ..output.schemas import answers_schema, check_result_schema
    from .ui import UI

    if which == "answers":
        data = answers_schema(_guide(steps, site))
    elif which == "check-result":
        data = check_result_schema()
    elif which == "steps":
        from ..pack.model import pack_file_schema

        data = pack_file_schema()
    else:
        raise UsageError(f"schema {which!r}: choose 'answers', 'check-result' or 'steps'")
    UI(plain=True).result(json.dumps(data, indent=2, ensure_ascii=False))


# -- sessions and notes -----------------------------------------------------------------


@command()
def sessions(
    delete: Annotated[
        list[str] | None,
        typer.Option(
            "--delete", help="Delete a session (label, id or file), repeatable.", show_default=False
        ),
    ] = None,
    json_out: JsonOpt = False,
    plain: PlainOpt = False,
) -> None:
    """List saved walkthroughs, or delete them."""
    from ..visit.session import delete_session, scan_sessions, sessions_dir
    from .ui import UI, plain_wanted

    ui = UI(plain_wanted(plain))
    directory = sessions_dir()
    if delete:
        for ref in delete:
            ui.note(f"deleted {delete_session(directory, ref)}")
        return
    scan = scan_sessions(directory)
    # A file that is not a readable session is skipped with a warning (and listed in
    # the JSON with its reason): it never hides the others.
    for message in scan.warnings():
        ui.warning(message)
    rows: list[dict[str, Any]] = [
        {
            "file": str(path),
            "label": rec.label,
            "id": rec.id,
            "guide_version": rec.guide_version,
            "phase": rec.phase,
            "status": rec.status,
            "next_dose_due": rec.next_dose_due,
            "updated": rec.updated.isoformat(timespec="seconds"),
        }
        for path, rec in scan.found
    ]
    if json_out:
        unreadable = [
            {"file": str(path), "status": "error", "error": reason}
            for path, reason in scan.unreadable
        ]
        ui.result(json.dumps(rows + unreadable, ensure_ascii=False))
        return
    if not rows:
        ui.line(f"No sessions in {directory}.")
        return
    ui.table(
        ["label", "id", "guide", "phase", "status", "next dose", "updated"],
        [
            [
                r["label"],
                r["id"],
                r["guide_version"],
                r["phase"] or "",
                r["status"],
                r["next_dose_due"] or "",
                r["updated"],
            ]
            for r in rows
        ],
    )
    ui.note(f"Folder: {directory}")


@command()
def note(
    session: Annotated[str, typer.Argument(help="Session file, label or id.")],
    fmt: Annotated[str, typer.Option("--format", help="markdown | text | json | ics")] = "markdown",
    steps: StepsOpt = None,
    site: SiteOpt = None,
) -> None:
    """Write the chart note of a walkthrough (or its next dose as a calendar event)."""
    from ..output.report import note_data, note_ics, note_markdown
    from ..visit.session import load, resolve_session, sessions_dir
    from .ui import UI

    if fmt not in ("markdown", "text", "json", "ics"):
        raise UsageError(f"--format {fmt!r}: choose markdown, text, json or ics")
    ui = UI(plain=True)
    record = load(path := resolve_session(sessions_dir(), session, warn=ui.warning))
    # The note judges the walk under the settings it ran with, as a resume does.
    guide = session_guide(_guide(steps, site), record, path, steps, site)
    day = record.today or dt.date.today()
    state = evaluate(guide, record.inputs(guide, day))
    data = note_data(state, record)
    if fmt == "json":
        ui.result(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "ics":
        ics = note_ics(data, dt.datetime.now(dt.UTC))
        if ics is None:
            why = (
                "its date would be after the calendar's last day, 9999-12-31"
                if data["injection_given"] is True
                else "the injection was not recorded as given"
            )
            raise UsageError(f"{record.label}: no next dose is due ({why})")
        sys.stdout.write(ics)
    else:
        ui.result(note_markdown(data, plain=fmt == "text"))


# -- scenarios ------------------------------------------------------------------------------


@command()
def scenarios(
    action: Annotated[
        str,
        typer.Argument(help="list (the default): the cases; test: run each and compare."),
    ] = "list",
    folder: Annotated[
        Path | None,
        typer.Argument(help="A folder of scenario files (default: the shipped ones)."),
    ] = None,
    json_out: JsonOpt = False,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """Case scenarios for teaching, which double as the guide's content tests.

    `scenarios` lists them; `scenarios test [DIR]` runs each through the engine and
    compares the outcome with the expected one (exit 1 on any difference). A clinic can
    keep its own folder of scenarios for its own site file (--site applies to all).
    """
    from .. import scenarios as sc
    from .ui import UI, plain_wanted

    if action not in ("list", "test"):
        raise UsageError(
            f"scenarios {action!r}: expected 'list' or 'test'",
            hint="xrntx-guide scenarios test [DIR]",
        )
    ui = UI(plain_wanted(plain))
    cases = sc.read_all(folder or sc.default_dir())
    if action == "list":
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "date": c.today.isoformat(),
                "expect": c.expect["status"],
            }
            for c in cases
        ]
        if json_out:
            ui.result(json.dumps(rows, ensure_ascii=False))
            return
        ui.table(
            ["scenario", "title", "visit date", "expected"],
            [[r["id"], r["title"], r["date"], r["expect"]] for r in rows],
        )
        return
    results = []
    for case in cases:
        guide = sc.guide_for(case, steps, site)
        got = sc.outcome(sc.run(guide, case))
        results.append({"id": case.id, "differences": sc.compare(case.expect, got), "got": got})
    failed = [r for r in results if r["differences"]]
    if json_out:
        ui.result(json.dumps(results, ensure_ascii=False))
    else:
        for r in results:
            ui.line(f"{'FAIL' if r['differences'] else 'ok  '} {r['id']}")
            for diff in r["differences"]:
                ui.line(f"       {diff}")
        ui.line(f"{len(results) - len(failed)} scenarios as expected, {len(failed)} differ")
    if failed:
        raise typer.Exit(int(ExitCode.BLOCKED))


# -- export ---------------------------------------------------------------------------------


@command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="markdown | html")] = "markdown",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default: stdout).", show_default=False
        ),
    ] = None,
    steps: StepsOpt = None,
    site: SiteOpt = None,
) -> None:
    """The whole guide as a handout: every step, question and gate in words, the settings
    in force (with --site), facts marked verify, and the sources. HTML is one
    self-contained printable file with a diagram of the flow."""
    from ..output import export as ex

    if fmt not in ("markdown", "html"):
        raise UsageError(f"--format {fmt!r}: choose markdown or html")
    guide = _guide(steps, site)
    text = ex.markdown(guide) if fmt == "markdown" else ex.html_document(guide)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write: {exc.strerror or exc}") from None


# -- demo -----------------------------------------------------------------------------------


@command()
def demo(
    scenario: Annotated[str, typer.Argument(help="A scenario id (see `xrntx-guide scenarios`).")],
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="A folder of scenarios (default: the shipped ones).", show_default=False
        ),
    ] = None,
    auto: Annotated[
        float | None,
        typer.Option(
            "--auto",
            min=0.0,
            max=600.0,
            help="Advance by itself every N seconds.",
            show_default=False,
        ),
    ] = None,
    record_to: RecordOpt = None,
    demo_clock: Annotated[
        float,
        typer.Option("--demo-clock", min=1.0, max=3600.0, help="Timers run N times faster."),
    ] = 60.0,
    steps: StepsOpt = None,
    site: SiteOpt = None,
    plain: PlainOpt = False,
) -> None:
    """Present a scenario: the real walkthrough, answered from the case, paced by you.

    At each pause: Enter goes on, b goes back, f fast-forwards the naloxone-challenge
    timer, w KEY=VALUE shows what the guide would do with one answer changed (and comes
    back), q quits. Everything is marked TRAINING; no care session or note is written.
    """
    import tempfile

    from .. import scenarios as sc
    from ..visit.presets import parse_overrides
    from ..visit.session import new_session
    from .demo import Presenter
    from .ui import UI, plain_wanted
    from .walk import Clock, Walk

    if not math.isfinite(demo_clock):
        raise UsageError(f"--demo-clock {demo_clock}: give a number from 1 to 3600")
    cases = {c.id: c for c in sc.read_all(folder or sc.default_dir())}
    case = cases.get(scenario)
    if case is None:
        import difflib

        close = difflib.get_close_matches(scenario, list(cases), n=1)
        raise UsageError(
            f"no scenario {scenario!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
            hint="`xrntx-guide scenarios` lists them.",
        )
    if auto is None and not sys.stdin.isatty():
        raise UsageError("demo needs a terminal to pause at; give --auto SECONDS to run unattended")
    ui = UI(plain_wanted(plain))
    _start_recording(ui, record_to)
    guide = sc.guide_for(case, steps, site)
    ui.alert(f"TRAINING: scenario {case.id}: {case.title}")
    ui.block(case.story)
    for point in case.teaching_points:
        ui.bullet(point)
    requests = parse_overrides(guide, case.overrides)
    with tempfile.TemporaryDirectory(prefix="xrntx-demo-") as scratch:
        record = new_session(guide, f"TRAINING-{case.id}", dt.datetime.now(dt.UTC), case.today)
        record.demo_clock = demo_clock
        w = Walk(
            ui,
            guide,
            record,
            Path(scratch) / "demo.json",
            case.today,
            Clock(factor=demo_clock),
            flag_overrides={r.gate: r for r in requests},
            responder=Presenter(case, auto),
        )
        code = w.run()
        state = w.state()
    got = sc.outcome(state)
    differences = sc.compare(case.expect, got)
    ui.alert(
        "TRAINING: the guide gave the scenario's expected outcome."
        if not differences
        else "TRAINING: the outcome differs from the scenario's: " + "; ".join(differences)
    )
    _save_recording(ui, record_to, f"TRAINING: {case.title}")
    # A presenter run succeeds when the guide did what the case says it does.
    del code
    raise typer.Exit(int(ExitCode.BLOCKED) if differences else int(ExitCode.OK))
