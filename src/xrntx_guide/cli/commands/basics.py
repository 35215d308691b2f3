"""What the commands share that needs no typer: the pack a run uses, today's date, the
answers given and the screen. ``check`` runs on these alone when its command line is
plain (cli/direct.py), so they import neither typer nor rich."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...env import Environment
from ...errors import UsageError
from ...files import Unreadable, open_regular, write_private
from ...pack.guide import Guide
from ...pack.load import load_guide
from ...suggest import closest
from ...visit.answers import parse_date
from ...visit.clock import FIRST_YEAR, LAST_YEAR, OFFSET_HINT, offset_problem, parse_instant

if TYPE_CHECKING:
    from ...visit.presets import Given
    from ..ui import UI

STEPS_VAR = "XRNTX_GUIDE_STEPS"
SITE_VAR = "XRNTX_GUIDE_SITE"


def pack_paths(
    env: Environment, steps: Path | None, site: Path | None, *, site_var: bool = True
) -> tuple[Path | None, Path | None]:
    """The step pack folder and the site file of a run: ``--steps`` and ``--site``, else
    the environment's XRNTX_GUIDE_STEPS and XRNTX_GUIDE_SITE (an explicit option wins).

    ``site_var=False`` where a session's recorded settings are in force (a resume, a
    note): the variable never stands in for ``--site`` there, or every older session would
    be refused for having been started under other settings.

    Raises:
        UsageError: a variable names a folder or file that is not there, or not of its kind.
    """
    if steps is None:
        steps = env.path_var(STEPS_VAR)
        if steps is not None and not steps.is_dir():
            what = "does not exist" if not steps.exists() else "is not a folder"
            raise UsageError(
                f"{STEPS_VAR}={steps}: {what} (it names the step pack folder)",
                hint=f"Unset {STEPS_VAR}, or give --steps DIR.",
            )
    if site is None and site_var:
        site = env.path_var(SITE_VAR)
        if site is not None:
            try:
                open_regular(site).close()
            except Unreadable as exc:
                raise UsageError(
                    f"{SITE_VAR}={site}: {'does not exist' if exc.missing else exc.reason} "
                    "(it names the site file)",
                    hint=f"Unset {SITE_VAR}, or give --site FILE.",
                ) from None
    return steps, site


def gather_answers(
    env: Environment,
    guide: Guide,
    flags: list[str],
    answers: Path | None,
    day: dt.date,
    recorded: Any = None,
) -> Given:
    """The answers given: ``--answer`` flags over ``--answers FILE`` (``-``: JSON read
    from standard input, here, so that the core never reads a stream). ``recorded``: the
    session resumed, whose entries a file's corrections may name."""
    # seam: answers are parsed by the commands given them, never by a listing
    from ...visit.presets import Given, gather_given, read_answers_file

    raw: Mapping[str, Any] | None = None
    if answers is not None:
        raw = read_stdin_answers(env) if str(answers) == "-" else read_answers_file(answers)
    where = f"--answers {answers}"
    answers_given = gather_given(guide, flags, raw, where, day, now=env.now(), recorded=recorded)
    return Given(answers_given, raw or {}, where)


def read_stdin_answers(env: Environment) -> dict[str, Any]:
    """``--answers -``: one JSON object of answers on standard input, read up to the size
    an answers file may have; every error names stdin.

    Raises:
        UsageError: not UTF-8, not JSON, too large, or not one object.
    """
    # seam: answers are parsed by the commands given them, never by a listing
    from ...visit.presets import MAX_ANSWERS_FILE, answers_of_text

    where = "--answers -: standard input (stdin)"
    raw = read_stdin_bytes(env, MAX_ANSWERS_FILE)
    if len(raw) > MAX_ANSWERS_FILE:
        raise UsageError(f"{where} is larger than an answers file may be (1 MiB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text (byte {exc.start + 1}: {exc.reason})") from None
    hint = "Standard input is read as JSON; for TOML, give a file named *.toml."
    return answers_of_text(text, where, hint=hint)


