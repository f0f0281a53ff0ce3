"""`tousu outbox`: send the notification outbox from cron, list and retry what failed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from tousu.settings import Settings

app = typer.Typer(help="The notification outbox (e-mails and group-chat webhooks).", no_args_is_help=True)


@app.command("send")
def send() -> None:
    """Send every due message once, queuing the digests and 日报/周报 when due (for cron, when the servers
    run with TOUSU_OUTBOX_INTERVAL_SECONDS=0)."""
    from tousu.services.dispatcher import dispatch_once, writer_for
    from tousu.storage.db import open_database

    settings = Settings()
    engine = open_database(settings.database_url)
    try:
        done = dispatch_once(writer_for(engine), settings)
    finally:
        engine.dispose()
    typer.echo(
        f"sent {done.sent}, retrying later {done.retrying}, failed {done.failed}, "
        f"digests queued {done.digests}, reports queued {done.reports}"
    )
    for error in dict.fromkeys(done.errors):
        typer.echo(f"  error: {error}", err=True)


@app.command("list")
def list_messages(
    failed: Annotated[bool, typer.Option("--failed", help="only the messages that failed for good")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """List outbox messages, newest first: id, status, channel, recipient, attempts, last error."""
    from tousu.domain.deadlines import LOCAL
    from tousu.services import outbox
    from tousu.storage.db import open_database

    engine = open_database(Settings().database_url)
    try:
        with engine.connect() as conn:
            rows = outbox.listing(conn, status="failed" if failed else None, limit=limit)
    finally:
        engine.dispose()
    for row in rows:
        created = row["created_at"].astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{row['id']}\t{row['status']}\t{row['channel']}\t{outbox.shown_recipient(row['channel'], row['recipient'])}"
            f"\tattempts={row['attempts']}\t{created}\t{row['last_error'] or ''}"
        )
    if not rows:
        typer.echo("no failed messages" if failed else "the outbox is empty")


@app.command("retry")
def retry(message_id: int) -> None:
    """Queue a failed message again (recorded in the audit trail as done from the command line)."""
    from tousu.services import outbox
    from tousu.services.dispatcher import writer_for
    from tousu.services.errors import ServiceError
    from tousu.storage.db import open_database

    engine = open_database(Settings().database_url)
    try:
        with writer_for(engine)() as conn:
            outbox.retry(conn, message_id=message_id, actor=None, now=datetime.now(UTC))
    except ServiceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"message {message_id} queued again")
