"""/facts_admin: admins add facts, change their texts, topic and source, retire and restore
them, so /facts stays current. The work is in bot.admin.facts
and bot.admin.fact_draft."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.admin import fact_draft, facts, flow, guard
from bot.admin.fact_draft import FactDraft
from bot.admin.flow import FactStep
from bot.admin.screens import Screen
from bot.callbacks import Press
from bot.config import AdminOptions
from bot.context import BotContext
from bot.i18n import LANGUAGES
from bot.replies import replace, reply
from handlers.admin_drafts import DraftButtons
from handlers.admin_routing import Callback, Routes, stale_button
from storage.models import FactRecord

END = ConversationHandler.END
# The new fact's buttons: its topic, source, Skip (a language) and Cancel.
DRAFT = DraftButtons(facts.FACTS, fact_draft.SLOT, "admin.facts.cancelled")


async def facts_admin(update: Update, context: BotContext) -> None:
    """Every fact, a page at a time; a number opens one to change or retire it."""
    text, keyboard = await facts.listing(context.store, context.texts)
    await reply(update, context, text, keyboard)


async def _fact(update: Update, context: BotContext) -> tuple[Press, FactRecord] | None:
    """The fact a button names; a stale or forged one is answered so here."""
    query = update.callback_query
    assert query is not None
    press = facts.FACTS.parse(query.data)
    number = press.number() if press else None
    fact = await context.store.facts.record(number) if number is not None else None
    if press is None or fact is None:
        await stale_button(update, context)
        return None
    return press, fact


async def _show(
    update: Update, context: BotContext, fact_id: int, screen: Screen | None = None
) -> None:
    """The fact's card (or the choice it leads to), in place."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if screen is None:
        screen = await facts.card(context.store, context.texts, fact_id)
    if screen is not None:
        await replace(update, context, *screen)


async def facts_page(update: Update, context: BotContext) -> None:
    """Another page of the list, in place."""
    query = update.callback_query
    assert query is not None
    press = facts.FACTS.parse(query.data)
    number = press.number() if press else None
    if number is None:
        await stale_button(update, context)
        return
    await query.answer()
    await replace(update, context, *await facts.listing(context.store, context.texts, number))


async def open_fact(update: Update, context: BotContext) -> None:
    """A fact's card."""
    if (found := await _fact(update, context)) is not None:
        fact = found[1]
        await _show(update, context, fact.id, facts.card_for(context.texts, fact))


async def topic_choices(update: Update, context: BotContext) -> None:
    """The topics to move a fact to, its own marked."""
    if (found := await _fact(update, context)) is not None:
        fact = found[1]
        await _show(
            update, context, fact.id, facts.topics(context.texts, "settopic", fact.id, fact.topic)
        )


async def source_choices(update: Update, context: BotContext) -> None:
    """The latest articles to give a fact as its source, its own marked."""
    if (found := await _fact(update, context)) is not None:
        fact = found[1]
        screen = await facts.sources(
            context.store, context.texts, "setsource", fact.id, fact.article_id
        )
        await _show(update, context, fact.id, screen)


async def topic_chosen(update: Update, context: BotContext) -> None:
    """A fact's new topic (audited by bot.admin.facts); its card again."""
    if (found := await _fact(update, context)) is None:
        return
    press, fact = found
    await facts.set_topic(context.store, fact, press.arg(1), guard.admin_id(update))
    await _show(update, context, fact.id)


async def source_chosen(update: Update, context: BotContext) -> None:
    """A fact's new source (audited by bot.admin.facts); its card again."""
    if (found := await _fact(update, context)) is None:
        return
    press, fact = found
    if (article := press.number(1)) is not None and not await facts.set_source(
        context.store, fact, article, guard.admin_id(update)
    ):
        await stale_button(update, context)
        return
    await _show(update, context, fact.id)


def _retiring(retired: bool) -> Callback[None]:
    async def retire(update: Update, context: BotContext) -> None:
        """Retire or restore a fact (audited by bot.admin.facts); its card again."""
        if (found := await _fact(update, context)) is None:
            return
        fact = found[1]
        await facts.retire(context.store, fact, guard.admin_id(update), retired=retired)
        await _show(update, context, fact.id)

    return retire


