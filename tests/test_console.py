"""The offline console, as a newcomer runs it: `printf '/status\n/facts\n' | visatalks console`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXPECTED = {
    "kk": ("2025 жылғы 2 желтоқсан", "Келіссөздердің басталуы", "50 млрд"),
    "ru": ("2 декабря 2025 г.", "Начало переговоров", "50 млрд"),
    "en": ("2 December 2025", "Start of negotiations", "50 billion"),
}
TRADE = {"kk": "тауар айналымы қанша", "ru": "какой товарооборот", "en": "trade turnover"}


def console(
    tmp_path: Path, stdin: str, *args: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_PATH"] = str(tmp_path / "console.sqlite3")
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=stdin,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_status_and_facts_in_each_language(tmp_path: Path, language: str) -> None:
    result = console(tmp_path, f"/status\n/facts\n{TRADE[language]}\n", "--lang", language)
    assert result.returncode == 0, result.stderr
    date, stage, figure = EXPECTED[language]
    assert "▰▰▱▱▱▱▱ 2/7" in result.stdout
    assert stage in result.stdout
    assert date in result.stdout
    assert figure in result.stdout  # the trade figure of the articles, asked for
    assert "Kazinform" in result.stdout
    assert "<b>" not in result.stdout  # HTML is rendered as plain text


def test_buttons_are_numbered_and_picked_by_number(tmp_path: Path) -> None:
    result = console(tmp_path, "/lang\n3\n/help\n", "--lang", "ru")
    assert result.returncode == 0, result.stderr
    assert "[1] Қазақша" in result.stdout and "[3] English" in result.stdout
    assert "Language: English" in result.stdout
    assert "What I can do" in result.stdout


def test_no_token_opens_the_console_and_says_how_to_connect(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_PATH"] = str(tmp_path / "c.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "bot"], input="/help\n", env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert "BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr
    assert "/status" in result.stdout


BANNERS = {
    "kk": "visatalks офлайн консолі · тіл: Қазақша · Telegram-ға ештеңе жіберілмейді · "
    "шығу: Ctrl-D",
    "ru": "Офлайн-консоль visatalks · язык: Русский · в Telegram ничего не уходит · выход: Ctrl-D",
    "en": "visatalks offline console · language: English · nothing is sent to Telegram · "
    "Ctrl-D to quit",
}


@pytest.mark.parametrize(("language", "banner"), BANNERS.items())
def test_a_one_line_banner_says_language_offline_and_how_to_quit(
    tmp_path: Path, language: str, banner: str
) -> None:
    result = console(tmp_path, "/help\n", "--lang", language)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == banner


def test_a_number_without_its_button_is_not_taken_for_a_question(tmp_path: Path) -> None:
    result = console(tmp_path, "7\n/lang\n9\n", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "There are no buttons to press now. Write your question in words." in result.stdout
    assert "There is no button [9]. The buttons are numbered 1–3." in result.stdout
    assert "I have no fact" not in result.stdout  # neither number went to the answerer


def test_log_lines_stay_out_of_the_conversation(tmp_path: Path) -> None:
    result = console(
        tmp_path, "/status\nкогда начались переговоры\n", "--lang", "ru", LOG_LEVEL="DEBUG"
    )
    assert result.returncode == 0, result.stderr
    for level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        assert f" {level} " not in result.stdout
    assert not [
        line for line in result.stderr.splitlines() if " INFO " in line or " DEBUG " in line
    ]
