"""Plain questions through the fake Bot API: private chats, groups, inline mode, hostile text."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakebotapi import FakeBotApi, parse_html

pytestmark = pytest.mark.usefixtures("bot")

GROUP: dict[str, Any] = {"chat_id": -100700, "chat_type": "supergroup", "chat_title": "Travellers"}
BOT = "@visatalks_bot"


def mention(name: str, at: int = 0) -> list[dict[str, object]]:
    """The entity Telegram sets on `@name` at offset `at` (UTF-16 units; ASCII here)."""
    return [{"type": "mention", "offset": at, "length": len(name)}]


@pytest.mark.parametrize(
    ("language", "question", "phrases"),
    [
        ("ru", "когда начались переговоры", ("2 декабря 2025 года", "Источник: Kazinform")),
        ("kk", "виза алымы азая ма", ("әкімшілік алымдар азаяды", "Дереккөз: Kazinform")),
        ("en", "how much european investment", ("200 billion US dollars", "Source: Kazinform")),
    ],
)  # fmt: skip
async def test_private_questions_get_the_fact_with_its_source(
    api: FakeBotApi, language: str, question: str, phrases: tuple[str, str]
) -> None:
    reply = await api.reply_to(2001, question, language_code=language)
    assert reply.parse_mode == "HTML"
    for phrase in phrases:
        assert phrase in reply.plain, reply.plain


async def test_a_question_clearly_in_another_language_is_answered_in_it(api: FakeBotApi) -> None:
    russian = await api.reply_to(
        2002, "сколько европейских компаний в казахстане", language_code="en"
    )
    assert "Источник: Kazinform, 2 декабря 2025 г." in russian.plain and "4000" in russian.plain
    kazakh = await api.reply_to(2002, "келіссөздер қашан басталды", language_code="en")
    assert "Дереккөз: Kazinform, 2025 жылғы 2 желтоқсан" in kazakh.plain
    unclear = await api.reply_to(2002, "erasmus", language_code="en")
    assert "Horizon Europe and Erasmus+" in unclear.plain  # the chat's language


async def test_where_the_talks_stand_is_the_status(api: FakeBotApi) -> None:
    reply = await api.reply_to(2003, "на каком этапе переговоры")
    assert "▰▰▱▱▱▱▱ 2/7" in reply.plain and "Начало переговоров" in reply.plain


async def test_unanswerable_questions_say_so_and_offer_the_commands(api: FakeBotApi) -> None:
    outside = await api.reply_to(2004, "какая погода завтра в алматы")
    assert "за этим я не слежу" in outside.plain
    assert "/status" in outside.plain and "/help" in outside.plain
    assert "Kazinform" not in outside.plain  # no facts talked instead

    unknown = await api.reply_to(2004, "сколько человек в делегации казахстана на переговорах")
    assert "в моих источниках об этом ничего нет" in unknown.plain and "/help" in unknown.plain
    assert "По состоянию на 2 декабря 2025 г." in unknown.plain  # as of when it knows


async def test_plain_words_run_their_commands(api: FakeBotApi) -> None:
    subscribed = await api.reply_to(2008, "подписаться")
    assert "подписаны" in subscribed.plain.casefold(), subscribed.plain
    left = await api.reply_to(2008, "отписаться")
    assert "отписались" in left.plain.casefold() or "не будут" in left.plain, left.plain
    helped = await api.reply_to(2008, "help", language_code="en")
    assert "/subscribe" in helped.plain and "/status" in helped.plain


async def test_the_more_button_shows_what_did_not_fit(api: FakeBotApi) -> None:
    """A reply keeps to one screen; "more" sends the facts left out and then goes away."""
    answer = await api.reply_to(2009, "будет ли безвиз")
    assert len(answer.plain) <= 1000 and "не о безвизе" in answer.plain
    data = "qa:ru.1.2"  # what a reply with left-out facts 1 and 2 carries
    before = len(api.messages_to(2009))
    api.press_button(2009, answer, data, check=False)
    more = (await api.wait_for_messages(2009, 1, since=before))[0]
    assert "Источник: Kazinform" in more.plain and "По состоянию на" in more.plain
    api.press_button(2009, answer, "qa:ru.x.2", check=False)  # forged: ignored
    api.press_button(2009, answer, "qa:zz.1", check=False)
    await api.wait_for_call("answerCallbackQuery")
    assert len(api.messages_to(2009)) == before + 1


async def test_groups_answer_only_when_mentioned_or_replied_to(api: FakeBotApi) -> None:
    api.user_message(2005, "когда начались переговоры", **GROUP)
    api.user_message(
        2005, "@other_bot когда начались переговоры", entities=mention("@other_bot"), **GROUP
    )
    first = await api.reply_to(
        2005, f"{BOT} когда начались переговоры", entities=mention(BOT), **GROUP
    )
    assert "2 декабря 2025 года в Брюсселе" in first.plain
    assert len(api.messages_to(-100700)) == 1  # neither message before it was answered

    follow_up = await api.reply_to(
        2006, "а сборы снизят?", reply_to_message_id=first.message_id, **GROUP
    )
    assert "административные сборы сократятся" in follow_up.plain

    at_the_end = await api.reply_to(
        2007, f"what will change for travellers {BOT}",
        entities=mention(BOT, at=len("what will change for travellers ")), **GROUP,
    )  # fmt: skip
    # The group's language is Russian (its writers' app language); the question is English.
    assert "administrative fees will be reduced" in at_the_end.plain
    assert len(api.messages_to(-100700)) == 3


async def test_a_bare_mention_gets_the_status_and_key_facts(api: FakeBotApi) -> None:
    reply = await api.reply_to(2008, BOT, entities=mention(BOT), **GROUP)
    assert "Начало переговоров" in reply.plain and "Источник: Kazinform" in reply.plain


async def test_inline_results_in_the_users_language(api: FakeBotApi) -> None:
    api.inline_query(2009, "когда начались переговоры", language_code="ru")
    await api.wait_for_call("answerInlineQuery")
    answer = api.inline_answers[-1]
    assert answer.cache_time == 30 and answer.is_personal
    ids = [r["id"] for r in answer.results]
    assert ids[-1] == "status" and ids[0].startswith("fact-")
    first = answer.results[0]
    assert first["type"] == "article"
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "Источник: Kazinform" in content["message_text"]
    parse_html(content["message_text"])

    # A user who chose Kazakh in a private chat gets Kazakh whatever the app's language.
    await api.reply_to(2010, "/start", language_code="en")
    keyboard = await api.reply_to(2010, "/lang", language_code="en")
    api.press_button(2010, keyboard, "lang:kk", language_code="en")
    await api.wait_for_edits(2010)
    since = len(api.calls)
    api.inline_query(2010, "", language_code="en")
    await api.wait_for_call("answerInlineQuery", since=since)
    overview = api.inline_answers[-1]
    assert overview.results[0]["id"] == "status"
    assert overview.results[0]["title"].startswith("Келіссөздердің жағдайы")


async def test_an_inline_result_posted_back_is_not_answered_again(api: FakeBotApi) -> None:
    api.user_message(2011, "/help")
    await api.wait_for_messages(2011)
    api.push_update(
        {
            "message": {
                "message_id": 50,
                "from": {"id": 2011, "is_bot": False, "first_name": "Test"},
                "chat": {"id": 2011, "type": "private", "first_name": "Test"},
                "date": 1,
                "text": "• ЕО мен Қазақстан ...",
                "via_bot": api.bot_user,
            }
        }
    )
    reply = await api.reply_to(2011, "/status")
    assert "Начало переговоров" in reply.plain
    assert len(api.messages_to(2011)) == 2  # /help and /status only


@pytest.mark.parametrize(
    "question",
    [
        "а" * 10_000,
        'визы" OR * NEAR(сбор) -документы (()',
        "🇪🇺🇰🇿 🙂 виза?",
        "ви\u200bза\u200d сбо\u2060р\ufeff",
    ],
)
async def test_hostile_questions_get_one_short_valid_reply(api: FakeBotApi, question: str) -> None:
    reply = await api.reply_to(2012, question)
    assert reply.plain and len(reply.text) <= 4096
    assert not api.server_errors
