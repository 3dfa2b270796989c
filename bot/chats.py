"""The chat directory: who is talking to the bot and in which language, cached in memory.

Every update needs the chat's language; reading it from SQLite each time would put a query on
the hot path. The cache is the single writer's view (one process per database), so it stays
right as long as every change goes through this class.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from bot.i18n import detect_language
from storage.chats import ChatRepo
from storage.models import Chat, ChatState, Mode

_CACHE_SIZE = 50_000
_REFRESH_SECONDS = 600.0  # how stale `last_seen` may get before it is written again


class ChatDirectory:
    def __init__(self, repo: ChatRepo) -> None:
        self.repo = repo
        self._cache: OrderedDict[int, tuple[Chat, float]] = OrderedDict()

    def _remember(self, chat: Chat) -> Chat:
        self._cache[chat.id] = (chat, time.monotonic())
        self._cache.move_to_end(chat.id)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return chat

    def forget(self, chat_id: int) -> None:
        self._cache.pop(chat_id, None)

    async def seen(self, chat_id: int, chat_type: str, language_code: str | None) -> Chat:
        """The chat's record, created on first contact; language follows Telegram's until chosen."""
        detected = detect_language(language_code)
        cached = self._cache.get(chat_id)
        if cached is not None:
            chat, at = cached
            fresh = time.monotonic() - at < _REFRESH_SECONDS
            same_language = chat.language_chosen or chat.language == detected
            if fresh and same_language and chat.type == chat_type:
                self._cache.move_to_end(chat_id)
                return chat
        return self._remember(await self.repo.seen(chat_id, chat_type, detected))

    async def get(self, chat_id: int) -> Chat | None:
        cached = self._cache.get(chat_id)
        return cached[0] if cached else await self.repo.get(chat_id)

    async def choose_language(self, chat_id: int, language: str) -> None:
        await self.repo.choose_language(chat_id, language)
        await self._reload(chat_id)

    async def subscribe(
        self,
        chat_id: int,
        mode: Mode,
        *,
        digest_hour: int | None = None,
        digest_weekday: int | None = None,
    ) -> None:
        await self.repo.subscribe(
            chat_id, mode, digest_hour=digest_hour, digest_weekday=digest_weekday
        )
        await self._reload(chat_id)

    async def set_state(self, chat_id: int, state: ChatState) -> None:
        await self.repo.set_state(chat_id, state)
        await self._reload(chat_id)

    async def move(self, old_id: int, new_id: int) -> None:
        await self.repo.move(old_id, new_id)
        self.forget(old_id)
        await self._reload(new_id)

    async def _reload(self, chat_id: int) -> None:
        chat = await self.repo.get(chat_id)
        if chat is None:
            self.forget(chat_id)
        else:
            self._remember(chat)
