"""The command-line interface: the only package that imports typer or rich."""

from __future__ import annotations

import sys


def main() -> None:
    from .app import main as run

    sys.exit(run())
