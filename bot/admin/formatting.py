"""What an admin typed, as Telegram HTML that keeps their formatting and cannot break ours.

PTB's Message.text_html would do most of this, but it puts a link's URL and a code block's
language into attributes unescaped, and it emits tags (`<tg-time>`) that not every Bot API
server parses. Here every piece of text and every attribute is escaped, and entity types
without a tag (plain URLs, mentions, hashtags, ...) stay plain text: Telegram links them again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import MessageEntity

from bot.i18n import Html

_SIMPLE_TAGS = {
    MessageEntity.BOLD: "b",
    MessageEntity.ITALIC: "i",
    MessageEntity.UNDERLINE: "u",
    MessageEntity.STRIKETHROUGH: "s",
    MessageEntity.CODE: "code",
    MessageEntity.BLOCKQUOTE: "blockquote",
}
_TAG_RE = re.compile(r"<[^>]*>")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _wrap(entity: MessageEntity, inner: str) -> str:
    kind = entity.type
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        return f"<{tag}>{inner}</{tag}>"
    if kind == MessageEntity.EXPANDABLE_BLOCKQUOTE:
        return f"<blockquote expandable>{inner}</blockquote>"
    if kind == MessageEntity.SPOILER:
        return f'<span class="tg-spoiler">{inner}</span>'
    if kind == MessageEntity.PRE:
        if entity.language:
            return f'<pre><code class="language-{_attr(entity.language)}">{inner}</code></pre>'
        return f"<pre>{inner}</pre>"
    if kind == MessageEntity.TEXT_LINK and entity.url:
        return f'<a href="{_attr(entity.url)}">{inner}</a>'
    if kind == MessageEntity.TEXT_MENTION and entity.user:
        return f'<a href="tg://user?id={int(entity.user.id)}">{inner}</a>'
    if kind == MessageEntity.CUSTOM_EMOJI and (entity.custom_emoji_id or "").isdigit():
        return f'<tg-emoji emoji-id="{entity.custom_emoji_id}">{inner}</tg-emoji>'
    return inner


def to_html(text: str, entities: Sequence[MessageEntity] = ()) -> Html:
    """`text` with its entities as Telegram HTML. Offsets are in UTF-16 code units, as the Bot
    API counts them; entities are nested or disjoint (Telegram never sends partial overlaps,
    and one that did would be dropped rather than break the markup)."""
    units = text.encode("utf-16-le")

    def chunk(start: int, end: int) -> str:
        return html.escape(units[start * 2 : end * 2].decode("utf-16-le"), quote=False)

    ordered = sorted(
        (e for e in entities if e.length > 0 and e.offset >= 0),
        key=lambda e: (e.offset, -e.length),
    )

    def render(start: int, end: int, inside: list[MessageEntity]) -> str:
        out: list[str] = []
        position = start
        index = 0
        while index < len(inside):
            entity = inside[index]
            stop = min(entity.offset + entity.length, end)
            if entity.offset < position:  # overlaps the previous one: drop it
                index += 1
                continue
            nested = []
            index += 1
            while index < len(inside) and inside[index].offset < stop:
                nested.append(inside[index])
                index += 1
            out.append(chunk(position, entity.offset))
            out.append(_wrap(entity, render(entity.offset, stop, nested)))
            position = stop
        out.append(chunk(position, end))
        return "".join(out)

    return Html(render(0, len(units) // 2, ordered))


def to_plain(markup: str) -> str:
    """The text a reader sees in our own Telegram HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG_RE.sub("", markup))


def first_link(text: str, entities: Sequence[MessageEntity] = ()) -> str | None:
    """The first link in a message: a hidden one (text_link) or one written out (url)."""
    units = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset):
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            return entity.url
        if entity.type == MessageEntity.URL:
            start, end = entity.offset * 2, (entity.offset + entity.length) * 2
            return units[start:end].decode("utf-16-le")
    return None
