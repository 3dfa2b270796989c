"""The fake's state (world, recordings, update queue, scripts) shared by its role mixins."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import tornado.httpclient
import tornado.httpserver

from tests.fakebotapi.limits import RateLimiter, RateLimits
from tests.fakebotapi.objects import SUPERGROUP_ID_LIMIT
from tests.fakebotapi.records import (
    AnsweredCallback,
    Call,
    Failure,
    InlineAnswer,
    PendingQuery,
    SentMessage,
    Webhook,
)
from tests.fakebotapi.wire import ApiError, JSONDict, bad_request, optional_chat_id


class State:
    """Every attribute of :class:`FakeBotApi` and the helpers that read the world."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        username: str = "visatalks_bot",
        limits: RateLimits | None = None,
        *,
        first_name: str = "VisaTalks",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.username = username
        self.limits = limits
        self.host = host
        self.port = port
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }

        # Recordings (cleared by clear_records()).
        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.edits: list[SentMessage] = []
        self.deleted: list[tuple[int, int]] = []
        self.answered_callbacks: list[AnsweredCallback] = []
        self.inline_answers: list[InlineAnswer] = []
        self.updates: list[JSONDict] = []
        self.dropped_updates: list[JSONDict] = []
        self.unknown_methods: list[str] = []
        self.server_errors: list[str] = []
        self.webhook_deliveries: list[int] = []
        self.too_many_requests = 0
        self._calls_by_method: dict[str, list[Call]] = {}
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._edits_by_chat: dict[int, list[SentMessage]] = {}
        self._delivered: Counter[int] = Counter()

        # World state.
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._raw_text: dict[tuple[int, int], tuple[str, str | None]] = {}
        self._next_message_id: dict[int, int] = {}
        self._callbacks: dict[str, PendingQuery] = {}
        self._inline_queries: dict[str, PendingQuery] = {}
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self.chat_members: dict[tuple[int, int], str] = {}
        # Channels: whether the bot (an administrator there) may post; absent = not a member.
        self._channel_rights: dict[int, bool] = {}
        self._channel_posts: set[tuple[int, int]] = set()  # the bot's own posts in channels
        self.webhook: Webhook | None = None

        # Update queue.
        self._queue: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._pollers: set[asyncio.Future[str]] = set()
        self._queue_event: asyncio.Event | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http_client: tornado.httpclient.AsyncHTTPClient | None = None

        # Scripted behaviour.
        self._failures: list[Failure] = []
        self._chat_states: dict[int, tuple[ApiError, bool]] = {}
        self._delays: dict[str, float] = {}
        self._limiter = RateLimiter(limits) if limits else None

        self._waiters: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping: asyncio.Event | None = None
        self._in_flight = 0
        self._idle: asyncio.Event | None = None

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the server stops."""
        if self._stopping is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _chat_id(self, params: JSONDict) -> int:
        value = params.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        chat_id = optional_chat_id(params)
        if chat_id is None:
            wanted = str(value).removeprefix("@").lower()
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return int(chat["id"])
            raise bad_request("chat not found")
        return chat_id

    def _chat_object(self, chat_id: int) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            user = self._users.get(chat_id, {"first_name": "Test"})
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        elif chat_id <= SUPERGROUP_ID_LIMIT:
            chat = {"id": chat_id, "type": "supergroup", "title": "Test supergroup"}
        else:
            chat = {"id": chat_id, "type": "group", "title": "Test group"}
        self._chats[chat_id] = chat
        return chat

    def _remember_user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user = dict(
            self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Test"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _remember_chat(
        self, chat_id: int, chat_type: str, title: str | None, user: JSONDict
    ) -> JSONDict:
        if chat_type == "private":
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            old_title = self._chats.get(chat_id, {}).get("title")
            chat = {"id": chat_id, "type": chat_type, "title": title or old_title or "Test group"}
        self._chats[chat_id] = chat
        return chat

    def _incoming_message(
        self, user: JSONDict, chat_id: int | None, chat_type: str, chat_title: str | None
    ) -> JSONDict:
        chat = self._remember_chat(
            int(user["id"]) if chat_id is None else chat_id, chat_type, chat_title, user
        )
        return {
            "message_id": self._allocate_message_id(int(chat["id"])),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }

    def _allocate_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id

    def _store_message(self, chat_id: int, message_id: int, message: JSONDict) -> None:
        self._messages[(chat_id, message_id)] = message
        if message_id > self._next_message_id.get(chat_id, 0):
            self._next_message_id[chat_id] = message_id
