"""deploy/: every setting documented in .env.example, and the example itself loads."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import load_settings, read_dotenv

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / ".env.example"


def test_every_setting_is_documented() -> None:
    config = "\n".join(p.read_text() for p in sorted((ROOT / "bot" / "config").glob("*.py")))
    read = set(re.findall(r'(?:get|number)\(\s*"([A-Z_]+)"', config))
    assert {"BOT_TOKEN", "WEBHOOK_SECRET", "PORT", "FLOOD_BURST", "FEED_MAX_BYTES"} <= read
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", EXAMPLE.read_text(), re.M))
    assert read - documented == set()


def test_the_example_loads() -> None:
    settings = load_settings(read_dotenv(EXAMPLE))
    assert settings.webhook.url is None and settings.timezone.key == "Asia/Almaty"


def test_the_image_runs_unprivileged_with_a_health_check() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert 'CMD ["visatalks", "health"]' in dockerfile
    assert "COPY seeds ./seeds" in dockerfile  # the wheel force-includes them
    unit = (ROOT / "deploy" / "visatalks.service").read_text()
    for line in ("Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict"):
        assert line in unit.splitlines()
