"""Questions benchmark: the answer service with 10,000 articles in the store.

Fills a fresh database with the seeds and N synthetic articles (kk/ru/en, words drawn from the
seed articles and facts, so the full-text index holds the same vocabulary a real news store
would), then asks a mix of questions for a fixed time, one after another, and reports answers
per second and latency percentiles of answer + render, overall and per kind of answer.

    python -m bench.questions [--articles 10000] [--seconds 10]

The mix: the test question set (tests/fixtures/questions.toml), questions no fact answers
(these go on to the article search, the costly path), some of them in words thousands of
articles use, and hostile text. Target: p99 < 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path

from bench._bots import percentile
from bot.answers import Answerer
from bot.answers.render import render
from bot.content import Pages
from bot.seeds import SEEDS_DIR, load_seeds
from storage import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
UNANSWERED = [
    "какая погода завтра в алматы", "курс доллара на сегодня", "визовый центр в шымкенте",
    "football results", "where is the visa centre in astana", "ертең ауа райы қандай",
    "шенген виза германия очередь запись", "нужна ли страховка для визы", "бизнес виза италия",
    "когда откроют новый визовый центр", "how to book a visa appointment", "виза өтініші қайда",
]  # fmt: skip
# Words of the news but of no fact: they reach the article search and match thousands of rows.
IN_THE_NEWS = [
    "собственный корреспондент агентства", "корреспондент передает", "рада объявить",
    "іс шараның маңыздылығы", "передает корреспондент kazinform брюссель",
]  # fmt: skip
HOSTILE = ['визы" OR * NEAR(сбор) -документы (()', "🇪🇺🇰🇿 🙂", "а" * 10_000, "ви\u200bза"]


def _vocabulary() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {"kk": [], "ru": [], "en": []}
    for path in (SEEDS_DIR / "articles").glob("*.txt"):
        language = "kk" if path.stem.endswith("-kk") else "ru"
        words[language] += re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8"))
    with (SEEDS_DIR / "facts.toml").open("rb") as handle:
        for fact in tomllib.load(handle)["fact"]:
            for language in words:
                words[language] += re.findall(r"[^\W\d_]+", fact[language])
    return words


async def fill(store: Store, count: int, seed: int = 1) -> None:
    """`count` synthetic articles through the repository, as feeds would add them."""
    rng = random.Random(seed)
    words = _vocabulary()
    for number in range(count):
        language = ("kk", "ru", "en")[number % 3]
        pool = words[language]
        title = " ".join(rng.choices(pool, k=8)).capitalize()
        body = "\n\n".join(" ".join(rng.choices(pool, k=60)) + "." for _ in range(3))
        day = 1 + number % 28
        await store.articles.upsert_keyed(
            key=f"bench-{number}", origin="feed", source="Bench News",
            url=f"https://news.example/{number}", language=language,
            title=title, body=f"{body} #{number}", author=None,
            published_at=f"2026-{1 + number % 12:02d}-{day:02d}T09:00:00+00:00",
        )  # fmt: skip


def questions() -> list[tuple[str, str]]:
    with (ROOT / "tests" / "fixtures" / "questions.toml").open("rb") as handle:
        items = [(str(q["text"]), str(q["lang"])) for q in tomllib.load(handle)["q"]]
    items += [(q, "ru") for q in UNANSWERED] * 3
    items += [(q, "ru") for q in IN_THE_NEWS] * 3
    items += [(q, "en") for q in HOSTILE]
    return items


async def run(articles: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(Path(tmp) / "bench.sqlite3")
        try:
            await load_seeds(store)
            started = time.perf_counter()
            await fill(store, articles)
            filled = time.perf_counter() - started
            print(f"store: {await store.articles.count()} articles (filled in {filled:.1f} s)")
            answerer = Answerer(store)
            pages = Pages(store)
            await answerer.snapshot()
            mix = questions()
            random.Random(2).shuffle(mix)
            for text, language in mix:  # warm-up: caches as after a few minutes of traffic
                await render(await answerer.answer(text, language), pages)

            latencies: list[float] = []
            by_kind: dict[str, list[float]] = defaultdict(list)
            deadline = time.perf_counter() + seconds
            began = time.perf_counter()
            while time.perf_counter() < deadline:
                for text, language in mix:
                    t0 = time.perf_counter()
                    answer = await answerer.answer(text, language)
                    await render(answer, pages)
                    elapsed = time.perf_counter() - t0
                    latencies.append(elapsed)
                    by_kind[answer.kind.value].append(elapsed)
            total = time.perf_counter() - began
        finally:
            await store.close()

    def line(name: str, values: list[float]) -> str:
        ms = [v * 1000 for v in values]
        return (
            f"{name:10} n={len(ms):6}  p50 {percentile(ms, 0.5):6.2f} ms  "
            f"p99 {percentile(ms, 0.99):6.2f} ms  max {max(ms):6.2f} ms"
        )

    print(f"answers/s: {len(latencies) / total:.0f} (one at a time, {total:.1f} s)")
    print(line("all", latencies))
    for kind, values in sorted(by_kind.items()):
        print(line(kind, values))
    p99 = percentile([v * 1000 for v in latencies], 0.99)
    print(f"target p99 < 30 ms: {'met' if p99 < 30 else 'NOT met'} ({p99:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(run(args.articles, args.seconds))


if __name__ == "__main__":
    main()
