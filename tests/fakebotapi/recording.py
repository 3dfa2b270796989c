"""Recording what the bot sent and edited, and the queries tests inspect it with."""

from __future__ import annotations

import time

from tests.fakebotapi.records import Call, SentMessage
from tests.fakebotapi.state import State
from tests.fakebotapi.wire import ApiError, JSONDict, scope_key


class Recording(State):
    """Records of sends and edits (and their flood limits), and reading them back."""

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
        return list(self._commands.get((scope_key(scope), language_code), ()))

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
