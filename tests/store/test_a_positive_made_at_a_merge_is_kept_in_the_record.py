"""Any sign of withdrawal after the naloxone is a positive result (reference 5.2), and a
positive challenge stands as positive in the record on every route (clinical basis,
safety invariant 9): one room records the negative challenge (naloxone 08:30, read
09:00), another room, which had the visit open, the COWS rating of withdrawal it took at
08:40. The merged record must read as a positive challenge, as it does when the two come by
one run, so that the next morning's walk carries the positive (no new challenge
over it) and the note says so."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers import DOSE_GIVEN as GIVEN
from tests.helpers import TODAY, Run, answer_flags, ready_patient, stored_record, the_store
from tests.helpers import cows_threshold as threshold
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import Saver
from xrntx_guide.visit.entries import visit_results
from xrntx_guide.visit.results import Offered, take_result

SCREEN = ("uds_opiates", "uds_fentanyl", "uds_buprenorphine", "uds_methadone", "uds_oxycodone")


def at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hh, mm)).astimezone()


def loaded(store: Any, by: str, visit: str, guide: Guide) -> Saver:
    record, revision = store.load(visit)
    return Saver.loaded(store, by, record, revision, guide)


def merged(run: Run, guide: Guide, two_rooms: bool) -> str:
    """The negative challenge and the rating of 08:40 taken by two runs at once (or one
    after the other, each from the record as the other saved it): whether the stored
    record's id."""
    made = run(
        "walk", "--no-input", "--json", "--label", "ROOMS-OBS", "--now",
        f"{TODAY.isoformat()}T08:00", "--acknowledge", "all",
        *answer_flags(ready_patient(cows_total=2, naloxone_challenge=None)),
    )  # fmt: skip
    visit = json.loads(made.stdout)["session"]
    store = the_store()
    try:
        negative = Offered("challenge", "negative", at(9, 0), "file", started=at(8, 30))
        rating = Offered("cows", threshold(guide) + 3, at(8, 40), "file", context="repeat")
        a = loaded(store, "dr-a", visit, guide)
        b = loaded(store, "dr-b", visit, guide)
        mine = b.base.model_copy(deep=True)  # type: ignore[union-attr]
        take_result(guide, mine, negative, TODAY, at(9, 1))
        b.save(mine)
        if not two_rooms:
            a = loaded(store, "dr-a", visit, guide)
        theirs = a.base.model_copy(deep=True)  # type: ignore[union-attr]
        take_result(guide, theirs, rating, TODAY, at(9, 2))
        a.save(theirs)
    finally:
        store.close()
    return str(visit)


def positive_after(run: Run, guide: Guide, two_rooms: bool) -> bool:
    """Whether the stored record reads as a positive challenge after the two (the one
    reading of the series, which every gate and rule reads)."""
    kept = stored_record(merged(run, guide, two_rooms))
    read = visit_results(guide, kept.cows_ratings, kept.naloxone_challenges, TODAY)
    return read.answers.get("naloxone_challenge") == "positive"


def next_days_challenge(run: Run, guide: Guide, tmp_path: Path, two_rooms: bool) -> Any:
    """The next day at 10:00, past the window of the 09:00 result: that day's screen, a
    calm rating (09:30) and a new challenge (naloxone 09:35, negative at 10:00), and the
    dose."""
    visit = merged(run, guide, two_rooms)
    day = (TODAY + dt.timedelta(days=1)).isoformat()
    series = {
        "cows_ratings": [{"at": f"{day}T09:30", "context": "before_challenge", "total": 1}],
        "naloxone_challenges": [
            {"at": f"{day}T10:00", "started": f"{day}T09:35", "kind": "challenge",
             "result": "negative"}
        ],
        **dict.fromkeys(SCREEN, "negative"),
        "pregnancy_test": "not_applicable",
        **GIVEN,
    }  # fmt: skip
    path = tmp_path / "next.json"
    path.write_text(json.dumps(series), encoding="utf-8")
    return run(
        "walk", "--no-input", "--resume", "--session", visit, "--now", f"{day}T10:05",
        "--acknowledge", "all", "--answers", str(path),
    )  # fmt: skip


def test_a_rating_of_withdrawal_merged_from_another_room_leaves_the_challenge_positive(
    run: Run, guide: Guide
) -> None:
    assert positive_after(run, guide, two_rooms=True), (
        "the merged record holds the negative challenge beside withdrawal rated during its "
        "observation, and no positive"
    )


def test_the_control_the_same_taken_one_after_the_other_is_positive(run: Run, guide: Guide) -> None:
    assert positive_after(run, guide, two_rooms=False)


def test_after_the_merge_the_next_days_new_challenge_is_taken(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = next_days_challenge(run, guide, tmp_path, two_rooms=True)
    assert out.exit_code == 0, out.output


def test_the_control_one_after_the_other_the_next_days_new_challenge_is_taken(
    run: Run, guide: Guide, tmp_path: Path
) -> None:
    out = next_days_challenge(run, guide, tmp_path, two_rooms=False)
    assert out.exit_code == 0, out.output
