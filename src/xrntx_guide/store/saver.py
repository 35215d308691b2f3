"""Saving a walk's record without losing another run's changes.

A :class:`Saver` keeps the revision the record was read (or last saved) at and the record
as it was then. When another run saved the visit meanwhile (:class:`StoreConflict`),
:func:`merge` takes the stored record and re-applies this run's changes to it, key by
key: an answer (an override, an acknowledgement, a timer) this run changed and the other
did not is kept; a key both changed to different values is a real conflict, which
``decide`` settles (the clinician, asked) or, without it, refuses the save (nothing is
written). A result this run added to a series (a COWS rating, a challenge) is taken into
the other run's series by the rule every route follows (visit/results.py): one that rule
refuses there (a negative challenge after the other run's positive) is left out, and the
screen says why; results are added, never replaced. A day of the rapid pathway is taken
by its record's rule too (visit/rapid.py): one that says otherwise of a day the other run
recorded is kept beside it, said, and read as not decided until the day is corrected.
The caller re-evaluates the merged record: the gates read it whole.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..pack.guide import Guide
from ..visit import integrity
from ..visit.answers import RESULT_KEYS, one_answer_results
from ..visit.clock import instant
from ..visit.entries import ChallengeResult
from ..visit.integrity import DOSE, replay, same
from ..visit.rapid import add_day
from ..visit.results import KEY_OF, take_saved_meanwhile
from ..visit.resume import of_the_visit_day
from ..visit.series import local_day
from ..visit.session import SessionRecord
from . import DuplicateVisit, Hold, Store, StoreConflict, StoreError, VisitGone, Withheld


@dataclass(frozen=True)
class Clash:
    """One key both runs changed, to different values."""

    part: str
    """Which part of the record: answers, overrides, acks or timers."""
    key: str
    mine: Any
    theirs: Any
    by: str | None

    @property
    def what(self) -> str:
        """The key as a clinician reads it: a timer is the time its naloxone was given."""
        return f"{self.key} (the naloxone given)" if self.part == "timers" else self.key

    @staticmethod
    def shown(value: Any) -> str:
        """A value as the screen says it: a time in the local zone, never a repr."""
        if isinstance(value, dt.datetime):
            return value.astimezone().strftime("%Y-%m-%d %H:%M")
        return "nothing" if value is None else repr(value)


KEYED = ("answers", "overrides", "acks", "timers")
DAYS = ("answers", "timers")
"""The parts of a record whose entries may describe the visit's day (visit/resume.py
``of_the_visit_day``): a screen, a pregnancy test, the dose while it is not counted, and
the timers of such results."""
LISTED = ("order", "skipped", "confirmed")
SERIES = ("cows_ratings", "naloxone_challenges", "rapid_days")


def _value(part: str, item: Any) -> Any:
    """What a keyed entry says, without when it was written."""
    if item is None:
        return None
    if part == "answers":
        return item.value
    if part == "overrides":
        return (item.code, item.comment, item.fingerprint)
    if part == "acks":
        return item.fingerprint
    return item


def _days_apart(guide: Guide | None, mine: SessionRecord, theirs: SessionRecord) -> bool:
    """Whether the two runs describe different days of the visit (one moved it, or both,
    to different days): their results are then of different days, never one fact."""
    return guide is not None and mine.dated(guide) != theirs.dated(guide)


def clashes(
    base: SessionRecord,
    mine: SessionRecord,
    theirs: SessionRecord,
    by: str | None,
    guide: Guide | None = None,
) -> list[Clash]:
    """The keys both runs changed since ``base``, to different values. A result of the
    visit's day is no clash when the runs describe different days (:func:`merge` files
    each under its own), and neither is an answer the challenge series alone decides
    (the challenge, the rechallenge, its hours): each run's results are merged into the
    series by its rule (a negative never over a positive), whichever answer is kept,
    so asking "mine or theirs" of it offered a choice that decided nothing."""
    found = []
    apart = _days_apart(guide, mine, theirs)
    for part in KEYED:
        b, m, t = getattr(base, part), getattr(mine, part), getattr(theirs, part)
        for key in sorted(set(b) | set(m) | set(t)):
            if apart and part in DAYS and of_the_visit_day(guide, theirs, key):  # type: ignore[arg-type]
                continue
            if part == "answers" and key in RESULT_KEYS:
                continue
            vb, vm, vt = (_value(part, d.get(key)) for d in (b, m, t))
            if vm != vb and vt != vb and vm != vt:
                found.append(Clash(part, key, vm, vt, by))
    return found


def merge(
    base: SessionRecord,
    mine: SessionRecord,
    theirs: SessionRecord,
    keep_mine: frozenset[tuple[str, str]] = frozenset(),
    guide: Guide | None = None,
    said: list[str] | None = None,
) -> SessionRecord:
    """``theirs`` with this run's changes since ``base`` re-applied (see the module
    docstring); a clash is settled for this run where ``(part, key)`` is in
    ``keep_mine``, else for the stored value. ``guide``: the pack whose rules take this
    run's new results into the series (without it, a store's own merge, they are added
    as they are); what the screen should say of them is added to ``said``."""
    merged = theirs.model_copy(deep=True)
    for part in KEYED:
        b, m, t = getattr(base, part), getattr(mine, part), dict(getattr(merged, part))
        for key in set(b) | set(m):
            vb, vm, vt = (_value(part, d.get(key)) for d in (b, m, t))
            if vm == vb:
                continue  # not changed by this run
            if vt != vb and vt != vm and (part, key) not in keep_mine:
                continue  # a clash settled for the stored value
            if key in m:
                t[key] = m[key]
            else:
                t.pop(key, None)
        setattr(merged, part, t)
    filed = _file_by_day(guide, base, mine, theirs, merged)
    # Each timer's real start (env.py Clock.timer_now) comes with the timer it starts,
    # from whichever run recorded that start (both: the later, the shorter observation).
    real: dict[str, dt.datetime] = {}
    for key, start in merged.timers.items():
        found = [
            r.timers_real[key]
            for r in (mine, theirs)
            if r.timers.get(key) == start and key in r.timers_real
        ]
        if found:
            real[key] = max(found, key=instant)
    merged.timers_real = real
    # Every naloxone time either run gave (visit/session.py naloxone_given): none is lost.
    for key in set(mine.naloxone_given) | set(theirs.naloxone_given):
        kept = list(merged.naloxone_given.get(key, []))
        kept += [
            at
            for at in mine.naloxone_given.get(key, [])
            if all(instant(at) != instant(k) for k in kept)
        ]
        merged.naloxone_given[key] = kept
    # The results of a day a move cleared (visit/resume.py): facts of their day, never
    # lost, whichever run moved the visit.
    for on, taken in mine.day_results.items():
        for key, values in taken.items():
            for value in values:
                merged.keep_day_results(on, {key: value})
    for part in LISTED:
        lb, lm = getattr(base, part), getattr(mine, part)
        removed = [x for x in lb if x not in lm]
        lt = [x for x in getattr(merged, part) if x not in removed]
        lt += [x for x in lm if x not in lb and x not in lt]
        setattr(merged, part, lt)
    for key in [k for k in merged.order if k not in merged.answers]:
        merged.order.remove(key)
    new = {
        part: [x for x in getattr(mine, part) if x not in getattr(base, part)] for part in SERIES
    }
    if guide is not None:
        held = (*merged.cows_ratings, *merged.naloxone_challenges)
        results = (*new.pop("cows_ratings"), *new.pop("naloxone_challenges"))
        fresh = [x for x in results if x not in held]
        observed = _observed_meanwhile(base, mine, theirs)
        # A negative of a result whose naloxone another run gave meanwhile (its timer runs
        # in the stored record, not in this run's): this run could not see that
        # observation, so its negative never stands beside it.
        late = [
            x
            for x in fresh
            if isinstance(x, ChallengeResult)
            and x.result == "negative"
            and KEY_OF[x.kind] in observed
        ]
        refused = take_saved_meanwhile(guide, merged, [x for x in fresh if x not in late])
        refused += [
            f"{KEY_OF[x.kind]}: negative of {Clash.shown(x.at)}: another run gave this "
            f"{x.kind}'s naloxone at {Clash.shown(observed[KEY_OF[x.kind]])} while this "
            "run had the visit open; resume and record the result when that observation "
            "is over"
            for x in late
        ]
        if said is not None:
            said += [f"not recorded from this run: {line}" for line in refused]
    for day in new.pop("rapid_days"):
        if day in merged.rapid_days:
            continue
        try:
            merged.rapid_days, _ = add_day(merged.rapid_days, day)
        except ValueError as exc:
            # Never silently overruled: both entries stay, and the pathway's record reads
            # the day as not decided until it is corrected (visit/rapid.py, clashing).
            merged.rapid_days = [*merged.rapid_days, day]
            if said is not None:
                said.append(
                    f"day {day.day} of the rapid pathway was recorded by another run "
                    f"meanwhile, and this run's entry says otherwise: {exc}. Both entries "
                    "are kept; the pathway's gate does not pass until the day is corrected "
                    "('day', then 'correct', with the reason)"
                )
    for part, entries in new.items():
        added = list(getattr(merged, part))
        added += [x for x in entries if x not in added]
        setattr(merged, part, added)
    if mine.rapid_days != base.rapid_days:
        merged.rapid_days = sorted(merged.rapid_days, key=lambda d: (d.day, d.date))
    _add_events(merged, mine.events[len(base.events) :])
    if filed is not None:
        filed.log(merged, mine.updated, said)
    for name in ("clock", "today", "cows_next_context", "cows_next_at"):
        if getattr(mine, name) != getattr(base, name):
            setattr(merged, name, getattr(mine, name))
    merged.updated = mine.updated
    _log_what_the_merge_kept(merged, mine.updated)
    if guide is not None and said is not None:
        # Two runs' ratings of one minute may leave the day's latest not known (each run
        # alone refuses that): the record reads no rating then, and the screen says why.
        day = merged.today or local_day(mine.updated)
        unordered = merged.unordered_note(guide, day)
        if unordered is not None and mine.unordered_note(guide, day) is None:
            said.append(f"with another run's ratings, {unordered}")
    return merged


@dataclass(frozen=True)
class _Filed:
    """What a merge of two runs that describe different days of the visit filed by day
    (:func:`_file_by_day`): the results the run of the other day recorded since the
    base, to be kept as that day's, and the keys put back as the visit's own run holds
    them."""

    day: str
    """The visit's day after the merge."""
    other_day: str
    other_is_mine: bool
    stays: str | None
    """Why the visit stays on its day, the other run's move not kept (its own run
    recorded the dose, or finished the visit); None: it is of the merged date's day."""
    results: dict[str, Any]
    """The other day's results the other run recorded: key -> value."""
    put_back: dict[str, Any]
    """Key -> the visit's own run's value (None: cleared), where the other run's was."""
    restated: dict[str, Any] = field(default_factory=dict)
    """The visit's results the other run's audit trail spoke of since the base (what day
    they were taken): the visit stays on its day, and they are that day's."""

    def log(self, merged: SessionRecord, now: dt.datetime, said: list[str] | None) -> None:
        """Keep the other day's results as that day's and log every change the filing
        made, with why, after both runs' events; add what the screen should say."""
        if self.results:
            merged.keep_day_results(self.other_day, self.results, now)
        logged = replay(merged.events)[0]
        why = (
            f"the visit stays on {self.day}: a run {self.stays} there"
            if self.stays is not None
            else f"recorded for {self.other_day}; this visit is now of {self.day}"
        )
        for key, value in self.put_back.items():
            if key in logged and not same(value, logged[key]):
                if value is None:
                    merged.note_event(now, "clear", key, None, why)
                else:
                    merged.note_event(now, "change", key, value, why)
        for key, value in self.restated.items():
            if key not in self.put_back:  # the last word on its day is the visit's
                merged.note_event(now, "change", key, value, f"{why}: a result of {self.day}")
        if said is None:
            return
        who = "this run" if self.other_is_mine else "another run"
        if self.stays is not None:
            said.append(
                f"this visit stays on {self.day}: "
                + ("another run" if self.other_is_mine else "this run")
                + f" {self.stays} there, and a visit never moves from the day it was "
                f"given or finished: the move to {self.other_day} by {who} is not kept; "
                f"for a visit of {self.other_day}, start a new walk"
            )
        elif self.other_is_mine:
            said.append(
                f"this visit is now of {self.day}, the date another run gave it meanwhile, "
                f"not {self.other_day}: its results are those of {self.day}, asked again "
                "where it has none"
            )
        if self.results:
            results = ", ".join(f"{k} = {v}" for k, v in self.results.items())
            said.append(
                f"{results}: recorded by {who} for {self.other_day}, while this visit is "
                f"of {self.day}: kept as a result of {self.other_day} (it binds every "
                f"visit of that day)"
                + ("" if self.stays is not None else f", and asked again for {self.day}")
            )


