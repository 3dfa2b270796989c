"""Which language a question is in: Kazakh letters, function words, and the facts' own words.

Evidence per word: a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) counts twice for Kazakh; a
function word of one language only counts for it; a word that the facts use in one language
only counts for that language (`келіссөз` is Kazakh, `переговоры` Russian, `corridor`
English, `erasmus` none). A language is *clear* when it has at least two points and at least
twice as many as any other; only then does the answer leave the chat's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.answers.text import Token
from bot.answers.vocabulary import Expansion

CLEAR_POINTS = 2


@dataclass(frozen=True)
class Guess:
    language: str | None
    clear: bool
    points: Mapping[str, int]


def guess(
    tokens: Sequence[Token],
    expansions: Sequence[Expansion],
    stopwords: Mapping[str, frozenset[str]],
) -> Guess:
    points: Counter[str] = Counter()
    for token, expansion in zip(tokens, expansions, strict=True):
        if token.has_kazakh_letters:
            points["kk"] += 2
            continue
        marks = {lang for lang, words in stopwords.items() if token.folded in words}
        if len(marks) == 1:
            points[marks.pop()] += 1
        elif not marks and len(expansion.languages) == 1:
            (language,) = expansion.languages
            points[language] += 1
    if not points:
        return Guess(None, False, {})
    ranked = points.most_common()
    best, best_points = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if runner_up == best_points:
        return Guess(None, False, dict(points))
    clear = best_points >= CLEAR_POINTS and best_points >= 2 * runner_up
    return Guess(best, clear, dict(points))


def answer_language(found: Guess, chat_language: str) -> str:
    """The chat's language, unless the question is clearly in another one."""
    if found.clear and found.language is not None:
        return found.language
    return chat_language
