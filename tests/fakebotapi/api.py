"""The :class:`FakeBotApi` itself: lifecycle, the method table and one call's handling."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from dataclasses import dataclass

import tornado.httpserver
import tornado.netutil

from tests.fakebotapi.chats import Chats
from tests.fakebotapi.limits import RateLimits
from tests.fakebotapi.messages import Messages
from tests.fakebotapi.queries import Queries
from tests.fakebotapi.records import Call
from tests.fakebotapi.server import make_application
from tests.fakebotapi.settings import BotSettings
from tests.fakebotapi.updates import UpdateDelivery
from tests.fakebotapi.wire import ApiError, Connection, Handler, JSONDict, MethodKind

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Method:
    """One Bot API method: its canonical name, implementation and guard."""

    name: str
    func: Handler
    kind: MethodKind


class FakeBotApi(Chats, Messages, Queries, UpdateDelivery, BotSettings):
    """In-process fake of the Telegram Bot API; see the package docstring.

    Args:
        token: the only token accepted; the bot's id is its numeric prefix.
        username: the bot's username (without ``@``).
        limits: flood limits to enforce on sends, ``None`` for unlimited.
        first_name: the bot's display name.
        host: interface to listen on.
        port: port to listen on, 0 for an OS-chosen one.
    """

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
        super().__init__(token, username, limits, first_name=first_name, host=host, port=port)
        self._methods = self._build_method_table()

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (PTB appends ``<token>/<method>``)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def control_url(self) -> str:
        """Base URL of the out-of-process control API (``/_fake/<action>``)."""
        return f"http://{self.host}:{self.port}/_fake"

    @property
    def running(self) -> bool:
        """Whether the HTTP server is listening."""
        return self._server is not None

    async def start(self) -> FakeBotApi:
        """Start listening in the running event loop; returns ``self``."""
        if self._server is not None:
            return self
        self._stopping = asyncio.Event()
        self._queue_event = asyncio.Event()
        app = make_application(self)
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery, close the server and its connections."""
        server, self._server = self._server, None
        if server is None:
            return
        assert self._stopping is not None
        self._stopping.set()
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("stopping")
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._http_client is not None:
            self._http_client.close()
            self._http_client = None
        server.stop()
        if self._in_flight:  # let woken long polls and delayed calls write their answers
            self._idle = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), 1.0)
        await server.close_all_connections()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def handle(
        self, method: str, params: JSONDict, connection: Connection | None = None
    ) -> tuple[int, JSONDict]:
        """Execute one Bot API method as the HTTP server would; returns (status, body)."""
        connection = connection or Connection()
        at = time.monotonic()
        key = method.lower()
        spec = self._methods.get(key)
        name = spec.name if spec else method
        status = 200
        error: str | None = None
        try:
            if spec is None:
                self.unknown_methods.append(method)
                raise ApiError(404, "Not Found")
            if self._delays:
                delay = self._delays.get(key)
                if delay:
                    await self._sleep(delay)
            if self._failures:
                await self._apply_failures(key, params)
            if self._chat_states and spec.kind != "plain":
                self._apply_chat_state(spec.kind, params)
            if spec.kind == "send":
                self._apply_channel_rights(params)
            result = spec.func(params, connection)
            if inspect.isawaitable(result):
                result = await result
            body: JSONDict = {"ok": True, "result": result}
        except ApiError as exc:
            status, error = exc.error_code, exc.description
            if status == 429:
                self.too_many_requests += 1
            body = exc.payload()
        except Exception as exc:
            logger.exception("fake Bot API failed on %s", name)
            status, error = 500, f"Internal Server Error: {exc!r}"
            self.server_errors.append(f"{name}: {exc!r}")
            body = {"ok": False, "error_code": 500, "description": error}
        call = Call(name, params, at, len(self.calls), status, error)
        self.calls.append(call)
        by_method = self._calls_by_method.get(name.lower())
        if by_method is None:
            by_method = self._calls_by_method[name.lower()] = []
        by_method.append(call)
        if self._waiters:
            self._notify()
        return status, body

    def _build_method_table(self) -> dict[str, Method]:
        table: list[tuple[str, Handler, MethodKind]] = [
            ("getMe", self._get_me, "plain"),
            ("logOut", self._true, "plain"),
            ("close", self._true, "plain"),
            ("getUpdates", self._get_updates, "plain"),
            ("setWebhook", self._set_webhook, "plain"),
            ("deleteWebhook", self._delete_webhook, "plain"),
            ("getWebhookInfo", self._get_webhook_info, "plain"),
            ("setMyCommands", self._set_my_commands, "plain"),
            ("getMyCommands", self._get_my_commands, "plain"),
            ("deleteMyCommands", self._delete_my_commands, "plain"),
            ("setMyDescription", self._setter("description"), "plain"),
            ("getMyDescription", self._getter("description"), "plain"),
            ("setMyShortDescription", self._setter("short_description"), "plain"),
            ("getMyShortDescription", self._getter("short_description"), "plain"),
            ("setMyName", self._setter("name"), "plain"),
            ("getMyName", self._getter("name"), "plain"),
            ("setChatMenuButton", self._set_chat_menu_button, "plain"),
            ("getChatMenuButton", self._get_chat_menu_button, "plain"),
            ("sendMessage", self._send_message, "send"),
            ("sendPhoto", self._send_photo, "send"),
            ("sendDocument", self._send_document, "send"),
            ("editMessageText", self._edit_message_text, "send"),
            ("editMessageCaption", self._edit_message_caption, "send"),
            ("editMessageReplyMarkup", self._edit_message_reply_markup, "send"),
            ("deleteMessage", self._delete_message, "chat"),
            ("sendChatAction", self._send_chat_action, "send"),
            ("answerCallbackQuery", self._answer_callback_query, "plain"),
            ("answerInlineQuery", self._answer_inline_query, "plain"),
            ("getChat", self._get_chat, "chat"),
            ("getChatMember", self._get_chat_member, "chat"),
            ("leaveChat", self._true, "chat"),
            ("pinChatMessage", self._true, "chat"),
            ("unpinChatMessage", self._true, "chat"),
            ("setMessageReaction", self._true, "chat"),
        ]
        return {name.lower(): Method(name, func, kind) for name, func, kind in table}
