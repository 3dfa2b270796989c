"""Loading `seeds/` (articles, facts, milestones) into the store at every start.

Rows are keyed by the seed's stable keys, so loading twice adds nothing and an edited seed
file updates its rows in place.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.i18n import LANGUAGES
from storage import Store

log = logging.getLogger(__name__)
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class SeedCounts:
    articles: int
    facts: int
    milestones: int


def _read(directory: Path, name: str) -> dict[str, Any]:
    with (directory / name).open("rb") as handle:
        return tomllib.load(handle)


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


async def load_seeds(store: Store, directory: Path = SEEDS_DIR) -> SeedCounts:
    """Upsert every seed row; returns how many of each the files hold."""
    article_ids: dict[str, int] = {}
    articles = _read(directory, "articles.toml")["article"]
    for item in articles:
        body = (directory / item["body_file"]).read_text(encoding="utf-8").strip()
        article_ids[item["key"]] = await store.articles.upsert_keyed(
            key=item["key"],
            origin="seed",
            source=item["source"],
            url=item.get("url") or None,
            language=item["language"],
            title=item["title"],
            body=body,
            author=item.get("author") or None,
            published_at=_iso(item["published"]),
        )

    facts = _read(directory, "facts.toml")["fact"]
    for position, item in enumerate(facts):
        await store.facts.upsert_keyed(
            key=item["key"],
            topic=item["topic"],
            position=position,
            article_id=article_ids[item["article"]],
            keywords=" ".join(item.get("keywords", [])),
            texts={lang: item[lang] for lang in LANGUAGES if item.get(lang)},
        )

    milestones = _read(directory, "milestones.toml")["milestone"]
    for item in milestones:
        article_key = item.get("article")
        await store.milestones.upsert_keyed(
            key=item["key"],
            stage=int(item["stage"]),
            happened_on=dt.date.fromisoformat(_iso(item["date"])),
            article_id=article_ids[article_key] if article_key else None,
            source=item.get("source", "Kazinform"),
            url=item.get("url") or None,
            texts={
                lang: (item["place"][lang], item["text"][lang])
                for lang in LANGUAGES
                if lang in item["text"]
            },
        )
    counts = SeedCounts(len(articles), len(facts), len(milestones))
    log.info("seeds loaded: %s", counts)
    return counts
