"""The relevance judgement against the labelled set of agency-style news (issue 16).

tests/fixtures/feeds/items.toml was written before the rules were tuned and used to tune them;
items_heldout.toml was run once after they were committed (first sight, en: precision 0.90,
recall 1.00; kk and ru: 1.00 and 1.00) and then added here. The floors below are what the
engine must keep per language over both: a rule change that loses the talks or lets in
unrelated news fails here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.feeds.relevance import default

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
SETS = ("items.toml", "items_heldout.toml")
FLOOR = 0.9  # precision and recall, per language


@dataclass(frozen=True)
class Item:
    lang: str
    title: str
    summary: str
    relevant: bool
    hard: bool
    cls: str


def _items() -> list[Item]:
    items = []
    for name in SETS:
        for raw in tomllib.loads((FIXTURES / name).read_text(encoding="utf-8"))["item"]:
            items.append(
                Item(raw["lang"], raw["title"], raw["summary"], raw["relevant"], raw["hard"],
                     raw["class"])
            )  # fmt: skip
    return items


def test_the_set_is_large_balanced_and_half_hard() -> None:
    items = _items()
    assert len(items) >= 150
    for lang in ("kk", "ru", "en"):
        assert len([i for i in items if i.lang == lang]) >= 50, lang
    assert sum(i.hard for i in items) >= len(items) * 0.4


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_precision_and_recall_per_language(lang: str) -> None:
    judge = default()
    tp = fp = fn = 0
    wrong = []
    for item in (i for i in _items() if i.lang == lang):
        decision = judge(item.title, item.summary)
        if decision.relevant and item.relevant:
            tp += 1
        elif decision.relevant != item.relevant:
            fp += decision.relevant
            fn += item.relevant
            wrong.append(f"{item.cls} {decision.rule}: {item.title}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= FLOOR and recall >= FLOOR, (precision, recall, wrong)


def test_every_decision_names_a_rule_of_the_file() -> None:
    judge = default()
    names = {rule.name for rule in judge.rules} | {"off-topic"}
    for item in _items():
        decision = judge(item.title, item.summary)
        assert decision.rule in names
        # Only rules that keep an item out may list it for admins.
        assert not (decision.near_miss and decision.relevant)
