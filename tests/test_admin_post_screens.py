"""/post's questions are pure: built from the draft and what was read for them beforehand
(bot.admin.screens.known, one query at most), with no store at hand and no state changed."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.admin import screens
from bot.admin.drafts import Draft
from bot.admin.flow import Step
from bot.i18n import texts_for
from bot.seeds import load_seeds
from storage import Store, open_store

TODAY = dt.date(2026, 3, 5)
BRUSSELS = {"kk": "Брюссель", "ru": "Брюссель", "en": "Brussels"}


def _rows(screen: screens.Screen) -> list[list[tuple[str, str | None]]]:
    _, keyboard = screen
    assert keyboard is not None
    return [[(b.text, str(b.callback_data)) for b in row] for row in keyboard.inline_keyboard]


def test_the_stage_question_is_built_from_the_stage_read_for_it() -> None:
    draft = Draft(id="ab12", kind="milestone", step=Step.STAGE)
    before = copy.deepcopy(draft)
    screen = screens.question(texts_for("ru"), draft, TODAY, screens.Known(stage=2))
    assert screen[0] == "<b>Какой этап переговоров?</b>\nСейчас: Начало переговоров."
    assert _rows(screen) == [
        [("1 · Подготовка", "adm:p.stage.ab12.1")],
        [("✓ 2 · Начало переговоров", "adm:p.stage.ab12.2")],
        [("3 · Раунды переговоров", "adm:p.stage.ab12.3")],
        [("4 · Соглашения парафированы", "adm:p.stage.ab12.4")],
        [("5 · Соглашения подписаны", "adm:p.stage.ab12.5")],
        [("6 · Ратификация", "adm:p.stage.ab12.6")],
        [("7 · Вступили в силу", "adm:p.stage.ab12.7")],
        [("✖ Отмена", "adm:p.cancel.ab12")],
    ]
    assert draft == before  # building a screen changes nothing
    nothing_yet = screens.question(texts_for("ru"), draft, TODAY, screens.Known())
    assert nothing_yet[0] == "<b>Какой этап переговоров?</b>\nСейчас: —."
    assert not any(label.startswith("✓") for row in _rows(nothing_yet) for label, _ in row)


def test_the_place_question_offers_the_places_read_for_it_and_changes_no_draft() -> None:
    draft = Draft(id="ab12", kind="milestone", stage=3, happened_on=TODAY, step=Step.PLACE)
    before = copy.deepcopy(draft)
    known = screens.Known(places=(BRUSSELS, {"en": "Astana"}))
    text, _ = screen = screens.question(texts_for("ru"), draft, TODAY, known)
    assert text == (
        "<b>Где?</b>\nВыберите место или пришлите название. Если на каждом языке по-своему: "
        "<code>kk / ru / en</code>, например <code>Астана / Астана / Astana</code>."
    )
    assert _rows(screen) == [
        [("Брюссель", "adm:p.place.ab12.0")],
        [("Astana", "adm:p.place.ab12.1")],  # no Russian name: the one there is
        [("✖ Отмена", "adm:p.cancel.ab12")],
    ]
    assert draft == before and draft.offered_places == []
    # A place chosen from the preview's "change" offers the way back instead.
    draft.back_to_preview = True
    rows = _rows(screens.question(texts_for("en"), draft, TODAY, known))
    assert rows[0] == [("Brussels", "adm:p.place.ab12.0")]
    assert rows[-2:] == [[("« Back", "adm:p.back.ab12")], [("✖ Cancel", "adm:p.cancel.ab12")]]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "a.sqlite3")
    await load_seeds(opened)
    yield opened
    await opened.close()


async def test_what_a_question_shows_is_read_in_one_query_at_most(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[str] = []

    def counted(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def run(sql: str, *args: Any) -> Any:
            queries.append(sql)
            return await method(sql, *args)

        return run

    for name in ("fetchone", "fetchall", "fetchval", "execute"):
        monkeypatch.setattr(store.db, name, counted(getattr(store.db, name)))
    read = {
        step: await screens.known(store, step, "ru") for step in Step if step is not Step.PREVIEW
    }
    assert len(queries) == 2  # the stage question's and the place question's
    assert read[Step.STAGE] == screens.Known(stage=2)  # the seeds: the talks launched
    assert read[Step.PLACE].places[0]["ru"] == "Брюссель"
    assert all(read[s] == screens.Known() for s in read if s not in (Step.STAGE, Step.PLACE))
