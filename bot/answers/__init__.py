"""Answers to plain questions in Kazakh, Russian or English, from the stored facts.

text.py (cleaning, tokens, stems, FTS5 syntax, Kazakh in Latin letters) -> vocabulary.py
(typed words to indexed prefixes) -> reading.py (a question's words and their kinds) ->
language.py and intents.py -> engine.py (what answers: Answer) with ranking.py (the search's
scores) over snapshot.py (the facts in memory) -> render.py (Answer to a reply that fits a
phone screen, and inline results). The word lists and intents are data: data.toml.
"""

from bot.answers.engine import Answer, Answerer, AnswerKind

__all__ = ["Answer", "AnswerKind", "Answerer"]
