"""The delivery worker: sends the outbox at Telegram's speed, and not one message faster.

One asyncio task (started in post_init, drained in post_stop) loops:

1. keep the digest slots current (bot.delivery.digests) so digest rows get the right due time;
2. fetch due pending rows in batches, oldest first (a digest chat's rows become one job);
3. hand each job to a send task once its chat's spacing has passed, a concurrency slot is
   free and the global token bucket has a token (bot.delivery.pacing);
4. the send task calls sendMessage and records the outcome in SQLite before it frees its
   slot; Telegram's errors are classified in bot.telegram.errors.

This module keeps the loop, the limits and the crash bound; the parts it drives each have
one job: bot.delivery.schedule (what is due and when), bot.delivery.rendering (the texts and
their cache), bot.delivery.sending (sendMessage) and bot.delivery.outcomes (what Telegram's
answer means, and the rows updated to match).

Crash safety: a delivery is marked sent only after Telegram accepted it, and a send holds
its slot until that mark is committed. So at any moment at most `concurrency` messages can
have been accepted without being recorded: after SIGKILL at most that many go out twice, and
nothing is lost (everything unrecorded is still `pending` and is sent after the restart).
SIGTERM stops taking new work and waits for the sends in flight (up to DRAIN_SECONDS).

Nothing is persisted in the JobQueue: pending rows, their due times and the digest slots
are all in SQLite, so a restart simply carries on (a digest missed while the bot was down is
due in the past, so it goes out once at start; then the row is sent and never due again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError

from bot.chats import ChatDirectory
from bot.config import DeliveryLimits, Settings
from bot.delivery.digests import Clock, system_clock
from bot.delivery.jobs import Job
from bot.delivery.outcomes import Outcomes
from bot.delivery.pacing import ChatPacer, global_bucket
from bot.delivery.rendering import Renderer
from bot.delivery.schedule import Schedule
from bot.delivery.sending import Sender
from storage import Store
from storage.outbox import OutboxEvent

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # how long SIGTERM waits for sends in flight
STARTUP_PAUSE = 1.0  # seconds: Telegram's sliding window
BUSY_RECHECK = 0.05  # seconds: a chat's previous part or update is still on the way


class DeliveryWorker:
    """The loop: takes due jobs from the schedule and sends each under Telegram's limits."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        chats: ChatDirectory,
        limits: DeliveryLimits,
        timezone: ZoneInfo,
        clock: Clock = system_clock,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._outbox = store.outbox
        self._bucket = global_bucket(limits)
        self._pacer = ChatPacer(limits)
        self._slots = asyncio.Semaphore(limits.concurrency)
        self.stats: Counter[str] = Counter()
        self._schedule = Schedule(store.outbox, timezone, clock)
        self._renderer = Renderer(bot, store.outbox, timezone)
        self._sender = Sender(bot, limits)
        self._outcomes = Outcomes(
            store, chats, self._schedule, self._bucket, self._pacer, limits, clock, self.stats
        )
        self._busy: set[int] = set()  # chats with a send in flight
        self._sending: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        # A process that just started cannot know what a predecessor it replaces (after a
        # crash, say) sent within the last second; waiting out one window keeps it clean.
        self._bucket.pause_for(STARTUP_PAUSE)
        self._unlisten = self._outbox.listen(self._on_event)
        self._task = asyncio.create_task(self._run(), name="delivery-worker")
        log.info(
            "delivery worker started: %.0f msg/s overall%s, %s concurrent sends",
            self.limits.overall_per_second,
            " (paid broadcast)" if self.limits.paid_broadcast else "",
            self.limits.concurrency,
        )

    async def stop(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Take no new work, let the sends in flight finish and record, then return."""
        self._stopping = True
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        in_flight = set(self._sending)
        if in_flight:
            log.info("delivery: waiting for %s sends in flight", len(in_flight))
            _, late = await asyncio.wait(in_flight, timeout=drain_seconds)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
                log.warning("delivery: %s sends cut short at stop", len(late))
        log.info("delivery worker stopped (%s)", dict(self.stats) or "nothing sent")

    def wake(self) -> None:
        """Look at the database again now (tests call it after moving their clock)."""
        self._schedule.wake()

    @property
    def in_flight(self) -> int:
        return len(self._sending)

    @property
    def idle(self) -> bool:
        """Nothing held in memory and nothing known to be due."""
        return self._schedule.empty and not self._sending

    def _on_event(self, event: OutboxEvent) -> None:
        if event.kind == "edited" and event.update_id is not None:
            self._renderer.forget(event.update_id, self._schedule.queued())
        self._schedule.on_event(event)

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self._step()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database or a bug: log, wait a little (longer each time), carry on.
                failures += 1
                log.exception("delivery loop failed (%s in a row)", failures)
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))

    async def _step(self) -> None:
        now = self._clock()
        await self._schedule.keep_slots(now)
        job = self._schedule.take()
        if job is not None:
            await self._dispatch(job)
        else:
            await self._schedule.fill_or_wait(now)

    async def _dispatch(self, job: Job) -> None:
        """Start the job's send once its chat's spacing has passed, a concurrency slot is
        free and the global bucket has a token; or put it back to wait for its chat."""
        schedule = self._schedule
        if schedule.stale(job):
            schedule.release(job)
            return
        wait = self._pacer.wait(job.chat_id)
        if wait <= 0 and job.chat_id in self._busy:
            wait = BUSY_RECHECK
        if wait > 0:
            schedule.defer(job, wait)
            return
        await self._slots.acquire()
        started = False
        try:
            # Pacing, not polling: each sleep is exactly the time until the next token.
            while (delay := self._bucket.wait()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(delay)
            if schedule.stale(job):
                schedule.release(job)
                return
            self._bucket.take()
            self._pacer.sent(job.chat_id, job.chat_type)
            self._busy.add(job.chat_id)
            task = asyncio.create_task(self._send(job))
            started = True
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        finally:
            if not started:
                self._slots.release()

    # ------------------------------------------------------------------ one send

    async def _send(self, job: Job) -> None:
        """One part, its outcome recorded before the slot is free (the crash bound)."""
        try:
            await self._attempt(job)
        except Exception:
            # A bug or a failing database while recording: keep the rows held so this
            # process does not send them again; a restart retries them (at most a duplicate).
            log.exception("chat %s: delivery of rows %s failed unexpectedly", job.chat_id, job.ids)
            self.stats["errors"] += 1
        finally:
            self._busy.discard(job.chat_id)
            self._slots.release()
            self._schedule.nudge()

    async def _attempt(self, job: Job) -> None:
        outcomes = self._outcomes
        parts = job.parts if job.parts is not None else await self._renderer.parts(job)
        if parts is None:
            await outcomes.no_text(job)
            return
        job.parts = parts
        if await outcomes.refused_before(job):
            return
        try:
            message_id = await self._sender.send(job.chat_id, parts[job.parts_sent])
        except TelegramError as exc:
            await outcomes.refused(job, exc)
            return
        await outcomes.accepted(job, parts, message_id)


# ---------------------------------------------------------------------- wiring


async def start_worker(
    bot: Bot,
    store: Store,
    chats: ChatDirectory,
    settings: Settings,
    clock: Callable[[], float],
) -> DeliveryWorker:
    """post_init: a started worker for the composition root to keep (and stop at post_stop)."""
    worker = DeliveryWorker(bot, store, chats, settings.delivery, settings.timezone, clock)
    await worker.start()
    return worker