def _file_by_day(
    guide: Guide | None,
    base: SessionRecord,
    mine: SessionRecord,
    theirs: SessionRecord,
    merged: SessionRecord,
) -> _Filed | None:
    """Two runs that describe different days of the visit (one moved it meanwhile).

    A run that recorded the visit's dose, or finished it, keeps the visit on its day
    (safety invariant 12): the other run's move is not kept, nor what it took back with
    the move (overrides and acknowledgements given for that day's results). Otherwise
    the visit is of the day its merged date says. Either way, what describes the visit's
    day (visit/resume.py ``of_the_visit_day``) is what the run of that day holds, never
    the other run's, which was taken on another day (safety invariant 3); the one-answer
    results the other run recorded since the base are that day's, kept as such (the
    move's own rule). None: both runs describe one day, and nothing is filed apart."""
    if guide is None or not _days_apart(guide, mine, theirs):
        return None
    staying = [r for r in (theirs, mine) if r.stays_on_its_day(guide)]
    put_back: dict[str, Any] = {}
    if staying:
        own = staying[0]
        key = guide.meta.date_key
        dated = own.answers.get(key)
        if dated is not None and _value("answers", merged.answers.get(key)) != dated.value:
            merged.answers[key] = dated
            put_back[key] = dated.value
        merged.overrides, merged.acks = dict(own.overrides), dict(own.acks)
    elif merged.dated(guide) == mine.dated(guide):
        own = mine
    elif merged.dated(guide) == theirs.dated(guide):
        own = theirs
    else:
        return None
    other = theirs if own is mine else mine
    day, other_day = own.dated(guide), other.dated(guide)
    if day is None or other_day is None:
        return None
    for part in DAYS:
        held = dict(getattr(merged, part))
        for key in set(held) | set(getattr(own, part)) | set(getattr(other, part)):
            if not of_the_visit_day(guide, merged, key):
                continue
            entry = getattr(own, part).get(key)
            if _value(part, held.get(key)) == _value(part, entry):
                continue
            if entry is None:
                held.pop(key)
            else:
                held[key] = entry
            if part == "answers":
                put_back[key] = None if entry is None else entry.value
        setattr(merged, part, held)
    # The other run's results of its day: every one it holds when it moved the visit
    # itself (its move cleared the base's); else those it changed since the base (the
    # base's own are of the day the own run's move kept them for).
    moved = other_day != base.dated(guide)
    results = {
        key: other.answers[key].value
        for key in one_answer_results(guide)
        if key in other.answers
        and (moved or _value("answers", base.answers.get(key)) != other.answers[key].value)
    }
    stays = None
    restated: dict[str, Any] = {}
    if staying:
        stays = (
            "recorded its dose as given"
            if own.injection_given is True or own.answered_given(guide)
            else "finished the visit"
        )
        spoken = {e.key for e in other.events[len(base.events) :]}
        restated = {
            k: merged.answers[k].value
            for k in one_answer_results(guide)
            if k in spoken and k in merged.answers
        }
    return _Filed(day, other_day, other is mine, stays, results, put_back, restated)


