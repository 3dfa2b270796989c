"""What an admin's post becomes: the update's text per language (as subscribers read it) and
the content /news, /status and /timeline show (an article per language, a milestone when it
is one). Sending it is bot.admin.posting; changing it later, bot.admin.post_changes.
"""

from __future__ import annotations

from bot.admin.drafts import Draft, host
from bot.admin.formatting import to_plain
from bot.content import progress_bar
from bot.delivery.publishing import pick_language
from bot.i18n import LANGUAGES, Html, link, texts_for
from storage import Store
from storage.posts import article_key, milestone_key

TITLE_LIMIT = 120
SUMMARY_LIMIT = 400  # a milestone's text on /status and /timeline: the post's first paragraph


def link_html(url: str) -> Html:
    """`<a href="…">gov.kz</a>`: a source link named by its site."""
    return link(url, host(url))


def render(draft: Draft) -> dict[str, str]:
    """The update as subscribers read it, per language the admin wrote: the milestone's
    heading, the admin's text with its formatting, the source link."""
    rendered: dict[str, str] = {}
    for language in LANGUAGES:
        body = draft.texts.get(language)
        if body is None:
            continue
        texts = texts_for(language)
        blocks: list[str] = []
        if draft.milestone and draft.stage is not None and draft.happened_on is not None:
            blocks.append(
                texts(
                    "admin.update.milestone.html",
                    stage=texts(f"stage.{draft.stage}"),
                    bar=progress_bar(draft.stage),
                    date=texts.date(draft.happened_on),
                    place=draft.place(language),
                )
            )
        blocks.append(body.strip())
        if draft.link:
            blocks.append(texts("admin.update.source.html", link=link_html(draft.link)))
        rendered[language] = "\n\n".join(blocks)
    return rendered


def _title(plain: str) -> str:
    first = next((line.strip() for line in plain.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_LIMIT else first[: TITLE_LIMIT - 1].rstrip() + "…"


def _summary(plain: str) -> str:
    first = plain.strip().split("\n\n")[0].strip()
    return first if len(first) <= SUMMARY_LIMIT else first[: SUMMARY_LIMIT - 1].rstrip() + "…"


async def store_content(
    store: Store, draft: Draft, token: str, bot_name: str, published_at: str
) -> tuple[int | None, int | None]:
    """Write (or rewrite) the post's articles and milestone; returns (article_id, milestone_id).

    Their source is the link's site, or the bot itself when the admin gave no link.
    """
    source = host(draft.link) if draft.link else bot_name
    article_ids: dict[str, int] = {}
    for language, body in draft.texts.items():
        plain = to_plain(body)
        article_id = await store.articles.save_admin(
            key=article_key(token, language),
            source=source,
            url=draft.link,
            language=language,
            title=_title(plain),
            body=plain,
            published_at=published_at,
        )
        if article_id is None:  # the news store has this very text already
            article_id = await store.articles.id_of(article_key(token, language))
        if article_id is not None:
            article_ids[language] = article_id
    article_id = article_ids[pick_language(article_ids, "ru")] if article_ids else None
    milestone_id = None
    if draft.milestone and draft.stage is not None and draft.happened_on is not None:
        milestone_id = await store.milestones.upsert_keyed(
            key=milestone_key(token),
            stage=draft.stage,
            happened_on=draft.happened_on,
            article_id=article_id,
            source=source,
            url=draft.link,
            texts={  # a language without a text keeps its own place (its text is another's)
                language: (draft.place(language), _summary(to_plain(draft.texts.get(language, ""))))
                for language in draft.languages()
            },
        )
    return article_id, milestone_id
