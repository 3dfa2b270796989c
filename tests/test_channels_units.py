"""Channels in small pieces: what an admin may type, which buttons are genuine, how a channel
post reads in each language, and the fake's own 20-a-minute limit per channel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest, Forbidden

from bot.admin import channels as screens
from bot.channels import parse_target
from bot.delivery.publishing import ChannelFrame, digest_parts, update_parts
from bot.telegram.errors import Action, classify
from storage.models import Mode
from tests.fakebotapi import FakeBotApi, RateLimits

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("@visa_kz", "@visa_kz"),
        ("visa_kz", "@visa_kz"),
        ("https://t.me/visa_kz", "@visa_kz"),
        ("t.me/visa_kz/", "@visa_kz"),
        ("-1001234567890", -1001234567890),
        ("кто-то", None),
        ("@ab", None),  # too short for a username
        ("12345", None),  # a user id, not a channel's
        ("https://example.com/visa_kz", None),
    ],
)
def test_what_an_admin_may_name_a_channel_by(typed: str, target: int | str | None) -> None:
    assert parse_target(typed) == target


def test_only_buttons_a_channels_screen_makes_are_accepted() -> None:
    press = screens.parse("adm:c.mode.-1001234567890.kk.daily")
    assert press is not None
    assert (press.verb, press.chat_id, press.language, press.mode) == (
        "mode", -1001234567890, "kk", Mode.DAILY,
    )  # fmt: skip
    for forged in (
        "adm:c.mode.-1001234567890.de.instant",  # no such language
        "adm:c.mode.-1001234567890.kk.weekly",  # not a channel's mode
        "adm:c.mode.42.kk.instant",  # a user, not a channel
        "adm:c.rm.abc",
        "adm:u.rm.-1001234567890",  # another screen's
        "sub:on",
        None,
    ):
        assert screens.parse(forged) is None, forged


def test_losing_the_right_to_post_stops_a_chat_like_a_block() -> None:
    assert classify(BadRequest("Need administrator rights in the channel chat")).action is (
        Action.BLOCKED
    )
    assert classify(Forbidden("Forbidden: bot is not a member of the channel chat")).action is (
        Action.BLOCKED
    )
    assert classify(BadRequest("Bad Request: chat not found")).action is Action.GONE


def _frame(kind: str) -> ChannelFrame:
    return ChannelFrame(kind, "2025-12-02T05:00:00+00:00", "visatalks_bot", ALMATY)


@pytest.mark.parametrize(
    ("language", "header", "date"),
    [
        ("kk", "📍 <b>Қазақстан – ЕО келіссөздері: жаңа кезең</b>", "2025 жылғы 2 желтоқсан"),
        ("ru", "📍 <b>Переговоры ЕС – Казахстан: новый этап</b>", "2 декабря 2025 г."),
        ("en", "📍 <b>EU–Kazakhstan talks: a new stage</b>", "2 December 2025"),
    ],
)
def test_a_channel_post_has_a_header_the_text_the_date_and_the_bot_link(
    language: str, header: str, date: str
) -> None:
    (post,) = update_parts({language: "Текст"}, language, _frame("milestone"))
    blocks = post.split("\n\n")
    assert blocks[0] == header
    assert blocks[1] == "Текст"
    assert date in blocks[2]
    assert 'href="https://t.me/visatalks_bot?start=subscribe"' in blocks[3]


def test_a_channel_post_in_a_missing_language_carries_the_fallback_note() -> None:
    (post,) = update_parts({"ru": "Только по-русски"}, "kk", _frame("feed"))
    assert post.startswith("📰 <b>Қазақстан – ЕО келіссөздері: жаңалық</b>")
    assert post.split("\n\n")[1] == "<i>Бұл хабарлама тек орыс тілінде бар.</i>"
    assert "Только по-русски" in post


def test_a_channel_digest_ends_with_the_bot_link_not_the_settings_hint() -> None:
    parts = digest_parts([{"ru": "Первое"}, {"ru": "Второе"}], "ru", _frame("news"))
    assert parts[-1].endswith("</a>") and "/settings" not in parts[-1]
    assert "/settings" in digest_parts([{"ru": "Первое"}], "ru")[-1]


async def test_the_fake_refuses_the_21st_post_in_a_minute_to_a_channel() -> None:
    api = FakeBotApi(limits=RateLimits(global_per_second=None, channel_per_minute=20))
    api.add_channel(-1001, "Канал")
    for number in range(20):
        status, _ = await api.handle("sendMessage", {"chat_id": -1001, "text": f"{number}"})
        assert status == 200
    status, body = await api.handle("sendMessage", {"chat_id": -1001, "text": "21"})
    assert status == 429 and body["parameters"]["retry_after"] >= 1


async def test_the_fake_refuses_posts_from_a_bot_without_rights() -> None:
    api = FakeBotApi()
    api.add_channel(-1001, "Без прав", can_post=False)
    api.add_channel(-1002, "Без бота", bot_status="left")
    status, body = await api.handle("sendMessage", {"chat_id": -1001, "text": "x"})
    assert (status, body["description"]) == (
        400, "Bad Request: need administrator rights in the channel chat",
    )  # fmt: skip
    status, _ = await api.handle("sendMessage", {"chat_id": -1002, "text": "x"})
    assert status == 403
    _, member = await api.handle("getChatMember", {"chat_id": -1001, "user_id": api.bot_id})
    assert member["result"]["can_post_messages"] is False


def test_dates_in_a_frame_are_in_the_bots_time_zone() -> None:
    late = ChannelFrame("news", "2025-12-01T20:00:00+00:00", "b", ALMATY)
    assert "2 December 2025" in late.post("x", "en")  # 01:00 on the 2nd in Almaty
