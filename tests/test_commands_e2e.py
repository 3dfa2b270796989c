"""Every command, in each language, through the fake Bot API with the real bot long-polling it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.delivery_helpers import wait_until
from tests.fakebotapi import FakeBotApi

pytestmark = pytest.mark.usefixtures("bot")

# A phrase each reply must contain, per language: proof it is the right text in the right language.
EXPECTED = {
    "/start": {"kk": "Сәлеметсіз бе!", "ru": "Здравствуйте!", "en": "Hello!"},
    "/help": {"kk": "Не істей аламын", "ru": "Что я умею", "en": "What I can do"},
    "/lang": {"kk": "Тілді таңдаңыз", "ru": "Выберите язык", "en": "Choose a language"},
    "/status": {
        "kk": "Келіссөздердің басталуы",
        "ru": "Начало переговоров",
        "en": "Start of negotiations",
    },
    "/facts": {"kk": "Негізгі деректер", "ru": "Ключевые факты", "en": "Key facts"},
    "/timeline": {"kk": "хронологиясы", "ru": "Хронология", "en": "Timeline"},
    "/news": {"kk": "Соңғы жаңалықтар", "ru": "Последние новости", "en": "Latest news"},
    "/subscribe": {"kk": "жазылдыңыз", "ru": "вы подписаны", "en": "you are subscribed"},
    "/unsubscribe": {"kk": "бас тарттыңыз", "ru": "Вы отписались", "en": "You have unsubscribed"},
}
DATES = {"kk": "2025 жылғы 2 желтоқсан", "ru": "2 декабря 2025 г.", "en": "2 December 2025"}
USERS = {"kk": 1001, "ru": 1002, "en": 1003}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_every_command_answers_in_the_users_language(api: FakeBotApi, language: str) -> None:
    user = USERS[language]
    for command, phrases in EXPECTED.items():
        reply = await api.reply_to(user, command, language_code=language)
        assert phrases[language] in reply.plain, (command, reply.plain)
        assert reply.parse_mode == "HTML"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_status_shows_stage_date_place_source_and_next_step(
    api: FakeBotApi, language: str
) -> None:
    reply = await api.reply_to(USERS[language], "/status", language_code=language)
    assert "▰▰▱▱▱▱▱ 2/7" in reply.plain
    assert DATES[language] in reply.plain
    assert ("Brussels" if language == "en" else "Брюссель") in reply.plain
    assert "Kazinform" in reply.plain
    assert "3/7" in reply.plain  # the next step


async def test_facts_carry_figures_and_sources_and_page_with_buttons(api: FakeBotApi) -> None:
    """Pages of about one screen, each fact once, every page with its source and date."""
    page = await api.reply_to(1002, "/facts")
    assert page.callback_data == ["facts:2"]
    pages = [page.plain]
    while (following := f"facts:{len(pages) + 1}") in page.callback_data:
        api.press_button(1002, page, following)
        page = (await api.wait_for_edits(1002, since=len(pages) - 1))[0]
        pages.append(page.plain)
    assert len(pages) >= 4 and f"стр. {len(pages)}/{len(pages)}" in pages[-1]
    assert any("50 млрд" in text for text in pages)
    for text in pages:
        assert "Kazinform, 2 декабря 2025 г." in text and "По состоянию на" in text
        assert len(text) < 2000, text
    bullets = [line for text in pages for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == len(set(bullets)), "a fact repeated across pages"
    assert api.answered_callbacks, "every callback query is answered"


async def test_news_lists_both_seed_articles_with_source_and_date(api: FakeBotApi) -> None:
    reply = await api.reply_to(1003, "/news", language_code="en")
    assert "Казахстан и Евросоюз начнут переговоры об упрощении визового режима" in reply.plain
    assert "Брюссельде ҚР азаматтары үшін" in reply.plain
    assert reply.plain.count("Kazinform, 2 December 2025") == 2


async def test_start_subscribe_deep_link_and_buttons(api: FakeBotApi) -> None:
    reply = await api.reply_to(1004, "/start subscribe")
    assert "вы подписаны" in reply.plain
    welcome = await api.reply_to(1005, "/start")
    assert welcome.callback_data == ["sub:on", "menu:lang", "menu:status", "menu:facts"]
    api.press_button(1005, welcome, "sub:on")
    confirmation = (await api.wait_for_messages(1005, since=1))[0]
    assert "вы подписаны" in confirmation.plain


async def test_the_welcomes_menu_buttons_show_their_commands(api: FakeBotApi) -> None:
    welcome = await api.reply_to(1007, "/start", language_code="en")
    for data, command in (
        ("menu:status", "/status"),
        ("menu:facts", "/facts"),
        ("menu:lang", "/lang"),
    ):
        since = len(api.messages_to(1007))
        api.press_button(1007, welcome, data, language_code="en")
        shown = (await api.wait_for_messages(1007, since=since))[0]
        assert EXPECTED[command]["en"] in shown.plain, data
    # Data the welcome never makes: answered quietly, nothing shown.
    since, forged = len(api.messages_to(1007)), ("menu:status.1", "menu:lang.kk", "menu:")
    for data in forged:
        api.press_button(1007, welcome, data, check=False, language_code="en")

    def answers() -> list[tuple[str | None, bool]]:
        return [(a.text, a.show_alert) for a in api.answered_callbacks if a.data in forged]

    await wait_until(lambda: len(answers()) == len(forged), what="every forged press answered")
    assert answers() == [(None, False)] * len(forged)
    assert len(api.messages_to(1007)) == since


async def test_language_keyboard_saves_the_choice(api: FakeBotApi) -> None:
    keyboard = await api.reply_to(1006, "/lang", language_code="ru")
    assert keyboard.callback_data == ["lang:kk", "lang:ru", "lang:en"]
    api.press_button(1006, keyboard, "lang:kk")
    saved = (await api.wait_for_edits(1006))[0]
    assert "Қазақша" in saved.plain
    status = await api.reply_to(1006, "/status", language_code="ru")
    assert "Келіссөздердің басталуы" in status.plain


async def test_unknown_commands_and_non_text_get_a_hint(api: FakeBotApi) -> None:
    reply = await api.reply_to(1008, "/nonsense")
    assert "/help" in reply.plain and "Такой команды нет" in reply.plain
    api.non_text_message(1008, "sticker")
    sticker = (await api.wait_for_messages(1008, since=1))[0]
    assert "только текст" in sticker.plain
    api.non_text_message(1008, "photo")
    photo = (await api.wait_for_messages(1008, since=2))[0]
    assert "только текст" in photo.plain


async def test_huge_and_odd_messages_are_answered_calmly(api: FakeBotApi) -> None:
    for text in ("x" * 4096, "/status " + "y" * 4000, "   ", "/", "/facts@@", "\u200b"):
        reply = await api.reply_to(1009, text)
        assert reply.plain and len(reply.text) <= 4096
    assert not api.server_errors


async def test_groups_answer_only_commands_meant_for_this_bot(api: FakeBotApi) -> None:
    group: dict[str, Any] = {"chat_id": -100500, "chat_type": "supergroup", "chat_title": "Travel"}
    api.user_message(1010, "hello everyone", **group)
    api.user_message(1010, "/status@other_bot", **group)
    api.user_message(1010, "/nonsense", **group)
    reply = await api.reply_to(1010, "/status@visatalks_bot", **group)
    assert "Начало переговоров" in reply.plain
    assert len(api.messages_to(-100500)) == 1
    hint = await api.reply_to(1010, "/nonsense@visatalks_bot", **group)
    assert "Такой команды нет" in hint.plain
    plain = await api.reply_to(1010, "/help", **group)
    assert "Что я умею" in plain.plain
    assert len(api.messages_to(-100500)) == 3


async def test_edited_command_is_not_answered_twice(api: FakeBotApi) -> None:
    first = await api.reply_to(1011, "/help")
    assert first.plain
    original = api.updates[-1]["message"]
    api.push_update({"edited_message": {**original, "text": "/status", "edit_date": 1}})
    after = await api.reply_to(1011, "/news")
    assert "Последние новости" in after.plain
    assert len(api.messages_to(1011)) == 2


async def test_command_menus_are_set_per_language(api: FakeBotApi) -> None:
    await api.reply_to(1012, "/help")
    assert [c["command"] for c in api.commands(language_code="kk")][:2] == ["status", "facts"]
    assert api.commands(language_code="kk")[0]["description"] == "Келіссөздердің қазіргі жағдайы"
    assert api.commands(language_code="ru")[0]["description"] == "Текущий статус переговоров"
    assert api.commands(language_code="en")[0]["description"] == "Where the talks stand"
    assert api.commands()[0]["description"] == "Текущий статус переговоров"


async def test_in_a_group_only_its_admins_change_the_subscription(api: FakeBotApi) -> None:
    group: dict[str, Any] = {
        "chat_id": -100777,
        "chat_type": "supergroup",
        "chat_title": "Students",
    }
    refused = await api.reply_to(1013, "/subscribe", **group)
    assert "только её администраторы" in refused.plain
    api.set_member_status(-100777, 1014, "administrator")
    done = await api.reply_to(1014, "/subscribe", **group)
    assert "подписаны" in done.plain
    keyboard = await api.reply_to(1014, "/lang", **group)
    api.press_button(1013, keyboard, "lang:en")
    answer = await api.wait_for_call("answerCallbackQuery")
    assert answer.params.get("show_alert") is True
    status = await api.reply_to(1013, "/status", **group)
    assert "Начало переговоров" in status.plain  # the language did not change
