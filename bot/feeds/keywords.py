"""Loading keywords.toml: its groups of terms, its ordered rules and the groups' roles, checked
(every rule names known groups, every group has terms in every language)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from bot.feeds.judgement import Relevance, Rule
from bot.feeds.matching import Term, term

KEYWORDS_FILE = Path(__file__).with_name("keywords.toml")
LANGUAGES = ("kk", "ru", "en")
SCOPES = ("title", "sentence", "text")


def load(path: Path = KEYWORDS_FILE) -> Relevance:
    """Read and check the data file: every rule names known groups, every group all languages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms: list[Term] = []
    for name, by_language in data["groups"].items():
        missing = [lang for lang in LANGUAGES if not by_language.get(lang)]
        if missing:
            raise ValueError(f"{path}: group {name!r} has no terms for {', '.join(missing)}")
        terms += [term(name, raw) for lang in LANGUAGES for raw in by_language[lang]]
    known = {found.group for found in terms}
    rules = []
    for raw in data["rules"]:
        rule = Rule(
            name=raw["name"],
            relevant=raw["verdict"] == "in",
            scope=raw.get("scope", "sentence"),
            all=frozenset(raw["all"]),
            none=frozenset(raw.get("none", ())),
            partner=bool(raw.get("partner", False)),
            near_miss=bool(raw.get("near_miss", False)),
        )
        if raw["verdict"] not in ("in", "out") or rule.scope not in SCOPES:
            raise ValueError(f"{path}: rule {rule.name!r}: bad verdict or scope")
        if rule.relevant and rule.scope == "text":
            raise ValueError(f"{path}: rule {rule.name!r}: words anywhere never let an item in")
        if unknown := (rule.all | rule.none) - known:
            raise ValueError(f"{path}: rule {rule.name!r} names unknown groups {sorted(unknown)}")
        rules.append(rule)
    roles = data.get("roles", {})
    keys = ("partners", "foreign", "topic", "ties")
    sets = {key: frozenset(roles.get(key, ())) for key in keys}
    for key, groups in sets.items():
        if unknown := groups - known:
            raise ValueError(f"{path}: roles.{key} names unknown groups {sorted(unknown)}")
    return Relevance(terms, rules, sets["partners"], sets["foreign"], sets["topic"], sets["ties"])


@cache
def default() -> Relevance:
    return load()
