"""Reading shared settings from the database at most every few seconds, one thread at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta


class Recheck:
    """Runs `refresh` when `interval` seconds have passed on the app's clock (or the clock went
    back, or `soon` was called). One thread checks; the others go on with what they have."""

    def __init__(self, refresh: Callable[[], None], interval: float) -> None:
        self._refresh = refresh
        self._interval = timedelta(seconds=interval)
        self._checked_at: datetime | None = None
        self._lock = threading.Lock()

    def soon(self) -> None:
        """Check on the next use: this process made the change itself."""
        self._checked_at = None

    def __call__(self, now: datetime) -> None:
        checked = self._checked_at
        due = checked is None or not timedelta(0) <= now - checked < self._interval
        if due and self._lock.acquire(blocking=False):
            try:
                self._checked_at = now
                self._refresh()
            finally:
                self._lock.release()
