"""`walk`: the walkthrough, interactive or unattended (the default command), without
typer. The app's `walk` (commands/walk_app.py, its options) and the direct route of a
plain command line (cli/direct.py) both run it, so they say the same."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ...engine.drive import walk_unattended
from ...engine.evaluate import evaluate
from ...engine.next_action import stop_kind
from ...env import Environment
from ...errors import (
    ExitCode,
    Incomplete,
    InvalidAnswer,
    SessionError,
    UsageError,
    UserError,
    resume_command,
)
from ...judge import evaluated_with_fills, with_record
from ...output.check import side_against_advice
from ...output.versions import WALK
from ...pack.guide import Guide
from ...records import replace
from ...store import Found
from ...store.refs import (
    ambiguity,
    by_visit_date,
    import_record,
    read_record_file,
    record_file,
    visit_to_resume,
)
from ...store.saver import Saver
from ...visit.contradiction import contradiction, refuse_contradiction
from ...visit.history import (
    judged_against,
    ratings_elsewhere,
    read_day_changed,
    recorded_dose,
    timeline,
    with_own_kept_results,
)
from ...visit.labels import label_key
from ...visit.presets import (
    Preset,
    missing_message,
    parse_overrides,
)
from ...visit.rapid import due_words, is_pathway_key
from ...visit.results import note_rating, parse_corrections
from ...visit.resume import (
    answered_day_behind,
    ask_again_at_resume,
    judged_at_a_new_date,
    refuse_early_timed_results,
    resume_clock,
    session_clock,
    session_guide,
)
from ...visit.session import (
    ClockRecord,
    SessionRecord,
    clean_label,
    moved_defaults,
    new_session,
)
from ...visit.start import (
    Notice,
    keep_observed,
    kept_after_the_run,
    reopen,
    replaced_parts,
    take_run,
)
from ..boundary import Failed
from ..history import walk_timeline
from ..render import show_card_hint, show_gate, show_summary, welcome
from ..startup import resume_collector
from ..storage import clinician, the_store
from ..streams import WritesUntilGone
from ..ui import UI
from ..walkthrough import COMMANDS, DRY_RUN_END, DRY_RUN_START, HELP, Walkthrough
from .basics import (
    did_you_mean,
    fixed_start,
    gather_answers,
    guide_of,
    pack_paths,
    patient_label,
    program_name,
    said_on_import,
    save_recording,
    start_recording,
    ui_for,
)
from .statuses import status_words

if TYPE_CHECKING:
    from ...visit.history import Timeline
    from ...visit.start import Notice


Reason = tuple[str | None, str, str | None]
"""What refuses a visit against the patient's record: the answer's key (None: the visit
as a whole), why, and the hint."""
RECORD_AGAINST = "the patient's record, read again now, stands against this visit"


def run_walk(
    env: Environment,
    *,
    resume: bool = False,
    session: str | None = None,
    label: str | None = None,
    answer: list[str] | None = None,
    answers: Path | None = None,
    correct: list[str] | None = None,
    override: list[str] | None = None,
    acknowledge: list[str] | None = None,
    no_input: bool = False,
    today: str | None = None,
    now_at: str | None = None,
    steps: Path | None = None,
    site: Path | None = None,
    plain: bool = False,
    demo_clock: float = 1.0,
    record_to: Path | None = None,
    json_out: bool = False,
    no_save: bool = False,
    database: str | None = None,
    clinician_name: str | None = None,
) -> int:
    """Walk through the guide step by step; the exit code."""
    interactive = not no_input and env.stdin_tty
    out: WritesUntilGone | None = None
    if not interactive:  # the visit is saved whether or not its reader stays
        out = WritesUntilGone(env.stdout)
        env = replace(env, stdout=out)
    if json_out and interactive:
        raise UsageError(
            "walk --json is for scripts: give --no-input too",
            hint="On a terminal without --json the walkthrough asks its questions.",
        )
    # In --json mode stdout holds the one JSON object: everything else goes to stderr.
    ui = ui_for(env, plain) if not json_out else _stderr_ui(env)
    if answers is not None and str(answers) == "-" and not no_input and env.stdin_tty:
        raise UsageError(
            "--answers - reads the answers from standard input, which then cannot answer "
            "the prompts: give --no-input too (or a file)"
        )
    if interactive:  # before the first prompt (the patient label), so that every prompt has it
        with contextlib.suppress(ImportError):
            # seam: readline takes over input(): only with a person at the prompts
            import readline  # noqa: F401 - line editing and arrow keys at the prompts
    if not math.isfinite(demo_clock):
        raise UsageError(f"--demo-clock {demo_clock}: give a number from 1 to 3600")
    start_recording(ui, record_to)
    start = fixed_start(today, now_at, env)  # --today / --now: the visit's one clock
    # On a resume the session's own settings are in force: XRNTX_GUIDE_SITE is no --site.
    steps, site = pack_paths(env, steps, site, site_var=not resume)
    guide = guide_of(steps, site)
    by = clinician(env, clinician_name)
    store = the_store(env, database, ui.note, by)
    if resume:
        if label is not None and session is None:
            label = patient_label(label)  # the one label rule (visit/labels.py)
        ref = session if session is not None else label
        if session is not None:
            ref = _imported(ui, guide, store, session, by, no_save, steps) or session
        chosen = visit_to_resume(
            store,
            ref,
            lambda rows: status_words(env, store, rows, lambda: guide),
            program_name(env),
        )
        record, revision = store.load(chosen.id)
        path = f"session {record.id}"
        if (
            label is not None
            and session is not None
            and label_key(label) != label_key(record.label)
        ):
            raise UsageError(
                f"--label {label}: the {path} is the visit of {record.label!r}, "
                "another label: a resume never changes whose visit it is",
                hint="Leave out --label (or give the session's own) to resume it.",
            )
        guide = session_guide(guide, record, path, steps, site)
        saver = Saver.loaded(store, by, record, revision, guide)
        demo_clock = session_clock(record, path, demo_clock)
        if record.guide_id != guide.meta.id:
            raise UsageError(
                f"{path}: the session is for guide {record.guide_id!r}, not {guide.meta.id!r}"
            )
        if interactive:
            # The banner first, as on a new walk: what the resume says below it (the visit
            # moved to today, a positive challenge standing) is read, not scrolled past.
            welcome(ui, guide, [f"Resuming {record.label!r} ({path}, {store.where})", HELP])
        if record.guide_version != guide.meta.version:
            ui.warning(
                f"the session was started with guide {record.guide_version}; "
                f"continuing with {guide.meta.version}"
            )
        real_today = env.today()
        # One clock for the visit (visit/resume.py decides which on a resume).
        clock_start, went_back = resume_clock(record, path, start, env.now())
        if went_back is not None:
            ui.warning(went_back)
        if clock_start is not None:
            env.fix_clock(clock_start)
            if start is not None:
                began = record.clock.began if record.clock is not None else None
                record.clock = ClockRecord(fixed=True, start=clock_start, began=began)
                record.note_event(env.now(), "clock", detail=f"fixed at {clock_start.isoformat()}")
        day = env.today()
        if record.today is not None and clock_start is not None:
            if start is None and day != real_today:
                ui.warning(
                    f"this session runs on its fixed clock, {day.isoformat()} (it was started "
                    f"with --today or --now), not on today's date {real_today.isoformat()}"
                )
            record.today = day  # a fixed-date run resumed on another fixed date runs there
    else:
        if start is not None:
            env.fix_clock(start)
        day = env.today()
        if not no_input and env.stdin_tty:
            welcome(ui, guide, [HELP])  # always first, --label or not
        if label is None and not no_input and env.stdin_tty:
            label = _ask_label(ui, day, env)
        elif label is not None:
            try:
                label = clean_label(label)
            except ValueError as exc:
                raise UsageError(f"--label: {exc}") from None
        label = (
            label or f"patient-{day.strftime('%Y%m%d')}-{env.now().astimezone().strftime('%H%M')}"
        )
        if session is not None:
            raise UsageError(
                f"--session {session}: --session names a stored session to resume (its id "
                "or label, or a JSON record file to import); a new walk is saved in the store",
                hint="Leave out --session for a new walk, or add --resume to continue one.",
            )
        _say_earlier_visits(ui, env, store, label, guide)

        # A fixed clock is recorded as given (--now 10:00 is 10:00, not 10:00 plus the
        # moments the start-up took), as the note's fixed_clock reports it.
        fixed = env.clock.fixed and env.clock.start is not None
        ran_on = ClockRecord(fixed=True, start=env.clock.start) if fixed else None
        fixed_day = day if env.clock.fixed else None
        training = demo_clock if demo_clock != 1.0 else None
        record = new_session(guide, label, env.now(), fixed_day, clock=ran_on, demo_clock=training)
        saver = Saver(store, by, record.id, guide=guide)
        path = f"session {record.id}"

    clock = env.clock.sped_up(demo_clock)
    if record.demo_clock is not None:
        ui.warning(
            f"TRAINING run: timers run {demo_clock:g} times faster; this session is not a "
            "care record"
        )

    # The dose the record counts as it was loaded: taken back by this run, the later visits
    # judged against it are named (_taken_back).
    dose_before = recorded_dose(guide, record) if resume else None
    moved_from = None
    if resume:  # before this run's answers go in: only results of an earlier day are stale
        reopened, moved_from = reopen(guide, record, day, env.now())
        show_notices(ui, reopened)
    base = {k: Preset(v, "session") for k, v in record.judged_answers(guide, day).items()}
    if resume and not record.stays_on_its_day(guide):
        # The visit moves to the new day (visit/start.py take_run): this run's answers are
        # judged against the day it moves to, as they will be recorded, never the old one.
        base.update(
            (k, Preset(v, "session")) for k, v in moved_defaults(guide, record, day).items()
        )
    given = gather_answers(env, guide, answer or [], answers, day, record if resume else None)
    presets = given.answers
    behind = answered_day_behind(guide, record, day, presets) if resume and interactive else None
    if behind is not None and _seen_today(ui, guide, behind, day):
        # As if the date were given with the resume: the one rule of a moved visit
        # (visit/start.py) clears that day's results, to be asked again.
        presets = {**presets, guide.meta.date_key: Preset(day, "typed")}
        ui.note(f"{guide.meta.date_key}: {behind.isoformat()} -> {day.isoformat()} (seen today)")
    refuse_early_timed_results(guide, record, presets, day, clock.timer_now)
    replaced = replaced_parts(guide, presets.keys(), base.keys())
    base = {k: v for k, v in base.items() if k not in replaced}  # checked as a new rating

    # What this run gives is given now, after everything the record holds (a no to a
    # standing answer given on a resume after the yes was recorded: visit/contradiction.py).
    given_now = frozenset(presets)
    corrections = parse_corrections(correct or [], presets)
    requests = parse_overrides(guide, override or [])
    _check_acknowledge(guide, acknowledge or [])
    # Every answer, from the session file too, is checked as a prompt would check it: with
    # what the patient's record will fill in (the last injection of a repeat visit, which
    # decides whether a screen given now applies), as a check of the label judges it.
    try:
        checked, _ = evaluated_with_fills(
            guide, {**base, **presets}, day, _record_of(guide, store, record, day),
            ask_out_of_bounds=True,
        )  # fmt: skip
    except UsageError as exc:
        if resume and not any(getattr(exc, "key", None) == k for k in presets):
            raise UsageError(
                f"{path}: {exc.message}",
                hint="Correct it with --answer KEY=VALUE, or start a new session.",
            ) from None
        raise
    now = clock.now()
    keep_observed(
        guide, record, given, answer or [], checked, day, now, clock.source(), clock.timer_now
    )
    # What the run was given goes into the record by the visit core's rules, in its order.
    show_notices(ui, take_run(guide, record, given, presets, corrections, day, now, resume=resume))
    show_notices(ui, kept_after_the_run(guide, record, moved_from, now))

    def saved_here() -> str:
        return f"The answers are saved (session {record.id}): resume it to judge the visit again"

    def stopped(lead: str, why: Reason, given: bool, saved: str) -> Exception:
        """Why the walk stops before the injection step (``given`` False) or before its
        dose counts, and what became of the answers: an answer refused by the record
        (its key), or a visit refused, never a store that failed to save (which the
        walkthrough would offer to retry)."""
        key, text, hint = why
        so = (
            "so the dose is not counted"
            if given
            else "so the injection step is not shown: do not give the injection"
        )
        message = f"{lead}, {so}: {text.rstrip('.')}. {saved}"
        exc = InvalidAnswer(key, message) if key else UsageError(message, hint=hint)
        if saved.startswith(saved_here()):  # the JSON error names it, for --resume
            exc.session = record.id
        return exc

    def as_it_stands(tl: Timeline) -> Timeline:
        """The patient's record as this walk's visit is judged by it: with the results
        the visit itself kept for a day as it holds them now, saved or not."""
        return with_own_kept_results(tl, guide, record)

    def refusal(found: Found) -> Reason | None:
        """The one rule of visit/contradiction.py over the patient's record read again:
        another run (another room, another workstation) may have recorded a dose for the
        patient while this walk ran. What refuses the visit (its key, why, the hint), or
        None."""
        try:
            fresh = timeline(
                guide, found.records, record.label, day, exclude=record.id,
                unreadable=found.unreadable,
            )  # fmt: skip
        except SessionError as exc:  # another session now stands in the way
            return None, exc.message, exc.hint
        typed = record.judged_answers(guide, day)
        problem = contradiction(guide, typed, as_it_stands(fresh), given_now)
        if problem is not None:
            return problem.key, problem.message, None
        return rated_meanwhile(guide, record, fresh, typed, day, clock.now())

    def against(found: Found) -> Exception | None:
        """:func:`refusal` in the save that counts the dose, inside its write transaction
        (``Saver.hold``), which keeps the answers when it refuses."""
        why = refusal(found)
        return None if why is None else stopped(RECORD_AGAINST, why, True, saved_here())

    # The save that counts the dose checks it once more inside its write transaction, for
    # every walk: a finished visit resumed to record its dose too.
    saver.hold = against

    prefills = {}
    unread: dict[str, str] = {}
    conflict: Callable[[str, object], str | None] | None = None
    refuse_filled: Callable[[], None] | None = None
    recheck: Callable[[bool], None] | None = None
    if record.status == "complete":  # the other visits' ratings, read as its dose read them
        found = store.history(record.label)
        record.read_beside(ratings_elsewhere(found.records, record.id), clock.now())
    else:  # the patient's earlier visits (reference section 7)
        tl = walk_timeline(ui, guide, store, record, day, clock.now())
        prefills, unread = tl.prefills, tl.unread_words()

        def conflict(key: str, value: object) -> str | None:
            """The one rule of visit/contradiction.py, for an answer typed at a prompt."""
            if record.after_the_dose(key):
                return None  # recorded in the series, describing the patient after the dose
            typed = {**record.judged_answers(guide, day), key: value}
            if key == guide.meta.date_key:  # a move: its day's results go with that day
                typed = judged_at_a_new_date(guide, record, typed)
            found = contradiction(guide, typed, as_it_stands(tl), given_now | {key})
            return None if found is None else f"{found.key}: {found.at_prompt}"

        def refuse_filled() -> None:
            """The same rule once a value from the record is filled in."""
            refuse_contradiction(
                guide, record.judged_answers(guide, day), as_it_stands(tl), given_now
            )

        def recheck(given: bool) -> None:
            """:func:`refusal` as the walk reaches the injection step and its dose: the
            answers are saved as they stand, the dose not counted, and the walk stops
            saying why. The save that counts the dose makes the same check again inside
            its write transaction (``Saver.hold``), so that no other run's dose comes
            between. A record that cannot be read again stops the walk too: a dose
            recorded meanwhile cannot be ruled out."""
            lead = RECORD_AGAINST
            why: Reason | None
            moved = clock.today()
            if moved != day:  # results count for their day only (safety invariant 3)
                lead, why = (
                    "the day changed while this walk was open",
                    (
                        None,
                        f"it is now {moved.isoformat()}, and the walk began on {day.isoformat()}: "
                        "the results it holds were taken for that day",
                        "Resume it: it asks whether the patient is seen today (the visit moves, "
                        "and the day's results are asked again) or that day's visit is being "
                        "entered late.",
                    ),
                )
            else:
                try:
                    why = refusal(store.history(record.label))
                except SessionError as exc:  # the store cannot be read now
                    lead, why = "the patient's record could not be read again", (
                        None, exc.message, exc.hint,
                    )  # fmt: skip
            if why is None:
                return
            saved = "Nothing is saved (--no-save)."
            if not no_save:
                record.updated = env.now()
                try:
                    saved = _saved_as_it_stops(saver, record, saved_here)
                except SessionError as exc:  # why the walk stops is said first
                    saved = f"The answers could not be saved: {exc.message}"
            raise stopped(lead, why, given, saved)

        # The answers the walk starts with (the session's, the flags', the file's) with the
        # values the record fills in where the walk will ask: the judge's rule, as check
        # and each batch line apply it (judge.py).
        while True:
            typed = record.judged_answers(guide, day)
            as_typed = {k: Preset(v, "session") for k, v in typed.items()}
            try:
                with_record(guide, as_typed, day, tl, ask_out_of_bounds=True)
                break
            except InvalidAnswer as exc:
                if not resume or exc.hint is not None or exc.key in given_now:
                    raise
                # The visit's own stored answer stands against the record: at a terminal
                # it is asked again; otherwise the resume is told how to give it anew.
                again = (
                    ask_again_at_resume(guide, record, exc.key, exc.reason, env.now())
                    if interactive
                    else None
                )
                if again is None:
                    raise InvalidAnswer(
                        exc.key,
                        exc.reason,
                        hint=f"This visit holds that answer. Resume it giving the answer "
                        f"anew: {program_name(env)} walk --resume --session {record.id} "
                        f"--answer {exc.key}=VALUE (the value the message names, or a "
                        "correction).",
                    ) from None
                ui.warning(again)
    if no_save:
        ui.alert(DRY_RUN_START)
    resume_collector()  # the start-up is over: the walk begins (cli/startup.py)
    if not interactive:
        try:
            code = _walk_without_prompts(
                ui,
                guide,
                record,
                None if no_save else saver,
                day,
                requests,
                acknowledge or [],
                env.now(),
                prefills,
                refuse_filled,
                env.stdout if json_out else None,
                recheck,
                program_name(env),
            )
        finally:
            save_recording(ui, record_to, record.label)
        if not no_save:
            _taken_back(ui, guide, store, record, dose_before)
        if out is not None:
            out.end(None if no_save else f"session {record.label!r} (id {record.id})")
        return int(code)
    if resume:
        _rapid_day_due(ui, guide, record, day)
    elif not no_save:
        # The path on a line of its own: after the label it ran past 80 columns and the
        # terminal split it ('...ready1-58c801' / 'fb.json').
        ui.note(f"Session {record.label!r} (id {record.id}), saved after every answer in:")
        ui.note(store.where)
    if interactive:
        saver.decide = lambda clash: _keep_mine(ui, clash)
    w = Walkthrough(
        ui,
        guide,
        record,
        saver,
        day,
        clock,
        flag_overrides={r.gate: r for r in requests},
        flag_acknowledge=tuple(acknowledge or ()),
        prefills=prefills,
        unread=unread,
        dry_run=no_save,
        history_conflict=conflict,
        refuse_filled=refuse_filled,
        recheck=recheck,
        program=program_name(env),
    )
    try:
        code = w.run()
    finally:
        save_recording(ui, record_to, record.label)
    if not no_save:
        _taken_back(ui, guide, store, record, dose_before)
    return int(code)


def _taken_back(ui: UI, guide: Guide, store: Any, record: SessionRecord, dose: str | None) -> None:
    """A dose taken back (``dose``, the one the record counted when the run began, no
    longer counted): the later visits judged against it as the last injection now rest on
    a dose never given, and are named."""
    if dose is None or recorded_dose(guide, record) is not None:
        return
    later = judged_against(
        guide, store.history(record.label).records, record.label, dose, record.id
    )
    if later:
        ui.warning(
            f"the dose of {dose} is taken back, but {', '.join(later)} was judged as a repeat "
            "visit against it, not as a first injection: it rests on a dose never given; "
            "review that visit"
        )


def show_notices(ui: UI, notices: list[Notice]) -> None:
    for notice in notices:
        (ui.warning if notice.kind == "warning" else ui.note)(notice.text)


def _rapid_day_due(ui: UI, guide: Guide, record: SessionRecord, day: dt.date) -> None:
    """On resume, for a patient on the supervised rapid pathway only: which day of the
    protocol today is, and what is due (visit/rapid.py); nothing is due once the visit
    gave its dose (the pathway ends with the injection)."""
    if record.dosed_on() is not None:
        return
    shown = evaluate(guide, record.inputs(guide, day)).question_visible
    if any(is_pathway_key(guide, k) and shown.get(k) is True for k in guide.questions):
        ui.alert(due_words(record.rapid_days, record.rapid_protocol, day))


def _check_acknowledge(guide: Guide, gates: list[str]) -> None:
    for gid in gates:
        if gid == "all":
            continue
        try:
            gate = guide.gate(gid)
        except KeyError:
            ids = [g.id for g in guide.gates]
            raise UsageError(
                f"--acknowledge: unknown gate {gid!r}{did_you_mean(gid, ids)}",
                hint="`xrntx-guide gates` lists every gate.",
            ) from None
        if not gate.acknowledgeable:
            raise UsageError(
                f"--acknowledge {gid}: only cautions are acknowledged; {gid} is a {gate.severity}"
            )


def _seen_today(ui: UI, guide: Guide, answered: dt.date, day: dt.date) -> bool:
    """Asked on a resume that finds the visit's date answered for an earlier day
    (visit/resume.py ``answered_day_behind``): is the patient seen today (the visit
    moves), or is that day's visit entered late? Enter moves it: its results are then
    asked again, never a result of one day filed for the other. 'quit' leaves unchanged."""
    key = guide.meta.date_key
    ui.alert(
        f"This visit's date ({key}) was answered as {answered.isoformat()}; today is "
        f"{day.isoformat()}. Its results and its injection count only for the day they "
        "were done."
    )
    ui.choices(
        [
            ("today", f"the patient is here today: move the visit to {day.isoformat()}",
             f"its results of {answered.isoformat()} stay that day's and are asked again"),
            ("keep", f"enter the visit of {answered.isoformat()} late",
             f"answers typed now are filed for {answered.isoformat()}; a COWS rating or "
             "a naloxone result, taken at a time, is entered from a file with its time"),
        ]
    )  # fmt: skip
    while True:
        try:
            typed = ui.ask("Is the patient's visit today? (number or value) [today]: ")
        except EOFError:
            raise Failed(int(ExitCode.OK)) from None  # nothing changed: nothing to save
        word = typed.strip().lower()
        if word in ("", "1", "today"):
            return True
        if word in ("2", "keep"):
            return False
        if word == "quit":
            raise Failed(int(ExitCode.OK))
        ui.retry(
            "Type 1 (today: the visit moves to today), 2 (keep its date, to enter that "
            "day's visit late), Enter for today, or quit."
        )


def _ask_label(ui: UI, day: dt.date, env: Environment) -> str:
    """The patient label, asked until it is usable; 'quit' leaves without a session."""
    # The date part follows --today; the time keeps labels apart.
    suggested = f"patient-{day.strftime('%Y%m%d')}-{env.now().astimezone().strftime('%H%M')}"
    while True:
        try:
            typed = ui.ask(f"Patient label, not a name [{suggested}]: ").strip()
        except EOFError:
            # The input ended (Ctrl-D, a closed pipe), which is no 'quit': as anywhere in
            # a walk, said, and not finished (exit 4); no session was begun.
            ui.warning("the input ended before a label was given; nothing was saved")
            raise Failed(int(ExitCode.INCOMPLETE)) from None
        if typed.lower() == "quit":
            ui.note("Quit before a label was given: no session was begun, nothing was saved.")
            raise Failed(int(ExitCode.OK))
        if typed.lower() in COMMANDS:
            ui.note(
                "Type a label for this patient (not a name: for example initials and a "
                "clinic number), Enter for the suggested one, or quit."
            )
            continue
        try:
            return clean_label(typed or suggested)
        except ValueError as exc:
            ui.error(str(exc))


def _say_earlier_visits(ui: UI, env: Environment, store: Any, label: str, guide: Guide) -> None:
    problem = ambiguity(store, "", label)
    if problem is not None:
        raise UsageError(
            f"--label {label}: {problem}, so that session could no longer be named by its id",
            hint="Choose another label for this patient.",
        )
    same = store.find(label)  # 'pat' and 'ＰＡＴ' are the patient 'PAT' (visit/labels.py)
    if not same:
        return
    # A patient's label is meant to come back at every visit: said as a fact, not a warning.

    ordered = by_visit_date(same)
    latest = ordered[-1]
    earlier = "1 earlier visit" if len(same) == 1 else f"{len(same)} earlier visits"
    said = status_words(env, store, [latest], lambda: guide)[latest.id]  # the walk's pack
    ui.note(
        f"{label!r} has {earlier} (the latest: session {latest.id}, visit of "
        f"{latest.visit_date or 'no date yet'}, {said}): this is a new visit of the same "
        "patient."
    )
    unfinished = [r for r in ordered if r.status in ("in_progress", "needs_override")]
    if unfinished:
        r = unfinished[-1]
        ui.note(
            f"Session {r.id} (visit of {r.visit_date or 'no date yet'}) is not finished: to "
            f"continue it instead, quit and run: {resume_command(r.id, program_name(env))}"
        )


def _saved_as_it_stops(saver: Saver, record: SessionRecord, saved_here: Callable[[], str]) -> str:
    """Save a walk that stops before its dose counts; what the screen says of the save. A
    visit another run deleted meanwhile is stored again (Saver.save_kept), its dose
    withheld when the patient's other visits refuse it (the record saved without it: why
    the walk stops is said already).

    Raises:
        SessionError: the store refused the save.
    """
    try:
        _, again = saver.save_kept(record)
    except SessionError:
        raise
    except UserError:  # the dose refused beside another visit's: saved without it
        return saved_here()
    if again:
        return f"{saved_here()} (stored again: another run had deleted the visit)"
    return saved_here()


def _imported(
    ui: UI, guide: Guide, store: Any, ref: str, by: str, no_save: bool, steps: Path | None
) -> str | None:
    """``--session FILE``: a JSON record file is imported into the store (saying so) and
    resumed there; the id of the record, or None when ``ref`` names no file (an id or a
    label). An id or a label is never read as a file, and a file never as a label."""
    path = record_file(store, ref)
    if path is None:
        return None
    record = read_record_file(path)
    if no_save and store.by_id(record.id) is None:
        raise UsageError(
            f"--session {ref}: a file is imported into the store before it is resumed, and "
            "--no-save writes nothing",
            hint=f"Import it first: xrntx-guide sessions import {ref}",
        )
    # Checked as a resume checks it, before it is stored: settings a site may not give.
    session_guide(guide, record, ref, steps, None)
    imported = import_record(store, record, by)
    if imported.updated:
        ui.note(
            f"{ref}: session {record.id} was stored in an earlier state; the file's record, "
            "which goes on from it, replaces it (the file is left as it is)"
        )
        said_on_import(ui, guide, store, record, imported)
    elif imported.stored:
        ui.note(
            f"{ref}: imported into the store as session {record.id} (the file is left as it is)"
        )
        said_on_import(ui, guide, store, record, imported)
    else:
        ui.note(f"{ref}: session {record.id} is already in the store; resuming the stored record")
    return record.id


def rated_meanwhile(
    guide: Guide,
    record: SessionRecord,
    fresh: Any,
    typed: dict[str, Any],
    day: dt.date,
    now: dt.datetime,
) -> Reason | None:
    """The visit day's ratings of the patient's other visits changed while this walk ran
    (visit/history.py :func:`read_day_changed`): the walk stops before the injection, to
    be resumed and judged with them; None when they have not."""
    visit = typed.get(guide.meta.date_key)
    changed = read_day_changed(record, fresh, visit if isinstance(visit, dt.date) else day, now)
    if changed is None:
        return None
    return None, changed, "Resume this session: it reads every rating of the day."


def _keep_mine(ui: UI, clash: Any) -> bool:
    """A key this run and another both changed: the clinician chooses which stands."""
    who = clash.by or "another run"
    ui.warning(
        f"{clash.what}: changed by {who} to {clash.shown(clash.theirs)} while this run set "
        f"{clash.shown(clash.mine)}"
    )
    while True:
        try:
            reply = ui.ask(f"Keep which for {clash.key}? [mine/theirs]: ").strip().lower()
        except EOFError:
            return False
        if reply in ("m", "mine"):
            return True
        if reply in ("t", "theirs"):
            return False


def _stderr_ui(env: Environment) -> UI:
    return UI(plain=True, out=env.stderr, err=env.stderr, stdin=env.stdin)


STOP_STATUS = {
    "blocked": "blocked",
    "override": "needs_override",
    "acknowledge": "needs_acknowledgement",
    # A gate its answers cannot decide (a date its expression moves past the calendar):
    # it stands between the patient and the injection as a contraindication does.
    "undecided": "blocked",
}
"""What ``walk --json`` calls a walk that stopped at a gate, by the kind of stop."""


def _walk_without_prompts(
    ui: UI,
    guide: Guide,
    record: SessionRecord,
    saver: Any,
    day: dt.date,
    requests: list[Any],
    acknowledge: list[str],
    now: dt.datetime,
    prefills: dict[str, Any] | None = None,
    refuse_filled: Callable[[], None] | None = None,
    json_to: TextIO | None = None,
    recheck: Callable[[bool], None] | None = None,
    program: str = "xrntx-guide",
) -> ExitCode:
    """Run the unattended walk, save the session (unless ``saver`` is None: --no-save), and
    say where it ended: on the screen, or as one JSON object on ``json_to`` (--json).
    When another run saved the session meanwhile, its changes are merged in (said) and
    the walk is run again on the merged record; a key both changed is refused (exit 2)."""
    wanted = {r.gate: r for r in requests}
    for _ in range(5):
        outcome = walk_unattended(
            guide, record, day, wanted, acknowledge, now, prefills, refuse_filled, recheck
        )

        note_rating(guide, record, outcome.state, day, now)
        counted = record.counted_at()
        record.summarise(outcome.state, now)
        if record.counted_at() != counted and record.injection_given is not True:
            # The dose taken back: the ratings after it are read again (SessionRecord
            # read_series), so the walk is judged again on them before it is said and saved.
            continue
        if saver is None:
            break
        record.updated = now
        merged, again = saver.save_kept(record)
        if again:
            ui.warning(f"session {saver}: stored again (another run had deleted it meanwhile)")
        if not merged:
            break
        for line in merged:
            ui.warning(line)
    for key in prefills or {}:
        kept = record.answers.get(key)
        if kept is not None and kept.origin == "history":
            ui.note(f"{key}: {kept.value} ({prefills[key].note})")  # type: ignore[index]
    path = f"session {saver}" if saver is not None else None
    saved = f"Saved: {path}" if path is not None else DRY_RUN_END
    if json_to is not None:
        return _outcome_json(json_to, outcome, record, path, day)
    if outcome.kind == "missing":
        assert outcome.filled is not None
        keys = outcome.missing
        raise Incomplete(
            f"answers are missing ({len(keys)}); give them with --answer or --answers:\n"
            + missing_message(outcome.filled, keys)
            + _until(outcome.until),
            hint=f"The answers so far are saved in {path}." if path is not None else DRY_RUN_END,
        )
    if outcome.kind == "stop":
        assert outcome.stop is not None
        g, kind = outcome.stop.gate, outcome.stop.kind
        show_gate(ui, outcome.state, g)
        standing = [c.id for c in outcome.state.contraindications if c.id != g.id]
        if standing:  # a flag for this gate would not open the way: said, not offered
            ui.error(
                f"the injection cannot be given: contraindication {', '.join(standing)} "
                f"stands (the walk stopped first at gate {g.id})"
            )
        elif kind == "override":
            ui.error(f'gate {g.id} needs an override: --override {g.id}="CODE: comment"')
        elif kind == "acknowledge":
            ui.error(f"caution {g.id} must be acknowledged: --acknowledge {g.id}")
        ui.note(saved)
        if path is not None:
            show_card_hint(ui, outcome.state, record, program)
        return ExitCode.BLOCKED
    show_summary(ui, outcome.state, record)
    ui.note(saved)
    if path is not None:
        show_card_hint(ui, outcome.state, record, program)
    return ExitCode.OK


def _until(stop: Any) -> str:
    """Where the walk stops once the answers listed are given, whatever they are: the
    answers after that gate are not needed (unless a flag passes it, said here)."""
    if stop is None:
        return ""
    flag = {
        "override": f'--override {stop.gate.id}="CODE: comment"',
        "acknowledge": f"--acknowledge {stop.gate.id}",
    }.get(stop.kind)
    after = (
        "nothing after it is needed"
        if flag is None
        else f"with {flag} it goes on, and the answers after it are listed then"
    )
    return f"\n  (then the walk stops at gate {stop.gate.id}, whatever these answers are: {after})"


def _record_of(guide: Guide, store: Any, record: SessionRecord, day: dt.date) -> Timeline | None:
    """The patient's record for this walk (visit/history.py), for what it fills in: none
    for a finished visit, or where it cannot be read (the walk's own reading of it, once
    the run's answers are in, says why)."""
    if record.status == "complete":
        return None
    try:
        found = store.history(record.label)
        return timeline(guide, found.records, record.label, day, exclude=record.id)
    except UserError:
        return None


def _outcome_json(
    out: TextIO, outcome: Any, record: SessionRecord, path: str | None, day: dt.date
) -> ExitCode:
    """``walk --json``: where the walk ended, as one JSON object (shape in docs/scripting.md)."""
    if outcome.kind == "missing":
        status, code, gate = "incomplete", ExitCode.INCOMPLETE, None
    elif outcome.kind == "stop":
        kind = stop_kind(outcome.state, outcome.stop)
        status, code, gate = STOP_STATUS.get(kind, kind), ExitCode.BLOCKED, outcome.stop.gate.id
    else:
        status, code, gate = "complete", ExitCode.OK, None

    data = {
        "format_version": WALK,
        "status": status,
        "session": record.id if path is not None else None,
        "label": record.label,
        "today": day.isoformat(),
        "stopped_at": gate,
        "blocking": outcome.state.blocking,
        "missing": outcome.missing if outcome.kind == "missing" else [],
        # Where that list ends, as the screen names it: a script sees what it must also
        # give (--acknowledge, --override) to get past it, in one round.
        "missing_until": (
            outcome.until.gate.id
            if outcome.kind == "missing" and outcome.until is not None
            else None
        ),
        "next_dose_due": record.next_dose_due,
        # What the screen's summary warns of, for a script: never filed in silence.
        "side_against_advice": side_against_advice(outcome.state),
        "exit_code": int(code),
    }
    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    return code
