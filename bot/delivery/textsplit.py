"""Splitting long Telegram HTML into messages of at most 4096 characters.

Cuts fall on paragraph boundaries, else line ends, else spaces, else anywhere outside a tag or
an entity. Tags open at a cut are closed before it and reopened after it, so every part is
valid HTML on its own.
"""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_TOKEN_RE = re.compile(r"(<[^>]*>|&[#A-Za-z0-9]+;)")
_TAG_RE = re.compile(r"<\s*(/?)\s*([A-Za-z-]+)")


def _open_tags(html_text: str) -> list[str]:
    """Full opening tags still open at the end of `html_text`."""
    stack: list[tuple[str, str]] = []
    for token in _TOKEN_RE.findall(html_text):
        match = _TAG_RE.match(token)
        if not match:
            continue
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name:
                    del stack[i:]
                    break
        elif not token.endswith("/>"):
            stack.append((name, token))
    return [tag for _, tag in stack]


def _closing(tags: list[str]) -> str:
    return "".join(f"</{_TAG_RE.match(t).group(2)}>" for t in reversed(tags))  # type: ignore[union-attr]


def _safe_cut(text: str, limit: int) -> int:
    """The best cut position <= limit: paragraph, line, space, or outside any tag/entity."""
    window = text[:limit]
    for sep in ("\n\n", "\n", " "):
        pos = window.rfind(sep)
        if pos > limit // 4:
            return pos + len(sep)
    cut = limit
    for match in _TOKEN_RE.finditer(text):
        if match.start() < cut < match.end():
            cut = match.start()
            break
        if match.start() >= cut:
            break
    return max(cut, 1)


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of `text`, each at most `limit` characters and valid HTML by itself."""
    parts: list[str] = []
    reopen = ""
    rest = text.strip()
    # Room for tags closed at the end of a part and reopened at the start of the next.
    reserve = 200
    while rest:
        candidate = reopen + rest
        if len(candidate) <= limit:
            parts.append(candidate)
            break
        body_limit = max(limit - reserve - len(reopen), limit // 2)
        cut = _safe_cut(rest, body_limit)
        chunk, rest = rest[:cut], rest[cut:].lstrip()
        still_open = _open_tags(reopen + chunk)
        parts.append((reopen + chunk).rstrip() + _closing(still_open))
        reopen = "".join(still_open)
    return [p for p in parts if p.strip()]
