"""The typed callback context handlers receive: `context.store`, `context.texts`, `context.chat`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from bot.admin.state import AdminMenus, FeedHealth
from bot.answers import Answerer
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.content import Pages
from bot.delivery.digests import Clock, system_clock
from bot.feeds.poller import Poller
from bot.flood import FloodGate
from bot.i18n import FALLBACK, Texts, texts_for
from bot.ops.lock import InstanceLock
from bot.telegram.heartbeat import Heartbeat
from storage import Store
from storage.models import Chat

if TYPE_CHECKING:
    from bot.admin.corrections import CorrectionQueue
    from bot.delivery.worker import DeliveryWorker


@dataclass
class BotData:
    """Application-wide services, filled in post_init (PTB creates this with no arguments)."""

    settings: Settings = field(default_factory=Settings)
    store: Store | None = None
    chats: ChatDirectory | None = None
    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    flood: FloodGate = field(default_factory=lambda: FloodGate(Settings().flood))
    lock: InstanceLock | None = None
    pages: Pages | None = None
    answerer: Answerer | None = None
    feeds: Poller | None = None
    deliver: bool = True  # False when the network is replaced (the offline console)
    delivery: DeliveryWorker | None = None  # started in post_init, drained in post_stop
    corrections: CorrectionQueue | None = None  # admins' corrections of delivered messages
    clock: Clock = system_clock  # wall clock of digests; tests put their own
    admin_menus: AdminMenus = field(default_factory=AdminMenus)
    feed_health: FeedHealth | None = None  # set by the feeds feature; /stats shows it

    def sends_in_flight(self) -> int:
        """Deliveries on their way to Telegram now (none without a delivery worker)."""
        return self.delivery.in_flight if self.delivery is not None else 0


T = TypeVar("T")


def _ready(service: T | None, name: str) -> T:
    if service is None:
        raise RuntimeError(f"{name} is set up in post_init; no update comes before it")
    return service


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB creates one per update; the tracking guard sets `chat` before features run."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.chat: Chat | None = None

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def store(self) -> Store:
        return _ready(self.bot_data.store, "store")

    @property
    def chats(self) -> ChatDirectory:
        return _ready(self.bot_data.chats, "chats")

    @property
    def pages(self) -> Pages:
        return _ready(self.bot_data.pages, "pages")

    @property
    def answerer(self) -> Answerer:
        return _ready(self.bot_data.answerer, "answerer")

    @property
    def texts(self) -> Texts:
        return texts_for(self.chat.language if self.chat else FALLBACK)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
