"""The browser tests' Chromium, one per module: Playwright's sync API keeps an event loop running in
the thread while it is open, so it must be closed before tests that run their own (the
integration tests after these); each test opens its own context."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance
