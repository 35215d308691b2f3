"""Where the program keeps its data: the data folder (the store) and an earlier
version's sessions folder. Apart from the session records, so that opening the store
needs no record model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import SessionError


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The program's data folder: $XRNTX_GUIDE_HOME, else the user's data directory
    (XDG_DATA_HOME/xrntx-guide, else ~/.local/share/xrntx-guide). The store lives there."""
    env = os.environ if env is None else env
    if env.get("XRNTX_GUIDE_HOME"):
        return Path(env["XRNTX_GUIDE_HOME"])
    base = env.get("XDG_DATA_HOME")
    if not base:
        try:
            base = str(Path.home() / ".local" / "share")
        except RuntimeError:  # no HOME and no entry in the password database
            raise SessionError(
                "there is no home folder to keep sessions in",
                hint="Set XRNTX_GUIDE_HOME (or HOME) to a folder you can write.",
            ) from None
    return Path(base) / "xrntx-guide"


def sessions_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder of session files an earlier version kept (imported into the store on
    first use): the data folder's ``sessions``."""
    return data_dir(env) / "sessions"
