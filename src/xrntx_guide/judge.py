"""The judge: one function that decides a patient from what a run was given.

``check`` (one patient), each line of ``check --batch``, ``scenarios test`` and the
presenter's verdict (cli/demo.py) all call :func:`judge`, so a rule about judging a
patient lives here once: the patient's record read as a walk reads it (the last injection
filled in where the answers do not give it, and only where the walk would ask), an answer
that contradicts the path or the record refused (visit/contradiction.py), the bounds and
the overrides checked (visit/presets.py), and the result built with ``used`` (which rating
and challenge of a series the gates read) and ``rapid`` (the pathway's daily record).
The CLI parses what it was given and presents what this returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .engine.evaluate import OverrideRequest, State
from .errors import InvalidAnswer
from .output.check import check_result
from .pack import keys
from .pack.guide import Guide
from .visit.answers import CHALLENGES_KEY, RATINGS_KEY, is_pathway_key
from .visit.clock import end_of_day
from .visit.contradiction import refuse_contradiction, refuse_record
from .visit.presets import (
    Observed,
    Preset,
    evaluate_presets,
    file_series,
    observed_results,
    refuse_observed_beside_withdrawal,
    refuse_unobserved,
)

if TYPE_CHECKING:
    from .visit.history import Timeline
    from .visit.rapid import RapidDay


class Judged(NamedTuple):
    """A patient judged: the evaluation, the check result (``check --json``'s object) and
    the values the patient's record filled in."""

    state: State
    result: dict[str, Any]
    prefilled: dict[str, Any]
    observed: tuple[Observed, ...] = ()
    """The results that wait for an observation, with when the naloxone was given (None:
    not recorded, taken as reported)."""


def evaluated_with_fills(
    guide: Guide,
    presets: Mapping[str, Preset],
    today: dt.date,
    record: Timeline | None,
    requests: Iterable[OverrideRequest] = (),
    *,
    ask_out_of_bounds: bool = False,
) -> tuple[State, dict[str, Any]]:
    """The answers evaluated with what the patient's record fills in where none is given
    (never the values of a dose the answers say is another: :meth:`Guide.of_another_dose`),
    and the values filled in. ``ask_out_of_bounds``: a value from the record its question's
    bounds refuse is left out, to be asked, as the walk does; otherwise it is refused,
    naming where it came from. No contradiction is looked for (:func:`with_record`).

    Raises:
        InvalidAnswer: an answer out of bounds, or a hidden finding (engine/hidden.py).
    """
    requests = list(requests)
    fills = {k: p.value for k, p in (record.prefills if record is not None else {}).items()}
    values = {k: p.value for k, p in presets.items()}
    other = guide.of_another_dose(fills, values)
    filled = {k: v for k, v in fills.items() if k not in presets and k not in other}
    while True:
        try:
            state = evaluate_presets(
                guide,
                {**presets, **{k: Preset(v, "history") for k, v in filled.items()}},
                today,
                requests,
            )
            return state, filled
        except InvalidAnswer as exc:
            if ask_out_of_bounds and exc.key in filled:
                del filled[exc.key]  # asked instead, as the walk asks it
                continue
            if exc.key not in filled or record is None or record.source is None:
                raise
            source = record.source
            raise InvalidAnswer(
                exc.key,
                f"{exc.reason} ({exc.key} was filled in from the patient's record: session "
                f"{source.session}, injection of {source.date})",
                hint="Check the label and this visit's date; give the value yourself if the "
                "record is not this patient's.",
            ) from None


def with_record(
    guide: Guide,
    presets: Mapping[str, Preset],
    today: dt.date,
    record: Timeline | None,
    overrides: Iterable[OverrideRequest] = (),
    *,
    ask_out_of_bounds: bool = False,
) -> tuple[State, dict[str, Any]]:
    """Evaluate the answers with what the patient's record fills in, as the walk fills it
    in: only where no answer is given, and only where the walk would ask (a question that
    does not apply is not). A given answer that contradicts the path or the record is
    refused. Returns the evaluation and the values filled in.

    ``ask_out_of_bounds``: a value from the record that its question's bounds refuse (a
    last injection after this visit's date) is left out, to be asked, as the walk does;
    otherwise (a check, which asks nothing) it is refused.

    Raises:
        InvalidAnswer: a contradiction (visit/contradiction.py) or an answer out of bounds.
        OverrideRefused: an override of a gate that fails as a contraindication.
    """
    values = {k: p.value for k, p in presets.items()}
    # A record this visit cannot be judged against (a file of the label unreadable, a
    # dose recorded after this visit's date) first: its values would be refused below
    # as if they had been typed.
    refuse_record(guide, values, record)
    requests = list(overrides)
    state, filled = evaluated_with_fills(
        guide, presets, today, record, requests, ask_out_of_bounds=ask_out_of_bounds
    )
    # After the engine's own refusals (bounds; a hidden finding that would fail a
    # contraindication, in the engine's words), the answers the engine would only ignore,
    # beside the values the record fills in where the walk asks them (as the walk judges).
    shown = {k: v for k, v in filled.items() if state.question_visible.get(k) is True}
    refuse_contradiction(guide, {**values, **shown}, record)
    if shown != filled:
        state = evaluate_presets(
            guide,
            {**presets, **{k: Preset(v, "history") for k, v in shown.items()}},
            today,
            requests,
        )
    return state, shown


def judge(
    guide: Guide,
    presets: Mapping[str, Preset],
    today: dt.date,
    *,
    raw: Mapping[str, Any] | None = None,
    days: Callable[[], Sequence[RapidDay]] | None = None,
    overrides: Iterable[OverrideRequest] = (),
    explain: bool = False,
    record: Timeline | None = None,
    now: dt.datetime | None = None,
    observation: tuple[Mapping[str, dt.datetime], Mapping[str, dt.datetime]] | None = None,
) -> Judged:
    """Judge one patient.

    Args:
        guide: the pack in use.
        presets: the answers given (flags over a file or a batch line over a shared file).
        today: the date of the check.
        raw: the answers as read (a file, a line), for ``used``: which rating and which
            challenge of its series the gates read.
        days: the rapid pathway's daily record, read only on the pathway.
        overrides: ``--override`` requests, bound here to these answers.
        explain: add each gate's findings to the result.
        record: the patient's timeline (``--label``, a batch line's ``label``, a
            scenario's earlier visits), read as a walk reads it.
        now: the visit's clock (visit/clock.py): a result of a series timed after it is
            refused; None: the end of ``today`` (a scenario's day).
        observation: when each timed result's naloxone was given, and when each result
            was taken (visit/presets.py, ``given_observation``); a start too close to its
            result is refused, and a result without one is taken as reported (a check
            keeps no record) and said so in ``observation``.

    Raises:
        InvalidAnswer / OverrideRefused: as :func:`with_record`.
    """
    state, prefilled = with_record(guide, presets, today, record, overrides)
    starts, times = observation if observation is not None else ({}, {})
    at = now if now is not None else end_of_day(today)
    observed = tuple(observed_results(state, presets, starts, at, times))
    refuse_unobserved(observed, kept=False)
    refuse_observed_beside_withdrawal(guide, raw or {}, presets, observed, today, now)
    result = check_result(state, explain, starts)
    used = series_used(guide, raw or {}, presets, today, now)
    if used is not None:
        result["used"] = used
    shown = state.question_visible
    pathway = guide.once(
        "pathway_keys", lambda: [k for k in guide.questions if is_pathway_key(guide, k)]
    )
    if any(shown.get(k) is not False for k in pathway):
        # seam: the rapid record (pydantic) loads only on the pathway, never for a check
        from .visit.rapid import check_block

        rapid = check_block(guide, shown, days() if days is not None else (), today)
        if rapid is not None:
            result["rapid"] = rapid
    if record is not None:
        source = record.source
        result["record"] = {
            "label": record.label,
            "last_injection_session": source.session if source is not None else None,
            "prefilled": {
                k: v.isoformat() if isinstance(v, dt.date) else v for k, v in prefilled.items()
            },
            "warnings": record.warnings(),
        }
    return Judged(state, result, prefilled, observed)


def series_used(
    guide: Guide,
    raw: Mapping[str, Any],
    presets: Mapping[str, Preset],
    today: dt.date,
    now: dt.datetime | None = None,
) -> dict[str, Any] | None:
    """Which COWS rating and which challenge result of the series in ``raw`` the gates
    read (``used``); None when ``raw`` gives no series."""
    expanded = file_series(guide, raw, presets, today, now)
    if expanded is None:
        return None
    used = expanded.used()
    if not used and RATINGS_KEY not in raw and CHALLENGES_KEY not in raw:
        return None  # a pathway record without a rating of the visit day
    # A flag given for what the file's series does not give (a COWS total beside the
    # file's challenges only) is what is read for it.
    if any(k.startswith(keys.COWS_ITEM_PREFIX) and p.origin == "flag" for k, p in presets.items()):
        used["cows_rating"] = "flag"
    flags = {k: p.value for k, p in presets.items() if p.origin == "flag"}
    if keys.CHALLENGE not in used and (keys.CHALLENGE in flags or keys.RECHALLENGE in flags):
        # Its documented shape (kind, time, result): a flag's result has no time.
        again = flags.get(keys.RECHALLENGE)
        kind = "rechallenge" if again is not None and again != keys.NOT_DONE else "challenge"
        result = again if kind == "rechallenge" else flags.get(keys.CHALLENGE)
        used[keys.CHALLENGE] = {"kind": kind, "at": None, "result": result}
    return used
