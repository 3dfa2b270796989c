"""Sending, editing and deleting messages, validated as Telegram validates them."""

from __future__ import annotations

import time
from typing import Any

from tests.fakebotapi.objects import (
    ERR_NOT_MODIFIED,
    MAX_CAPTION_LENGTH,
    check_text,
    formatted,
    inline_markup,
    photo_sizes,
    with_fields,
    without_reply,
)
from tests.fakebotapi.recording import Recording
from tests.fakebotapi.wire import CHAT_ACTIONS, Connection, JSONDict, bad_request, int_or


class Messages(Recording):
    """``send*``, ``editMessage*``, ``deleteMessage``, ``sendChatAction``."""

    def _send_message(self, params: JSONDict, conn: Connection) -> JSONDict:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        plain, entities = formatted(text, params.get("parse_mode"), params.get("entities"))
        check_text(plain)
        reply_to = self._reply_target(chat_id, params)
        self._take_rate_slot(chat_id)
        message = self._new_bot_message(chat_id, params.get("reply_markup"), reply_to)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        self._record_send("sendMessage", message, text, plain, params, entities)
        return message

    def _send_photo(self, params: JSONDict, conn: Connection) -> JSONDict:
        return self._send_media(params, "photo")

    def _send_document(self, params: JSONDict, conn: Connection) -> JSONDict:
        return self._send_media(params, "document")

    def _send_media(self, params: JSONDict, kind: str) -> JSONDict:
        chat_id = self._chat_id(params)
        media = params.get(kind)
        if not media:
            raise bad_request(f"there is no {kind} in the request")
        caption = str(params.get("caption") or "")
        plain, entities = formatted(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        reply_to = self._reply_target(chat_id, params)
        self._take_rate_slot(chat_id)
        message = self._new_bot_message(chat_id, params.get("reply_markup"), reply_to)
        file_no = next(self._file_ids)
        file_id = media if isinstance(media, str) else f"{kind.upper()}-{file_no}"
        if kind == "photo":
            message["photo"] = photo_sizes(file_id, file_no)
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

    def _edit_message_text(self, params: JSONDict, conn: Connection) -> JSONDict | bool:
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        plain, entities = formatted(text, params.get("parse_mode"), params.get("entities"))
        check_text(plain)
        markup = inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        if (
            message.get("text") == plain
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = with_fields(message, text=plain, entities=entities or None, reply_markup=markup)
        return self._record_edit("editMessageText", key, edited, text, params.get("parse_mode"))

    def _edit_message_caption(self, params: JSONDict, conn: Connection) -> JSONDict | bool:
        caption = str(params.get("caption") or "")
        plain, entities = formatted(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        markup = inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        if (
            message.get("caption", "") == plain
            and message.get("caption_entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = with_fields(
            message, caption=plain or None, caption_entities=entities or None, reply_markup=markup
        )
        return self._record_edit(
            "editMessageCaption", key, edited, caption, params.get("parse_mode")
        )

    def _edit_message_reply_markup(self, params: JSONDict, conn: Connection) -> JSONDict | bool:
        markup = inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key, message = self._editable(params, "edit")
        if message.get("reply_markup") == markup:
            raise bad_request(ERR_NOT_MODIFIED.removeprefix("Bad Request: "))
        edited = with_fields(message, reply_markup=markup)
        raw, mode = self._raw_text.get(key, (message.get("text", ""), None))
        return self._record_edit("editMessageReplyMarkup", key, edited, raw, mode)

    def _delete_message(self, params: JSONDict, conn: Connection) -> bool:
        key, _ = self._editable(params, "delete")
        del self._messages[key]
        self._raw_text.pop(key, None)
        self.deleted.append(key)
        return True

    def _send_chat_action(self, params: JSONDict, conn: Connection) -> bool:
        self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

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
            message["reply_to_message"] = without_reply(reply_to)
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
        target = self._messages.get((int_or(target_chat, chat_id), int_or(message_id, 0)))
        if target is None and not lenient:
            raise bad_request("message to be replied not found")
        return target

    def _editable(self, params: JSONDict, action: str) -> tuple[tuple[int, int], JSONDict]:
        chat_id = self._chat_id(params)
        message_id = int_or(params.get("message_id"), 0)
        if not message_id:
            raise bad_request("message identifier is not specified")
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None:
            raise bad_request(f"message to {action} not found")
        by_bot = (message.get("from") or {}).get("id") == self.bot_id or key in self._channel_posts
        if action == "edit" and not by_bot:
            raise bad_request("message can't be edited")
        return key, message
