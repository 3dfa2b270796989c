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
stdin. A tiny control API lives under ``/_fake/`` (see :class:`_ControlHandler`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import inspect
import itertools
import json
import logging
import math
import os
import re
import signal
import stat
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final, Literal, TypeVar

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

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

JSONDict = dict[str, Any]
_T = TypeVar("_T")

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
SUPERGROUP_ID_LIMIT: Final = -1_000_000_000_000

ERR_QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
ERR_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

#: Update types Telegram does not deliver unless asked for explicitly in allowed_updates.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: Form fields that are always plain strings; everything else is JSON-decoded when possible
#: (PTB sends str values verbatim and every other value JSON-encoded).
_STRING_PARAMS: Final = frozenset(
    {
        "action",
        "address",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "description",
        "emoji",
        "explanation",
        "first_name",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "phone_number",
        "question",
        "secret_token",
        "short_description",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "title",
        "url",
    }
)
_JSON_START: Final = frozenset('[{"-0123456789tfn')

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND_RE: Final = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer of the Bot API (``ok: false``)."""

    def __init__(
        self, error_code: int, description: str, parameters: JSONDict | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def fresh(self) -> ApiError:
        """A new instance with the same answer (scripted errors are raised many times)."""
        return ApiError(self.error_code, self.description, self.parameters)

    def payload(self) -> JSONDict:
        """The JSON body Telegram would answer with."""
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Flood limits to enforce on message-sending methods (``None`` disables one).

    Defaults are Telegram's documented ceilings: 30 messages/s overall, about one
    message per second per private chat and 20 messages per minute per group or channel.
    """

    global_per_second: float | None = 30.0
    private_per_second: float | None = 1.0
    group_per_minute: int | None = 20
    channel_per_minute: int | None = 20


@dataclass(slots=True)
class Call:
    """One Bot API request as the fake saw it.

    ``at`` is the ``time.monotonic()`` of arrival; ``status`` and ``error`` describe the
    answer (200 / ``None`` on success). ``seq`` is the call's index in
    :attr:`FakeBotApi.calls`.
    """

    method: str
    params: JSONDict
    at: float
    seq: int = 0
    status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the request was answered successfully."""
        return self.status == 200

    def summary(self) -> str:
        """One line for diagnostics."""
        where = f" chat_id={self.params['chat_id']}" if "chat_id" in self.params else ""
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        return f"#{self.seq} {self.method}{where} -> {outcome}"


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent (or an edited version of one, see ``method``).

    ``text`` is what the bot sent (raw, with markup), ``plain`` is what the user sees
    (tags stripped, HTML entities decoded). ``message`` is the Bot API ``Message`` object
    returned to the bot.
    """

    chat_id: int
    message_id: int
    text: str
    plain: str
    parse_mode: str | None
    reply_markup: JSONDict | None
    at: float
    entities: list[JSONDict] = field(default_factory=list)
    method: str = "sendMessage"
    reply_to_message_id: int | None = None
    message: JSONDict = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[list[JSONDict]]:
        """Rows of buttons of the inline or reply keyboard sent with the message."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        """Texts of all buttons, row by row."""
        return [str(b.get("text", "")) for row in self.buttons for b in row]

    @property
    def callback_data(self) -> list[str]:
        """``callback_data`` of all inline buttons, row by row."""
        return [
            str(b["callback_data"]) for row in self.buttons for b in row if "callback_data" in b
        ]

    def to_dict(self) -> JSONDict:
        """JSON-compatible representation (used by the control API)."""
        data = dataclasses.asdict(self)
        data.pop("message")
        return data


@dataclass(slots=True)
class AnsweredCallback:
    """An ``answerCallbackQuery`` call matched to the query it answers."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float
    user_id: int | None = None
    data: str | None = None


@dataclass(slots=True)
class InlineAnswer:
    """An ``answerInlineQuery`` call matched to the query it answers."""

    inline_query_id: str
    results: list[JSONDict]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None
    button: JSONDict | None
    at: float
    user_id: int | None = None
    query: str | None = None


@dataclass(slots=True)
class _Failure:
    method: str | None
    chat_id: int | None
    error: ApiError
    times: int
    delay: float


@dataclass(slots=True)
class _PendingQuery:
    user_id: int
    payload: str
    answered: bool = False


@dataclass(slots=True)
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    last_error_date: int | None = None
    last_error_message: str | None = None


class _Connection:
    """Per-request state shared between the tornado handler and the API logic."""

    __slots__ = ("closed", "waiter")

    def __init__(self) -> None:
        self.closed = False
        self.waiter: asyncio.Future[str] | None = None

    def close(self) -> None:
        """The client went away: stop any long poll on its behalf."""
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result("gone")


# --------------------------------------------------------------------------- HTML

_TAG_ENTITY_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_HTML_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z]+));?")
_HTML_SPECIAL_RE: Final = re.compile(r"[<&]")


class HtmlParseError(ValueError):
    """Telegram would reject the text with ``can't parse entities: <message>``."""


@dataclass(slots=True)
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


def _utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(match: re.Match[str]) -> str | None:
    """Decode one entity the way Telegram does; ``None`` means "keep the '&' literally"."""
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _NAMED_HTML_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_html(value: str) -> str:
    return _HTML_ENTITY_RE.sub(lambda m: _decode_html_entity(m) or m.group(0), value)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``.

    Follows the rules of Telegram's own parser: only the documented tags are allowed,
    every ``<`` starts a tag, tags must nest properly, only ``&lt; &gt; &amp; &quot;`` and
    numeric character references are decoded (other ``&`` stay literal). Entity offsets
    and lengths are in UTF-16 code units like the Bot API's.

    Raises:
        HtmlParseError: with Telegram's wording of the problem.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    n = len(text)
    i = 0

    def offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    while i < n:
        special = _HTML_SPECIAL_RE.search(text, i)
        stop = special.start() if special else n
        if stop > i:
            chunk = text[i:stop]
            out.append(chunk)
            pos16 += _utf16_len(chunk)
            i = stop
            if i >= n:
                break
        if text[i] == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _decode_html_entity(match) if match else None
            if match is None or decoded is None:
                out.append("&")
                pos16 += 1
                i += 1
            else:
                out.append(decoded)
                pos16 += _utf16_len(decoded)
                i = match.end()
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            close = text.find(">", i + 2)
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
            if name and name != stack[-1].name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {offset(begin)}, expected "
                    f'"</{stack[-1].name}>", found "</{name}>"'
                )
            tag = stack.pop()
            entity = _entity_for_tag(tag, pos16 - tag.start, stack)
            if entity is not None:
                entities.append(entity)
            i = close + 1
            continue

        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _TAG_ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset(begin)}')
        attrs, i = _parse_html_attributes(text, j, name, offset(begin))
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlParseError(
                f'Tag "tg-emoji" must have a numeric attribute "emoji-id" '
                f"at byte offset {offset(begin)}"
            )
        stack.append(_OpenTag(name=name, start=pos16, attrs=attrs))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_html_attributes(
    text: str, i: int, tag: str, tag_offset: int
) -> tuple[dict[str, str], int]:
    """Parse ``name="value"`` pairs from ``text[i:]`` up to ``>``; return them and the end."""
    n = len(text)
    attrs: dict[str, str] = {}
    unclosed = f"Unclosed start tag at byte offset {tag_offset}"
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(unclosed)
        if text[i] == ">":
            return attrs, i + 1
        k = i
        while k < n and not text[k].isspace() and text[k] not in "=>":
            k += 1
        attr = text[i:k].lower()
        if not attr:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {tag_offset}'
            )
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise HtmlParseError(unclosed)
        if text[k] != "=":
            attrs[attr] = ""
            i = k
            continue
        k += 1
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise HtmlParseError(unclosed)
        if text[k] in "\"'":
            end = text.find(text[k], k + 1)
            if end == -1:
                raise HtmlParseError(unclosed)
            value = text[k + 1 : end]
            i = end + 1
        else:
            end = k
            while end < n and not text[end].isspace() and text[end] != ">":
                end += 1
            value = text[k:end]
            i = end
        attrs[attr] = _unescape_html(value)


