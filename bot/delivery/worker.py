"""The delivery worker: sends the outbox at Telegram's speed, and not one message faster.

One asyncio task (started in post_init, drained in post_stop) loops:

1. keep the digest slots current (bot.delivery.digests) so digest rows get the right due time;
2. fetch due pending rows in batches, oldest first (a digest chat's rows become one job);
3. hand each job to a send task once its chat's spacing has passed, a concurrency slot is
   free and the global token bucket has a token (bot.delivery.pacing);
4. the send task calls sendMessage and records the outcome in SQLite before it frees its
   slot; Telegram's errors are classified in bot.telegram.errors.

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
import heapq
import itertools
import json
import logging
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.request import RequestData

from bot import subscriptions
from bot.chats import ChatDirectory
from bot.config import DeliveryLimits
from bot.delivery.digests import Clock, all_slots, system_clock
from bot.delivery.pacing import ChatPacer, global_bucket
from bot.delivery.publishing import ChannelFrame, digest_parts, update_parts
from bot.replies import NO_PREVIEW
from bot.telegram.errors import Action, Verdict, classify
from bot.telegram.ptb_private import RequestParameter
from storage import Store
from storage.models import ChatState, DueDelivery, UpdateRecord
from storage.outbox import OutboxEvent, OutboxRepo, SentMark

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)

BATCH = 500  # rows per fetch
MAX_HELD = 5000  # rows held in memory at most (queued, waiting for their chat, sending)
MAX_IDLE = 30.0  # seconds between polls when nothing is known to be due
DRAIN_SECONDS = 10.0  # how long SIGTERM waits for sends in flight
STARTUP_PAUSE = 1.0  # seconds: Telegram's sliding window
MAX_MIGRATIONS = 3  # a chat moved more often than this within one delivery is a loop
_TEXT_CACHE = 256
_RECORD_TRIES = 5


@dataclass(eq=False)
class _Job:
    """One message (or, for long texts, a series of parts) to one chat.

    An instant job completes one delivery row; a digest job completes all the rows it
    bundles, with one message.
    """

    chat_id: int
    chat_type: str
    language: str
    ids: tuple[int, ...]
    update_ids: tuple[int, ...]
    digest: bool
    attempts: int
    parts_sent: int
    message_id: int | None
    parts: list[str] | None = None
    migrations: int = 0

    @classmethod
    def of(cls, rows: list[DueDelivery]) -> _Job:
        first = rows[0]
        return cls(
            chat_id=first.chat_id,
            chat_type=first.chat_type,
            language=first.language,
            ids=tuple(r.id for r in rows),
            update_ids=tuple(r.update_id for r in rows),
            digest=first.digest,
            attempts=max(r.attempts for r in rows),
            parts_sent=first.parts_sent,
            message_id=first.message_id,
        )


def _text_key(job: _Job) -> tuple[tuple[int, ...], str, bool]:
    """What decides the text a job sends: its updates, its language, and whether it is
    framed as a channel post."""
    return job.update_ids, job.language, job.chat_type == "channel"


class _Recorder:
    """Group commit of sent marks: every send waits for its own mark to be committed,
    and all marks that arrive while one transaction runs share the next one."""

    def __init__(self, outbox: OutboxRepo) -> None:
        self._outbox = outbox
        self._queue: list[tuple[SentMark, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def record(self, mark: SentMark) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((mark, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            error: BaseException | None = None
            for attempt in range(_RECORD_TRIES):
                try:
                    await self._outbox.mark_sent([mark for mark, _ in batch])
                    error = None
                    break
                except Exception as exc:  # the database is busy or failing: bounded retries
                    error = exc
                    log.warning("recording %s sends failed (try %s): %s", len(batch), attempt, exc)
                    await asyncio.sleep(0.2 * 2**attempt)
            for _, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)


class DeliveryWorker:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        chats: ChatDirectory,
        limits: DeliveryLimits,
        timezone: ZoneInfo,
        clock: Clock = system_clock,
    ) -> None:
        self._bot = bot
        self._store = store
        self._outbox = store.outbox
        self._chats = chats
        self.limits = limits
        self._timezone = timezone
        self._clock = clock
        self._bucket = global_bucket(limits)
        self._pacer = ChatPacer(limits)
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._request = bot.request
        self._send_url = f"{bot.base_url}/sendMessage"
        options: dict[str, str] = {
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": json.dumps(NO_PREVIEW.to_dict()),
        }
        if limits.paid_broadcast:
            options["allow_paid_broadcast"] = "true"
        self._send_options = [RequestParameter(key, value, None) for key, value in options.items()]

        self._ready: deque[_Job] = deque()
        self._waiting: list[tuple[float, int, _Job]] = []  # heap by monotonic time
        self._order = itertools.count()
        self._held: set[int] = set()  # delivery ids in memory
        self._released_meanwhile: set[int] | None = None  # released during a fetch
        self._digest_chats: set[int] = set()  # chats whose digest job is held
        self._busy: set[int] = set()  # chats with a send in flight
        self._stopped_updates: set[int] = set()  # paused or cancelled since start
        self._moved: dict[int, int] = {}
        # (updates, language) whose text Telegram refused: no other chat is sent it.
        self._bad_texts: dict[tuple[tuple[int, ...], str, bool], str] = {}
        self._sending: set[asyncio.Task[None]] = set()
        self._records: OrderedDict[int, UpdateRecord | None] = OrderedDict()
        # (update, language, to a channel) -> the parts it goes out as
        self._rendered: OrderedDict[tuple[int, str, bool], list[str]] = OrderedDict()
        self._recorder = _Recorder(self._outbox)

        self._wakeup = asyncio.Event()
        self._dirty = True  # the database may hold due rows not fetched yet
        self._next_db_due: float | None = None
        self._next_slot_due: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self._stopping = False
        self.stats: Counter[str] = Counter()

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
        self._dirty = True
        self._wakeup.set()

    @property
    def in_flight(self) -> int:
        return len(self._sending)

    @property
    def idle(self) -> bool:
        """Nothing held in memory and nothing known to be due."""
        return not self._held and not self._sending and not self._dirty

    def _on_event(self, event: OutboxEvent) -> None:
        if event.kind in ("paused", "cancelled") and event.update_id is not None:
            stopped = event.update_id
            self._stopped_updates.add(stopped)
            self._purge(lambda job: stopped in job.update_ids)
        elif event.kind == "resumed" and event.update_id is not None:
            self._stopped_updates.discard(event.update_id)
        elif event.kind == "replanned" and event.chat_id is not None:
            chat = event.chat_id
            self._purge(lambda job: job.chat_id == chat and job.digest)
        elif event.kind == "edited" and event.update_id is not None:
            self._forget_texts(event.update_id)
        self.wake()

    def _forget_texts(self, update_id: int) -> None:
        """An admin corrected the update: render it again before its next first part.

        A text already partly sent keeps its old rendering, so its parts still fit together.
        """
        self._records.pop(update_id, None)
        for key in [key for key in self._rendered if key[0] == update_id]:
            del self._rendered[key]
        for job in [*self._ready, *(entry[2] for entry in self._waiting)]:
            if update_id in job.update_ids and job.parts_sent == 0:
                job.parts = None

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
        if self._next_slot_due is None or now >= self._next_slot_due:
            await self._refresh_slots(now)
        job = self._take()
        if job is not None:
            await self._dispatch(job)
        elif self._dirty and len(self._held) < MAX_HELD:
            await self._fetch(now)
        else:
            await self._idle(now)

    async def _refresh_slots(self, now: float) -> None:
        slots = all_slots(now, self._timezone)
        await self._outbox.set_slots(slots)
        self._next_slot_due = min(slot.due_at for slot in slots)
        self._dirty = True

    def _take(self) -> _Job | None:
        if self._waiting and self._waiting[0][0] <= time.monotonic():
            return heapq.heappop(self._waiting)[2]
        if self._ready:
            return self._ready.popleft()
        return None

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
                job = _Job.of(bundle)
                self._digest_chats.add(job.chat_id)
            else:
                job = _Job.of([row])
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

    async def _dispatch(self, job: _Job) -> None:
        if self._stale(job):
            self._release(job)
            return
        job.chat_id = self._moved.get(job.chat_id, job.chat_id)
        wait = self._pacer.wait(job.chat_id)
        if wait <= 0 and job.chat_id in self._busy:
            wait = 0.05  # its previous part or update is still on the way
        if wait > 0:
            self._defer(job, wait)
            return
        await self._slots.acquire()
        started = False
        try:
            # Pacing, not polling: each sleep is exactly the time until the next token.
            while (delay := self._bucket.wait()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(delay)
            if self._stale(job):
                self._release(job)
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

    def _stale(self, job: _Job) -> bool:
        return any(update in self._stopped_updates for update in job.update_ids)

    def _defer(self, job: _Job, seconds: float) -> None:
        heapq.heappush(self._waiting, (time.monotonic() + seconds, next(self._order), job))
        self._wakeup.set()

    def _release(self, job: _Job) -> None:
        """The job leaves memory; its rows are done, or back in the database for later."""
        self._held.difference_update(job.ids)
        if self._released_meanwhile is not None:
            self._released_meanwhile.update(job.ids)
        if job.digest:
            self._digest_chats.discard(job.chat_id)
            self._dirty = True  # the chat's next bundle may be due
        elif job.attempts:
            self._dirty = True  # newer rows of its chat wait until a retried row is done

    def _purge(self, drop: Callable[[_Job], bool]) -> None:
        kept: deque[_Job] = deque()
        for job in self._ready:
            if drop(job):
                self._release(job)
            else:
                kept.append(job)
        self._ready = kept
        waiting = []
        for entry in self._waiting:
            if drop(entry[2]):
                self._release(entry[2])
            else:
                waiting.append(entry)
        heapq.heapify(waiting)
        self._waiting = waiting

    # ------------------------------------------------------------------ one send

    async def _send(self, job: _Job) -> None:
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
            self._wakeup.set()

    async def _attempt(self, job: _Job) -> None:
        parts = job.parts if job.parts is not None else await self._render(job)
        if parts is None:
            await self._outbox.fail(job.ids, "the update has no text", job.attempts + 1)
            self._release(job)
            return
        job.parts = parts
        refused = self._bad_texts.get(_text_key(job))
        if refused is not None:
            await self._outbox.fail(job.ids, refused, job.attempts + 1)
            self._release(job)
            self.stats["failed"] += 1
            return
        try:
            message_id = await self._send_text(job.chat_id, parts[job.parts_sent])
        except TelegramError as exc:
            await self._failed(job, classify(exc))
            return
        if job.message_id is None:
            job.message_id = message_id
        job.parts_sent += 1
        if job.parts_sent < len(parts):
            await self._outbox.mark_progress(job.ids, job.parts_sent, job.message_id)
            self._defer(job, self._pacer.wait(job.chat_id))
            return
        await self._recorder.record(
            SentMark(
                ids=job.ids,
                chat_id=job.chat_id,
                message_id=job.message_id,
                language=job.language,
                parts=job.parts_sent,
                digest_at=self._clock() if job.digest else None,
            )
        )
        self._release(job)
        self.stats["digests" if job.digest else "sent"] += 1

    async def _send_text(self, chat_id: int, text: str) -> int:
        """sendMessage; returns the message's id.

        Straight to the bot's request object: PTB's Bot.send_message would build a Message
        (with its chat, sender, entities...) from every answer only for the worker to read
        message_id, and at a paid broadcast's 1000 sends a second that and the argument
        handling around it cost a fifth of the bot's CPU. BaseRequest.post still raises
        Telegram's errors as PTB's exception types, so classify() sees the same errors.
        The app sets no PTB Defaults and no rate limiter: this path would skip them.
        """
        result = await self._request.post(
            self._send_url,
            RequestData(
                [
                    RequestParameter("chat_id", str(chat_id), None),
                    RequestParameter("text", text, None),
                    *self._send_options,
                ]
            ),
        )
        return int(result["message_id"])  # type: ignore[call-overload,index]

    async def _render(self, job: _Job) -> list[str] | None:
        channel = job.chat_type == "channel"
        key = (job.update_ids[0], job.language, channel)
        if not job.digest and key in self._rendered:
            return self._rendered[key]
        records = [await self._record(update) for update in job.update_ids]
        present = [r for r in records if r is not None]
        if len(present) < len(records):
            return None
        frame = self.channel_frame(present[0]) if channel else None
        if job.digest:
            return digest_parts([r.texts for r in present], job.language, frame)
        parts = update_parts(present[0].texts, job.language, frame)
        self._rendered[key] = parts
        if len(self._rendered) > _TEXT_CACHE:
            self._rendered.popitem(last=False)
        return parts

    def channel_frame(self, record: UpdateRecord) -> ChannelFrame:
        """How the update reads as a channel post (a correction of it reads the same)."""
        return ChannelFrame(record.kind, record.created_at, self._bot.username, self._timezone)

    async def _record(self, update_id: int) -> UpdateRecord | None:
        """The update with its texts (None if it has none), cached."""
        if update_id not in self._records:
            record = await self._outbox.update(update_id)
            self._records[update_id] = record if record and record.texts else None
            if len(self._records) > _TEXT_CACHE:
                self._records.popitem(last=False)
        return self._records[update_id]

    async def _failed(self, job: _Job, verdict: Verdict) -> None:
        action = verdict.action
        if action is Action.FLOOD:
            # Not a failed attempt: Telegram said when to come back, and nothing is lost.
            self.stats["flood"] += 1
            log.warning(
                "chat %s: flood limit, sending again in %.1f s", job.chat_id, verdict.retry_after
            )
            self._bucket.pause_for(verdict.retry_after)
            self._pacer.hold(job.chat_id, verdict.retry_after)
            self._defer(job, verdict.retry_after)
        elif action is Action.MIGRATE and verdict.new_chat_id and job.migrations < MAX_MIGRATIONS:
            old, new = job.chat_id, verdict.new_chat_id
            await subscriptions.moved(self._chats, self._store, old, new)
            self._moved[old] = new
            if job.digest:
                self._digest_chats.discard(old)
                self._digest_chats.add(new)
            job.chat_id, job.chat_type = new, "supergroup"
            job.migrations += 1
            self.stats["migrated"] += 1
            self._defer(job, 0.0)
        elif action in (Action.BLOCKED, Action.GONE):
            state = ChatState.BLOCKED if action is Action.BLOCKED else ChatState.GONE
            if job.chat_type == "channel":  # the bot was removed or lost the right to post
                state = ChatState.GONE
            self.stats[state.value] += 1
            await subscriptions.unreachable(
                self._chats, self._store, job.chat_id, state, verdict.error
            )
            self._release(job)
            chat = job.chat_id
            self._purge(lambda other: other.chat_id == chat)
        elif action is Action.RETRY_LATER:
            await self._retry_later(job, verdict.error)
        else:
            if action is Action.BAD_TEXT:
                # The same text goes to every chat of this language: one refusal is enough.
                self._bad_texts[_text_key(job)] = verdict.error
            self.stats["failed"] += 1
            log.warning("chat %s: delivery failed for good: %s", job.chat_id, verdict.error)
            await self._outbox.fail(job.ids, verdict.error, job.attempts + 1)
            self._release(job)

    async def _retry_later(self, job: _Job, error: str) -> None:
        attempts = job.attempts + 1
        if attempts >= self.limits.max_attempts:
            self.stats["failed"] += 1
            log.warning(
                "chat %s: delivery failed after %s attempts: %s", job.chat_id, attempts, error
            )
            await self._outbox.fail(job.ids, error, attempts)
        else:
            delay = min(
                self.limits.retry_max_seconds, self.limits.retry_base_seconds * 2 ** (attempts - 1)
            )
            at = self._clock() + delay
            self.stats["retried"] += 1
            log.info("chat %s: %s; attempt %s in %.1f s", job.chat_id, error, attempts + 1, delay)
            await self._outbox.retry_later(job.ids, attempts, at, error)
            if self._next_db_due is None or at < self._next_db_due:
                self._next_db_due = at
        self._release(job)


# ---------------------------------------------------------------------- wiring


async def start_worker(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """post_init: start delivering (not for the offline console, whose sends go nowhere)."""
    data = application.bot_data
    if not data.deliver or data.store is None or data.chats is None:
        return
    worker = DeliveryWorker(
        application.bot,
        data.store,
        data.chats,
        data.settings.delivery,
        data.settings.timezone,
        data.clock,
    )
    await worker.start()
    data.delivery = worker


async def stop_worker(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """post_stop: finish the sends in flight, then stop."""
    worker = application.bot_data.delivery
    if worker is not None:
        application.bot_data.delivery = None
        await worker.stop()
