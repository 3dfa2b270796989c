"""What the fake records (calls, sent messages, answers) and the state records it keeps."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from tests.fakebotapi.wire import ApiError, JSONDict


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
class Failure:
    """A scripted error (:meth:`FakeBotApi.fail_next`) and how many calls it still hits."""

    method: str | None
    chat_id: int | None
    error: ApiError
    times: int
    delay: float


@dataclass(slots=True)
class PendingQuery:
    """A callback or inline query injected and not yet answered."""

    user_id: int
    payload: str
    answered: bool = False


@dataclass(slots=True)
class Webhook:
    """The webhook set by ``setWebhook`` and the last error delivering to it."""

    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    last_error_date: int | None = None
    last_error_message: str | None = None