def _observed_meanwhile(
    base: SessionRecord, mine: SessionRecord, theirs: SessionRecord
) -> dict[str, dt.datetime]:
    """The timers the other run started since ``base`` at another time than this run's
    own: a naloxone given in another room while this run had the visit open. Whichever
    timer a clash then keeps, that naloxone was given, and this run's negative was not
    observed after it."""
    return {
        key: at
        for key, at in theirs.timers.items()
        if base.timers.get(key) != at and mine.timers.get(key) != at
    }


def _add_events(merged: SessionRecord, new: list[Any]) -> None:
    """This run's new audit-trail events, after the stored record's. An event that logs a
    result is added only for an entry of the merged series that no event logs yet: a
    result both runs took alike is held once (an identical result already held is not
    taken again), and so is its log, so the merged record agrees with its audit trail
    (visit/integrity.py), as every load demands."""
    unlogged = [*merged.cows_ratings, *merged.naloxone_challenges, *merged.rapid_days]
    for event in merged.events:
        entry = integrity.entry_of(event)
        if entry is not None and entry in unlogged:
            unlogged.remove(entry)
    seen = {e.model_dump_json() for e in merged.events}
    for event in new:
        if event.model_dump_json() in seen:
            continue
        entry = integrity.entry_of(event)
        if entry is not None:
            if entry not in unlogged:
                continue
            unlogged.remove(entry)
        merged.events.append(event)


