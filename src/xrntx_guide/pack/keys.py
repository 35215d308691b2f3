"""The names in the pack that the program itself reads: one home for them.

The clinical content lives in ``steps/``; a few of its names are also known to the
program, because it keeps a record for them beyond a plain answer: the COWS series (its
total, its items, the threshold setting it is drawn against), the naloxone challenge and
its rechallenge, and the supervised rapid pathway (its record's answers and the gate that
reads it). They are named here, once; every module reads them from here, and an
architecture test keeps the strings out of every other module. A pack without one of
these names simply has no such record (the program asks whether the pack has it). A test
over the shipped ``steps/`` checks that each name below is there, as what it should be.
"""

from __future__ import annotations

from typing import Literal, get_args

# -- the COWS series ----------------------------------------------------------------------

COWS_TOTAL = "cows_total"
"""The question of a COWS total: a rating's total, read on its scale."""
COWS_ITEM_PREFIX = "cows_"
"""What the COWS item questions start with (``cows_pulse``...); the total is not an item."""
COWS_THRESHOLD = "cows_threshold"
"""The setting of the COWS total that shows withdrawal (the series draws it as a line)."""

# -- the naloxone challenge ---------------------------------------------------------------

CHALLENGE = "naloxone_challenge"
"""The question of the naloxone challenge's result."""
RECHALLENGE = "naloxone_rechallenge"
"""The question of the rechallenge's result (after a positive challenge)."""
RECHALLENGE_HOURS = "naloxone_rechallenge_hours"
"""The question of the hours between a positive challenge and its rechallenge."""
RECHALLENGE_WINDOW = "naloxone_rechallenge_window_hours"
"""The setting of the hours after a positive challenge within which it may be repeated."""
RECHALLENGE_DOSE = "naloxone_rechallenge_dose_mg"
"""The setting of the rechallenge's naloxone dose, said when a rechallenge is offered."""
OBSERVATION_MINUTES = "naloxone_observation_minutes"
"""The setting of the minutes a challenge is observed before its result is read."""
NOT_DONE = "not_done"
"""The value of a test not taken (a urine screen, a challenge): no result, never a fact of
the day another visit's result is judged against (visit/contradiction.py)."""
ChallengeValue = Literal["negative", "positive", "not_done"]
"""The results the program reads a challenge's and a rechallenge's series as (a positive
stands until a negative rechallenge lifts it; not done is no challenge): the two questions
take exactly these values (a pack may word their labels as it likes), and a stored series
entry holds one of them (a record holding another cannot be read)."""
CHALLENGE_RESULTS: tuple[str, ...] = get_args(ChallengeValue)

# -- the supervised rapid pathway -----------------------------------------------------------

RAPID_GATE = "rapid_pathway"
"""The gate that reads the pathway's record."""
RAPID_START = "rapid_day1_date"
"""The record answer asked with the history (the date of the pathway's day 1)."""
RAPID_DAY = "rapid_day"
RAPID_DAY_DATE = "rapid_day_date"
RAPID_NALTREXONE_DAYS = "rapid_naltrexone_days"
RAPID_INJECTION_DAY = "rapid_injection_day"
RAPID_RECORD_COMPLETE = "rapid_record_complete"
RAPID_DOSES_TOLERATED = "rapid_doses_tolerated"
RAPID_DAY_COWS = "rapid_day_cows"
RAPID_RECORD_KEYS = (
    RAPID_START,
    RAPID_NALTREXONE_DAYS,
    RAPID_DAY,
    RAPID_DAY_DATE,
    RAPID_INJECTION_DAY,
    RAPID_RECORD_COMPLETE,
    RAPID_DOSES_TOLERATED,
    RAPID_DAY_COWS,
)
"""The answers worked out from the pathway's record (origin ``record``)."""
RAPID_NALTREXONE_DAYS_REQUIRED = "rapid_naltrexone_days_required"
"""The setting of the days of oral naltrexone a site's table must give before its
injection day."""

# -- what the program reads each name as ------------------------------------------------------

QUESTION_KINDS: dict[str, tuple[str, str]] = {
    COWS_TOTAL: ("int", "a COWS total"),
    CHALLENGE: ("string", "the naloxone challenge's result"),
    RECHALLENGE: ("string", "the rechallenge's result"),
    RECHALLENGE_HOURS: ("number", "the hours between a challenge and its rechallenge"),
    RAPID_START: ("date", "the rapid pathway's day 1"),
    RAPID_DAY: ("int", "the rapid pathway's day reached"),
    RAPID_DAY_DATE: ("date", "the date of that day"),
    RAPID_NALTREXONE_DAYS: ("int", "the days of oral naltrexone so far"),
    RAPID_INJECTION_DAY: ("int", "the pathway's injection day"),
    RAPID_RECORD_COMPLETE: ("bool", "whether the pathway's record is complete"),
    RAPID_DOSES_TOLERATED: ("bool", "whether every naltrexone dose was tolerated"),
    RAPID_DAY_COWS: (
        "int",
        "the last COWS total of the pathway's day (on the visit day: its latest rating, any route)",
    ),
}
"""A question (or derived value) of one of these names holds what the program reads or
writes there, of this kind (the expression language's: int, number, string, date,
bool); a COWS item (``cows_*`` but the total) is an int."""

POINT_IN_TIME: tuple[str, ...] = (COWS_TOTAL, CHALLENGE, RECHALLENGE, "pregnancy_test")
"""Results of the day of the injection (reference 4.4, item 3; section 8 names them): a
question of one of these names, a COWS item, or a urine screen (:data:`SCREEN_PREFIX`)
must be ``point_in_time``, so that it counts only for the day it was taken (a pack that
let one carry over to a later day would read an old result as today's)."""
SCREEN_PREFIX = "uds_"
"""What the urine drug screens' questions start with (section 8: ``uds_opiates``...)."""

SETTING_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    COWS_THRESHOLD: (("int",), "the COWS total that shows withdrawal"),
    RECHALLENGE_WINDOW: (("int", "number"), "the rechallenge window in hours"),
    RECHALLENGE_DOSE: (("int", "number"), "the rechallenge's naloxone dose in mg"),
    OBSERVATION_MINUTES: (("int",), "the minutes a challenge is observed"),
    RAPID_NALTREXONE_DAYS_REQUIRED: (("int",), "the days of oral naltrexone before the injection"),
}
"""A setting of one of these names is a number of this kind."""
