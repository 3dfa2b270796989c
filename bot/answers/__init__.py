"""Answers to plain questions in Kazakh, Russian or English, from the stored facts.

text.py (cleaning, tokens, stems, FTS5 syntax) -> vocabulary.py (typed words to indexed
prefixes) -> language.py and intents.py -> engine.py (search and ranking: Answer) ->
render.py (Answer to Telegram HTML and inline results). The word lists and intents are data:
data.toml.
"""

from bot.answers.engine import Answer, Answerer, AnswerKind

__all__ = ["Answer", "AnswerKind", "Answerer"]
