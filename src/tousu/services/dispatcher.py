"""The outbox's sender: claims due messages in a short transaction, sends them outside it, reports back.

Runs as a daemon thread in every server process (next to the SLA scheduler) or as a cron job
(`tousu outbox send`); any number at once is safe, since each message is claimed by one of them
(services/outbox.py). A request never waits for a send: it only writes the outbox row. At the
digest hour a pass also queues the daily digests and the subscribed 日报/周报, whose e-mails are
built (the report and its workbook) when they are sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tousu.domain.deadlines import LOCAL
from tousu.services import digest, outbox, scheduled_reports
from tousu.services.senders import Attachment, SendError, Senders
from tousu.settings import Settings
from tousu.storage.db import write_lock_for

log = logging.getLogger(__name__)

Writer = Callable[[], AbstractContextManager[sa.Connection]]
Clock = Callable[[], datetime]
BATCH = 50  # messages claimed per short transaction
MOST_PER_PASS = 2000  # then the thread looks at its stop flag and the clock again


def writer_for(engine: Engine) -> Writer:
    """Write transactions as the server takes them (SQLite's writers queue on one lock)."""
    lock = write_lock_for(engine)

    @contextmanager
    def write() -> Iterator[sa.Connection]:
        with lock, engine.begin() as conn:
            yield conn

    return write


@dataclass
class Pass:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    digests: int = 0
    reports: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed or self.digests or self.reports)


def dispatch_once(
    write: Writer,
    settings: Settings,
    *,
    clock: Clock = lambda: datetime.now(UTC),
    digests: bool = True,
    stop: threading.Event | None = None,
) -> Pass:
    """Queue the daily digests and scheduled reports when due, then send every due message (up to MOST_PER_PASS)."""
    result = Pass()
    if digests:
        with write() as conn:
            result.digests = digest.queue_digests(conn, now=clock(), hour=settings.digest_hour)
            result.reports = scheduled_reports.queue_reports(conn, now=clock(), hour=settings.digest_hour)
    first_retry = timedelta(seconds=settings.outbox_retry_seconds)
    while result.sent + result.retrying + result.failed < MOST_PER_PASS and not (stop and stop.is_set()):
        with write() as conn:
            claimed = outbox.claim(conn, now=clock(), limit=BATCH)
        if not claimed:
            break
        with Senders(settings) as senders:
            for message in claimed:
                error = _send(senders, message, write, settings, clock)
                with write() as conn:
                    if error is None:
                        outbox.mark_sent(conn, message=message, now=clock())
                        result.sent += 1
                        continue
                    status = outbox.mark_failed(
                        conn,
                        message=message,
                        error=error,
                        now=clock(),
                        max_attempts=settings.outbox_max_attempts,
                        first_retry=first_retry,
                    )
                result.errors.append(error)
                if status == "failed":
                    result.failed += 1
                else:
                    result.retrying += 1
    return result


def _send(senders: Senders, message: outbox.Message, write: Writer, settings: Settings, clock: Clock) -> str | None:
    try:
        attachments: list[Attachment] = []
        if scheduled_reports.is_report(message):  # built now, in the recipient's scope as it is now
            with write() as conn:
                message, attachments = scheduled_reports.compose(
                    conn, message, now=clock(), file_policy=settings.policy
                )
        senders.send(message, attachments)
    except SendError as exc:
        return str(exc)
    except Exception as exc:  # an unexpected failure is one message's, not the dispatcher's
        log.exception("outbox message %s: unexpected error", message.id)
        return f"发送出错：{type(exc).__name__}"
    return None


class Dispatcher:
    """Sends the outbox every `outbox_interval_seconds` in a daemon thread of the server process."""

    def __init__(self, write: Writer, settings: Settings, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self._write, self._settings, self._clock = write, settings, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tousu-outbox", daemon=True)
        self._digest_day: date | None = None  # the digests and reports are queued once a day per process

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def run_once(self) -> Pass:
        now = self._clock()
        today = now.astimezone(LOCAL).date()
        due = self._digest_day != today and digest.digest_moment(now, self._settings.digest_hour) is not None
        done = dispatch_once(self._write, self._settings, clock=self._clock, digests=due, stop=self._stop)
        if due:
            self._digest_day = today
        return done

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.run_once()
                if done:
                    log.info(
                        "outbox: sent=%d retrying=%d failed=%d digests=%d reports=%d",
                        done.sent,
                        done.retrying,
                        done.failed,
                        done.digests,
                        done.reports,
                    )
            except Exception:  # keep dispatching: one failed pass (database away) must not stop it
                log.exception("outbox pass failed")
            self._stop.wait(self._settings.outbox_interval_seconds)
