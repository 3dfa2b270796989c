"""The offline console: the real Application, handlers and database, driven from a terminal.

Each input line is a message from one user; replies print as plain text and inline buttons as
numbered choices that the next line can pick by number. No network is touched: a BaseRequest
subclass answers the Bot API calls in-process.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import sys
import time
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import VisatalksApp, build_application
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES, Texts, detect_language, texts_for
from bot.telegram.ptb_private import ODVInput
from bot.telegram.runner import running

CONSOLE_TOKEN = "1000000:console-offline-token-000000000"
BOT_USER = {
    "id": 1000000,
    "is_bot": True,
    "first_name": "visatalks",
    "username": "visatalks_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
_LINK_RE = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, links as `text (url)`."""
    text = _LINK_RE.sub(lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", text)
    return html.unescape(_TAG_RE.sub("", text))


class ConsoleRequest(BaseRequest):
    """Answers Bot API calls locally and prints what the bot sends."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.message_ids = itertools.count(1)
        self.buttons: list[tuple[dict[str, Any], str]] = []  # (message, callback_data)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _print_message(self, params: dict[str, Any], message: dict[str, Any]) -> None:
        self.out.write(html_to_plain(str(params.get("text", ""))).rstrip() + "\n")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = (markup or {}).get("inline_keyboard", [])
        if rows:
            self.buttons = []
            labels = []
            for button in itertools.chain.from_iterable(rows):
                if "callback_data" in button:
                    self.buttons.append((message, button["callback_data"]))
                    labels.append(f"[{len(self.buttons)}] {button['text']}")
            self.out.write("  " + "   ".join(labels) + "\n")
        self.out.write("\n")
        self.out.flush()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint in ("sendMessage", "editMessageText"):
            result = {
                "message_id": params.get("message_id") or next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": int(str(params.get("chat_id", 0))), "type": "private"},
                "from": BOT_USER,
                "text": html_to_plain(str(params.get("text", ""))),
            }
            self._print_message(params, result)
        elif endpoint == "answerCallbackQuery" and params.get("show_alert"):
            self.out.write(f"({params.get('text', '')})\n")
        elif endpoint == "getUpdates":
            result = []
        return 200, json.dumps({"ok": True, "result": result}).encode()


class ConsoleUser:
    """Turns input lines into updates from one private-chat user."""

    def __init__(self, language_code: str, user_id: int = 1001) -> None:
        self.user_id = user_id
        self.user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Console",
            "language_code": language_code,
        }
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def message(self, text: str) -> dict[str, Any]:
        chat = {"id": self.user_id, "type": "private", "first_name": "Console"}
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self.update_ids), "message": message}

    def press(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        query = {
            "id": str(next(self.update_ids)),
            "from": self.user,
            "chat_instance": "console",
            "message": message,
            "data": data,
        }
        return {"update_id": next(self.update_ids), "callback_query": query}


async def run_console(
    settings: Settings,
    language: str | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    request = ConsoleRequest(out)
    application = build_application(settings, request=request, token=CONSOLE_TOKEN)
    user = ConsoleUser(language or "ru")
    loop = asyncio.get_running_loop()
    async with running(application, poll=False):
        chats = application.bot_data.chats
        if language and chats is not None:
            # The flag is the user's choice for this session, over any saved one.
            await chats.seen(user.user_id, "private", language)
            await chats.choose_language(user.user_id, detect_language(language))
        texts = texts_for(await _language(application, user))
        out.write(texts.plain("console.banner", language=LANGUAGE_NAMES[texts.language]) + "\n\n")
        out.flush()
        while True:
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                return 0
            text = line.strip()
            if not text:
                continue
            if text.isdigit():  # a button's number, never a question
                if not 1 <= int(text) <= len(request.buttons):
                    texts = texts_for(await _language(application, user))
                    out.write(_no_button(texts, int(text), len(request.buttons)) + "\n\n")
                    out.flush()
                    continue
                message, data = request.buttons[int(text) - 1]
                raw = user.press(message, data)
            else:
                raw = user.message(text)
            await application.process_update(Update.de_json(raw, application.bot))


async def _language(application: VisatalksApp, user: ConsoleUser) -> str:
    """The console user's language as the bot sees it now (their /lang, else the flag)."""
    chats = application.bot_data.chats
    chat = await chats.get(user.user_id) if chats is not None else None
    return chat.language if chat is not None else detect_language(user.user["language_code"])


def _no_button(texts: Texts, number: int, count: int) -> str:
    if count == 0:
        return texts.plain("console.no_buttons")
    return texts.plain("console.no_such_button", number=number, count=count)
