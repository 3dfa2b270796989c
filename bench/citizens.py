"""Accuracy of a citizens' question set, judged as tests/test_citizens_questions.py judges.

For a set that is not (yet) part of the test, such as a blind set's first run, or while the
engine learns from a training set:

    python -m bench.citizens tests/fixtures/unseen/citizens3_blind.toml [--misses] [--classes]

Prints right / asked and reply length (median, longest) per language; with --misses each
missed question and what was wrong; with --classes the counts per language and class.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from bot.answers import Answerer
from bot.answers.render import plain, reply_to
from bot.content import Pages
from bot.seeds import load_seeds
from storage import open_store
from tests.test_citizens_questions import problems


async def run(items: list[dict[str, Any]], misses: bool, classes: bool) -> None:
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    by_class: Counter[tuple[str, str, bool]] = Counter()
    lengths: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(Path(tmp) / "citizens.sqlite3")
        try:
            await load_seeds(store)
            answerer, pages = Answerer(store), Pages(store)
            for item in items:
                language = item["lang"]
                answer = await answerer.answer(item["text"], language)
                text = plain((await reply_to(answer, pages)).text)
                wrong = problems(item, answer, text)
                asked[language] += 1
                right[language] += not wrong
                by_class[(language, item["class"], not wrong)] += 1
                lengths.setdefault(language, []).append(len(text))
                if wrong and misses:
                    print(f"  miss {language} {item['class']} {item['text']!r}: {'; '.join(wrong)}")
        finally:
            await store.close()
    for language in sorted(asked):
        print(
            f"{language}: {right[language]}/{asked[language]}, reply length median "
            f"{statistics.median(lengths[language]):.0f}, longest {max(lengths[language])}"
        )
    if classes:
        for (language, kind, ok), count in sorted(by_class.items()):
            print(f"  {language} {kind:<13} {'right' if ok else 'missed'} {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--classes", action="store_true")
    args = parser.parse_args()
    items = tomllib.loads(args.path.read_text())["q"]
    asyncio.run(run(items, args.misses, args.classes))


if __name__ == "__main__":
    main()