def _entity_for_tag(tag: _OpenTag, length: int, parents: list[_OpenTag]) -> JSONDict | None:
    """The MessageEntity a closed tag produces (``None`` for empty or merged ones)."""
    css_class = tag.attrs.get("class", "")
    if (
        tag.name == "code"
        and parents
        and parents[-1].name == "pre"
        and css_class.startswith("language-")
    ):
        parents[-1].language = css_class[len("language-") :]
        return None
    if length <= 0:
        return None
    entity: JSONDict = {"type": _TAG_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        user_id = href.removeprefix("tg://user?id=")
        if user_id != href and user_id.isdigit():
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user_id), "is_bot": False, "first_name": ""}
        else:
            entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    return entity


def html_to_plain(text: str) -> str:
    """What the user sees for an HTML message (raises :class:`HtmlParseError` if invalid)."""
    return parse_html(text)[0]


def _command_entities(text: str) -> list[JSONDict]:
    match = _BOT_COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]


# --------------------------------------------------------------------------- rate limits


class _Window:
    """Sliding window admitting at most ``cap`` events per ``span`` seconds."""

    __slots__ = ("cap", "span", "stamps")

    def __init__(self, cap: int, span: float) -> None:
        self.cap = cap
        self.span = span
        self.stamps: deque[float] = deque()

    @classmethod
    def per_second(cls, rate: float) -> _Window:
        cap = max(1, int(rate))
        return cls(cap, cap / rate)

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        stamps = self.stamps
        horizon = now - self.span
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if len(stamps) < self.cap:
            return 0.0
        return stamps[0] + self.span - now


