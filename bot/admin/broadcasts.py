"""/broadcasts' actions: pause, resume or cancel an update's deliveries, each audited."""

from __future__ import annotations

from enum import Enum

from storage import Store


class Action(Enum):
    """What an admin did to an update's deliveries; the value names it in the audit log and
    in the catalogue (admin.broadcasts.<value>)."""

    PAUSE = "paused"
    RESUME = "resumed"
    CANCEL = "cancelled"


async def apply(
    store: Store, admin_id: int, update_id: int, action: Action, now: float
) -> int | None:
    """How many deliveries changed (audited), or None for an update that does not exist."""
    outbox = store.outbox
    if await outbox.update(update_id) is None:
        return None
    if action is Action.PAUSE:
        changed = await outbox.pause(update_id)
    elif action is Action.RESUME:
        changed = await outbox.resume(update_id, now)
    else:
        changed = await outbox.cancel(update_id)
    await store.audit.record(
        admin_id, f"delivery.{action.value}", f"#{update_id}", f"deliveries={changed}"
    )
    return changed
