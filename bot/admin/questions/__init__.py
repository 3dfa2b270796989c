"""/questions: the editors' list of questions the bot could not answer well, grouped.

Open questions are grouped (`grouping`), most asked first, then newest; per group the
editors Answer (`answering`: the draft and its steps), Link to a fact or Dismiss (`actions`:
each one audited transaction). `screens` draws the list and the facts to link to, `stats`
the answer rate for /stats; each screen is one query, then a pure function of what it read.
"""

from bot.admin.questions.actions import Outcome, dismiss, link, save_answer
from bot.admin.questions.answering import (
    SLOT,
    AnswerDraft,
    AnswerStep,
    advance,
    ask_source,
    ask_text,
    clean_url,
    current,
    delivered,
    drop,
    keep,
    preview,
    question,
    take_text,
    topics,
)
from bot.admin.questions.grouping import Group, find, group, groups
from bot.admin.questions.screens import (
    FACTS_PER_PAGE,
    GROUPS_SHOWN,
    PHRASINGS_SHOWN,
    QUESTIONS,
    link_choices,
    listing,
    render_link_choices,
    render_listing,
)
from bot.admin.questions.stats import render_stats, stats

__all__ = [
    "FACTS_PER_PAGE",
    "GROUPS_SHOWN",
    "PHRASINGS_SHOWN",
    "QUESTIONS",
    "SLOT",
    "AnswerDraft",
    "AnswerStep",
    "Group",
    "Outcome",
    "advance",
    "ask_source",
    "ask_text",
    "clean_url",
    "current",
    "delivered",
    "dismiss",
    "drop",
    "find",
    "group",
    "groups",
    "keep",
    "link",
    "link_choices",
    "listing",
    "preview",
    "question",
    "render_link_choices",
    "render_listing",
    "render_stats",
    "save_answer",
    "stats",
    "take_text",
    "topics",
]
