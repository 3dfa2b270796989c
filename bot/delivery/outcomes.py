"""What Telegram's answer to a send means, and the rows updated to match.

Accepted: the next part, or the rows marked sent (group-committed by the Recorder, which the
send awaits before it frees its slot: that is the worker's crash bound). Refused: the error is
classified (bot.telegram.errors) and the job comes back after a flood wait, follows its group
to a supergroup, marks its chat blocked or gone, is retried later with a backoff, or fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from telegram.error import TelegramError

from bot import subscriptions
from bot.chats import ChatDirectory
from bot.config import DeliveryLimits
from bot.delivery.digests import Clock
from bot.delivery.jobs import Job, TextKey
from bot.delivery.pacing import ChatPacer, TokenBucket
from bot.delivery.schedule import Schedule
from bot.telegram.errors import Action, Verdict, classify
from storage import Store
from storage.models import ChatState
from storage.outbox import OutboxRepo, SentMark

log = logging.getLogger(__name__)

MAX_MIGRATIONS = 3  # a chat moved more often than this within one delivery is a loop
_RECORD_TRIES = 5


class Recorder:
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


class Outcomes:
    """Records what became of each send, in SQLite and in the schedule; counts it in `stats`."""

    def __init__(
        self,
        store: Store,
        chats: ChatDirectory,
        schedule: Schedule,
        bucket: TokenBucket,
        pacer: ChatPacer,
        limits: DeliveryLimits,
        clock: Clock,
        stats: Counter[str],
    ) -> None:
        self._store = store
        self._outbox = store.outbox
        self._chats = chats
        self._schedule = schedule
        self._bucket = bucket
        self._pacer = pacer
        self._limits = limits
        self._clock = clock
        self.stats = stats
        self._recorder = Recorder(self._outbox)
        # Texts Telegram refused, with its error: no other chat is sent them.
        self._bad_texts: dict[TextKey, str] = {}

    async def no_text(self, job: Job) -> None:
        """One of the job's updates has no text (any more): nothing to send."""
        await self._outbox.fail(job.ids, "the update has no text", job.attempts + 1)
        self._schedule.release(job)

    async def refused_before(self, job: Job) -> bool:
        """Fail the job without sending if Telegram already refused its text elsewhere."""
        refused = self._bad_texts.get(job.text_key)
        if refused is None:
            return False
        await self._outbox.fail(job.ids, refused, job.attempts + 1)
        self._schedule.release(job)
        self.stats["failed"] += 1
        return True

    async def accepted(self, job: Job, parts: list[str], message_id: int) -> None:
        """Telegram took the part: send the next one, or mark the rows sent."""
        if job.message_id is None:
            job.message_id = message_id
        job.parts_sent += 1
        if job.parts_sent < len(parts):
            await self._outbox.mark_progress(job.ids, job.parts_sent, job.message_id)
            self._schedule.defer(job, self._pacer.wait(job.chat_id))
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
        self._schedule.release(job)
        self.stats["digests" if job.digest else "sent"] += 1

    async def refused(self, job: Job, exc: TelegramError) -> None:
        """Telegram refused the send: act on what its error means."""
        verdict = classify(exc)
        action = verdict.action
        if action is Action.FLOOD:
            # Not a failed attempt: Telegram said when to come back, and nothing is lost.
            self.stats["flood"] += 1
            log.warning(
                "chat %s: flood limit, sending again in %.1f s", job.chat_id, verdict.retry_after
            )
            self._bucket.pause_for(verdict.retry_after)
            self._pacer.hold(job.chat_id, verdict.retry_after)
            self._schedule.defer(job, verdict.retry_after)
        elif action is Action.MIGRATE and verdict.new_chat_id and job.migrations < MAX_MIGRATIONS:
            await self._migrated(job, verdict.new_chat_id)
        elif action in (Action.BLOCKED, Action.GONE):
            await self._unreachable(job, verdict)
        elif action is Action.RETRY_LATER:
            await self._retry_later(job, verdict.error)
        else:
            if action is Action.BAD_TEXT:
                # The same text goes to every chat of this language: one refusal is enough.
                self._bad_texts[job.text_key] = verdict.error
            self.stats["failed"] += 1
            log.warning("chat %s: delivery failed for good: %s", job.chat_id, verdict.error)
            await self._outbox.fail(job.ids, verdict.error, job.attempts + 1)
            self._schedule.release(job)

    async def _migrated(self, job: Job, new_chat_id: int) -> None:
        await subscriptions.moved(self._chats, self._store, job.chat_id, new_chat_id)
        self._schedule.chat_moved(job, new_chat_id)
        job.chat_id, job.chat_type = new_chat_id, "supergroup"
        job.migrations += 1
        self.stats["migrated"] += 1
        self._schedule.defer(job, 0.0)

    async def _unreachable(self, job: Job, verdict: Verdict) -> None:
        state = ChatState.BLOCKED if verdict.action is Action.BLOCKED else ChatState.GONE
        if job.to_channel:  # the bot was removed or lost the right to post
            state = ChatState.GONE
        self.stats[state.value] += 1
        await subscriptions.unreachable(self._chats, self._store, job.chat_id, state, verdict.error)
        self._schedule.release(job)
        chat = job.chat_id
        self._schedule.purge(lambda other: other.chat_id == chat)

    async def _retry_later(self, job: Job, error: str) -> None:
        attempts = job.attempts + 1
        limits = self._limits
        if attempts >= limits.max_attempts:
            self.stats["failed"] += 1
            log.warning(
                "chat %s: delivery failed after %s attempts: %s", job.chat_id, attempts, error
            )
            await self._outbox.fail(job.ids, error, attempts)
        else:
            delay = min(limits.retry_max_seconds, limits.retry_base_seconds * 2 ** (attempts - 1))
            at = self._clock() + delay
            self.stats["retried"] += 1
            log.info("chat %s: %s; attempt %s in %.1f s", job.chat_id, error, attempts + 1, delay)
            await self._outbox.retry_later(job.ids, attempts, at, error)
            self._schedule.due_at(at)
        self._schedule.release(job)
