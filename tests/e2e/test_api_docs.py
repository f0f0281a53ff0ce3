"""The API documentation page in a real browser: it renders under the site's Content-Security-Policy
and asks no other host for anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import served
from tousu.api.app import create_app
from tousu.settings import Settings
from tousu.storage.db import upgrade

pytestmark = pytest.mark.e2e


def test_the_api_documentation_renders_offline_under_the_policy(tmp_path: Path, browser: Browser) -> None:
    url = f"sqlite:///{tmp_path / 'tousu.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="docs-e2e-secret-0123456789abcdef", model_path="none")
    app = create_app(settings, with_scheduler=False)
    with served(app) as base:
        context = browser.new_context()
        page = context.new_page()
        problems: list[str] = []
        elsewhere: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith((base, "data:")) else None)
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        assert page.locator(".opblock").count() > 20  # every operation listed
        assert problems == []  # a script or style the policy refused would show here
        assert elsewhere == []
        context.close()
    app.state.tousu.engine.dispose()
