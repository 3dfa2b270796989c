"""What is due and when: the jobs the delivery worker holds, and when to look for more.

Due rows live in SQLite; the schedule holds at most MAX_HELD of them in memory as jobs, ready
now or waiting (for their chat's spacing, a flood wait, the next part of a long text). It
reads the database again only when it may hold something new (`dirty`: an outbox event, a
released digest or retried row, a known due time reached) and otherwise sleeps until the
earliest thing it knows of: a waiting job, the next due row, the next digest slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from bot.delivery.digests import Clock, all_slots
from bot.delivery.jobs import Job
from storage.models import DueDelivery
from storage.outbox import OutboxEvent, OutboxRepo

BATCH = 500  # rows per fetch
MAX_HELD = 5000  # rows held in memory at most (queued, waiting for their chat, sending)
MAX_IDLE = 30.0  # seconds between polls when nothing is known to be due


class Schedule:
    """The jobs in memory, the rows they hold, and the next time anything is due."""

    def __init__(self, outbox: OutboxRepo, timezone: ZoneInfo, clock: Clock) -> None:
        self._outbox = outbox
        self._timezone = timezone
        self._clock = clock
        self._ready: deque[Job] = deque()
        self._waiting: list[tuple[float, int, Job]] = []  # heap by monotonic time
        self._order = itertools.count()
        self._held: set[int] = set()  # delivery ids in memory
        self._released_meanwhile: set[int] | None = None  # released during a fetch
        self._digest_chats: set[int] = set()  # chats whose digest job is held
        self._stopped_updates: set[int] = set()  # paused or cancelled since start
        self._moved: dict[int, int] = {}  # group -> the supergroup it became
        self._wakeup = asyncio.Event()
        self._dirty = True  # the database may hold due rows not fetched yet
        self._next_db_due: float | None = None
        self._next_slot_due: float | None = None

    @property
    def empty(self) -> bool:
        """Nothing held in memory and nothing known to be due."""
        return not self._held and not self._dirty

    def wake(self) -> None:
        """Look at the database again now."""
        self._dirty = True
        self._wakeup.set()

    def nudge(self) -> None:
        """Something in memory changed (a send finished): look at the jobs again."""
        self._wakeup.set()

    def on_event(self, event: OutboxEvent) -> None:
        """Drop the jobs an admin stopped or a chat replanned; anything may be due now."""
        if event.kind in ("paused", "cancelled") and event.update_id is not None:
            stopped = event.update_id
            self._stopped_updates.add(stopped)
            self.purge(lambda job: stopped in job.update_ids)
        elif event.kind == "resumed" and event.update_id is not None:
            self._stopped_updates.discard(event.update_id)
        elif event.kind == "replanned" and event.chat_id is not None:
            chat = event.chat_id
            self.purge(lambda job: job.chat_id == chat and job.digest)
        self.wake()

    def queued(self) -> Iterator[Job]:
        """The jobs not being sent right now."""
        yield from self._ready
        yield from (entry[2] for entry in self._waiting)

    # ------------------------------------------------------------------ due times

    async def keep_slots(self, now: float) -> None:
        """Keep the digest slots current, so digest rows get the right due time."""
        if self._next_slot_due is not None and now < self._next_slot_due:
            return
        slots = all_slots(now, self._timezone)
        await self._outbox.set_slots(slots)
        self._next_slot_due = min(slot.due_at for slot in slots)
        self._dirty = True

    def due_at(self, at: float) -> None:
        """A row was put back to be due at `at` (wall clock)."""
        if self._next_db_due is None or at < self._next_db_due:
            self._next_db_due = at

    def take(self) -> Job | None:
        """The next job to send, addressed to where its chat lives now."""
        job: Job | None = None
        if self._waiting and self._waiting[0][0] <= time.monotonic():
            job = heapq.heappop(self._waiting)[2]
        elif self._ready:
            job = self._ready.popleft()
        if job is not None:
            job.chat_id = self._moved.get(job.chat_id, job.chat_id)
        return job

    async def fill_or_wait(self, now: float) -> None:
        """Read due rows if there may be some and room for them; otherwise sleep until
        something is due or someone wakes the schedule."""
        if self._dirty and len(self._held) < MAX_HELD:
            await self._fetch(now)
        else:
            await self._idle(now)

    async def _fetch(self, now: float) -> None:
        # A read spans several round trips to the database thread; a send task may commit
        # and release its rows meanwhile, and the read may still show them pending. Rows
        # released during the fetch are therefore left for the next one.
        self._released_meanwhile = set()
        try:
            await self._fetch_rows(now)
        finally:
            self._released_meanwhile = None

    async def _fetch_rows(self, now: float) -> None:
        limit = BATCH + len(self._held)
        rows = await self._outbox.due(now, limit)
        fresh = 0
        for row in rows:
            if self._taken(row):
                continue
            if row.digest:
                if row.chat_id in self._digest_chats:
                    continue
                bundle = [
                    d
                    for d in await self._outbox.digest_bundle(row.chat_id, now)
                    if not self._taken(d)
                ]
                if not bundle:
                    continue
                job = Job.of(bundle)
                self._digest_chats.add(job.chat_id)
            else:
                job = Job.of([row])
            self._held.update(job.ids)
            self._ready.append(job)
            fresh += 1
        if len(rows) < limit or not fresh:
            self._dirty = bool(self._released_meanwhile)
            self._next_db_due = await self._outbox.next_due_after(now)

    def _taken(self, row: DueDelivery) -> bool:
        """Held in memory, just released (possibly read stale), or of a stopped update."""
        meanwhile = self._released_meanwhile
        return (
            row.id in self._held
            or (meanwhile is not None and row.id in meanwhile)
            or row.update_id in self._stopped_updates
        )

    async def _idle(self, now: float) -> None:
        timeout = MAX_IDLE
        if self._waiting:
            timeout = min(timeout, self._waiting[0][0] - time.monotonic())
        for due in (self._next_db_due, self._next_slot_due):
            if due is not None:
                timeout = min(timeout, due - now)
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)
        self._wakeup.clear()
        now = self._clock()
        due = self._next_db_due
        if timeout >= MAX_IDLE or (due is not None and now >= due):
            self._dirty = True

    # ------------------------------------------------------------------ jobs

    def stale(self, job: Job) -> bool:
        """An admin paused or cancelled one of the job's updates since it was read."""
        return any(update in self._stopped_updates for update in job.update_ids)

    def defer(self, job: Job, seconds: float) -> None:
        heapq.heappush(self._waiting, (time.monotonic() + seconds, next(self._order), job))
        self._wakeup.set()

    def release(self, job: Job) -> None:
        """The job leaves memory; its rows are done, or back in the database for later."""
        self._held.difference_update(job.ids)
        if self._released_meanwhile is not None:
            self._released_meanwhile.update(job.ids)
        if job.digest:
            self._digest_chats.discard(job.chat_id)
            self._dirty = True  # the chat's next bundle may be due
        elif job.attempts:
            self._dirty = True  # newer rows of its chat wait until a retried row is done

    def purge(self, drop: Callable[[Job], bool]) -> None:
        """Release the queued jobs `drop` picks (a job being sent finishes first)."""
        kept: deque[Job] = deque()
        for job in self._ready:
            if drop(job):
                self.release(job)
            else:
                kept.append(job)
        self._ready = kept
        waiting = []
        for entry in self._waiting:
            if drop(entry[2]):
                self.release(entry[2])
            else:
                waiting.append(entry)
        heapq.heapify(waiting)
        self._waiting = waiting

    def chat_moved(self, job: Job, new_chat_id: int) -> None:
        """The job's group became a supergroup: its jobs go there from now on."""
        old = job.chat_id
        self._moved[old] = new_chat_id
        if job.digest:
            self._digest_chats.discard(old)
            self._digest_chats.add(new_chat_id)