def read_stdin_bytes(env: Environment, limit: int) -> bytes:
    """Standard input's bytes, at most ``limit`` + 1 of them (more than ``limit``: too
    large, which the caller names), so that an endless stream is never read to its end."""
    stream = getattr(env.stdin, "buffer", None)
    raw = stream.read(limit + 1) if stream is not None else None
    if raw is None:  # a text-only stand-in stream (a test's)
        raw = env.stdin.read(limit + 1).encode("utf-8")
    return bytes(raw)


def ui_for(env: Environment, plain: bool) -> UI:
    """The screen of a command: on the environment's streams, plain when asked or when
    the environment says so (NO_COLOR, TERM=dumb)."""
    from ..ui import UI, plain_wanted  # seam: rich, only for a command that shows a screen

    return UI(plain_wanted(plain, env.vars), out=env.stdout, err=env.stderr, stdin=env.stdin)


def parse_today(text: str | None, env: Environment, now: str | None = None) -> dt.date:
    """Today's date; with ``--today DATE`` or ``--now DATETIME`` the run's one clock is
    fixed first (env.py): ``--today`` at that date and the real local time of day,
    ``--now`` at that instant. Either way it then runs in real time."""
    start = fixed_start(text, now, env)
    if start is not None:
        env.fix_clock(start)
    return env.today()


def fixed_start(text: str | None, now: str | None, env: Environment) -> dt.datetime | None:
    """The instant ``--today DATE`` or ``--now DATETIME`` fixes the clock at (None: the
    real time).

    Raises:
        UsageError: both given, or one that is not a date (a date and time).
    """
    if text is not None and now is not None:
        raise UsageError(
            "--today and --now both fix the clock: give one (--now YYYY-MM-DDTHH:MM fixes "
            "the time of day too)"
        )
    if now is not None:
        try:
            start = parse_instant(now)
        except ValueError as exc:
            raise UsageError(f"--now: {exc}") from None
        problem = offset_problem(start)
        if problem is not None:
            raise UsageError(f"--now {now}: {problem}", hint=OFFSET_HINT)
        return start
    if text is None:
        return None

    try:
        day = parse_date(text, env.today())
    except ValueError as exc:
        raise UsageError(f"--today: {exc}") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # as --now is held (visit/clock.py)
        raise UsageError(
            f"--today: {text!r} is out of range: give a date between the years {FIRST_YEAR} "
            f"and {LAST_YEAR}"
        )
    return dt.datetime.combine(day, env.now().astimezone().time()).astimezone()


def guide_of(steps: Path | None, site: Path | None) -> Guide:
    return load_guide(steps, site)


def lazy_pack(env: Environment, steps: Path | None, site: Path | None) -> Callable[[], Guide]:
    """The pack of a command that reads a stored visit (``--steps``, ``--site``; no
    XRNTX_GUIDE_SITE: the visit's own settings are in force), read when first asked for
    and then kept: whoever asks first (the status of a label's other visits, the command
    itself), the pack is read once."""
    return functools.cache(lambda: guide_of(*pack_paths(env, steps, site, site_var=False)))


def patient_label(text: str, where: str = "--label") -> str:
    """A label given to look a patient up (``--label``, ``history LABEL``): cleaned as a
    walk cleans it; one mixing scripts is refused (visit/labels.py).

    Raises:
        UsageError: empty, too long, or mixing Latin, Greek and Cyrillic letters.
    """
    from ...visit.labels import clean_label  # seam: unicodedata, only for a label given

    try:
        return clean_label(text)
    except ValueError as exc:
        raise UsageError(f"{where} {text!r}: {exc}") from None


