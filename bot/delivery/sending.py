"""sendMessage on the worker's hot path, with nothing around it the worker does not read."""

from __future__ import annotations

import json

from telegram import Bot
from telegram.constants import ParseMode
from telegram.request import RequestData

from bot.config import DeliveryLimits
from bot.replies import NO_PREVIEW
from bot.telegram.ptb_private import RequestParameter


class Sender:
    """Posts one part of a job to one chat, as the bot's HTML without link previews."""

    def __init__(self, bot: Bot, limits: DeliveryLimits) -> None:
        self._request = bot.request
        self._send_url = f"{bot.base_url}/sendMessage"
        options: dict[str, str] = {
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": json.dumps(NO_PREVIEW.to_dict()),
        }
        if limits.paid_broadcast:
            options["allow_paid_broadcast"] = "true"
        self._send_options = [RequestParameter(key, value, None) for key, value in options.items()]

    async def send(self, chat_id: int, text: str) -> int:
        """sendMessage; returns the message's id.

        Straight to the bot's request object: PTB's Bot.send_message would build a Message
        (with its chat, sender, entities...) from every answer only for the worker to read
        message_id, and at a paid broadcast's 1000 sends a second that and the argument
        handling around it cost a fifth of the bot's CPU. BaseRequest.post still raises
        Telegram's errors as PTB's exception types, so classify() sees the same errors.
        The app sets no PTB Defaults and no rate limiter: this path would skip them.
        """
        result = await self._request.post(
            self._send_url,
            RequestData(
                [
                    RequestParameter("chat_id", str(chat_id), None),
                    RequestParameter("text", text, None),
                    *self._send_options,
                ]
            ),
        )
        return int(result["message_id"])  # type: ignore[call-overload,index]