async def new_fact(update: Update, context: BotContext) -> int:
    """ "New fact": asks its topic, then its source, then its text in each language."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    draft = fact_draft.keep(context.user_data, FactDraft())
    await reply(update, context, *facts.topics(context.texts, "ntopic", draft.id))
    return FactStep.TOPIC


async def edit_text(update: Update, context: BotContext) -> int:
    """A fact's ✏️ button: asks for its new text in that language."""
    query = update.callback_query
    assert query is not None
    press = facts.FACTS.parse(query.data)
    fact_id = press.number() if press else None
    if press is None or fact_id is None or press.arg(1) not in LANGUAGES:
        await stale_button(update, context)
        return END
    await query.answer()
    draft = fact_draft.keep(
        context.user_data, FactDraft(fact_id=fact_id, language=press.arg(1), step=FactStep.TEXT)
    )
    await reply(update, context, *fact_draft.ask_text(context.texts, draft))
    return FactStep.TEXT


async def fact_typed(update: Update, context: BotContext) -> int:
    """The fact's text in the asked language (plain, one paragraph)."""
    draft = fact_draft.current(context.user_data)
    message = update.effective_message
    if draft is None or message is None or message.text is None or update.effective_user is None:
        return END
    problem = fact_draft.take_text(context.texts, draft, message.text)
    if problem is not None:
        await reply(update, context, problem)
        return draft.step
    return await _next(update, context, draft)


async def _next(update: Update, context: BotContext, draft: FactDraft) -> int:
    """The draft's next question, or the fact's card once it is saved."""
    admin = update.effective_user.id if update.effective_user else 0
    screen, step = await fact_draft.advance(context.store, context.texts, draft, admin)
    if step is None:
        fact_draft.drop(context.user_data)
    if screen is not None:
        await reply(update, context, *screen)
    return END if step is None else step


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: the fact is not saved."""
    fact_draft.drop(context.user_data)
    await reply(update, context, context.texts("admin.facts.cancelled"))
    return END


async def timed_out(update: Update, context: BotContext) -> None:
    """Nothing visible: an unanswered fact is dropped after the draft timeout."""
    fact_draft.drop(context.user_data)


def _buttons(routes: Routes) -> dict[int, list[BaseHandler[Update, BotContext, object]]]:
    """Each step's buttons, one handler a verb: the topic's, the source's, then Skip; a
    button of another step is an old one (the admin handlers after the conversations)."""

    def on(verb: str, callback: Callback[int]) -> BaseHandler[Update, BotContext, object]:
        return routes.button(facts.FACTS, [verb], callback)

    return {
        FactStep.TOPIC: [on("ntopic", DRAFT.choice(FactDraft.choose_topic, _next))],
        FactStep.SOURCE: [on("nsource", DRAFT.choice(FactDraft.choose_source, _next))],
        FactStep.TEXT: [on("nskip", DRAFT.tap(FactDraft.skip_language, _next))],
    }


def handlers(
    options: AdminOptions, routes: Routes
) -> list[BaseHandler[Update, BotContext, object]]:
    # Every step also takes Cancel and text (the fact's text, or the hint to use the buttons).
    on_screen: list[BaseHandler[Update, BotContext, object]] = [
        routes.button(facts.FACTS, ["ncancel"], DRAFT.cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, fact_typed),
    ]
    conversation = flow.conversation(
        "admin-facts",
        entry_points=[
            routes.button(facts.FACTS, ["new"], new_fact),
            routes.button(facts.FACTS, ["text"], edit_text),
        ],
        steps=FactStep,
        on_screen=on_screen,
        by_step=_buttons(routes),
        cancel=cancel,
        timed_out=timed_out,
        timeout=options.draft_timeout,
    )
    return [
        conversation,
        routes.command("facts_admin", facts_admin),
        routes.button(facts.FACTS, ["page"], facts_page),
        routes.button(facts.FACTS, ["open"], open_fact),
        routes.button(facts.FACTS, ["topic"], topic_choices),
        routes.button(facts.FACTS, ["source"], source_choices),
        routes.button(facts.FACTS, ["settopic"], topic_chosen),
        routes.button(facts.FACTS, ["setsource"], source_chosen),
        routes.button(facts.FACTS, ["retire"], _retiring(True)),
        routes.button(facts.FACTS, ["restore"], _retiring(False)),
    ]
