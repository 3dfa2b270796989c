"""The outbox: announced updates and one delivery row per (update, chat), with domain verbs.

Publishing writes the update, its texts and every subscriber's row in one transaction. The
delivery worker reads due rows through the partial index `deliveries_due` and records each
outcome here.

Listeners (the worker) are told after each commit that changes what is due, so a new
update goes out at once and a paused one stops at once, without polling; a verb run inside a
larger transaction tells them after its outermost commit, and a rollback tells them nothing.

`OutboxRepo` is one repository to its callers; its verbs live in one module per user:
publishing, the worker, digest planning, the admins' control and their statistics.
"""

from storage.outbox.base import KINDS, Listener, OutboxEvent
from storage.outbox.control import UpdateControl
from storage.outbox.digests import DigestPlanning
from storage.outbox.publishing import Publishing
from storage.outbox.stats import DeliveryStats
from storage.outbox.worker import SentMark, WorkerVerbs

__all__ = ["KINDS", "Listener", "OutboxEvent", "OutboxRepo", "SentMark"]


class OutboxRepo(Publishing, WorkerVerbs, DigestPlanning, UpdateControl, DeliveryStats):
    """Every outbox verb over one connection and one list of listeners."""
