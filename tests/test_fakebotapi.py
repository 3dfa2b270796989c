"""The fake Bot API, driven through a real python-telegram-bot ``Bot`` (and raw HTTP)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    MenuButtonCommands,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fakebotapi import (
    FakeBotApi,
    HtmlParseError,
    RateLimits,
    html_to_plain,
    parse_html,
)
from tests.fakebotapi.limits import RateLimiter

REPO_ROOT = Path(__file__).resolve().parent.parent
USER = 7


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.upper(), callback_data=d) for d in data]])


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def tg(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


@pytest.fixture
async def http(fake: FakeBotApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{fake.token}/") as client:
        yield client


# --------------------------------------------------------------------------- basics


async def test_get_me(tg: Bot, fake: FakeBotApi) -> None:
    me = await tg.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "visatalks_bot"
    assert me.supports_inline_queries
    assert me.can_join_groups
    assert me.can_read_all_group_messages is False
    assert [c.ok for c in fake.calls_to("getme")] == [True, True]  # initialize() + ours


async def test_wrong_token_is_invalid_token(fake: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG", base_url=fake.base_url):
            pass
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{fake.base_url}654321:WRONG/getMe")
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_and_case_insensitive_names(
    http: httpx.AsyncClient, fake: FakeBotApi
) -> None:
    answer = await http.post("sendTelepathy", data={"chat_id": "1"})
    assert answer.status_code == 404
    assert answer.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert fake.unknown_methods == ["sendTelepathy"]

    answer = await http.post("SENDMESSAGE", data={"chat_id": "1", "text": "hi"})
    assert answer.json()["ok"] is True
    assert fake.calls[-1].method == "sendMessage"


# --------------------------------------------------------------------------- sending


async def test_send_message_shape_and_recording(tg: Bot, fake: FakeBotApi) -> None:
    fake.user_message(USER, "hi", first_name="Ann", username="ann")
    markup = keyboard("yes", "no")

    msg = await tg.send_message(
        USER, "<b>Hello</b>, <i>Ann</i> &amp; co", parse_mode="HTML", reply_markup=markup
    )

    assert msg.message_id == 2  # the user's message took id 1 in this chat
    assert msg.text == "Hello, Ann & co"
    assert msg.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 5),
        MessageEntity(MessageEntity.ITALIC, 7, 3),
    )
    assert msg.chat.type == ChatType.PRIVATE
    assert msg.chat.first_name == "Ann"
    assert msg.chat.username == "ann"
    assert msg.from_user is not None and msg.from_user.id == tg.id
    assert msg.reply_markup == markup
    assert isinstance(msg.date, dtm.datetime)

    sent = fake.sent[-1]
    assert (sent.chat_id, sent.message_id) == (USER, 2)
    assert sent.text == "<b>Hello</b>, <i>Ann</i> &amp; co"
    assert sent.plain == "Hello, Ann & co"
    assert sent.parse_mode == "HTML"
    assert sent.callback_data == ["yes", "no"]
    assert fake.messages_to(USER) == [sent]
    assert fake.delivered_count(USER) == 1

    second = await tg.send_message(USER, "plain *text*", reply_to_message_id=msg.message_id)
    assert second.message_id == 3
    assert second.text == "plain *text*"
    assert second.entities == ()
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == 2


async def test_reply_keyboard_is_recorded_but_not_echoed(tg: Bot, fake: FakeBotApi) -> None:
    markup = ReplyKeyboardMarkup([[KeyboardButton("Русский"), KeyboardButton("English")]])
    msg = await tg.send_message(USER, "Language?", reply_markup=markup)
    assert msg.reply_markup is None  # Telegram only echoes inline keyboards
    assert fake.sent[-1].button_texts == ["Русский", "English"]


async def test_chat_types(tg: Bot, fake: FakeBotApi) -> None:
    supergroup = await tg.send_message(-1001234567890, "hi")
    group = await tg.send_message(-555, "hi")
    assert supergroup.chat.type == ChatType.SUPERGROUP
    assert group.chat.type == ChatType.GROUP

    fake.user_message(USER, "hello", chat_id=-777, chat_type="group", chat_title="Visa chat")
    reply = await tg.send_message(-777, "welcome")
    assert reply.chat.title == "Visa chat"
    assert reply.message_id == 2
    chat = await tg.get_chat(-777)
    assert chat.type == ChatType.GROUP
    assert chat.title == "Visa chat"


async def test_chat_action_and_menu_button(tg: Bot, fake: FakeBotApi) -> None:
    assert await tg.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await tg.send_chat_action(USER, "dancing")
    assert await tg.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert await tg.get_chat_menu_button() == MenuButtonCommands()
    assert await tg.close()
    assert await tg.log_out()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<div>x</div>", 'unsupported start tag "div" at byte offset 0'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x </b>", "unexpected end tag at byte offset 2"),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("ü <br>", 'unsupported start tag "br" at byte offset 3'),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="https://x.kz>link</a>', "unclosed start tag at byte offset 0"),
    ],
)
async def test_malformed_html_is_bad_request(
    tg: Bot, fake: FakeBotApi, text: str, problem: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await tg.send_message(USER, text, parse_mode="HTML")
    assert caught.value.message.lower() == f"can't parse entities: {problem}".lower()
    assert fake.sent == []
    assert fake.calls[-1].status == 400


def test_html_parser_entities() -> None:
    text = (
        '👍 <b>bold <i>both</i></b> <a href="https://e.kz/?a=1&amp;b=2">link</a> '
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> '
        '<pre><code class="language-python">x = 1</code></pre> '
        "<blockquote expandable>q</blockquote> &lt;tag&gt; &quot; &#8364; &nbsp; AT&T"
    )
    plain, entities = parse_html(text)
    assert plain == '👍 bold both link s t x = 1 q <tag> " € &nbsp; AT&T'
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},  # the emoji is 2 UTF-16 units
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://e.kz/?a=1&b=2"},
        {"type": "spoiler", "offset": 18, "length": 1},
        {"type": "spoiler", "offset": 20, "length": 1},
        {"type": "pre", "offset": 22, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 28, "length": 1},
    ]
    assert html_to_plain("<b></b>x") == "x"
    with pytest.raises(HtmlParseError):
        html_to_plain("<tg-emoji>x</tg-emoji>")


async def test_text_length_limits(tg: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await tg.send_message(USER, "a" * 4097)
    await tg.send_message(USER, "a" * 4096)
    await tg.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # counts plain
    with pytest.raises(BadRequest, match="Message text is empty"):
        await tg.send_message(USER, "<b> </b>", parse_mode="HTML")
    assert fake.delivered_count() == 2


# --------------------------------------------------------------------------- updates


async def test_long_poll_wakes_on_update_and_offset_confirms(tg: Bot, fake: FakeBotApi) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(tg.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()

    pushed_at = loop.time()
    injected = fake.user_message(USER, "/start ref_42", language_code="en")
    updates = await asyncio.wait_for(poll, 8)
    assert loop.time() - pushed_at < 5  # woken, not the 10 s poll timeout running out

    (update,) = updates
    assert update.update_id == injected["update_id"]
    assert update.message is not None
    assert update.message.text == "/start ref_42"
    assert update.message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert update.effective_user is not None
    assert update.effective_user.language_code == "en"

    again = await tg.get_updates(timeout=0)  # not confirmed yet
    assert [u.update_id for u in again] == [update.update_id]
    assert await tg.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert fake.pending_updates == 0


async def test_get_updates_limit_timeout_and_allowed_updates(tg: Bot, fake: FakeBotApi) -> None:
    for n in range(3):
        fake.user_message(USER, f"m{n}")
    first_two = await tg.get_updates(limit=2)
    assert [u.message.text for u in first_two if u.message] == ["m0", "m1"]
    assert await tg.get_updates(offset=-1) == (await tg.get_updates())  # keeps the last one
    assert fake.pending_updates == 1

    status, body = await fake.handle("getUpdates", {"offset": 10**6, "timeout": 0.1})
    assert (status, body) == (200, {"ok": True, "result": []})

    await tg.get_updates(allowed_updates=["callback_query"])
    fake.user_message(USER, "ignored")
    assert fake.pending_updates == 0
    assert fake.dropped_updates[-1]["message"]["text"] == "ignored"


async def test_a_second_poll_terminates_the_first(fake: FakeBotApi) -> None:
    first = asyncio.create_task(fake.handle("getUpdates", {"timeout": 5}))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(fake.handle("getUpdates", {"timeout": 5}))
    status, body = await asyncio.wait_for(first, 1)
    assert status == 409
    assert "terminated by other getUpdates request" in body["description"]
    fake.user_message(USER, "x")
    assert (await asyncio.wait_for(second, 1))[0] == 200


async def test_injected_updates_parse_in_ptb(tg: Bot, fake: FakeBotApi) -> None:
    for kind in ("sticker", "photo", "voice", "document", "location", "contact"):
        update = Update.de_json(fake.non_text_message(USER, kind, caption="c"), tg)
        assert update.message is not None
        assert getattr(update.message, kind)

    update = Update.de_json(fake.inline_query(USER, "visa"), tg)
    assert update.inline_query is not None and update.inline_query.query == "visa"

    for old, new in [("member", "administrator"), ("administrator", "restricted")]:
        update = Update.de_json(fake.my_chat_member(-100500, USER, old, new, "supergroup"), tg)
        assert update.my_chat_member is not None
        assert update.my_chat_member.new_chat_member.status == new

    update = Update.de_json(fake.my_chat_member(USER, USER, "member", "kicked"), tg)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden):  # a private chat that kicked the bot is blocked
        await tg.send_message(USER, "still there?")
    fake.my_chat_member(USER, USER, "kicked", "member")
    await tg.send_message(USER, "welcome back")

    raw = fake.push_update({"update_id": 500, "poll_answer": {"poll_id": "p"}})
    assert raw["update_id"] == 500
    assert fake.user_message(USER, "next")["update_id"] == 501


# --------------------------------------------------------------------------- buttons, edits


async def test_buttons_callbacks_edits_and_deletes(tg: Bot, fake: FakeBotApi) -> None:
    msg = await tg.send_message(USER, "Pick one", reply_markup=keyboard("a", "b"))
    sent = fake.sent[-1]
    with pytest.raises(ValueError, match="no inline button"):
        fake.press_button(USER, sent, "zzz")

    fake.press_button(USER, sent, "b")
    (update,) = await tg.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "b"
    assert query.message is not None and query.message.message_id == msg.message_id
    assert await query.answer("Noted")
    assert fake.answered_callbacks[-1].data == "b"
    assert fake.answered_callbacks[-1].text == "Noted"
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()

    edited = await tg.edit_message_text("<b>B</b> chosen", USER, msg.message_id, parse_mode="HTML")
    assert isinstance(edited, type(msg)) and edited.text == "B chosen"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # editing without markup drops the keyboard
    (edit,) = await fake.wait_for_edits(USER)
    assert (edit.plain, edit.text, edit.method) == (
        "B chosen",
        "<b>B</b> chosen",
        "editMessageText",
    )
    with pytest.raises(ValueError, match="no inline button"):
        fake.press_button(USER, sent, "a")  # the keyboard is gone
    with pytest.raises(BadRequest, match="Message is not modified"):
        await tg.edit_message_text("<b>B</b> chosen", USER, msg.message_id, parse_mode="HTML")

    await tg.edit_message_reply_markup(USER, msg.message_id, reply_markup=keyboard("again"))
    current = fake.message(USER, msg.message_id)
    assert current is not None
    assert current["reply_markup"]["inline_keyboard"] == [
        [{"text": "AGAIN", "callback_data": "again"}]
    ]
    fake.press_button(USER, sent, "again")

    assert await tg.delete_message(USER, msg.message_id)
    assert fake.deleted == [(USER, msg.message_id)]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await tg.delete_message(USER, msg.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await tg.edit_message_text("late", USER, msg.message_id)


async def test_inline_query_answers(tg: Bot, fake: FakeBotApi) -> None:
    fake.inline_query(USER, "schengen")
    (update,) = await tg.get_updates()
    assert update.inline_query is not None
    result = InlineQueryResultArticle("r1", "Schengen", InputTextMessageContent("Schengen area"))
    assert await update.inline_query.answer([result], cache_time=0)
    (answer,) = fake.inline_answers
    assert (answer.query, answer.user_id, answer.cache_time) == ("schengen", USER, 0)
    assert answer.results[0]["id"] == "r1"


async def test_commands_per_scope_and_language(tg: Bot, fake: FakeBotApi) -> None:
    await tg.set_my_commands([BotCommand("start", "Начать")])
    await tg.set_my_commands([BotCommand("start", "Start")], language_code="en")
    private = BotCommandScopeAllPrivateChats()
    await tg.set_my_commands([BotCommand("lang", "Language")], scope=private)

    assert await tg.get_my_commands() == (BotCommand("start", "Начать"),)
    assert await tg.get_my_commands(language_code="en") == (BotCommand("start", "Start"),)
    assert await tg.get_my_commands(scope=private) == (BotCommand("lang", "Language"),)
    assert fake.commands(language_code="en") == [{"command": "start", "description": "Start"}]

    assert await tg.delete_my_commands(language_code="en")
    assert await tg.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await tg.set_my_commands([BotCommand("Start!", "bad")])


# --------------------------------------------------------------------------- scripted failures


async def test_retry_after(tg: Bot, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(USER, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert fake.too_many_requests == 1
    assert fake.sent == []
    await tg.send_message(USER, "hi")  # consumed: the next one goes through

    fake.fail_next(chat_id=5, times=2)
    await tg.send_message(6, "other chat unaffected")
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await tg.send_message(5, "x")
    await tg.send_message(5, "x")


async def test_retry_after_wire_format(http: httpx.AsyncClient, fake: FakeBotApi) -> None:
    fake.fail_next()
    answer = await http.post("sendMessage", data={"chat_id": "1", "text": "hi"})
    assert answer.status_code == 429
    assert answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_blocked_and_deactivated_users(tg: Bot, fake: FakeBotApi) -> None:
    fake.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await tg.send_message(USER, "hi")
    with pytest.raises(Forbidden):
        await tg.send_chat_action(USER, "typing")
    assert (await tg.get_chat(USER)).id == USER  # reading still works

    fake.deactivate(USER)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await tg.send_message(USER, "hi")
    fake.unblock(USER)
    await tg.send_message(USER, "hi")
    assert fake.delivered_count(USER) == 1


async def test_chat_not_found_and_migration(tg: Bot, fake: FakeBotApi) -> None:
    fake.gone(-42)
    with pytest.raises(BadRequest, match="Chat not found"):
        await tg.send_message(-42, "hi")
    with pytest.raises(BadRequest, match="Chat not found"):
        await tg.get_chat(-42)

    fake.migrate(-43, -1000000000043)
    with pytest.raises(ChatMigrated) as caught:
        await tg.send_message(-43, "hi")
    assert caught.value.new_chat_id == -1000000000043
    moved = await tg.send_message(-1000000000043, "hi")
    assert moved.chat.type == ChatType.SUPERGROUP


async def test_server_errors_and_slow_answers(tg: Bot, fake: FakeBotApi) -> None:
    fake.fail_next(error_code=502, description="Bad Gateway")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await tg.send_message(USER, "hi")

    fake.delay_method("sendMessage", 0.3)
    with pytest.raises(TimedOut):
        await tg.send_message(USER, "slow", read_timeout=0.05)
    # Like Telegram, the slow request was still carried out: a retry would duplicate it.
    (late,) = await fake.wait_for_messages(USER, 1, timeout=2)
    assert late.plain == "slow"
    fake.delay_method("sendMessage", 0)

    fake.fail_next("editMessageText", error_code=400, description="Bad Request: oops", delay=0.05)
    with pytest.raises(BadRequest, match="Oops"):
        await tg.edit_message_text("x", USER, late.message_id)


# --------------------------------------------------------------------------- rate limits


async def test_rate_limits_reject_sends_beyond_the_ceiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    limits = RateLimits(global_per_second=5, private_per_second=1, group_per_minute=2)
    async with (
        FakeBotApi(limits=limits) as api,
        Bot(api.token, base_url=api.base_url) as bot,
    ):
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter) as private:
            await bot.send_message(1, "b")
        assert private.value.retry_after == dtm.timedelta(seconds=1)

        await bot.send_message(-5, "a")
        await bot.send_message(-5, "b")
        with pytest.raises(RetryAfter) as group:
            await bot.send_message(-5, "c")
        assert isinstance(group.value.retry_after, dtm.timedelta)
        assert 50 <= group.value.retry_after.total_seconds() <= 60

        await bot.send_message(2, "a")
        await bot.send_message(3, "a")  # 5 within the second: the global ceiling
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "a")

        assert api.delivered_count() == 5
        assert (api.delivered_count(1), api.delivered_count(-5), api.delivered_count(4)) == (
            1,
            2,
            0,
        )
        assert api.too_many_requests == 3
        assert len(api.sent) == 5


def test_rate_limit_windows_slide() -> None:
    limiter = RateLimiter(
        RateLimits(global_per_second=30, private_per_second=1, group_per_minute=20)
    )
    assert limiter.acquire(1, now=100.0) is None
    assert limiter.acquire(1, now=100.4) == 1
    assert limiter.acquire(1, now=101.01) is None
    for n in range(20):
        assert limiter.acquire(-1, now=200.0 + n) is None
    assert limiter.acquire(-1, now=230.0) == 30
    assert limiter.acquire(-1, now=260.5) is None
    for chat in range(1000, 1030):
        assert limiter.acquire(chat, now=300.0) is None
    assert limiter.acquire(2000, now=300.5) == 1
    assert limiter.acquire(2000, now=301.0) is None


# --------------------------------------------------------------------------- wire formats


async def test_request_encodings(http: httpx.AsyncClient, tg: Bot, fake: FakeBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    as_json = await http.post(
        "sendMessage", json={"chat_id": 1, "text": "json", "reply_markup": markup}
    )
    assert as_json.json()["result"]["reply_markup"] == markup
    as_form = await http.post(
        "sendMessage", data={"chat_id": "1", "text": "123", "reply_markup": json.dumps(markup)}
    )
    assert as_form.json()["result"]["text"] == "123"  # text stays a string
    assert fake.calls[-1].params == {"chat_id": 1, "text": "123", "reply_markup": markup}
    as_query = await http.get("sendMessage", params={"chat_id": "1", "text": "query"})
    assert as_query.json()["result"]["text"] == "query"

    photo = await tg.send_photo(USER, b"\x89PNG fake", caption="<b>c</b>", parse_mode="HTML")
    assert photo.photo and photo.caption == "c"
    upload = fake.calls_to("sendPhoto")[-1].params["photo"]
    assert upload["size"] == len(b"\x89PNG fake")
    assert fake.sent[-1].method == "sendPhoto"
    assert fake.sent[-1].plain == "c"

    bad = await http.post(
        "sendMessage", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400


# --------------------------------------------------------------------------- webhooks


async def test_webhook_delivery_and_polling_conflict(tg: Bot, fake: FakeBotApi) -> None:
    received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()

    class Receiver(tornado.web.RequestHandler):
        def post(self) -> None:
            secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            received.put_nowait((json.loads(self.request.body), secret))

    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/hook", Receiver)]))
    server.add_sockets(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    try:
        fake.user_message(USER, "queued before")
        assert await tg.set_webhook(url, secret_token="s3cret")
        with pytest.raises(Conflict, match="webhook is active"):
            await tg.get_updates()
        fake.user_message(USER, "after")
        texts = []
        for _ in range(2):
            delivered, secret = await asyncio.wait_for(received.get(), 2)
            texts.append(delivered["message"]["text"])
            assert secret == "s3cret"
        assert texts == ["queued before", "after"]
        info = await tg.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)

        assert await tg.delete_webhook()
        fake.user_message(USER, "polled")
        (update,) = await tg.get_updates()
        assert update.message is not None and update.message.text == "polled"
    finally:
        server.stop()
        await server.close_all_connections()


# --------------------------------------------------------------------------- helpers for tests


async def test_wait_helpers(tg: Bot, fake: FakeBotApi) -> None:
    await tg.send_message(USER, "first")
    with pytest.raises(AssertionError, match=r"(?s)1 sent:.*'first'.*sendMessage chat_id=7"):
        await fake.wait_for_messages(USER, 2, timeout=0.05)

    since = len(fake.calls)
    waiter = asyncio.create_task(
        fake.wait_for_call("sendMessage", lambda c: c.params["text"] == "second", since=since)
    )
    await tg.send_message(USER, "other")
    await tg.send_message(USER, "second")
    call = await asyncio.wait_for(waiter, 1)
    assert call.params["chat_id"] == USER and call.seq >= since
    assert [m.plain for m in await fake.wait_for_messages(USER, 2, since=1)] == ["other", "second"]

    fake.clear_records()
    assert (fake.calls, fake.sent, fake.delivered_count()) == ([], [], 0)


async def test_reply_to_drives_a_real_application(fake: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(f"<i>pong</i>: {update.effective_message.text}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            reply = await fake.reply_to(USER, "ping")
            assert reply.plain == "pong: ping"
            assert reply.text == "<i>pong</i>: ping"
            group = await fake.reply_to(USER, "hi all", chat_id=-9, chat_type="group")
            assert group.chat_id == -9
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake.server_errors == []


async def test_stop_releases_a_pending_long_poll() -> None:
    api = await FakeBotApi().start()
    async with Bot(api.token, base_url=api.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(api.stop(), 2)
        assert await asyncio.wait_for(poll, 2) == ()


# --------------------------------------------------------------------------- standalone process


async def test_cli_serves_until_stdin_closes() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakebotapi",
        "--port",
        "0",
        "--limits",
        "30",
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        base_url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        control = base_url.removesuffix("/bot") + "/_fake"
        async with httpx.AsyncClient() as client:
            me = await client.get(f"{base_url}123456:TEST-token/getMe")
            assert me.json()["result"]["username"] == "visatalks_bot"
            pushed = await client.post(f"{control}/user_message", json={"user_id": 1, "text": "hi"})
            assert pushed.json()["message"]["text"] == "hi"
            for text in ("a", "b"):  # private chat: one message per second
                await client.post(
                    f"{base_url}123456:TEST-token/sendMessage", data={"chat_id": "1", "text": text}
                )
            stats = (await client.get(f"{control}/stats")).json()
            assert (stats["delivered"], stats["too_many_requests"]) == (1, 1)
            assert stats["pending_updates"] == 1
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), 5) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
