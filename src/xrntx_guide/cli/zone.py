"""The clinic's time zone for one run: ``XRNTX_GUIDE_ZONE``.

A visit's days (its date, the day each result describes, today) are read in the zone the
program runs in. On a clinic's own machine that is the clinic's; on a server it may be
UTC. A run that names the clinic's zone (an IANA name, ``America/New_York``) runs in it
for the length of the command (the process's ``TZ``, put back after), and a time written
in another offset is read there. Without it, a time whose own offset puts it on another
date than this machine's zone does is refused (visit/clock.py ``day_problem``): which of
the two days is the clinic's cannot be told. Both entries (the app and the direct check)
enter :func:`clinic_zone` inside their error boundary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator

from ..env import Environment
from ..errors import UsageError
from ..visit.clock import zone_declared

ZONE_VAR = "XRNTX_GUIDE_ZONE"
_EXAMPLE = "an IANA time zone name, for example America/New_York or Europe/Paris"


def _zone(name: str) -> dt.tzinfo:
    """The zone ``name`` names, from the machine's zone database.

    Raises:
        UsageError: no such zone there.
    """
    import zoneinfo  # seam: the zone database, only when a run names a zone

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(
            f"{ZONE_VAR}={name!r}: no such time zone on this machine: give {_EXAMPLE}"
        ) from None


def _runs_in(zone: dt.tzinfo) -> bool:
    """Whether the process's local time now follows ``zone`` (a zone found only in a
    Python package, not in the system's database, would leave the C library in UTC):
    checked at instants across a year, so that its daylight saving is seen too."""
    now = dt.datetime.now(dt.UTC)
    for months in range(0, 12, 3):
        at = now + dt.timedelta(days=30 * months)
        if at.astimezone(zone).utcoffset() != at.astimezone().utcoffset():
            return False
    return True


@contextlib.contextmanager
def clinic_zone(env: Environment) -> Iterator[None]:
    """The run in the clinic's zone when ``XRNTX_GUIDE_ZONE`` names one, and the zone
    declared to the core (visit/clock.py); as it was otherwise. The process's ``TZ`` is
    put back when the command ends (a process that runs many commands: the tests, the
    presenter).

    Raises:
        UsageError: a name that is no zone here (exit 2), before anything is read.
    """
    name = env.var(ZONE_VAR)
    if name is None:
        with zone_declared(False):
            yield
        return
    zone = _zone(name)
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        if not _runs_in(zone):
            raise UsageError(
                f"{ZONE_VAR}={name!r}: this machine's C library does not know the zone "
                f"(its zone database lacks it): install the system's time zone data "
                f"(tzdata), or give {_EXAMPLE}"
            )
        with zone_declared(True):
            yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
