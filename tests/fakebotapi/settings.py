"""The bot's own settings: ``getMe``, commands, descriptions, the menu button."""

from __future__ import annotations

import json
import re
from typing import Final

from tests.fakebotapi.state import State
from tests.fakebotapi.wire import (
    Connection,
    Handler,
    JSONDict,
    bad_request,
    optional_chat_id,
    scope_key,
)

COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")


class BotSettings(State):
    """Methods that set or read the bot's profile, stored per scope and language."""

    def _true(self, params: JSONDict, conn: Connection) -> bool:
        return True

    def _get_me(self, params: JSONDict, conn: Connection) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_my_commands(self, params: JSONDict, conn: Connection) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request('field "commands" must be an Array')
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_RE.match(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.loads(scope_key(params.get("scope")))
        # Telegram knows a user's chat only once they have opened the bot.
        chat_scoped = scope.get("type") in ("chat", "chat_administrators", "chat_member")
        if chat_scoped and optional_chat_id(scope) not in self._chats:
            raise bad_request("chat not found")
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JSONDict, conn: Connection) -> list[JSONDict]:
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return list(self._commands.get(key, ()))

    def _delete_my_commands(self, params: JSONDict, conn: Connection) -> bool:
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    def _setter(self, field_name: str) -> Handler:
        def handler(params: JSONDict, conn: Connection) -> bool:
            key = (field_name, str(params.get("language_code") or ""))
            self._bot_texts[key] = str(params.get(field_name) or "")
            return True

        return handler

    def _getter(self, field_name: str) -> Handler:
        def handler(params: JSONDict, conn: Connection) -> JSONDict:
            language = str(params.get("language_code") or "")
            value = self._bot_texts.get((field_name, language))
            if value is None:
                value = self._bot_texts.get((field_name, ""), "")
            return {field_name: value}

        return handler

    def _set_chat_menu_button(self, params: JSONDict, conn: Connection) -> bool:
        chat_id = optional_chat_id(params)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("invalid menu button specified")
        self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict, conn: Connection) -> JSONDict:
        chat_id = optional_chat_id(params)
        button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return button or {"type": "commands"}
