"""Typed rows handed out by the repositories, one module per concern."""

from storage.models.admin import AuditEntry, Post, PostText
from storage.models.chats import Chat, ChatCount, ChatState, Mode
from storage.models.content import (
    Article,
    Fact,
    FactRecord,
    FactsPage,
    FactTerm,
    Milestone,
    SearchHit,
    Source,
)
from storage.models.delivery import (
    DeliveryCounts,
    DeliveryStatus,
    DigestSlot,
    DueDelivery,
    ErrorCount,
    FinishedCorrection,
    QueuedFix,
    SentDelivery,
    UpdateProgress,
    UpdateRecord,
)
from storage.models.feeds import Feed

__all__ = [
    "Article",
    "AuditEntry",
    "Chat",
    "ChatCount",
    "ChatState",
    "DeliveryCounts",
    "DeliveryStatus",
    "DigestSlot",
    "DueDelivery",
    "ErrorCount",
    "Fact",
    "FactRecord",
    "FactTerm",
    "FactsPage",
    "Feed",
    "FinishedCorrection",
    "Milestone",
    "Mode",
    "Post",
    "PostText",
    "QueuedFix",
    "SearchHit",
    "SentDelivery",
    "Source",
    "UpdateProgress",
    "UpdateRecord",
]
