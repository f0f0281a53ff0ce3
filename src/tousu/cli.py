"""The `tousu` command: one entry point for operators and other systems."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tousu.settings import Settings

app = typer.Typer(help="tousu 投诉处理系统", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for other systems.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


def _now() -> datetime:
    return datetime.now(UTC)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8000,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="server processes (PostgreSQL or SQLite WAL)")] = 1,
) -> None:
    """Serve the web application and the API."""
    import uvicorn

    uvicorn.run(
        "tousu.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database named by TOUSU_DATABASE_URL (SQLite under var/ when unset)."""
    from tousu.storage.db import upgrade

    url = Settings().database_url
    upgrade(url)
    typer.echo(f"database is up to date: {url.split('@')[-1]}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="agent | manager | director | admin")] = "agent",
    team: Annotated[str, typer.Option(help="hall or team name")] = "",
    display_name: Annotated[str | None, typer.Option(help="name shown in the UI")] = None,
    password: Annotated[str | None, typer.Option(help="read from the prompt when omitted")] = None,
) -> None:
    """Add a staff account."""
    from tousu.domain.codes import Role
    from tousu.services import users
    from tousu.services.errors import ServiceError
    from tousu.storage.db import create_db_engine

    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"unknown role {role!r}: use agent, manager, director or admin", param_hint="--role")
    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    engine = create_db_engine(Settings().database_url)
    try:
        with engine.begin() as conn:
            users.add_user(
                conn,
                username=username,
                password=secret,
                role=Role(role),
                team=team,
                display_name=display_name,
                now=_now(),
            )
    except ServiceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"user {username} added ({role})")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="the account the token acts as")] = "admin",
    name: Annotated[str, typer.Option(help="what the token is for")] = "",
) -> None:
    """Print a new API token (last line). Creates the user 'admin' on first use."""
    from tousu.domain.codes import Role
    from tousu.services import users
    from tousu.storage.db import create_db_engine

    engine = create_db_engine(Settings().database_url)
    with engine.begin() as conn:
        row = users.get_by_username(conn, user)
        if row is None and user == "admin":
            user_id = users.add_user(
                conn, username="admin", password=None, role=Role.ADMIN, display_name="管理员", now=_now()
            )
        elif row is None:
            typer.echo(f"error: no user named {user!r}; add it with `tousu user add`", err=True)
            raise typer.Exit(1)
        else:
            user_id = row["id"]
        token = users.issue_token(conn, user_id=user_id, kind="api", name=name, now=_now())
    typer.echo(token)


@app.command("demo-data")
def demo_data(
    count: Annotated[int, typer.Option(help="complaints to generate")] = 300,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same data")] = 2026,
) -> None:
    """Load demo users and complaints once (skipped when demo users exist)."""
    from tousu.demo import load_demo
    from tousu.services.analysis_port import load_analyzer
    from tousu.storage.db import create_db_engine

    settings = Settings()
    _, analyze = load_analyzer(settings.model_path)
    created = load_demo(
        create_db_engine(settings.database_url), settings.policy, count=count, seed=seed, analyze=analyze
    )
    typer.echo(f"demo data: {created} complaints created" if created else "demo data already loaded")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON Lines file")],
    user: Annotated[str, typer.Option("--user", help="recorded as the receiving user")] = "admin",
    rejects: Annotated[Path | None, typer.Option(help="where bad rows go (default: PATH.rejects.jsonl)")] = None,
) -> None:
    """Import complaints; each bad row is reported with its line number and written to a reject file."""
    from tousu.transfer import import_file

    report = import_file(path, settings=Settings(), username=user, rejects=rejects)
    for line, reason in report.errors[:50]:
        typer.echo(f"line {line}: {reason}", err=True)
    typer.echo(
        f"imported {report.imported}, rejected {len(report.errors)}"
        + (f" (see {report.rejects_path})" if report.errors else "")
    )
    if report.errors:
        raise typer.Exit(2)


@app.command("export")
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: standard output)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv")] = "jsonl",
) -> None:
    """Export every complaint (with its customer) as JSON Lines or CSV."""
    from tousu.transfer import export_complaints

    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        count = export_complaints(Settings(), out, fmt=fmt)
    finally:
        if output:
            out.close()
    typer.echo(f"exported {count} complaints", err=True)


@app.command("check-admissibility")
def check_admissibility_cmd(
    occurred: Annotated[str | None, typer.Option(help="when the matter happened, e.g. 2026-05-01")] = None,
    billing: Annotated[bool, typer.Option(help="a billing dispute (话费争议)")] = False,
    complained_on: Annotated[str | None, typer.Option(help="when the customer complained to the operator")] = None,
    answered: Annotated[bool, typer.Option(help="the operator has answered")] = False,
    settled: Annotated[bool, typer.Option(help="already settled and executed")] = False,
    elsewhere: Annotated[bool, typer.Option(help="a court, arbitration or consumer body has it")] = False,
    proxy: Annotated[bool, typer.Option(help="filed by a proxy")] = False,
    authorised: Annotated[bool, typer.Option(help="the proxy has a written authorisation")] = False,
) -> None:
    """Check whether an appeal is admissible, with the reasons and legal basis (in Chinese)."""
    from tousu.domain.admissibility import AppealFacts, check_admissibility
    from tousu.domain.deadlines import LOCAL

    def day(text: str | None, option: str) -> datetime | None:
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text).replace(tzinfo=LOCAL)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not a date like 2026-05-01", param_hint=option) from None

    facts = AppealFacts(
        now=_now(),
        occurred_at=day(occurred, "--occurred"),
        billing_dispute=billing,
        complained_to_operator_at=day(complained_on, "--complained-on"),
        operator_answered=answered,
        settled_and_executed=settled,
        handled_elsewhere=elsewhere,
        by_proxy=proxy,
        proxy_authorised=authorised,
    )
    result = check_admissibility(facts, Settings().policy.admissibility)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def _mount_area_commands() -> None:
    """Commands owned by the knowledge base, the analyzer and the checker live with them."""
    from tousu.analysis import cli as analysis_cli
    from tousu.knowledge import cli as knowledge_cli
    from tousu.quality import cli as quality_cli

    for module in (knowledge_cli, analysis_cli, quality_cli):
        module.register(app)


_mount_area_commands()


def main() -> None:
    app()
