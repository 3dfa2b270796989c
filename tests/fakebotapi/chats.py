"""Channels and memberships: the bot's rights in a channel, ``getChat``, ``getChatMember``."""

from __future__ import annotations

import time

from tests.fakebotapi.html import command_entities
from tests.fakebotapi.injecting import Injecting
from tests.fakebotapi.objects import chat_member
from tests.fakebotapi.wire import Connection, JSONDict, bad_request, int_or


class Chats(Injecting):
    """Channels the bot administers and what it learns about chats and their members."""

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
            "old_chat_member": old if old_status != "left" else chat_member("left", self.bot_user),
            "new_chat_member": self._bot_membership(chat_id),
        }
        return self.push_update({"my_chat_member": body})

    def _bot_membership(self, chat_id: int) -> JSONDict:
        status = self.chat_members.get((chat_id, self.bot_id), "left")
        member = chat_member(status, self.bot_user)
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
        entities = command_entities(text)
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

    def _get_chat(self, params: JSONDict, conn: Connection) -> JSONDict:
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

    def _get_chat_member(self, params: JSONDict, conn: Connection) -> JSONDict:
        chat_id = self._chat_id(params)
        user_id = int_or(params.get("user_id"), 0)
        if not user_id:
            raise bad_request("user_id is empty")
        if user_id == self.bot_id and self._chats.get(chat_id, {}).get("type") == "channel":
            return self._bot_membership(chat_id)
        user = self.bot_user if user_id == self.bot_id else self._remember_user(user_id)
        return chat_member(self.chat_members.get((chat_id, user_id), "member"), user)
