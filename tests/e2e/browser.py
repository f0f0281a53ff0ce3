"""Shared pieces of the browser tests: a demo app, served in a thread, and Debian's chromium."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.server import free_port
from tousu.api.app import create_app
from tousu.demo import DEMO_PASSWORD, load_demo
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import upgrade

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def demo_app(directory: Path, *, complaints: int = 0, seed: int = 7) -> FastAPI:
    """The app on a new SQLite database in `directory` with the demo staff and `complaints`
    demo complaints, without its scheduler: the test decides what happens when."""
    url = f"sqlite:///{directory / 'tousu.db'}"
    upgrade(url)
    settings = Settings(
        database_url=url, secret_key="e2e-secret-0123456789abcdef0123456789", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    load_demo(app.state.tousu.engine, settings.policy, count=complaints, seed=seed)
    return app


def api_token(app: FastAPI, username: str) -> str:
    """An API token of a demo account, to set up through the API what the browser then sees."""
    with app.state.tousu.write() as conn:
        user_id = users.require_user(conn, username)["id"]
        return users.issue_token(conn, user_id=user_id, kind="api", now=datetime.now(UTC))


def file_complaint(base: str, token: str, **body: Any) -> dict[str, Any]:
    """Take a complaint in through the API (a walk-in unless `channel` says otherwise)."""
    created = httpx.post(
        f"{base}/api/v1/complaints", headers={"Authorization": f"Bearer {token}"}, json={"channel": "hall", **body}
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def log_in(tab: Page, username: str, password: str = DEMO_PASSWORD, *, refused: bool = False) -> None:
    """Through the login form, as a person would; the tab's context then holds the session.
    A login that fails (or, with `refused`, one that succeeds) fails the test here, not a later step."""
    tab.goto("/login")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("form[action='/login'] button[type=submit]")
    tab.wait_for_load_state()
    error = tab.locator("#login-error")
    if refused:
        assert error.count() == 1, f"{username} was let in"
    else:
        assert error.count() == 0, f"{username} was refused: {error.text_content()}"


def signed_in_tab(browser: Browser, base: str, username: str) -> Page:
    """A new browser context in Shanghai's time and Chinese, signed in as `username`."""
    tab = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN", base_url=base).new_page()
    log_in(tab, username)
    return tab


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port, in a thread of this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium under Playwright; in CI its absence is a failure, not a skip."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it")
        pytest.skip("chromium not installed (run `make test`)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
