"""/audit: the audit log, newest first, a page at a time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import keyboards
from bot.admin import flow
from bot.admin.screens import Screen
from bot.admin.views.common import AUDIT, Page, read_page, when
from bot.i18n import Html, Texts
from storage import Store
from storage.models import AuditEntry

AUDIT_PER_PAGE = 10


async def read_audit_page(store: Store, page: int = 1) -> Page[AuditEntry]:
    """A page of the log: two statements (how many entries, the page's)."""
    return await read_page(store.audit.count, store.audit.recent, AUDIT_PER_PAGE, page)


def render_audit_page(texts: Texts, shown: Page[AuditEntry], timezone: ZoneInfo) -> Screen:
    """Who did what, when, and about what; the detail under it; ◀ / ▶ between pages."""
    if not shown.items:
        return texts("admin.audit.none"), None
    lines = [texts("admin.audit.title.html", page=shown.number, pages=shown.pages)]
    for entry in shown.items:
        lines.append(
            texts(
                "admin.audit.item.html",
                when=when(texts, entry.at, timezone),
                user=entry.user_id,
                action=texts.plain(f"admin.audit.action.{entry.action}"),
                subject=entry.subject,
            )
        )
        if entry.detail:
            lines.append(texts("admin.audit.detail.html", detail=entry.detail))
    pager = keyboards.pager(
        texts, flow.PREFIX, shown.number, shown.pages, lambda n: AUDIT.data("page", n)
    )
    return Html("\n".join(lines)), pager


async def audit_page(store: Store, texts: Texts, timezone: ZoneInfo, page: int = 1) -> Screen:
    """The audit log, newest first, a page at a time."""
    return render_audit_page(texts, await read_audit_page(store, page), timezone)