def did_you_mean(given: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a close choice, or nothing."""
    close = closest(given, choices)
    return f" (did you mean {close!r}?)" if close else ""


def start_recording(ui: Any, record_to: Path | None) -> None:
    if record_to is None:
        return
    if record_to.suffix.lower() not in (".svg", ".html"):
        raise UsageError(f"--record {record_to}: name it FILE.svg or FILE.html")
    ui.out.record = True


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
"""Characters XML 1.0 does not allow (or discourages: DEL and C1) in a document."""
_WEB_FONT = re.compile(r',\s*url\("https?://[^"]*"\)\s*format\("[^"]*"\)')
# rich's own page, with a title and a language (a newline just after <pre> is not
# shown); {stylesheet}, {code}, {foreground} and
# {background} are filled in by rich.
_RECORD_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{title}</title>
<style>
{stylesheet}
body {{
    color: {foreground};
    background-color: {background};
}}
</style>
</head>
<body>
<pre style="font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace">
<code style="font-family:inherit">{code}</code></pre>
</body>
</html>
"""


def _projector_theme() -> Any:
    """The colours of a recording: black ground, white text, and colours of at least 7:1
    contrast on it (WCAG AAA), for slides read from the back of a room. rich's
    own SVG theme has red at 3.5:1 on its grey, and a contraindication is red."""
    from rich.terminal_theme import TerminalTheme  # seam: rich, only for a recording

    colours = [
        (0, 0, 0),  # black
        (255, 128, 128),  # red
        (102, 230, 102),  # green
        (255, 215, 95),  # yellow
        (130, 170, 255),  # blue
        (255, 140, 255),  # magenta
        (95, 230, 255),  # cyan
        (255, 255, 255),  # white
    ]
    return TerminalTheme((0, 0, 0), (255, 255, 255), colours, colours)


def save_recording(ui: Any, record_to: Path | None, title: str) -> None:
    """What the screen showed, as SVG or HTML, for slides and handouts: one file that
    needs no network to be shown (a projector in a teaching room may have none)."""
    if record_to is None:
        return

    from ...output.text import visible  # seam: only for a recording

    title = visible(title)  # a scenario's or a record's text: no ESC in a window title
    if record_to.suffix.lower() == ".svg":
        # rich fetches its Fira Code from a CDN when it is not installed; the local font,
        # else the monospace fallback, is used instead.
        text = _WEB_FONT.sub("", ui.out.export_svg(title=title, theme=_projector_theme()))
    else:
        import html  # seam: html, only for a recording

        escaped = html.escape(title).replace("{", "{{").replace("}", "}}")
        text = ui.out.export_html(
            theme=_projector_theme(), code_format=_RECORD_HTML.replace("{title}", escaped)
        )
    # XML (the SVG) has no place for most control characters; the screen's text shows them
    # escaped, and anything that slipped past is shown so here (for the HTML page too).
    text = _NOT_XML.sub(lambda m: visible(m.group()), text)
    try:
        write_private(record_to, text)  # the patient's answers: owner-only
    except OSError as exc:
        raise UsageError(f"--record {record_to}: cannot write: {exc.strerror or exc}") from None
    ui.note(f"Recorded: {record_to}")


def program_name(env: Environment) -> str:
    """How to start this program again from here: ``xrntx-guide`` when that name on the
    PATH is this program, else its full path (a venv not activated: the README's quick
    start), so that a printed resume command works as typed."""
    import shutil  # seam: shutil (zlib, bz2, lzma), only to print a resume command

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is None or argv0.name != "xrntx-guide":
        return "xrntx-guide"  # run as a module or by a test runner: the documented name
    found = shutil.which("xrntx-guide", path=env.vars.get("PATH"))
    if found is not None and Path(found).resolve() == argv0.resolve():
        return "xrntx-guide"
    return str(argv0.resolve())


def said_on_import(ui: Any, guide: Guide, store: Any, record: Any, imported: Any) -> None:
    """What an imported record's dose meets in the patient's record here, said on every
    route that imports one (``sessions import``, ``walk --resume --session FILE``): a dose
    of the same day as another, or a visit that contradicts the record (a first injection
    beside a recorded dose: visit/contradiction.py ``imported_beside``). It is stored as
    it stands all the same: a dose given elsewhere is never hidden."""
    from ...visit.contradiction import imported_beside  # seam: only when importing

    if imported.same_day:
        ui.warning(imported.same_day)
        return
    found = imported_beside(guide, store.history(record.label).records, record)
    if found is not None:
        ui.warning(
            f"session {record.id} counts a dose on {record.visit_date} that the patient's "
            f"record here contradicts: {found.rstrip('.')}. Check which is right; correct or "
            "delete the visit that is not (`sessions --delete ID`)."
        )
