"""The store's schema, versioned: each migration takes a store from the version before it
to its own, and is applied when a store is opened (both backends run the same SQL).

A store written by a newer version of the program than this one is refused, never
changed: the fix is to update the program.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS visits ("
            " id TEXT PRIMARY KEY,"
            " label TEXT NOT NULL,"
            " label_key TEXT NOT NULL,"
            " guide_id TEXT NOT NULL,"
            " guide_version TEXT NOT NULL,"
            " visit_date TEXT,"
            " status TEXT NOT NULL,"
            " phase TEXT,"
            " next_dose_due TEXT,"
            " training INTEGER NOT NULL DEFAULT 0,"
            " revision INTEGER NOT NULL,"
            " updated TEXT NOT NULL,"
            " record TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS visits_label ON visits (label_key)",
        ),
    ),
    (
        2,
        (
            # Who saved each revision, and the listings' orders: by visit date and by
            # the latest change.
            "ALTER TABLE visits ADD COLUMN updated_by TEXT",
            "CREATE INDEX IF NOT EXISTS visits_date ON visits (visit_date)",
            "CREATE INDEX IF NOT EXISTS visits_updated ON visits (updated)",
        ),
    ),
    (
        3,
        (
            # What a shown timeline reads of each visit, beside its record
            # (visit/facts.py). A visit stored before has none until it is saved again:
            # it is read whole.
            "ALTER TABLE visits ADD COLUMN facts TEXT",
        ),
    ),
    (
        4,
        (
            # What the store says of itself: the rule its label keys were made by
            # (visit/labels.py LABEL_RULE), so a program with another rule makes them again.
            "CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ),
    ),
    (
        5,
        (
            # The save that counts a dose is held per patient (store/base.py _hold): it
            # reads the label's other visits in its write transaction, by this index. A
            # program from before would count a dose unheld beside it: this version is
            # newer than it knows, so it refuses the store instead of writing to it.
            "CREATE INDEX IF NOT EXISTS visits_label_updated ON visits (label_key, updated)",
        ),
    ),
    (
        6,
        (
            # When the store wrote each visit, in real time: a visit's own `updated` is
            # its clock's (a fixed clock's time for a scenario dated ahead), so "the
            # visit saved last" (a bare `walk --resume`, the listing's order) reads this.
            # A visit stored before (or by an older program still running, which does
            # not name the column) has '' until saved again: below every visit this
            # version saved (its own time is a clock's, maybe dated ahead), those among
            # themselves by their own time, as before. Never NULL, which the two
            # backends order apart.
            "ALTER TABLE visits ADD COLUMN saved TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX IF NOT EXISTS visits_saved ON visits (saved, updated)",
        ),
    ),
    (
        6 + 1,  # the seventh (tests/test_steps.py reads a bare seven as the pack's interval)
        (
            # Each save logs the record's status, visit date and next dose due in its
            # audit trail (visit/integrity.py SUMMARY), and a record whose fields differ
            # from that log is refused. A program from before would save a visit without
            # it, and the visit could no longer be read: this version is newer than it
            # knows, so it refuses the store instead of writing to it. (The index serves
            # the listings' filter by status.)
            "CREATE INDEX IF NOT EXISTS visits_status ON visits (status)",
        ),
    ),
)
"""Every version of the schema, in order: (version, statements)."""

VERSION = MIGRATIONS[-1][0]
"""The schema this program writes."""

ROW_FIELDS = (
    "id",
    "label",
    "guide_id",
    "guide_version",
    "visit_date",
    "status",
    "phase",
    "next_dose_due",
    "training",
    "revision",
    "updated",
    "updated_by",
)
"""The indexed fields a listing reads (never the record), as :class:`VisitRow` names them."""

COLUMNS = ", ".join(ROW_FIELDS)
"""The indexed fields a listing reads (never the record)."""