def _log_what_the_merge_kept(merged: SessionRecord, now: dt.datetime) -> None:
    """The audit trail of a merged record ends in what it holds: both runs' events are
    kept in the order they were stored, so where a clash was settled for the stored value
    (or a value this run cleared was kept), the merge logs the value kept - a record whose
    answers disagree with its trail is refused on load (visit/integrity.py)."""
    why = "kept when another run's save of this visit was merged"
    logged, overrides, _, doses = replay(merged.events)
    for key, answer in merged.answers.items():
        if key not in RESULT_KEYS and (key not in logged or not same(answer.value, logged[key])):
            merged.note_event(now, "change", key, answer.value, why)
    for key in logged:
        if key not in merged.answers and key not in RESULT_KEYS:
            merged.note_event(now, "clear", key, None, why)
    for gate, override in merged.overrides.items():
        if overrides.get(gate) != f"{override.code}: {override.comment}":
            merged.note_event(now, "override", gate, None, f"{override.code}: {override.comment}")
    if doses and doses[-1] is not merged.injection_given:
        merged.note_event(now, DOSE, value=merged.injection_given)


@dataclass
class Saver:
    """Saves one visit's record to the store, merging another run's changes (see the
    module docstring). ``decide`` settles a clash (True: keep this run's value); None
    refuses the save on a clash."""

    store: Store
    by: str
    record_id: str
    revision: int | None = None
    """The revision the record was read or last saved at; None: not yet stored."""
    base: SessionRecord | None = None
    decide: Callable[[Clash], bool] | None = None
    guide: Guide | None = None
    """The pack whose rules take this run's new results into what another run saved
    meanwhile (:func:`merge`); every walk gives it."""
    notices: list[str] = field(default_factory=list)
    hold: Hold | None = None
    """The check of the patient's other visits that the save which counts the dose makes
    inside its write transaction (:meth:`Store.save`): when it refuses, the record is
    saved with the dose not counted, and its error raised."""

    def __str__(self) -> str:
        return self.record_id

    @classmethod
    def loaded(
        cls,
        store: Store,
        by: str,
        record: SessionRecord,
        revision: int,
        guide: Guide | None = None,
    ) -> Saver:
        return cls(store, by, record.id, revision, record.model_copy(deep=True), guide=guide)

    def _stamp(self, record: SessionRecord) -> None:
        """Who made each change of this run, in the audit trail."""
        start = len(self.base.events) if self.base is not None else 0
        for event in record.events[start:]:
            if event.by is None:
                event.by = self.by

    def save(self, record: SessionRecord) -> list[str]:
        """Store ``record`` (changed in place when another run's changes are merged in);
        returns what the screen should say about a merge (nothing when there was none).

        Raises:
            StoreConflict: a clash with no ``decide``, or one settled for neither side.
            StoreError: the store refuses the write.
            Exception: the error of :attr:`hold`, once the record is saved without the
                dose counted.
        """
        self._stamp(record)
        counts = record.injection_given is True and (
            self.base is None or self.base.injection_given is not True
        )
        hold = self.hold if counts else None
        try:
            return self._save(record, hold)
        except Withheld as withheld:
            # Nothing was written: the record is saved as it stands, the dose not counted.
            since = len(self.base.events) if self.base is not None else 0
            record.withhold_dose(record.updated, since)
            self._save(record, None)
            raise withheld.problem from None

    def save_kept(self, record: SessionRecord) -> tuple[list[str], bool]:
        """:meth:`save`, for a run that asks no one: a visit another run deleted meanwhile
        is stored again as this run holds it (:meth:`store_again`), never lost. Returns
        what :meth:`save` returns, and whether the visit was stored again.

        Raises:
            as :meth:`save` (the hold's error once the record is saved without the dose).
        """
        try:
            return self.save(record), False
        except VisitGone:
            self.store_again()
            return self.save(record), True

    def store_again(self) -> None:
        """The visit was deleted by another run meanwhile (VisitGone): the next save
        stores the record this run holds as a new visit (its id kept when it is free), its
        dose, if it records one, checked against the label's other visits as any first
        save's is. What the deleted copy held besides is what this run read or merged."""
        self.revision = None
        self.base = None

    def _save(self, record: SessionRecord, hold: Hold | None) -> list[str]:
        if self.revision is None:
            for _ in range(10):
                try:
                    if self.store.find(record.id):  # an id that reads as a stored label
                        raise DuplicateVisit(f"{record.id} is a stored label")
                    record.log_summary(record.updated, self.by)
                    self.revision = self.store.create(record, self.by, hold)
                    break
                except DuplicateVisit:  # never stored yet: it takes another id
                    record.id = secrets.token_hex(4)
                    self.record_id = record.id
            else:
                raise StoreError("no free session id could be drawn; try again")
            self.base = record.model_copy(deep=True)
            return []
        said: list[str] = []
        for _ in range(10):
            try:
                record.log_summary(record.updated, self.by)
                self.revision = self.store.save(record, self.revision, self.by, hold)
            except StoreConflict as conflict:
                said += self._merge(record, conflict)
                continue
            self.base = record.model_copy(deep=True)
            return said
        raise StoreError(
            f"session {self.record_id}: other runs kept saving it; this run's changes "
            "could not be merged in",
            hint="Try again in a moment.",
        )

    def _merge(self, record: SessionRecord, conflict: StoreConflict) -> list[str]:
        assert self.base is not None
        stored = conflict.stored
        found = clashes(self.base, record, stored, conflict.by, self.guide)
        keep: set[tuple[str, str]] = set()
        for clash in found:
            if self.decide is None:
                both = "; ".join(
                    f"{c.what}: this run {c.shown(c.mine)}, stored {c.shown(c.theirs)}"
                    for c in found
                )
                at = conflict.at.astimezone().isoformat(timespec="seconds")
                raise StoreError(
                    f"session {conflict.visit} was saved by {conflict.by or 'another run'} "
                    f"at {at} while this run had it open, and both changed the same "
                    f"answers ({both}): nothing of this run is saved",
                    hint="Resume the session again (it holds the other run's values) and "
                    "give the answer again if it still stands.",
                )
            if self.decide(clash):
                keep.add((clash.part, clash.key))
        taken: list[str] = [*_both_dosed(self.guide, self.base, record, stored)]
        merged = merge(self.base, record, stored, frozenset(keep), self.guide, taken)
        for name in type(record).model_fields:
            setattr(record, name, getattr(merged, name))
        self.base = stored.model_copy(deep=True)
        self.revision = conflict.revision
        who = conflict.by or "another run"
        at = conflict.at.astimezone().isoformat(timespec="seconds")
        said = [
            f"session {conflict.visit} was saved by {who} at {at} while this run had it "
            f"open: {conflict.message.split('; it changed ', 1)[-1].split(' (')[0]} "
            "kept, and this run's answers re-applied on top"
        ]
        said += [
            f"{c.what}: both runs changed it; kept "
            + ("this run's" if (c.part, c.key) in keep else f"{who}'s")
            + f" value ({c.shown(c.mine if (c.part, c.key) in keep else c.theirs)})"
            for c in found
        ]
        return said + taken


def _both_dosed(
    guide: Guide | None, base: SessionRecord, mine: SessionRecord, theirs: SessionRecord
) -> list[str]:
    """The words for two runs that each recorded the injection given on one visit since
    they read it: one dose is recorded, but two clinicians may each have given one."""
    key = guide.meta.report.injection_given if guide is not None else None
    if key is None:
        return []

    def given(r: SessionRecord) -> bool:
        answer = r.answers.get(key)
        return answer is not None and answer.value is True

    if given(base) or not (given(mine) and given(theirs)):
        return []
    return [both_dosed(key)]


def both_dosed(key: str) -> str:
    """What a run is told when it and another both answered the injection given on one
    visit (a save's merge, or the walk's reading before it records a dose)."""
    return (
        f"CHECK: this run and another both recorded the injection as given ({key}) on "
        "this visit: one dose is recorded; make sure only one injection was given"
    )
