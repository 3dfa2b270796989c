"""Delivery building blocks: error classes, pacing, digest times, rendering, settings, SQL plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.config import DeliveryLimits, load_settings
from bot.delivery.digests import all_slots, next_digest, next_occurrence
from bot.delivery.pacing import HEADROOM, ChatPacer, TokenBucket, global_bucket
from bot.delivery.publishing import Announcement, digest_parts, pick_language, publish, update_parts
from bot.delivery.textsplit import TELEGRAM_LIMIT
from bot.errors import ConfigError
from bot.telegram.errors import Action, classify
from storage import Store, open_store
from storage.models import Mode
from tests.delivery_helpers import ALMATY, add_subscribers, almaty

# ---------------------------------------------------------------------- Telegram errors


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (RetryAfter(7), Action.FLOOD),
        (ChatMigrated(-100123), Action.MIGRATE),
        (Forbidden("Forbidden: bot was blocked by the user"), Action.BLOCKED),
        (Forbidden("Forbidden: user is deactivated"), Action.BLOCKED),
        (BadRequest("Chat not found"), Action.GONE),
        (BadRequest("Can't parse entities: unclosed start tag"), Action.BAD_TEXT),
        (BadRequest("Bad Request: message to reply not found"), Action.PERMANENT),
        (TimedOut(), Action.RETRY_LATER),
        (NetworkError("Bad Gateway"), Action.RETRY_LATER),
        (NetworkError("Internal Server Error (500)"), Action.RETRY_LATER),
        (InvalidToken("Unauthorized"), Action.PERMANENT),
    ],
)
def test_each_telegram_error_has_one_action(error: Any, action: Action) -> None:
    verdict = classify(error)
    assert verdict.action is action
    if action is Action.FLOOD:
        assert verdict.retry_after == 7
    if action is Action.MIGRATE:
        assert verdict.new_chat_id == -100123


# ---------------------------------------------------------------------- pacing


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spaces_sends_and_pauses_after_a_429() -> None:
    ticks = Ticks()
    bucket = TokenBucket(rate=10, burst=1, clock=ticks)
    assert bucket.wait() == 0
    bucket.take()
    assert bucket.wait() == pytest.approx(0.1)
    ticks.now += 0.1
    assert bucket.wait() == 0
    bucket.take()
    bucket.pause_for(3)
    assert bucket.wait() == pytest.approx(3)
    ticks.now += 3
    assert bucket.wait() == pytest.approx(0.1)


def test_the_global_bucket_never_fills_a_one_second_window() -> None:
    for limits in (DeliveryLimits(), DeliveryLimits(paid_broadcast=True)):
        ticks = Ticks()
        bucket = global_bucket(limits, ticks)
        stamps = []
        while ticks.now < 103:
            if bucket.wait() == 0:
                bucket.take()
                stamps.append(ticks.now)
            ticks.now += 0.0001
        ceiling = limits.overall_per_second
        busiest = max(
            sum(1 for t in stamps if start <= t < start + 1.0)
            for start in stamps[: len(stamps) // 2]
        )
        assert ceiling * 0.95 <= busiest <= ceiling, (ceiling, busiest)


def test_chat_pacer_spaces_private_chats_and_groups() -> None:
    ticks = Ticks()
    pacer = ChatPacer(DeliveryLimits(), ticks)
    pacer.sent(1, "private")
    pacer.sent(-1, "group")
    assert pacer.wait(1) == pytest.approx(1 / HEADROOM)
    assert pacer.wait(-1) == pytest.approx(3 / HEADROOM)
    assert pacer.wait(2) == 0


# ---------------------------------------------------------------------- digest times


def test_digest_times_in_almaty() -> None:
    at = almaty(2025, 12, 3, 8, 0).timestamp()  # Wednesday
    assert next_occurrence(at, ALMATY, 9) == almaty(2025, 12, 3, 9).timestamp()
    nine = almaty(2025, 12, 3, 9).timestamp()
    assert next_occurrence(nine, ALMATY, 9) == almaty(2025, 12, 4, 9).timestamp()
    assert next_occurrence(at, ALMATY, 9, 0) == almaty(2025, 12, 8, 9).timestamp()
    assert next_occurrence(at, ALMATY, 9, 2) == almaty(2025, 12, 3, 9).timestamp()
    assert next_occurrence(nine, ALMATY, 9, 2) == almaty(2025, 12, 10, 9).timestamp()
    assert dt.datetime.fromtimestamp(nine, dt.UTC).hour == 4  # Almaty is UTC+5
    assert next_digest(at, ALMATY, Mode.INSTANT, 9, 0) is None
    slots = all_slots(at, ALMATY)
    assert len(slots) == 24 + 7 * 24 and all(slot.due_at > at for slot in slots)


def test_digest_times_follow_daylight_saving_time() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    before = dt.datetime(2026, 3, 28, 12, tzinfo=brussels).timestamp()
    after = next_occurrence(before, brussels, 9)
    assert dt.datetime.fromtimestamp(after, dt.UTC).hour == 7  # 09:00 CEST


# ---------------------------------------------------------------------- rendering


def test_announcement_checks_its_texts() -> None:
    with pytest.raises(ValueError, match="kind"):
        Announcement("gossip", {"ru": "x"})
    with pytest.raises(ValueError, match="at least one"):
        Announcement("news", {})
    with pytest.raises(ValueError, match="unknown language"):
        Announcement("news", {"de": "x"})
    with pytest.raises(ValueError, match="empty"):
        Announcement("news", {"ru": "  "})


def test_a_missing_language_falls_back_ru_en_kk_with_a_note() -> None:
    assert pick_language({"kk", "en"}, "ru") == "en"
    assert pick_language({"kk"}, "en") == "kk"
    assert pick_language({"ru", "en"}, "kk") == "ru"
    (kk,) = update_parts({"en": "<b>Hello</b>"}, "kk")
    assert kk == "<i>Бұл хабарлама тек ағылшын тілінде бар.</i>\n\n<b>Hello</b>"


def test_a_digest_item_longer_than_a_message_is_cut_on_its_paragraphs() -> None:
    paragraph = "Сөйлем. " * 100
    huge = "\n\n".join([paragraph] * 8)  # ~6400 characters
    parts = digest_parts([{"kk": "Қысқа"}, {"kk": huge}], "kk")
    assert len(parts) == 2
    assert all(len(part) <= TELEGRAM_LIMIT for part in parts)
    assert parts[0].startswith("<b>📬 Келіссөздер дайджесті</b>: 2 жаңалық\n\nҚысқа\n\nСөйлем.")
    assert parts[0].endswith(paragraph.strip()) and parts[1].startswith(paragraph.strip())
    assert parts[1].endswith("Жазылымды баптау — /settings.")
    assert sum(part.count("Сөйлем.") for part in parts) == 800


# ---------------------------------------------------------------------- settings


def test_delivery_settings_are_read_and_checked() -> None:
    settings = load_settings(
        {
            "DELIVERY_GLOBAL_PER_SECOND": "20",
            "DELIVERY_GROUP_PER_MINUTE": "10",
            "ALLOW_PAID_BROADCAST": "true",
            "DELIVERY_CONCURRENCY": "32",
        }
    )
    limits = settings.delivery
    assert (limits.global_per_second, limits.group_per_minute, limits.concurrency) == (20, 10, 32)
    assert limits.paid_broadcast and limits.overall_per_second == 1000
    assert load_settings({}).delivery.overall_per_second == 30
    # Enough sends in flight by default for each ceiling, unless set.
    assert load_settings({}).delivery.concurrency == 16
    assert load_settings({"ALLOW_PAID_BROADCAST": "yes"}).delivery.concurrency == 128
    for variable, value in [
        ("DELIVERY_GLOBAL_PER_SECOND", "fast"),
        ("DELIVERY_CONCURRENCY", "0"),
        ("ALLOW_PAID_BROADCAST", "maybe"),
    ]:
        with pytest.raises(ConfigError) as caught:
            load_settings({variable: value})
        assert caught.value.variable == variable


# ---------------------------------------------------------------------- the repository

PARTIAL = ("deliveries_due", "deliveries_chat", "deliveries_failed")


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    opened = await open_store(tmp_path / "outbox.sqlite3")
    yield opened
    await opened.close()


async def test_publish_queues_active_subscribers_with_their_digest_slot(store: Store) -> None:
    now = almaty(2025, 12, 3, 8).timestamp()
    await store.outbox.set_slots(all_slots(now, ALMATY))
    await add_subscribers(store, [1, 2])
    await add_subscribers(store, [3], mode=Mode.DAILY, hour=9)
    await add_subscribers(store, [4], mode=Mode.WEEKLY, hour=18, weekday=0)
    await add_subscribers(store, [5], mode=Mode.OFF)
    published = await publish(store, Announcement("milestone", {"ru": "x"}, milestone_id=None))
    assert published.queued == 4
    rows = await store.db.fetchall(
        "SELECT chat_id, next_attempt_at, due_at FROM deliveries ORDER BY chat_id"
    )
    assert [tuple(r) for r in rows] == [
        (1, 0, None),
        (2, 0, None),
        (3, almaty(2025, 12, 3, 9).timestamp(), almaty(2025, 12, 3, 9).timestamp()),
        (4, almaty(2025, 12, 8, 18).timestamp(), almaty(2025, 12, 8, 18).timestamp()),
    ]
    # Pause, then resume after the digest time passed: the digest row waits for the next one.
    assert await store.outbox.pause(published.update_id) == 4
    later = almaty(2025, 12, 3, 10).timestamp()
    await store.outbox.set_slots(all_slots(later, ALMATY))
    assert await store.outbox.resume(published.update_id, now=later) == 4
    due = await store.db.fetchval("SELECT due_at FROM deliveries WHERE chat_id = 3")
    assert due == almaty(2025, 12, 4, 9).timestamp()
    assert (await store.outbox.counts(published.update_id)).pending == 4


async def test_worker_and_admin_queries_use_indexes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_subscribers(store, range(1, 200))
    update = (await publish(store, Announcement("news", {"ru": "x"}))).update_id
    # No ANALYZE: a production database has no statistics either.
    seen: list[tuple[str, Any]] = []
    db = store.db
    for name in ("fetchall", "fetchone", "fetchval", "execute"):
        original = getattr(db, name)

        async def recording(sql: str, params: Any = (), _original: Any = original) -> Any:
            seen.append((sql, params))
            return await _original(sql, params)

        monkeypatch.setattr(db, name, recording)
    outbox = store.outbox
    await outbox.due(1e12, 100)
    await outbox.digest_bundle(5, 1e12)
    await outbox.next_due_after(0)
    await outbox.counts(update)
    await store.corrections.queue(update, admin_id=1)
    await store.corrections.next(update, 10)
    await store.corrections.updates_queued()
    await store.corrections.finish(update)
    await outbox.common_errors(update)
    await outbox.common_errors()
    await outbox.progress([update], errors=3)
    await outbox.latest_progress(5, errors=3)
    await outbox.unfinished_progress(8)
    await outbox.skip_chat(7, "blocked")
    await outbox.follow_chat(8, -1008)
    await outbox.replan_chat(9, Mode.OFF, 0)
    await outbox.pause(update)
    await outbox.resume(update, now=0)
    await outbox.cancel(update)
    monkeypatch.undo()
    for sql, params in seen:
        if sql.startswith(("SELECT changes()", "INSERT")):
            continue
        plan = " | ".join(row[3] for row in await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params))
        for step in plan.split(" | "):
            # Seeking an index is fine; a scan only over a partial index (rows still to
            # go, or failed ones), never over the whole table or a full index.
            if step.startswith(("SCAN d", "SCAN deliveries")):
                assert any(f"INDEX {name}" in step for name in PARTIAL), (sql, plan)
            # A range of row ids is a scan too (of every older row).
            assert not step.endswith("PRIMARY KEY (rowid<?)"), (sql, plan)
