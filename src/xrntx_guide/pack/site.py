"""Site files: a clinic's overlay of the adjustable settings, checked against the pack's limits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import keys, model
from .guide import RecordedSettings
from .model import PLACEHOLDER as PLACEHOLDER
from .model import ProtocolDay, Setting, SiteFile
from .problems import _known, _read_toml, _validation_issues
from .read import Issue, KeyPath
from .types import _same_shape


def load_site(
    site: Path | RecordedSettings, settings: Mapping[str, Setting], issues: list[Issue]
) -> tuple[str | None, dict[str, Any], tuple[ProtocolDay, ...] | None]:
    """A site file's name, setting values and rapid-pathway protocol table (checked by
    :func:`protocol_problems`), or a session's recorded values (which carry no table: a
    session keeps its own copy of the table it started with)."""
    if isinstance(site, RecordedSettings):
        site_file: Path | str = site.where
        raw: dict[str, Any] | None = {"site": site.site or "session", "settings": dict(site.values)}
    else:
        site_file = site
        raw, _ = _read_toml(site, issues)
    if raw is None:
        return None, {}, None
    try:
        parsed = model.validate(SiteFile, raw)
    except ValidationError as exc:
        issues.extend(_validation_issues(site_file, SiteFile, raw, exc))
        return None, {}, None
    values: dict[str, Any] = {}
    for name, value in parsed.settings.items():
        here: KeyPath = ("settings", name)
        if name not in settings:
            issues.append(Issue(site_file, here, f"no such setting (known: {_known(settings)})"))
        elif not settings[name].site_adjustable:
            sources = ", ".join(settings[name].sources)
            issues.append(
                Issue(
                    site_file,
                    here,
                    f"a site may not change it: the value comes from the sources ({sources}), "
                    "not site policy",
                )
            )
        elif not _same_shape(settings[name].value, value):
            issues.append(
                Issue(
                    site_file,
                    here,
                    f"must be like the default {settings[name].value!r}, not {value!r}",
                )
            )
        elif isinstance(value, dict):
            default = settings[name].value
            assert isinstance(default, dict)
            unknown = sorted(set(value) - set(default))
            # Each entry like its default's: a table's shape check looks at one entry.
            unlike = sorted(
                k for k in value if k in default and not _same_shape(default[k], value[k])
            )
            issues.extend(
                Issue(
                    site_file,
                    (*here, k),
                    f"unknown key {k!r} of settings.{name} (known: {_known(default)})",
                )
                for k in unknown
            )
            issues.extend(
                Issue(
                    site_file,
                    (*here, k),
                    f"{k} must be like the default {default[k]!r}, not {value[k]!r}",
                )
                for k in unlike
            )
            if not unknown and not unlike:  # a site changes the entries it names
                values[name] = {**default, **value}
        else:
            values[name] = value
    # Limits are checked on the values in force once the whole file is read: a limit may
    # name another setting (the liver stop is never below the liver caution).
    in_force = {**{k: s.value for k, s in settings.items()}, **values}
    for name, value in values.items():
        setting = settings[name]
        for entry, p in _outside_limits(setting, value, in_force):
            sources = ", ".join(setting.limit_sources) or "local practice: no source"
            where: KeyPath = ("settings", name) if entry is None else ("settings", name, entry)
            issues.append(Issue(site_file, where, f"{p} ({sources})"))
    table = parsed.rapid_protocol
    if table is not None:
        required = in_force.get(NALTREXONE_DAYS)
        why = None
        if NALTREXONE_DAYS in settings:
            why = f"settings.{NALTREXONE_DAYS}; " + ", ".join(settings[NALTREXONE_DAYS].sources)
        issues.extend(
            Issue(site_file, ("rapid_protocol", *path), message)
            for path, message in protocol_problems(
                table, required if _is_number(required) else None, why
            )
        )
    return parsed.site, values, None if table is None else tuple(table)


NALTREXONE_DAYS = keys.RAPID_NALTREXONE_DAYS_REQUIRED
"""The pack's setting of the days of oral naltrexone a site's table must give before its
injection day (reference section 6); the number itself lives in the pack."""


def protocol_problems(
    table: list[ProtocolDay], required: int | float | None = None, why: str | None = None
) -> list[tuple[tuple[int | str, ...], str]]:
    """What is wrong with a site's rapid-pathway table, each with the key path it is about:
    the days must be 1, 2, ... N in order (none missing, none twice), exactly one of them
    the injection day, with a COWS rating due on it (the gate reads that day's rating).
    Day 1 is the buprenorphine day: never the injection day nor an oral naltrexone day,
    and the injection day comes after at least ``required`` days marked
    ``oral_naltrexone = true`` (the pack's setting in force, named with its sources in
    ``why``)."""
    out: list[tuple[tuple[int | str, ...], str]] = []
    if not table:
        return [((), "the table has no days: leave rapid_protocol out, or give its days")]
    seen: dict[int, int] = {}
    for i, entry in enumerate(table):
        if entry.day in seen:
            out.append(
                ((i, "day"), f"day {entry.day} is given twice (also entry {seen[entry.day]})")
            )
            continue
        seen[entry.day] = i
        if entry.day != i + 1:
            out.append(
                (
                    (i, "day"),
                    f"day {entry.day} is entry {i + 1}: the days are 1, 2, ... in order, "
                    "none missing",
                )
            )
    injections = [i for i, entry in enumerate(table) if entry.injection]
    if not injections:
        out.append(((), "no day is the injection day: mark exactly one day injection = true"))
    for i in injections[1:]:
        out.append(
            ((i, "injection"), f"day {table[i].day} is a second injection day: exactly one day is")
        )
    for i, entry in enumerate(table):
        if entry.day == 1 and entry.oral_naltrexone:
            out.append(
                (
                    (i, "oral_naltrexone"),
                    "day 1 is the buprenorphine day: oral naltrexone days come after it",
                )
            )
    for i in injections[:1]:
        day = table[i].day
        if day == 1:
            out.append(
                (
                    (i, "injection"),
                    "day 1 is the buprenorphine day, never the injection day: the injection "
                    "comes after the days of oral naltrexone",
                )
            )
        elif required is not None:
            before = sum(1 for e in table if 1 < e.day < day and e.oral_naltrexone)
            if before < required:
                out.append(
                    (
                        (i, "injection"),
                        f"the injection day (day {day}) comes after {before} day(s) marked "
                        f"oral_naltrexone = true; at least {required:g} are needed before it"
                        + (f" ({why})" if why else "")
                        + ": mark the oral naltrexone days, or move the injection day later",
                    )
                )
    for i in injections[:1]:
        if not table[i].cows_due:
            out.append(
                (
                    (i, "cows_due"),
                    "the injection day needs cows_due = true: the gate reads that day's "
                    "COWS rating",
                )
            )
    return out


def _said(value: object) -> str:
    """A value as a site file writes it (TOML's true and false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _limit_problems(setting: Setting, settings: Mapping[str, Setting]) -> list[tuple[str, str]]:
    """What is wrong with a setting's site_min/site_max/site_choices themselves, each with
    the key it is about.

    Every setting a site may change must say how far it may go, with the source of the
    limit: a site may make the policy stricter, never looser (reference 4.3)."""
    out: list[tuple[str, str]] = []
    bounds = (("site_min", setting.site_min), ("site_max", setting.site_max))
    has_limit = any(b is not None for _, b in bounds) or setting.site_choices is not None
    if setting.site_adjustable and not has_limit:
        out.append(
            (
                "site_adjustable",
                "a site may change it, so it needs the limit a site may not pass "
                "(site_min, site_max or site_choices, with limit_sources); "
                "or set site_adjustable = false",
            )
        )
    if has_limit and not setting.limit_sources and not setting.local_practice:
        out.append(("limit_sources", "a site limit needs limit_sources: the source that sets it"))
    if not setting.sources and not setting.local_practice:
        out.append(
            (
                "sources",
                "a setting needs sources: the source that gives the value "
                "(or local_practice = true when no source gives it)",
            )
        )
    for label, bound in bounds:
        if bound is None:
            continue
        if isinstance(bound, str):
            other = settings.get(bound)
            if other is None:
                out.append((label, f"{label} = {bound!r} is not a setting"))
            elif not (_is_number(other.value) and _is_number(setting.value)):
                out.append((label, f"{label} = {bound!r}: both settings must be numbers"))
            continue
        if isinstance(setting.value, dict):
            if not isinstance(bound, dict):
                out.append((label, f"{label} must be a table of entries of the value"))
                continue
            for key in sorted(bound):
                if key not in setting.value:
                    out.append((label, f"{label}: {key!r} is not an entry of the value"))
                elif not _is_number(setting.value[key]):
                    out.append((label, f"{label}: the entry {key!r} is not a number"))
            if setting.site_adjustable and label == "site_min" and setting.site_max is None:
                unbounded = sorted(
                    k for k, v in setting.value.items() if _is_number(v) and k not in bound
                )
                if unbounded:
                    out.append((label, f"{label} has no limit for {unbounded}"))
        elif isinstance(bound, dict) or not _is_number(setting.value):
            out.append((label, f"{label} must be a number, for a setting whose value is a number"))
    if setting.site_choices is not None:
        if isinstance(setting.value, bool):
            # A yes/no setting lists what a site may set: the default and, when the other
            # value is the stricter one, that too ([false, true]: a site may add a
            # requirement; [true] alone once the default requires it: none may drop it).
            if not all(isinstance(c, bool) for c in setting.site_choices):
                out.append(("site_choices", "site_choices of a yes/no setting are true or false"))
            elif setting.value not in setting.site_choices:
                default = _said(setting.value)
                out.append(("site_choices", f"site_choices must include the default {default}"))
        elif not isinstance(setting.value, str) or not all(
            isinstance(c, str) for c in setting.site_choices
        ):
            out.append(("site_choices", "site_choices is for a setting whose value is text"))
        elif setting.value not in setting.site_choices:
            out.append(("site_choices", f"site_choices must include the default {setting.value!r}"))
    return out


def _outside_limits(
    setting: Setting, value: object, in_force: Mapping[str, Any]
) -> list[tuple[str | None, str]]:
    """Each way ``value`` is outside the setting's site_min/site_max/site_choices, with the
    entry of a table it is about (None for the whole value)."""
    out: list[tuple[str | None, str]] = []
    choices = setting.site_choices
    if choices is not None and not any(type(c) is type(value) and c == value for c in choices):
        allowed = ", ".join(_said(c) for c in choices)
        out.append((None, f"{_said(value)} is not one a site may set (allowed: {allowed})"))
    for bound, below in ((setting.site_min, True), (setting.site_max, False)):
        if bound is None:
            continue
        pairs: list[tuple[str | None, object, object, str]]
        if isinstance(bound, dict):
            got = value if isinstance(value, dict) else {}
            pairs = [(k, got.get(k), b, "") for k, b in bound.items()]
        elif isinstance(bound, str):
            pairs = [(None, value, in_force.get(bound), f" (settings.{bound} in force)")]
        else:
            pairs = [(None, value, bound, "")]
        for entry, v, b, what in pairs:
            if not (_is_number(v) and _is_number(b)):
                continue  # a wrong shape is reported on its own
            if (v < b) if below else (v > b):  # type: ignore[operator]
                word = "below" if below else "above"
                edge = "lowest" if below else "highest"
                prefix = "" if entry is None else f"{entry} = "
                out.append((entry, f"{prefix}{v} is {word} {b}{what}, the {edge} a site may set"))
    return out
