"""Two terminals on one visit: while this walk waits at "was the injection given?", the
other moves the visit to the day before (its screens asked again there), or changes a
screen. Before the dose is recorded the session is read again, and the gates judge the
visit as it now stands: the walk says what changed, the dose is not recorded on a visit
nothing judged ready, and the visit of today gives no second dose a way through. Before,
only a COWS rating or a challenge the other run added was judged again: the "yes" was
filed on the moved visit (not counted: a dose given and on no record), and a check of
today was then ready for another injection."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest

from tests.helpers import (
    TODAY,
    Run,
    answer_flags,
    only_session,
    ready_patient,
    stored_record,
    the_store,
)
from xrntx_guide.cli.ui import UI
from xrntx_guide.cli.walkthrough import Walkthrough
from xrntx_guide.env import Clock
from xrntx_guide.pack.guide import Guide
from xrntx_guide.store.saver import Saver

LABEL = "TWO-ROOMS"
YESTERDAY = TODAY - dt.timedelta(days=1)


def at(hh_mm: str) -> str:
    return f"{TODAY.isoformat()}T{hh_mm}"


def yes_while_the_other_room(run: Run, guide: Guide, *other: str) -> tuple[str, str]:
    """This room's walk, open at 'was the injection given?' for a ready visit of TODAY;
    before 'yes' is read, the other room resumes the visit with ``other``. What this
    room's screen said, and the session."""
    first = run("walk", "--no-input", "--now", at("10:00"), "--label", LABEL,
                "--acknowledge", "all", *answer_flags(ready_patient()))  # fmt: skip
    assert first.exit_code == 4, first.output  # at the injection: was it given?
    session = only_session()
    opened = the_store()
    here, revision = opened.load(session)

    class Meanwhile(io.StringIO):
        done = False

        def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
            if not self.done:
                self.done = True
                run("walk", "--resume", "--session", session, "--no-input", "--now",
                    at("10:05"), "--acknowledge", "all", *other)  # fmt: skip
            return super().readline(size)

    out = io.StringIO()
    ui = UI(plain=True, out=out, err=out, stdin=Meanwhile("yes\nquit\n"))
    clock = Clock(source=lambda: dt.datetime.combine(TODAY, dt.time(10, 10), tzinfo=dt.UTC))
    Walkthrough(ui, guide, here, Saver.loaded(opened, "room 1", here, revision, guide),
                TODAY, clock).run()  # fmt: skip
    opened.close()
    return " ".join(out.getvalue().split()), session


def check_today(run: Run) -> int:
    checked = run("check", "--json", "--label", LABEL, "--now", at("11:00"),
                  *answer_flags(ready_patient()))  # fmt: skip
    return checked.exit_code


OTHER_ROOM: dict[str, Callable[[], tuple[str, ...]]] = {
    "moved to the day before": lambda: ("-a", f"injection_date={YESTERDAY.isoformat()}"),
    "a screen changed": lambda: ("-a", "uds_fentanyl=positive"),
}


@pytest.mark.parametrize("what", sorted(OTHER_ROOM))
def test_the_dose_is_not_recorded_on_a_visit_another_run_changed(
    run: Run, guide: Guide, what: str
) -> None:
    said, session = yes_while_the_other_room(run, guide, *OTHER_ROOM[what]())
    assert "another process changed this session" in said, said
    assert "the dose is not recorded yet" in said, said
    saved = stored_record(session)
    assert saved.injection_given is not True, said
    key = guide.meta.report.injection_given
    assert key not in saved.answers, said  # never filed on the visit as it now stands
    if what == "moved to the day before":
        assert f"The visit is now of {YESTERDAY.isoformat()}" in said, said
        assert f"edit {guide.meta.date_key}" in said, said


def test_a_check_of_today_is_not_ready_beside_the_other_rooms_positive(
    run: Run, guide: Guide
) -> None:
    yes_while_the_other_room(run, guide, "-a", "uds_fentanyl=positive")
    assert check_today(run) == 2  # the positive binds today's other visits


def test_the_control_nothing_changed_records_the_dose(run: Run, guide: Guide) -> None:
    said, session = yes_while_the_other_room(run, guide, "-a", "age=34")
    assert "another process changed" not in said, said
    assert stored_record(session).injection_given is True, said


def test_both_rooms_giving_the_dose_are_told_to_check(run: Run, guide: Guide) -> None:
    """The other room records the injection given while this one waits at the prompt,
    and 'yes' is typed here too: one dose is recorded, and this room is told, loudly, to
    make sure only one injection was given (as a save's merge tells it). Before, it was
    told only that the gates are read again."""
    key = guide.meta.report.injection_given
    said, session = yes_while_the_other_room(
        run, guide, "-a", f"{key}=yes", "-a", "injection_side_used=left"
    )
    assert "CHECK:" in said and "make sure only one injection was given" in said, said
    assert stored_record(session).injection_given is True, said
