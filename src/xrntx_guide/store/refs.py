"""Naming a stored visit, and moving visits in and out of the store as JSON records.

A reference is an id or a label, looked up in the store: never a file name, so no label
can shadow another patient's record. A JSON file is read only where a command is given
one to import (``sessions import FILE``, or a path given to ``--session``), through
:func:`record_from_json` as every stored record is."""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SessionError
from ..visit.labels import clean_label, label_key
from . import Store, StoreError, VisitRow, iter_pages

if TYPE_CHECKING:
    from ..visit.session import SessionRecord


def nearest(store: Store, ref: str) -> str:
    """`` (did you mean 'jd-01'?)`` for the nearest stored label or id, or nothing. Reads
    the indexed fields only, on the error path only."""
    names: set[str] = set()
    for row in iter_pages(store):
        names.update((row.label, row.id))
    # A short label differs by a larger share of its letters for one typo ('R8' for
    # 'R1' is half of it): the bar is lower for those.
    cutoff = 0.5 if len(ref) <= 4 else 0.6
    close = difflib.get_close_matches(ref, sorted(names), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""


def ambiguity(store: Store, visit: str, label: str) -> str | None:
    """Why storing a visit ``visit`` labelled ``label`` would let one reference name two
    visits (:func:`find_visit` refuses such a reference, so a visit's id would no longer
    reach it): its label reads as another stored visit's id, or its id as another stored
    visit's label. None: neither. Checked wherever a visit comes into the store (a new
    walk, a new visit's id, an import).
    """
    for ref in dict.fromkeys((label, label_key(label))):
        other = store.by_id(ref) if ref else None
        if other is not None and other.id != visit:
            return f"the label {label!r} reads as the id of session {other.id}"
    named = [r for r in store.find(visit) if r.id != visit] if label_key(visit) else []
    if named:
        return f"the id {visit} reads as the label of session {named[0].id} ({named[0].label!r})"
    return None


ENDED = "treatment ended"
"""How the listings say a visit that ended the treatment (cli/commands/statuses.py)."""


def find_visit(store: Store, ref: str | None) -> VisitRow:
    """The stored visit ``ref`` names: its id, or its label (by the label rule) when
    exactly one visit has it; None: the latest unfinished visit.

    Raises:
        SessionError: nothing matches, several visits have the label, or ``ref`` is one
            visit's id and another's label.
    """
    if ref is None:
        for row in iter_pages(store):
            if row.status != "complete":
                return row
        raise SessionError(
            "there is no unfinished session to resume", hint="Start one with `xrntx-guide walk`."
        )
    by_id = store.by_id(ref)
    by_label = store.find(ref) if label_key(ref) else []
    if by_id is not None and any(r.id != by_id.id for r in by_label):
        raise SessionError(
            f"{ref!r} is the id of one session and the label of another: it is ambiguous",
            hint="Give the id of the session you mean (`xrntx-guide sessions` lists them).",
        )
    if by_id is not None:
        return by_id
    if not by_label:
        raise SessionError(
            f"no session with label or id {ref!r}{nearest(store, ref)}",
            hint="`xrntx-guide sessions` lists saved sessions.",
        )
    if len(by_label) > 1:
        raise SessionError(
            f"{len(by_label)} sessions have the label {ref!r}: {listed(by_label)}",
            hint="Give the id instead of the label (`xrntx-guide sessions` lists them).",
        )
    return by_label[0]


def by_visit_date(rows: list[VisitRow]) -> list[VisitRow]:
    """Visits in the order of their dates, oldest first (a visit with no date yet first;
    two of one date in the order they were last saved): the order of the patient's visits,
    never the order their sessions were saved in."""
    return sorted(rows, key=lambda r: (r.visit_date or "", r.updated))


def listed(rows: list[VisitRow], words: Mapping[str, str] | None = None) -> str:
    """``id (visit of DATE, status)`` for each visit, by visit date (``words``: each
    visit's status as the listings say it, by id; else the stored one)."""
    said = words or {}
    return ", ".join(
        f"{r.id} (visit of {r.visit_date or 'no date yet'}, "
        f"{said.get(r.id, r.status.replace('_', ' '))})"
        for r in by_visit_date(rows)
    )


def visit_to_resume(
    store: Store,
    ref: str | None,
    said: Callable[[list[VisitRow]], Mapping[str, str]],
    program: str = "xrntx-guide",
) -> VisitRow:
    """The visit ``walk --resume`` continues: as :func:`find_visit`, but a label that
    several visits have (a patient past the first dose) names the one of them that is not
    finished, and no ``ref`` names the latest unfinished visit of any patient. ``said``:
    each visit's status as the listings say it (cli/commands/statuses.py): a visit that
    ended the treatment is stored as blocked, but it is finished (resumed, it would move
    the end of the treatment to another day). ``program``: how the program is started, for
    the command the refusal offers.

    Raises:
        SessionError: as :func:`find_visit`; or the label's visits are all finished (a new
            visit is a new walk), or several are unfinished (their ids are listed).
    """

    def unfinished(rows: list[VisitRow]) -> list[VisitRow]:
        told = said([r for r in rows if r.status != "complete"])
        return [r for r in rows if r.status != "complete" and told.get(r.id) != ENDED]

    if ref is None:
        for row in iter_pages(store):
            if unfinished([row]):
                return row
        raise SessionError(
            "there is no unfinished session to resume",
            hint=f"Start one with `{program} walk`.",
        )
    try:
        return find_visit(store, ref)
    except SessionError:
        named = label_key(ref) and store.by_id(ref) is None
        by_label = store.find(ref) if named else []
        if len(by_label) < 2:
            raise
    open_ = by_visit_date(unfinished(by_label))
    if len(open_) == 1:
        return open_[0]
    if not open_:
        everyone = by_visit_date(by_label)
        raise SessionError(
            f"every visit of {ref!r} is finished ({listed(everyone, said(everyone))}): there "
            "is none to resume",
            hint=f"Start the patient's new visit with `{program} walk --label {shlex.quote(ref)}`.",
        )
    raise SessionError(
        f"{len(open_)} visits of {ref!r} are not finished: {listed(open_, said(open_))}",
        hint="Give the id of the one to resume (--session ID).",
    )


def latest_visit(store: Store, ref: str) -> tuple[VisitRow, list[VisitRow]]:
    """The visit ``ref`` names for a command that reads one finished visit (``note``,
    ``card``): as :func:`find_visit`, but a label that several visits have names the latest
    of them by visit date. Returns it and the label's other visits (empty when ``ref``
    named one visit)."""
    try:
        return find_visit(store, ref), []
    except SessionError:
        by_label = store.find(ref) if label_key(ref) and store.by_id(ref) is None else []
        if len(by_label) < 2:
            raise
    # A training run is not part of the patient's record: the latest care visit is named,
    # and a training run only when the label has no other.
    care = by_visit_date([r for r in by_label if not r.training])
    latest = care[-1] if care else by_visit_date(by_label)[-1]
    return latest, [r for r in by_visit_date(by_label) if r.id != latest.id]


def record_file(store: Store, ref: str) -> Path | None:
    """The JSON record file ``ref`` names, to be imported (a path holding '/' or ending in
    '.json' that exists, and no stored id), or None: ``ref`` is an id or a label. The one
    test of "a file, not a reference" that every command taking either calls.

    Raises:
        SessionError: ``ref`` is also a stored visit's label (a label may hold '/' and
            '.json'): it names two visits.
    """
    if store.by_id(ref) is not None or not ("/" in ref or ref.endswith(".json")):
        return None
    path = Path(ref)
    if not path.exists():
        return None
    if label_key(ref) and store.find(ref):
        raise SessionError(
            f"{ref!r} is the path of a record file and the label of a stored session: it is "
            "ambiguous",
            hint="Give the stored session's id (`xrntx-guide sessions` lists them), or copy "
            "the file under another name to import it.",
        )
    return path


def read_record_file(path: Path) -> SessionRecord:
    """A JSON session record from a file, checked as a stored record is
    (:func:`visit.session.load`).

    Raises:
        SessionError: missing, not a regular file, too large, or not a valid record.
    """
    # The record models (pydantic) only where a file is read: `history` of an unknown
    # label asks this module for the nearest label, and starts without them.
    from ..visit.session import load  # seam: pydantic, only where a file is read

    return load(path)


@dataclass(frozen=True)
class ImportedRecord:
    """What importing one record did."""

    stored: bool
    """False: its id is stored already, with everything the file holds (the same record,
    or a later state of it): the stored one is kept."""
    same_day: str | None = None
    """What to say when the record counts a dose on a day another visit of the patient
    counts one (:func:`doses_of_the_same_day`): stored as it stands, never in silence."""
    updated: bool = False
    """The stored record was an earlier state of the file's visit (the file's audit trail
    continues the stored one): the file's record replaced it."""


def import_record(
    store: Store, record: SessionRecord, by: str, *, moved: bool = False
) -> ImportedRecord:
    """Store a record read from a file (not when its id is stored already: the stored one
    is kept). Every route that takes a record file in calls this first, so a file whose id
    is stored under another patient's label is refused before any command reads the
    stored record in its place, and a dose of a day the patient's record already counts
    one on is said on every route.

    Raises:
        StoreError: the store refuses the write.
        SessionError: the record's id is stored under another patient's label, or its
            label reads as a stored visit's id, or its id as a stored label
            (:func:`ambiguity`); or it was walked in another zone than this run's
            (:meth:`SessionRecord.another_zones`: its dates are that zone's days; a
            training run too, which could not be resumed here).

    ``moved``: an earlier version's own session file of this installation, moved into the
    store as it stands: listed below every visit saved since (its save time is not
    known), and never refused for its zone (the move is made once, and a record refused
    there would be lost; a visit of the patient read beside it is refused where the
    record is read, naming it).
    """
    new = check_file_record(store, record)
    if new and not moved:
        # The typed-label rule: a zero-width or look-alike character would read as another
        # patient's label, and the patient's visits (a dose among them) would be missed.
        try:
            clean_label(record.label)
        except ValueError as exc:
            raise SessionError(
                f"session {record.id} is not imported: {exc}",
                hint="Correct the label in the file to the patient's label as it is typed "
                "here (`xrntx-guide sessions` lists the labels), then import it again.",
            ) from None
    revision = None
    if not new:
        stored, revision = store.load(record.id)
        if not _continues(record, stored):
            return ImportedRecord(False)  # the same record, or an earlier state of it
    if not moved:
        refused = record.another_zones(
            f"the record of {record.label!r}",
            "it is not imported: it could not be resumed here, and every later visit of "
            "the patient here would be refused beside it",
        )
        if refused is not None:
            raise refused
    if revision is None:
        store.create(record, by, moved=moved)
    else:
        store.save(record, revision, by)
    both = doses_of_the_same_day(store, record)
    if not both:
        return ImportedRecord(True, updated=revision is not None)
    return ImportedRecord(
        True,
        f"session {record.id} counts a dose on {record.visit_date}, and so does session "
        f"{', '.join(both)} of the same patient: the record now holds two doses of that "
        "day. Check that both were given; if one was not, correct or delete the visit "
        "that records it (`sessions --delete ID`).",
        updated=revision is not None,
    )


def _continues(record: SessionRecord, stored: SessionRecord) -> bool:
    """Whether the file's ``record`` is a later state of the ``stored`` visit of its id (its
    audit trail is the stored one's, and more): True, it replaces the stored one. False:
    the same record, or an earlier state of it (the stored one holds all it holds).

    Raises:
        SessionError: each holds what the other does not (the visit went on in two
            places from one copy): keeping either would hide what the other recorded,
            a dose among them.
    """
    mine = [e.model_dump() for e in record.events]
    theirs = [e.model_dump() for e in stored.events]
    if mine[: len(theirs)] == theirs:
        return len(mine) > len(theirs) or record.model_dump() != stored.model_dump()
    if theirs[: len(mine)] == mine:
        return False
    raise SessionError(
        f"session {record.id} ({record.label!r}) is stored already, and the file's record "
        "and the stored one each hold what the other does not (the visit went on in two "
        "places from one copy): neither is kept in the other's place, so that nothing "
        "either recorded (a dose among it) is hidden",
        hint=(
            f"Export the stored one (`xrntx-guide sessions export {record.id}`) and compare; "
            "import the file into another store (--database) to read it."
        ),
    )


def doses_of_the_same_day(store: Store, record: SessionRecord) -> list[str]:
    """The patient's other visits that count a dose on the day ``record`` counts one
    (none when it counts none, or is a training run): an imported record is stored as it
    stands, a dose given elsewhere is never hidden, and two doses of one day are said."""
    if record.injection_given is not True or record.demo_clock is not None:
        return []
    return [
        f.id
        for f in store.history_facts(record.label).facts
        if f.id != record.id
        and not f.training
        and f.injection_given is True
        and f.visit_date is not None
        and f.visit_date == record.visit_date
    ]


def check_file_record(store: Store, record: SessionRecord) -> bool:
    """Whether a record read from a file is new to the store (False: its id is stored
    already, under the same patient's label), refusing one that would make a reference
    name two visits: what :func:`import_record` checks before it stores, and what a
    command that only reads a file (``note FILE``, ``card FILE``) checks too.

    Raises:
        SessionError: the record's id is stored under another patient's label, or its
            label reads as a stored visit's id, or its id as a stored label
            (:func:`ambiguity`).
    """
    stored = store.by_id(record.id)
    if stored is not None:
        if label_key(stored.label) != label_key(record.label):
            raise SessionError(
                f"the record's session {record.id} is labelled {record.label!r}, but the "
                f"stored session {record.id} is labelled {stored.label!r}: another "
                "patient's record, so neither is used for it",
                hint="Check which patient the file is for; import it into another store "
                "(--database) to read it.",
            )
        return False
    problem = ambiguity(store, record.id, record.label)
    if problem is not None:
        raise SessionError(
            f"session {record.id} ({record.label!r}) is not imported: {problem}, so one "
            "reference would name two visits",
            hint="Import it into another store, or correct its label (or id) first.",
        )
    return True


@dataclass
class Imported:
    """What importing a folder of session files did."""

    imported: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


ELSEWHERE = "elsewhere.txt"
"""The list of session files an earlier version kept outside its folder."""


def import_folder(store: Store, folder: Path, by: str) -> Imported:
    """Import every session file of an earlier version's folder (and those its list
    said were kept elsewhere); the files are left in place."""
    from ..visit.session import is_session_name  # seam: pydantic, as read_record_file

    done = Imported()
    try:
        paths = sorted(p for p in folder.iterdir() if is_session_name(p.name))
    except OSError:
        return done
    try:
        listed = (folder / ELSEWHERE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        listed = []
    paths += [Path(line) for line in dict.fromkeys(listed) if line.strip()]
    for path in paths:
        try:
            record = read_record_file(path)
        except SessionError as exc:
            done.unreadable.append((str(path), exc.message.removeprefix(f"{path}: ")))
            continue
        try:
            imported = import_record(store, record, by, moved=True)
        except StoreError:
            raise  # the store refuses writes: no later file would fare better
        except SessionError as exc:  # this record is refused (another patient's id...)
            done.unreadable.append((str(path), exc.message))
            continue
        (done.imported if imported.stored else done.already).append(record.id)
    return done
