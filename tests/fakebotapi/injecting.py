"""Updates from users: messages, button presses, inline queries, membership changes."""

from __future__ import annotations

import time
from typing import Any

from tests.fakebotapi.html import command_entities
from tests.fakebotapi.objects import chat_member, photo_sizes, without_reply
from tests.fakebotapi.records import PendingQuery, SentMessage
from tests.fakebotapi.scripting import Scripting
from tests.fakebotapi.waiting import Waiting
from tests.fakebotapi.wire import OPT_IN_UPDATES, JSONDict


class Injecting(Scripting, Waiting):
    """Queue updates as Telegram would (``getUpdates`` or the webhook picks them up)."""

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
        if (update_type in OPT_IN_UPDATES) if allowed is None else (update_type not in allowed):
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
        found = entities if entities is not None else command_entities(text)
        if found:
            message["entities"] = found
        if reply_to_message_id is not None:
            target = self._messages.get((message["chat"]["id"], reply_to_message_id))
            if target is not None:
                message["reply_to_message"] = without_reply(target)
        return self.push_update({"message": message})

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
            message["photo"] = photo_sizes(file_ids["file_id"], file_no)
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
        self._callbacks[query_id] = PendingQuery(user_id, data)
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
        self._inline_queries[query_id] = PendingQuery(user_id, query)
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
            "old_chat_member": chat_member(old_status, self.bot_user),
            "new_chat_member": chat_member(new_status, self.bot_user),
        }
        return self.push_update({"my_chat_member": body})
