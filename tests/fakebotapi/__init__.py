"""A fake Telegram Bot API HTTP server for driving the real bot in tests and benchmarks.

The server runs on tornado inside the *current* asyncio event loop and speaks the
same wire protocol as ``api.telegram.org``: ``POST /bot<token>/<method>`` with JSON,
``application/x-www-form-urlencoded`` or ``multipart/form-data`` parameters, answering
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``.
Point python-telegram-bot at it with ``base_url=api.base_url``.

Typical use::

    async with FakeBotApi() as api:
        app = Application.builder().token(api.token).base_url(api.base_url).build()
        ...  # start polling
        reply = await api.reply_to(42, "/start")
        assert "Hello" in reply.plain

Besides answering the bot, the fake

* injects updates (:meth:`FakeBotApi.user_message`, :meth:`FakeBotApi.press_button`,
  :meth:`FakeBotApi.inline_query`, ...) that ``getUpdates`` long polls (or a webhook)
  receive,
* records every call and every message the bot sent (:attr:`FakeBotApi.calls`,
  :attr:`FakeBotApi.sent`) and lets tests await them,
* validates what Telegram validates where bugs typically hide (HTML markup, text length,
  editing to identical content, answering a callback query twice, ...),
* scripts failures (429 / 403 / 400 / 5xx / slow answers) and optionally enforces
  Telegram-like flood limits for benchmarks.

It can also run as its own process for benchmarks::

    python -m tests.fakebotapi --port 0 --limits 30

which prints ``base_url`` on one line and serves until SIGTERM/SIGINT or EOF on a piped
stdin. A tiny control API lives under ``/_fake/`` (see :mod:`.server`).

Modules, by role:

* :mod:`.api` -- :class:`FakeBotApi`: lifecycle, the method table, one call's handling;
  it is composed of the role mixins below, over the shared :mod:`.state`;
* :mod:`.injecting`, :mod:`.chats` -- updates from users and channels;
* :mod:`.scripting` -- scripted failures and chat states;
* :mod:`.recording`, :mod:`.waiting` -- what the bot sent, and awaiting it;
* :mod:`.updates`, :mod:`.settings`, :mod:`.messages`, :mod:`.queries` -- the Bot API
  methods grouped by what they act on;
* :mod:`.wire` (errors, parameters), :mod:`.html` (Telegram HTML), :mod:`.limits` (flood
  limits), :mod:`.objects` (Bot API objects), :mod:`.records` (recorded data);
* :mod:`.server` -- the HTTP layer; :mod:`.cli` -- the standalone process.
"""

from __future__ import annotations

from tests.fakebotapi.api import FakeBotApi
from tests.fakebotapi.html import HtmlParseError, html_to_plain, parse_html
from tests.fakebotapi.limits import RateLimits
from tests.fakebotapi.records import AnsweredCallback, Call, InlineAnswer, SentMessage
from tests.fakebotapi.wire import ApiError

__all__ = [
    "AnsweredCallback",
    "ApiError",
    "Call",
    "FakeBotApi",
    "HtmlParseError",
    "InlineAnswer",
    "RateLimits",
    "SentMessage",
    "html_to_plain",
    "parse_html",
]
