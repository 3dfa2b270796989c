"""The wire protocol: error answers, per-request state and parameter decoding.

PTB sends ``str`` parameters verbatim and everything else JSON-encoded; Telegram answers
errors as ``{"ok": false, "error_code": ..., "description": ..., "parameters": ...}``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Final, Literal

JSONDict = dict[str, Any]

#: Update types Telegram does not deliver unless asked for explicitly in allowed_updates.
OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

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

CHAT_ACTIONS: Final = frozenset(
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


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def default_description(error_code: int, retry_after: int | None) -> str:
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


class Connection:
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


#: How a method is guarded: "send" methods obey every chat state and a channel's rights,
#: "chat" methods only gone/migrated chats, "plain" ones neither.
MethodKind = Literal["send", "chat", "plain"]
Handler = Callable[[JSONDict, Connection], Any]


def scope_key(scope: Any) -> str:
    """A ``BotCommandScope`` (a dict or its JSON) as a stable key; default when absent."""
    if isinstance(scope, str):
        scope = json.loads(scope) if scope.startswith("{") else {"type": scope}
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def optional_chat_id(params: JSONDict) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def int_or(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid integer value {value!r}") from None


def float_or(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid number value {value!r}") from None


def resolve(future: asyncio.Future[str], outcome: str) -> None:
    if not future.done():
        future.set_result(outcome)


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_form_value(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: non-string values arrive JSON-encoded."""
    if name in _STRING_PARAMS or not raw or raw[0] not in _JSON_START:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw
