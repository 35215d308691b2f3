"""The error tree and the exit codes.

Every error a user should see derives from :class:`UserError` and carries its exit code;
the CLI catches them in one place, prints the message to stderr and exits with the code.
Anything else is a bug.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

from .records import record


class ExitCode(IntEnum):
    """Exit codes of every command, documented in the README and docs/scripting.md."""

    OK = 0
    """The patient is ready (``check``), or the command did what was asked."""
    BLOCKED = 1
    """A gate blocks the injection, or a stop gate needs an override."""
    USAGE = 2
    """Bad command line or an invalid answer (Click also uses 2 for usage errors)."""
    INVALID_PACK = 3
    """The step pack (or a site file) failed to load or failed its checks; or the store
    of sessions cannot be used (damaged, or written by a newer version)."""
    INCOMPLETE = 4
    """Answers are missing and the run could not prompt for them."""
    READER_GONE = 141
    """The reader of standard output went away (``| head -1``): what a shell reports for a
    program ended by SIGPIPE, as git does. Nothing more is written."""
    INTERNAL = 70
    """A bug (EX_SOFTWARE): the message says so; ``XRNTX_GUIDE_DEBUG=1`` shows the traceback."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C); the session was saved."""


class UserError(Exception):
    """An error whose message is meant for the user, with the exit code it ends in."""

    exit_code: ExitCode = ExitCode.USAGE
    session: str | None = None
    """The session the run saved its answers in before it stopped (a walk the patient's
    record refused): what ``--resume --session`` takes; None otherwise."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n{self.hint}"
        return self.message


class UsageError(UserError):
    """The command line or an answer is wrong; the message names the key and the fix."""

    exit_code = ExitCode.USAGE


class InvalidAnswer(UsageError):
    """A value given for an answer key does not fit the question."""

    def __init__(self, key: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{key}: {message}", hint=hint)
        self.key = key
        self.reason = message


@record(frozen=True)
class Problem:
    """One problem of a step pack or site file, with its place.

    ``path`` is the key path inside the file (``step[3].question[1].max``,
    ``settings.cows_threshold``; empty for the file as a whole); ``line`` and ``column``
    count from 1 (the column in characters) and are None where no place in the text can
    be named (a file that cannot be read, a session's recorded settings).
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"
    """A warning (a source nothing cites, a fact marked verify, a step no answers can
    reach) never stops a pack from loading; ``validate --strict`` fails on it."""

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place}: {self.path}: {self.message}" if self.path else f"{place}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """The problem as ``validate --json`` gives it."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
        }


class PackError(UserError):
    """The step pack cannot be used; ``problems`` lists every problem found."""

    exit_code = ExitCode.INVALID_PACK

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        body = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"cannot load the guide (step pack or site file), {count} {noun}:\n{body}")
        self.problems = problems


def resume_command(session: str, program: str = "xrntx-guide") -> str:
    """The command that resumes a stored session, as a refusal or a hint names it;
    ``program``: how the program is started here (the command line knows it:
    ``cli/commands/basics.py`` ``program_name``)."""
    return f"`{program} walk --resume --session {session}`"


class SessionError(UserError):
    """A session file is missing, unreadable or from an incompatible guide."""

    exit_code = ExitCode.USAGE


class Incomplete(UserError):
    """Answers are missing and prompting is not possible."""

    exit_code = ExitCode.INCOMPLETE


class Interrupted(UserError):
    """The user interrupted; whatever was answered has been saved."""

    exit_code = ExitCode.INTERRUPTED
