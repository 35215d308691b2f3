"""The command-line interface: the only package that imports typer or rich."""

from __future__ import annotations

import sys


def main() -> None:
    # A plain `check` runs without typer, whose import costs more than the check itself;
    # every other command line (and any `check` the direct reader declines) goes to the app.
    from .direct import main as direct

    code = direct(sys.argv[1:])
    if code is None:
        from .app import main as run

        code = run()
    sys.exit(code)
