"""Is a feed item about the talks? Terms and ordered rules from keywords.toml, explained.

The judgement has three parts, each a module of its own:
- bot.feeds.matching finds the file's terms in a title and in each sentence of a summary;
- bot.feeds.judgement applies the rules to each unit (the title, or one sentence with the
  title's terms) and says which rule decided;
- bot.feeds.partners checks that a visa or readmission term is about Kazakhstan and the EU.
bot.feeds.keywords reads the file. This module is where callers take them from.
"""

from __future__ import annotations

from bot.feeds.judgement import Decision, Judge, Relevance, Rule
from bot.feeds.keywords import KEYWORDS_FILE, LANGUAGES, SCOPES, default, load
from bot.feeds.matching import MEMO_LIMIT, TITLE, Hits

__all__ = [
    "KEYWORDS_FILE",
    "LANGUAGES",
    "MEMO_LIMIT",
    "SCOPES",
    "TITLE",
    "Decision",
    "Hits",
    "Judge",
    "Relevance",
    "Rule",
    "default",
    "load",
]