class _RateLimiter:
    """Telegram-like flood control: global, per private chat and per group windows."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = (
            _Window.per_second(limits.global_per_second) if limits.global_per_second else None
        )
        self._chats: dict[int, _Window] = {}

    def _chat_window(self, chat_id: int, channel: bool) -> _Window | None:
        window = self._chats.get(chat_id)
        if window is None:
            if channel:
                if not self.limits.channel_per_minute:
                    return None
                window = _Window(self.limits.channel_per_minute, 60.0)
            elif chat_id < 0:
                if not self.limits.group_per_minute:
                    return None
                window = _Window(self.limits.group_per_minute, 60.0)
            else:
                if not self.limits.private_per_second:
                    return None
                window = _Window.per_second(self.limits.private_per_second)
            self._chats[chat_id] = window
        return window

    def acquire(self, chat_id: int, now: float, channel: bool = False) -> int | None:
        """Record a send and return ``None``, or return ``retry_after`` seconds if over a limit."""
        chat = self._chat_window(chat_id, channel)
        wait = max(
            self._global.wait_time(now) if self._global else 0.0,
            chat.wait_time(now) if chat else 0.0,
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        if self._global:
            self._global.stamps.append(now)
        if chat:
            chat.stamps.append(now)
        return None


# --------------------------------------------------------------------------- the fake

_Handler = Callable[[JSONDict, _Connection], Any]
_Kind = Literal["send", "chat", "plain"]


@dataclass(slots=True)
class _Method:
    name: str
    func: _Handler
    kind: _Kind


class FakeBotApi:
    """In-process fake of the Telegram Bot API; see the module docstring.

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
        self._callbacks: dict[str, _PendingQuery] = {}
        self._inline_queries: dict[str, _PendingQuery] = {}
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self.chat_members: dict[tuple[int, int], str] = {}
        # Channels: whether the bot (an administrator there) may post; absent = not a member.
        self._channel_rights: dict[int, bool] = {}
        self._channel_posts: set[tuple[int, int]] = set()  # the bot's own posts in channels
        self.webhook: _Webhook | None = None

        # Update queue.
        self._queue: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._pollers: set[asyncio.Future[str]] = set()
        self._queue_event: asyncio.Event | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http_client: tornado.httpclient.AsyncHTTPClient | None = None

        # Scripted behaviour.
        self._failures: list[_Failure] = []
        self._chat_states: dict[int, tuple[ApiError, bool]] = {}
        self._delays: dict[str, float] = {}
        self._limiter = _RateLimiter(limits) if limits else None

        self._waiters: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping: asyncio.Event | None = None
        self._in_flight = 0
        self._idle: asyncio.Event | None = None
        self._methods = self._build_method_table()

    # ------------------------------------------------------------------ lifecycle

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
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)/?", _BotApiHandler, {"api": self}),
                (r"/_fake/([a-z_]+)", _ControlHandler, {"api": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=_no_access_log,
        )
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

    # ------------------------------------------------------------------ scripting

    def fail_next(
        self,
        method: str | None = "sendMessage",
        *,
        chat_id: int | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (any method if ``None``) fail.

        Restrict to one chat with ``chat_id``. Rules are consumed in the order they were
        added. A 429 always carries ``parameters.retry_after`` (default: the number in the
        description, else 1). ``description`` defaults to Telegram's wording for the code.
        ``delay`` seconds pass before the error is answered.
        """
        if error_code == 429 and retry_after is None:
            found = re.search(r"retry after (\d+)", description or "")
            retry_after = int(found.group(1)) if found else 1
        if description is None:
            description = _default_description(error_code, retry_after)
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        self._failures.append(
            _Failure(
                method=method.lower() if method else None,
                chat_id=chat_id,
                error=ApiError(error_code, description, parameters or None),
                times=times,
                delay=delay,
            )
        )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to ``chat_id`` get 403."""
        self._chat_states[chat_id] = (ApiError(403, "Forbidden: bot was blocked by the user"), True)

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sends to ``chat_id`` get 403."""
        self._chat_states[chat_id] = (ApiError(403, "Forbidden: user is deactivated"), True)

    def gone(self, chat_id: int) -> None:
        """Every call about ``chat_id`` gets 400 "chat not found"."""
        self._chat_states[chat_id] = (_bad_request("chat not found"), False)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: calls about it get 400 with migrate_to_chat_id."""
        error = ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )
        self._chat_states[chat_id] = (error, False)

    def unblock(self, chat_id: int) -> None:
        """Clear any state set by block/deactivate/gone/migrate for ``chat_id``."""
        self._chat_states.pop(chat_id, None)

    def delay_method(self, method: str, seconds: float) -> None:
        """Answer every ``method`` call only after ``seconds`` (0 removes the delay).

        The call is still carried out after the delay even if the client gave up, like
        a real server that was merely slow (a retried send then duplicates).
        """
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What ``getChatMember(chat_id, user_id)`` reports (default ``member``)."""
        self.chat_members[(chat_id, user_id)] = status

    def add_channel(
        self,
        chat_id: int,
        title: str = "Test channel",
        username: str | None = None,
        *,
        bot_status: str = "administrator",
        can_post: bool = True,
    ) -> JSONDict:
        """A channel exists (``getChat`` finds it, by ``@username`` too) with the bot in it as
        ``bot_status`` (``left``: not a member). Sends and edits there need an administrator
        with ``can_post``: 403 when the bot is not one, 400 without the right, as on Telegram.
        """
        chat: JSONDict = {"id": chat_id, "type": "channel", "title": title}
        if username is not None:
            chat["username"] = username
        self._chats[chat_id] = chat
        self._set_bot_in_channel(chat_id, bot_status, can_post)
        return chat

    def _set_bot_in_channel(self, chat_id: int, status: str, can_post: bool) -> None:
        self.chat_members[(chat_id, self.bot_id)] = status
        if status == "administrator":
            self._channel_rights[chat_id] = can_post
        else:
            self._channel_rights.pop(chat_id, None)

    def channel_member_change(
        self, chat_id: int, by_user_id: int, new_status: str, *, can_post: bool = True
    ) -> JSONDict:
        """An owner of the channel changed the bot's membership (removed it: ``left`` or
        ``kicked``; took its right to post: ``administrator`` with ``can_post=False``); the
        bot gets a ``my_chat_member`` update and later sends are refused accordingly."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.get("type") != "channel":
            raise ValueError(f"{chat_id} is not a channel (add_channel first)")
        old_status = self.chat_members.get((chat_id, self.bot_id), "left")
        old = self._bot_membership(chat_id)
        self._set_bot_in_channel(chat_id, new_status, can_post)
        body = {
            "chat": chat,
            "from": self._remember_user(by_user_id),
            "date": int(time.time()),
            "old_chat_member": old if old_status != "left" else _chat_member("left", self.bot_user),
            "new_chat_member": self._bot_membership(chat_id),
        }
        return self.push_update({"my_chat_member": body})

    def _bot_membership(self, chat_id: int) -> JSONDict:
        status = self.chat_members.get((chat_id, self.bot_id), "left")
        member = _chat_member(status, self.bot_user)
        if status == "administrator" and chat_id in self._channel_rights:
            may_post = self._channel_rights[chat_id]
            member.update(can_post_messages=may_post, can_edit_messages=may_post)
        return member

    def channel_post(self, chat_id: int, text: str, *, signature: str | None = None) -> JSONDict:
        """An administrator posts ``text`` in the channel: a ``channel_post`` update, with no
        ``from`` (the channel itself is the sender, ``sender_chat``)."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.get("type") != "channel":
            raise ValueError(f"{chat_id} is not a channel (add_channel first)")
        message: JSONDict = {
            "message_id": self._allocate_message_id(chat_id),
            "sender_chat": chat,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        if signature is not None:
            message["author_signature"] = signature
        return self.push_update({"channel_post": message})

    def forward_from_channel(
        self, user_id: int, channel_id: int, text: str, *, language_code: str = "ru"
    ) -> JSONDict:
        """The user forwards the bot a post of the channel (``forward_origin`` of type
        ``channel``)."""
        chat = self._chats.get(channel_id)
        if chat is None or chat.get("type") != "channel":
            raise ValueError(f"{channel_id} is not a channel (add_channel first)")
        user = self._remember_user(user_id, language_code=language_code)
        message = self._incoming_message(user, None, "private", None)
        message["text"] = text
        message["forward_origin"] = {
            "type": "channel",
            "chat": chat,
            "message_id": 1,
            "date": int(time.time()) - 60,
        }
        return self.push_update({"message": message})

    # ------------------------------------------------------------------ injecting updates

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a raw update (``update_id`` is assigned when missing); returns it."""
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                self._store_message(int(message["chat"]["id"]), int(message["message_id"]), message)
        self.updates.append(update)
        update_type = next((k for k in update if k != "update_id"), "")
        allowed = self._allowed_updates
        if (update_type in _OPT_IN_UPDATES) if allowed is None else (update_type not in allowed):
            self.dropped_updates.append(update)
            return update
        self._queue.append(update)
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("update")
        if self._queue_event is not None:
            self._queue_event.set()
        return update

    def user_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "ru",
        first_name: str = "Test",
        username: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_to_message_id: int | None = None,
        chat_title: str | None = None,
    ) -> JSONDict:
        """A user writes ``text``; bot_command entities are added for ``/commands``."""
        user = self._remember_user(user_id, first_name, username, language_code)
        message = self._incoming_message(user, chat_id, chat_type, chat_title)
        message["text"] = text
        found = entities if entities is not None else _command_entities(text)
        if found:
            message["entities"] = found
        if reply_to_message_id is not None:
            target = self._messages.get((message["chat"]["id"], reply_to_message_id))
            if target is not None:
                message["reply_to_message"] = _without_reply(target)
        return self.push_update({"message": message})

    def non_text_message(
        self,
        user_id: int,
        kind: str = "sticker",
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        language_code: str = "ru",
        first_name: str = "Test",
        username: str | None = None,
        chat_title: str | None = None,
    ) -> JSONDict:
        """A user sends a sticker, photo, voice, document, location or contact."""
        user = self._remember_user(user_id, first_name, username, language_code)
        message = self._incoming_message(user, chat_id, chat_type, chat_title)
        file_no = next(self._file_ids)
        file_ids = {"file_id": f"{kind.upper()}-IN-{file_no}", "file_unique_id": f"u{file_no}"}
        if kind == "sticker":
            message["sticker"] = {
                **file_ids,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\N{THUMBS UP SIGN}",
            }
        elif kind == "photo":
            message["photo"] = _photo_sizes(file_ids["file_id"], file_no)
        elif kind == "voice":
            message["voice"] = {**file_ids, "duration": 3, "mime_type": "audio/ogg"}
        elif kind == "document":
            message["document"] = {
                **file_ids,
                "file_name": "document.pdf",
                "mime_type": "application/pdf",
                "file_size": 1024,
            }
        elif kind == "location":
            message["location"] = {"latitude": 55.7558, "longitude": 37.6173}
        elif kind == "contact":
            message["contact"] = {
                "phone_number": "+70000000000",
                "first_name": user["first_name"],
                "user_id": user_id,
            }
        else:
            raise ValueError(f"unknown message kind {kind!r}")
        if caption is not None and kind in ("photo", "document", "voice"):
            message["caption"] = caption
        return self.push_update({"message": message})

    def press_button(
        self,
        user_id: int,
        message: SentMessage | JSONDict,
        data: str,
        *,
        language_code: str = "ru",
        check: bool = True,
    ) -> JSONDict:
        """The user presses the inline button with ``callback_data == data`` on ``message``.

        ``message`` is a recorded :class:`SentMessage` or a Bot API message dict; the
        callback query carries its *current* state (after edits). With ``check`` the button
        must exist on the current keyboard (ValueError otherwise).
        """
        if isinstance(message, SentMessage):
            key = (message.chat_id, message.message_id)
        else:
            key = (int(message["chat"]["id"]), int(message["message_id"]))
        current = self._messages.get(key)
        if current is None:
            if isinstance(message, SentMessage):
                raise ValueError(f"message {key[1]} in chat {key[0]} does not exist (deleted?)")
            current = message
        if check:
            keyboard = (current.get("reply_markup") or {}).get("inline_keyboard") or []
            available = [b.get("callback_data") for row in keyboard for b in row]
            if data not in available:
                raise ValueError(
                    f"message {key[1]} in chat {key[0]} has no inline button with "
                    f"callback_data={data!r}; available: {available}"
                )
        user = self._remember_user(user_id, language_code=language_code)
        query_id = str(next(self._query_ids))
        self._callbacks[query_id] = _PendingQuery(user_id, data)
        query = {
            "id": query_id,
            "from": user,
            "message": dict(current),
            "chat_instance": str(abs(hash((self.bot_id, key[0])))),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def inline_query(
        self,
        user_id: int,
        query: str,
        language_code: str = "ru",
        *,
        offset: str = "",
        chat_type: str | None = None,
    ) -> JSONDict:
        """The user types ``@bot query`` somewhere."""
        user = self._remember_user(user_id, language_code=language_code)
        query_id = str(next(self._query_ids))
        self._inline_queries[query_id] = _PendingQuery(user_id, query)
        body: JSONDict = {"id": query_id, "from": user, "query": query, "offset": offset}
        if chat_type is not None:
            body["chat_type"] = chat_type
        return self.push_update({"inline_query": body})

    def my_chat_member(
        self,
        chat_id: int,
        user_id: int,
        old_status: str,
        new_status: str,
        chat_type: str = "private",
    ) -> JSONDict:
        """The bot's membership in ``chat_id`` changed (e.g. ``member`` -> ``kicked``).

        In a private chat ``kicked`` also blocks the chat (sends get 403) and ``member``
        lifts that again, as on Telegram.
        """
        user = self._remember_user(user_id)
        chat = self._remember_chat(chat_id, chat_type, None, user)
        if chat_type == "private":
            if new_status == "kicked":
                self.block(chat_id)
            elif new_status == "member":
                self.unblock(chat_id)
        body = {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": _chat_member(old_status, self.bot_user),
            "new_chat_member": _chat_member(new_status, self.bot_user),
        }
        return self.push_update({"my_chat_member": body})

    # ------------------------------------------------------------------ inspecting

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed (or delivered to the webhook)."""
        return len(self._queue)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, oldest first."""
        return list(self._sent_by_chat.get(chat_id, ()))

    def edits_to(self, chat_id: int) -> list[SentMessage]:
        """Edits of the bot's messages in ``chat_id``, oldest first."""
        return list(self._edits_by_chat.get(chat_id, ()))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Current state of a message (``None`` if unknown or deleted)."""
        return self._messages.get((chat_id, message_id))

    def delivered_count(self, chat_id: int | None = None) -> int:
        """Messages successfully sent to ``chat_id`` (all chats when ``None``)."""
        if chat_id is None:
            return self._delivered.total()
        return self._delivered[chat_id]

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method`` (case-insensitive)."""
        return list(self._calls_by_method.get(method.lower(), ()))

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands stored by setMyCommands for a scope and language."""
        return list(self._commands.get((_scope_key(scope), language_code), ()))

    def stats(self) -> JSONDict:
        """Counters for benchmarks."""
        return {
            "calls": len(self.calls),
            "sent": len(self.sent),
            "delivered": self._delivered.total(),
            "too_many_requests": self.too_many_requests,
            "pending_updates": len(self._queue),
            "methods": {name: len(calls) for name, calls in self._calls_by_method.items()},
        }

    def clear_records(self) -> None:
        """Forget recordings and counters (chats, messages and queued updates stay)."""
        for records in (
            self.calls,
            self.sent,
            self.edits,
            self.deleted,
            self.answered_callbacks,
            self.inline_answers,
            self.updates,
            self.dropped_updates,
            self.unknown_methods,
            self.server_errors,
            self.webhook_deliveries,
        ):
            records.clear()
        self._calls_by_method.clear()
        self._sent_by_chat.clear()
        self._edits_by_chat.clear()
        self._delivered.clear()
        self.too_many_requests = 0

    # ------------------------------------------------------------------ waiting

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> list[SentMessage]:
        """Wait until ``since + count`` messages went to ``chat_id``; return those ``count``.

        ``since`` is an index into :meth:`messages_to` (e.g. its length before acting).

        Raises:
            AssertionError: on timeout, listing what was sent and the recent calls.
        """

        def check() -> list[SentMessage] | None:
            sent = self._sent_by_chat.get(chat_id, [])
            return sent[since : since + count] if len(sent) >= since + count else None

        def describe() -> str:
            sent = self._sent_by_chat.get(chat_id, [])
            lines = [f"  [{i}] {m.plain!r}" for i, m in enumerate(sent)]
            return (
                f"timed out after {timeout}s waiting for {count} bot message(s) to chat "
                f"{chat_id} after #{since}; {len(sent)} sent:\n"
                + ("\n".join(lines) or "  (none)")
                + self._recent_calls()
            )

        return await self._wait(check, timeout, describe)

    async def wait_for_edits(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> list[SentMessage]:
        """Like :meth:`wait_for_messages` for edits (see :meth:`edits_to`)."""

        def check() -> list[SentMessage] | None:
            edits = self._edits_by_chat.get(chat_id, [])
            return edits[since : since + count] if len(edits) >= since + count else None

        def describe() -> str:
            edits = self._edits_by_chat.get(chat_id, [])
            return (
                f"timed out after {timeout}s waiting for {count} edit(s) in chat {chat_id} "
                f"after #{since}; got {[m.plain for m in edits]}" + self._recent_calls()
            )

        return await self._wait(check, timeout, describe)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Call:
        """Wait for the first call of ``method`` with ``seq >= since`` matching ``predicate``.

        Pass ``since=len(api.calls)`` to ignore calls made before.

        Raises:
            AssertionError: on timeout, listing the recent calls.
        """
        key = method.lower()
        cursor = 0

        def check() -> Call | None:
            nonlocal cursor
            calls = self._calls_by_method.get(key, [])
            while cursor < len(calls):
                call = calls[cursor]
                cursor += 1
                if call.seq >= since and (predicate is None or predicate(call)):
                    return call
            return None

        def describe() -> str:
            return f"timed out after {timeout}s waiting for a {method} call" + self._recent_calls()

        return await self._wait(check, timeout, describe)

    async def reply_to(
        self,
        user_id: int,
        text: str,
        *,
        timeout: float = 15.0,  # noqa: ASYNC109
        **kwargs: Any,
    ) -> SentMessage:
        """Send ``text`` as ``user_id`` (see :meth:`user_message`); await the bot's next message."""
        chat_id = kwargs.get("chat_id")
        chat = user_id if chat_id is None else int(chat_id)
        before = len(self._sent_by_chat.get(chat, ()))
        self.user_message(user_id, text, **kwargs)
        return (await self.wait_for_messages(chat, 1, timeout, since=before))[0]

    async def _wait(
        self,
        check: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> _T:
        result = check()
        if result is not None:
            return result
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(describe()) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    def _notify(self) -> None:
        for check, future in self._waiters:
            if future.done():
                continue
            try:
                result = check()
            except Exception as exc:  # a failing predicate must surface in the test
                future.set_exception(exc)
                continue
            if result is not None:
                future.set_result(result)

    def _recent_calls(self, count: int = 12) -> str:
        recent = self.calls[-count:]
        if not recent:
            return "\nno API calls recorded"
        return "\nrecent API calls:\n" + "\n".join(f"  {c.summary()}" for c in recent)

    # ------------------------------------------------------------------ request handling

    async def handle(
        self, method: str, params: JSONDict, connection: _Connection | None = None
    ) -> tuple[int, JSONDict]:
        """Execute one Bot API method as the HTTP server would; returns (status, body)."""
        connection = connection or _Connection()
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

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the server stops."""
        if self._stopping is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _apply_failures(self, method: str, params: JSONDict) -> None:
        for failure in self._failures:
            if failure.method is not None and failure.method != method:
                continue
            if failure.chat_id is not None and _optional_chat_id(params) != failure.chat_id:
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            if failure.delay > 0:
                await self._sleep(failure.delay)
            raise failure.error.fresh()

    def _apply_channel_rights(self, params: JSONDict) -> None:
        """Sending or editing in a channel takes an administrator with the right to post."""
        chat_id = _optional_chat_id(params)
        if chat_id is None or self._chats.get(chat_id, {}).get("type") != "channel":
            return
        may_post = self._channel_rights.get(chat_id)
        if may_post is None:
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        if not may_post:
            raise _bad_request("need administrator rights in the channel chat")

    def _apply_chat_state(self, kind: _Kind, params: JSONDict) -> None:
        chat_id = _optional_chat_id(params)
        if chat_id is None:
            return
        state = self._chat_states.get(chat_id)
        if state is None:
            return
        error, sends_only = state
        if sends_only and kind != "send":
            return
        raise error.fresh()

    def _build_method_table(self) -> dict[str, _Method]:
        table: list[tuple[str, _Handler, _Kind]] = [
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
        return {name.lower(): _Method(name, func, kind) for name, func, kind in table}

    # ------------------------------------------------------------------ methods: bot & updates

    def _true(self, params: JSONDict, conn: _Connection) -> bool:
        return True

    def _get_me(self, params: JSONDict, conn: _Connection) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict, conn: _Connection) -> list[JSONDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_or(params.get("offset"), 0)
        limit = min(max(_int_or(params.get("limit"), 100), 1), 100)
        timeout = max(_float_or(params.get("timeout"), 0.0), 0.0)
        self._set_allowed_updates(params.get("allowed_updates"))
        queue = self._queue
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        elif offset:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        for poller in self._pollers:  # a newer request terminates the older long poll
            if not poller.done():
                poller.set_result("conflict")
        if not queue and timeout > 0 and not conn.closed:
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[str] = loop.create_future()
            timer = loop.call_later(timeout, _resolve, waiter, "timeout")
            self._pollers.add(waiter)
            conn.waiter = waiter
            try:
                outcome = await waiter
            finally:
                timer.cancel()
                self._pollers.discard(waiter)
                conn.waiter = None
            if outcome == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook is not None:
                return []
        return list(itertools.islice(queue, limit))

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            value = json.loads(value) if value.startswith("[") else [value]
        self._allowed_updates = frozenset(value) if value else None

    def _set_webhook(self, params: JSONDict, conn: _Connection) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed_updates(params.get("allowed_updates"))
        if not url:
            self._stop_webhook()
            return True
        if not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = _Webhook(
            url=url,
            secret_token=params.get("secret_token"),
            max_connections=_int_or(params.get("max_connections"), 40),
            ip_address=params.get("ip_address"),
            has_custom_certificate="certificate" in params,
        )
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("webhook")
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        if self._queue_event is not None:
            self._queue_event.set()
        return True

    def _delete_webhook(self, params: JSONDict, conn: _Connection) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._stop_webhook()
        return True

    def _stop_webhook(self) -> None:
        self.webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    def _get_webhook_info(self, params: JSONDict, conn: _Connection) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        hook = self.webhook
        if hook is not None:
            info.update(
                url=hook.url,
                has_custom_certificate=hook.has_custom_certificate,
                max_connections=hook.max_connections,
            )
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _deliver_webhook(self) -> None:
        """POST queued updates to the webhook one at a time, in order, retrying failures."""
        if self._http_client is None:
            self._http_client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        client = self._http_client
        assert self._queue_event is not None
        backoff = 0.05
        while self.webhook is not None:
            hook = self.webhook
            if not self._queue:
                self._queue_event.clear()
                await self._queue_event.wait()
                continue
            update = self._queue[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            problem: str | None = None
            try:
                response = await client.fetch(
                    hook.url,
                    method="POST",
                    body=_dumps(update),
                    headers=headers,
                    raise_error=False,
                    request_timeout=10.0,
                )
                if not 200 <= response.code < 300:
                    problem = f"Wrong response from the webhook: {response.code} {response.reason}"
            except Exception as exc:
                problem = f"Connection failed: {exc}"
            if problem is None:
                if self._queue and self._queue[0] is update:
                    self._queue.popleft()
                self.webhook_deliveries.append(int(update["update_id"]))
                backoff = 0.05
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = problem
            await self._sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    # ------------------------------------------------------------------ methods: bot settings

    def _set_my_commands(self, params: JSONDict, conn: _Connection) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('field "commands" must be an Array')
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.loads(_scope_key(params.get("scope")))
        # Telegram knows a user's chat only once they have opened the bot.
        chat_scoped = scope.get("type") in ("chat", "chat_administrators", "chat_member")
        if chat_scoped and _optional_chat_id(scope) not in self._chats:
            raise _bad_request("chat not found")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JSONDict, conn: _Connection) -> list[JSONDict]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return list(self._commands.get(key, ()))

    def _delete_my_commands(self, params: JSONDict, conn: _Connection) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _setter(self, field_name: str) -> _Handler:
        def handler(params: JSONDict, conn: _Connection) -> bool:
            key = (field_name, str(params.get("language_code") or ""))
            self._bot_texts[key] = str(params.get(field_name) or "")
            return True

        return handler

    def _getter(self, field_name: str) -> _Handler:
        def handler(params: JSONDict, conn: _Connection) -> JSONDict:
            language = str(params.get("language_code") or "")
            value = self._bot_texts.get((field_name, language))
            if value is None:
                value = self._bot_texts.get((field_name, ""), "")
            return {field_name: value}

        return handler

    def _set_chat_menu_button(self, params: JSONDict, conn: _Connection) -> bool:
        chat_id = _optional_chat_id(params)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad_request("invalid menu button specified")
        self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict, conn: _Connection) -> JSONDict:
        chat_id = _optional_chat_id(params)
        button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return button or {"type": "commands"}

    # ------------------------------------------------------------------ methods: messages

    def _send_message(self, params: JSONDict, conn: _Connection) -> JSONDict:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if text is None or text == "":
            raise _bad_request("message text is empty")
        text = str(text)
        plain, entities = _formatted(text, params.get("parse_mode"), params.get("entities"))
        _check_text(plain)
        reply_to = self._reply_target(chat_id, params)
        self._take_rate_slot(chat_id)
        message = self._new_bot_message(chat_id, params.get("reply_markup"), reply_to)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        self._record_send("sendMessage", message, text, plain, params, entities)
        return message

    def _send_photo(self, params: JSONDict, conn: _Connection) -> JSONDict:
        return self._send_media(params, "photo")

    def _send_document(self, params: JSONDict, conn: _Connection) -> JSONDict:
        return self._send_media(params, "document")

    def _send_media(self, params: JSONDict, kind: str) -> JSONDict:
        chat_id = self._chat_id(params)
        media = params.get(kind)
        if not media:
            raise _bad_request(f"there is no {kind} in the request")
        caption = str(params.get("caption") or "")
        plain, entities = _formatted(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        reply_to = self._reply_target(chat_id, params)
        self._take_rate_slot(chat_id)
        message = self._new_bot_message(chat_id, params.get("reply_markup"), reply_to)
        file_no = next(self._file_ids)
        file_id = media if isinstance(media, str) else f"{kind.upper()}-{file_no}"
        if kind == "photo":
            message["photo"] = _photo_sizes(file_id, file_no)
        else:
            upload = media if isinstance(media, dict) else {}
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": f"d{file_no}",
                "file_name": upload.get("file_name") or "document",
                "mime_type": upload.get("content_type") or "application/octet-stream",
                "file_size": upload.get("size") or 0,
            }
        if plain:
            message["caption"] = plain
        if entities:
            message["caption_entities"] = entities
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        self._record_send(method, message, caption, plain, params, entities)
        return message

    def _edit_message_text(self, params: JSONDict, conn: _Connection) -> JSONDict | bool:
        text = params.get("text")
        if text is None or text == "":
            raise _bad_request("message text is empty")
        text = str(text)
        plain, entities = _formatted(text, params.get("parse_mode"), params.get("entities"))
        _check_text(plain)
        markup = _inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        if (
            message.get("text") == plain
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise _bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = _with_fields(message, text=plain, entities=entities or None, reply_markup=markup)
        return self._record_edit("editMessageText", key, edited, text, params.get("parse_mode"))

    def _edit_message_caption(self, params: JSONDict, conn: _Connection) -> JSONDict | bool:
        caption = str(params.get("caption") or "")
        plain, entities = _formatted(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup = _inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        if (
            message.get("caption", "") == plain
            and message.get("caption_entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise _bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = _with_fields(
            message, caption=plain or None, caption_entities=entities or None, reply_markup=markup
        )
        return self._record_edit(
            "editMessageCaption", key, edited, caption, params.get("parse_mode")
        )

    def _edit_message_reply_markup(self, params: JSONDict, conn: _Connection) -> JSONDict | bool:
        markup = _inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if message.get("reply_markup") == markup:
            raise _bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = _with_fields(message, reply_markup=markup)
        raw, mode = self._raw_text.get(key, (message.get("text", ""), None))
        return self._record_edit("editMessageReplyMarkup", key, edited, raw, mode)

    def _delete_message(self, params: JSONDict, conn: _Connection) -> bool:
        key, _ = self._editable(params, "delete")
        del self._messages[key]
        self._raw_text.pop(key, None)
        self.deleted.append(key)
        return True

    def _send_chat_action(self, params: JSONDict, conn: _Connection) -> bool:
        self._chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ methods: queries, chats

    def _answer_callback_query(self, params: JSONDict, conn: _Connection) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        pending = self._callbacks.get(query_id)
        if pending is None or pending.answered:
            raise _bad_request(ERR_QUERY_INVALID.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        pending.answered = True
        cache_time = params.get("cache_time")
        self.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=None if text is None else str(text),
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=None if cache_time is None else int(cache_time),
                at=time.monotonic(),
                user_id=pending.user_id,
                data=pending.payload,
            )
        )
        return True

    def _answer_inline_query(self, params: JSONDict, conn: _Connection) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        pending = self._inline_queries.get(query_id)
        if pending is None or pending.answered:
            raise _bad_request(ERR_QUERY_INVALID.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request('field "results" must be an Array')
        if len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results if isinstance(r, dict)]
        if len(ids) != len(results) or not all(ids) or not all(r.get("type") for r in results):
            raise _bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise _bad_request("RESULT_ID_DUPLICATE")
        pending.answered = True
        cache_time = params.get("cache_time")
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results,
                cache_time=None if cache_time is None else int(cache_time),
                is_personal=bool(params.get("is_personal")),
                next_offset=params.get("next_offset"),
                button=params.get("button"),
                at=time.monotonic(),
                user_id=pending.user_id,
                query=pending.payload,
            )
        )
        return True

    def _get_chat(self, params: JSONDict, conn: _Connection) -> JSONDict:
        chat = self._chat_object(self._chat_id(params))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JSONDict, conn: _Connection) -> JSONDict:
        chat_id = self._chat_id(params)
        user_id = _int_or(params.get("user_id"), 0)
        if not user_id:
            raise _bad_request("user_id is empty")
        if user_id == self.bot_id and self._chats.get(chat_id, {}).get("type") == "channel":
            return self._bot_membership(chat_id)
        user = self.bot_user if user_id == self.bot_id else self._remember_user(user_id)
        return _chat_member(self.chat_members.get((chat_id, user_id), "member"), user)

    # ------------------------------------------------------------------ helpers

    def _chat_id(self, params: JSONDict) -> int:
        value = params.get("chat_id")
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        chat_id = _optional_chat_id(params)
        if chat_id is None:
            wanted = str(value).removeprefix("@").lower()
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return int(chat["id"])
            raise _bad_request("chat not found")
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

    def _new_bot_message(
        self, chat_id: int, reply_markup: Any, reply_to: JSONDict | None
    ) -> JSONDict:
        chat = self._chat_object(chat_id)
        message: JSONDict = {
            "message_id": self._allocate_message_id(chat_id),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        if chat.get("type") == "channel":  # a channel's posts are signed by the channel
            del message["from"]
            message["sender_chat"] = chat
            self._channel_posts.add((chat_id, message["message_id"]))
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        if isinstance(reply_markup, dict) and "inline_keyboard" in reply_markup:
            message["reply_markup"] = reply_markup  # Telegram echoes inline keyboards only
        return message

    def _reply_target(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            target_chat = reply.get("chat_id", chat_id)
            lenient = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get("reply_to_message_id")
            target_chat = chat_id
            lenient = bool(params.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = self._messages.get((_int_or(target_chat, chat_id), _int_or(message_id, 0)))
        if target is None and not lenient:
            raise _bad_request("message to be replied not found")
        return target

    def _take_rate_slot(self, chat_id: int) -> None:
        if self._limiter is None:
            return
        channel = self._chats.get(chat_id, {}).get("type") == "channel"
        retry_after = self._limiter.acquire(chat_id, time.monotonic(), channel)
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _record_send(
        self,
        method: str,
        message: JSONDict,
        raw: str,
        plain: str,
        params: JSONDict,
        entities: list[JSONDict],
    ) -> None:
        chat_id = int(message["chat"]["id"])
        message_id = int(message["message_id"])
        key = (chat_id, message_id)
        self._messages[key] = message
        parse_mode = params.get("parse_mode")
        self._raw_text[key] = (raw, parse_mode)
        reply_to = message.get("reply_to_message")
        markup = params.get("reply_markup")
        record = SentMessage(
            chat_id=chat_id,
            message_id=message_id,
            text=raw,
            plain=plain,
            parse_mode=parse_mode,
            reply_markup=markup if isinstance(markup, dict) else None,
            at=time.monotonic(),
            entities=entities,
            method=method,
            reply_to_message_id=int(reply_to["message_id"]) if reply_to else None,
            message=message,
        )
        self.sent.append(record)
        by_chat = self._sent_by_chat.get(chat_id)
        if by_chat is None:
            by_chat = self._sent_by_chat[chat_id] = []
        by_chat.append(record)
        self._delivered[chat_id] += 1

    def _editable(self, params: JSONDict, action: str) -> tuple[tuple[int, int], JSONDict]:
        chat_id = self._chat_id(params)
        message_id = _int_or(params.get("message_id"), 0)
        if not message_id:
            raise _bad_request("message identifier is not specified")
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None:
            raise _bad_request(f"message to {action} not found")
        by_bot = (message.get("from") or {}).get("id") == self.bot_id or key in self._channel_posts
        if action == "edit" and not by_bot:
            raise _bad_request("message can't be edited")
        return key, message

    def _record_edit(
        self,
        method: str,
        key: tuple[int, int],
        edited: JSONDict,
        raw: str,
        parse_mode: str | None,
    ) -> JSONDict:
        edited["edit_date"] = int(time.time())
        self._messages[key] = edited
        self._raw_text[key] = (raw, parse_mode)
        markup = edited.get("reply_markup")
        record = SentMessage(
            chat_id=key[0],
            message_id=key[1],
            text=raw,
            plain=str(edited.get("text", edited.get("caption", ""))),
            parse_mode=parse_mode,
            reply_markup=markup,
            at=time.monotonic(),
            entities=list(edited.get("entities") or edited.get("caption_entities") or []),
            method=method,
            message=edited,
        )
        self.edits.append(record)
        self._edits_by_chat.setdefault(key[0], []).append(record)
        return edited


# --------------------------------------------------------------------------- module helpers


def _default_description(error_code: int, retry_after: int | None) -> str:
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    known = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return known.get(error_code, f"Error {error_code}")


def _formatted(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSONDict]]:
    """Apply ``parse_mode``/``entities`` like Telegram: returns (plain text, entities)."""
    if isinstance(entities, list):
        return text, entities
    if not parse_mode:
        return text, []
    mode = str(parse_mode).lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        return text, []  # Markdown is passed through unvalidated
    raise _bad_request("unsupported parse_mode")


def _check_text(plain: str) -> None:
    if not plain.strip():
        raise _bad_request("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")


def _inline_markup(markup: Any) -> JSONDict | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise _bad_request("inline keyboard expected")
    return markup


def _with_fields(message: JSONDict, **fields: Any) -> JSONDict:
    """Copy of ``message`` with ``fields`` set (``None`` removes a field)."""
    result = dict(message)
    for name, value in fields.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def _without_reply(message: JSONDict) -> JSONDict:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _photo_sizes(file_id: str, file_no: int) -> list[JSONDict]:
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"p{file_no}s",
            "width": 90,
            "height": 90,
            "file_size": 1500,
        },
        {
            "file_id": file_id,
            "file_unique_id": f"p{file_no}",
            "width": 800,
            "height": 800,
            "file_size": 60000,
        },
    ]


def _chat_member(status: str, user: JSONDict) -> JSONDict:
    """A ChatMember object with the fields PTB requires for ``status``."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                ),
                True,
            ),
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
        )
    elif status == "restricted":
        member.update(
            dict.fromkeys(
                (
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_send_messages",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_manage_topics",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_edit_tag",
                    "can_react_to_messages",
                ),
                False,
            ),
            is_member=True,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _scope_key(scope: Any) -> str:
    if isinstance(scope, str):
        scope = json.loads(scope) if scope.startswith("{") else {"type": scope}
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _optional_chat_id(params: JSONDict) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _int_or(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid integer value {value!r}") from None


def _float_or(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid number value {value!r}") from None


def _resolve(future: asyncio.Future[str], outcome: str) -> None:
    if not future.done():
        future.set_result(outcome)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode_form_value(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: non-string values arrive JSON-encoded."""
    if name in _STRING_PARAMS or not raw or raw[0] not in _JSON_START:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Access logging off: it costs time on the hot path and clutters test output."""


# --------------------------------------------------------------------------- HTTP layer


class _JsonHandler(tornado.web.RequestHandler):
    """Common bits: JSON answers, no ETag hashing."""

    def compute_etag(self) -> None:
        return None

    def reply(self, status: int, body: Any) -> None:
        """Write a JSON answer with ``status``."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        self.set_status(status, reason)
        self.set_header("Content-Type", "application/json")
        self.finish(_dumps(body))


class _NotFoundHandler(_JsonHandler):
    def prepare(self) -> None:
        self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})


class _BotApiHandler(_JsonHandler):
    """``/bot<token>/<method>``: parses parameters and hands them to :class:`FakeBotApi`."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api
        self.connection = _Connection()

    def on_connection_close(self) -> None:
        self.connection.close()

    async def get(self, *args: str) -> None:
        await self._serve(*args)

    async def post(self, *args: str) -> None:
        await self._serve(*args)

    async def _serve(self, token: str, method: str) -> None:
        if token != self.api.token:
            self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = self._parameters()
        except ApiError as exc:
            self.reply(exc.error_code, exc.payload())
            return
        api = self.api
        api._in_flight += 1
        try:
            status, body = await api.handle(method, params, self.connection)
            if not self.connection.closed:
                self.reply(status, body)
        finally:
            api._in_flight -= 1
            if not api._in_flight and api._idle is not None:
                api._idle.set()

    def _parameters(self) -> JSONDict:
        request = self.request
        params: JSONDict = {}
        for source in (request.query_arguments, request.body_arguments):
            for name, values in source.items():
                if values:
                    params[name] = _decode_form_value(name, values[-1].decode("utf-8", "replace"))
        for name, files in request.files.items():
            upload = files[-1]
            params[name] = {
                "file_name": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.body),
            }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise _bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad_request("JSON object expected")
            params.update(body)
        return params


class _ControlHandler(_JsonHandler):
    """Out-of-process control API for benchmarks, under ``/_fake/``.

    * ``GET stats`` -> :meth:`FakeBotApi.stats`
    * ``GET sent?chat_id=&since=`` -> recorded messages as JSON
    * ``POST updates`` with an update or a list of updates -> :meth:`FakeBotApi.push_update`
    * ``POST user_message`` with keyword arguments -> :meth:`FakeBotApi.user_message`
    * ``POST reset`` -> :meth:`FakeBotApi.clear_records`
    """

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    def get(self, *args: str) -> None:
        action = args[0]
        if action == "stats":
            self.reply(200, self.api.stats())
        elif action == "sent":
            chat_id = self.get_query_argument("chat_id", None)
            since = int(self.get_query_argument("since", "0"))
            sent = self.api.sent if chat_id is None else self.api.messages_to(int(chat_id))
            self.reply(200, [m.to_dict() for m in sent[since:]])
        else:
            self.reply(404, {"ok": False, "description": f"unknown control action {action}"})

    def post(self, *args: str) -> None:
        action = args[0]
        try:
            body = json.loads(self.request.body) if self.request.body else {}
            if action == "updates":
                items = body if isinstance(body, list) else [body]
                self.reply(200, [self.api.push_update(u) for u in items])
            elif action == "user_message":
                self.reply(200, self.api.user_message(**body))
            elif action == "reset":
                self.api.clear_records()
                self.reply(200, {"ok": True})
            else:
                self.reply(404, {"ok": False, "description": f"unknown control action {action}"})
        except (TypeError, ValueError) as exc:
            self.reply(400, {"ok": False, "description": str(exc)})


# --------------------------------------------------------------------------- CLI


def _stdin_is_watchable() -> bool:
    """Watch stdin for EOF only if it is a pipe or a terminal (not /dev/null or a file)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty()


async def _serve(args: argparse.Namespace) -> None:
    limits = None
    if args.limits:
        limits = RateLimits(
            global_per_second=args.limits,
            private_per_second=args.private_per_second or None,
            group_per_minute=args.group_per_minute or None,
        )
    api = FakeBotApi(
        token=args.token, username=args.username, limits=limits, host=args.host, port=args.port
    )
    await api.start()
    print(api.base_url, flush=True)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, done.set)
    watching = _stdin_is_watchable()
    if watching:
        fd = sys.stdin.fileno()

        def on_stdin() -> None:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                loop.remove_reader(fd)
                done.set()

        loop.add_reader(fd, on_stdin)
    try:
        await done.wait()
    finally:
        await api.stop()


def main(argv: Iterable[str] | None = None) -> int:
    """Run the fake as a standalone server (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakebotapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = OS-chosen port")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--username", default="visatalks_bot")
    parser.add_argument(
        "--limits",
        type=float,
        default=None,
        metavar="GLOBAL_PER_SECOND",
        help="enforce flood limits with this global rate (messages/s)",
    )
    parser.add_argument("--private-per-second", type=float, default=1.0)
    parser.add_argument("--group-per-minute", type=int, default=20)
    args = parser.parse_args(None if argv is None else list(argv))
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
