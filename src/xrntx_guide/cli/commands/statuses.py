"""Each visit's status in words, as every listing of visits says it (commands that list
visits, and the visits a label names): apart from the store and the listings, so that
both read it from one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...env import Environment
from ...errors import PackError, SessionError, UsageError
from ...store.refs import ENDED

if TYPE_CHECKING:
    from ...pack.guide import Guide


def status_words(
    env: Environment, store: Any, rows: list[Any], pack: Callable[[], Guide] | None = None
) -> dict[str, str]:
    """Each visit's status in words, as every listing of visits says it (`sessions`, the
    visits a label names, a new visit's earlier ones). A training run says so. A visit that
    ended the treatment stops at the gate that says so, which the store keeps as
    'blocked': it is 'treatment ended' (read as the patient's record reads it,
    visit/history.py), since it ended where it should. The pack is read only when a
    blocked visit is listed; one that cannot be read leaves the stored status. ``pack``:
    the command's own pack (read once, when first asked for), else the default one."""
    out = {
        r.id: r.status.replace("_", " ") + (" (training run)" if r.training else "") for r in rows
    }
    blocked = [r for r in rows if r.status == "blocked" and not r.training]
    if not blocked:
        return out
    # seam: the record (pydantic), only when a blocked visit is listed
    from ...visit.history import entry
    from .basics import lazy_pack  # seam: the pack, only when a blocked visit is listed

    try:
        guide = (pack or lazy_pack(env, None, None))()
    except (PackError, UsageError):  # the listing never fails for want of a pack
        return out
    for r in blocked:
        if r.guide_id != guide.meta.id:
            continue
        try:
            facts = store.visit_facts(r.id)  # kept beside the record: no record model built
        except SessionError:  # an unreadable record is listed as stored
            continue
        if entry(guide, facts).ended:
            out[r.id] = ENDED
    return out
