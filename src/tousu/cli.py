"""The `tousu` command: one entry point for operators and other systems."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tousu.outbox_cli import app as outbox_app
from tousu.policy_cli import app as policy_app
from tousu.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tousu.services.errors import ServiceError

app = typer.Typer(help="tousu 投诉处理系统", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for other systems.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
model_app = typer.Typer(help="The analyzer models trained on this organisation's corrections.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(outbox_app, name="outbox")
app.add_typer(policy_app, name="policy")


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
    from sqlalchemy.engine import make_url

    from tousu.logs import logging_config

    database = make_url(Settings().database_url).render_as_string(hide_password=True)
    _engine().dispose()  # a database out of reach or without this version's schema: refused now
    typer.echo(f"tousu serving http://{host}:{port} (database {database}); Ctrl+C stops it")
    uvicorn.run(
        "tousu.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Our masked key=value lines (tousu.logs), applied in every worker; our access log
        # (one line per request, with its id and user) replaces uvicorn's.
        log_config=logging_config(),
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
    team: Annotated[str, typer.Option(help="hall or team name (required for agent and manager)")] = "",
    display_name: Annotated[str | None, typer.Option(help="name shown in the UI")] = None,
    password: Annotated[str | None, typer.Option(help="read from the prompt when omitted")] = None,
) -> None:
    """Add a staff account."""
    from tousu.domain.codes import Role
    from tousu.services import users
    from tousu.services.errors import ServiceError

    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"unknown role {role!r}: use agent, manager, director or admin", param_hint="--role")
    try:
        users.require_team(Role(role), team.strip())  # before asking for a password
    except ServiceError as exc:
        _fail(exc)
    engine = _engine()  # before asking for a password too
    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
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
    days: Annotated[int, typer.Option(help="days until the token expires (1-3650)")] = 90,
) -> None:
    """Print a new API token (last line), valid --days days. Creates the user 'admin' on first use."""
    from tousu.domain.codes import Role
    from tousu.services import users
    from tousu.services.errors import ServiceError

    try:
        with _engine().begin() as conn:
            if user == "admin" and users.get_by_username(conn, user) is None:
                users.add_user(
                    conn, username="admin", password=None, role=Role.ADMIN, display_name="管理员", now=_now()
                )
            token_id, token = users.create_api_token(conn, username=user, days=days, name=name, now=_now())
    except ServiceError as exc:
        _fail(exc)
    typer.echo(f"token {token_id} for {user}, expires in {days} days; shown only now, store it safely:", err=True)
    typer.echo(token)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="only this account's tokens")] = None,
    everything: Annotated[bool, typer.Option("--all", help="also revoked and expired tokens")] = False,
) -> None:
    """List tokens: id, user, kind, prefix, created, expires, last used (never the secret: only its hash is kept)."""
    from tousu.services import users
    from tousu.services.errors import ServiceError

    now = _now()
    try:
        with _engine().connect() as conn:
            rows = users.list_tokens(conn, now=now, username=user, everything=everything)
    except ServiceError as exc:
        _fail(exc)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"

    typer.echo("id\tuser\tkind\tprefix\tcreated (UTC)\texpires (UTC)\tlast used (UTC)\tstate\tname")
    for r in rows:
        typer.echo(
            f"{r['id']}\t{r['username']}\t{r['kind']}\t{r['prefix'] or '-'}…\t{when(r['created_at'])}\t"
            f"{when(r['expires_at'])}\t{when(r['last_used_at'])}\t{r['state']}\t{r['name']}"
        )


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="the id shown by `tousu token list`")]) -> None:
    """Revoke a token: refused from the next request on, by every server process."""
    from tousu.services import users
    from tousu.services.errors import ServiceError

    try:
        with _engine().begin() as conn:
            users.revoke_token_id(conn, token_id=token_id, now=_now())
    except ServiceError as exc:
        _fail(exc)
    typer.echo(f"token {token_id} revoked")


def _set_active(username: str, active: bool) -> None:
    from tousu.services import users
    from tousu.services.errors import ServiceError

    try:
        with _engine().begin() as conn:
            users.set_active(conn, user_id=users.require_user(conn, username)["id"], active=active, now=_now())
    except ServiceError as exc:
        _fail(exc)
    typer.echo(f"user {username} {'enabled' if active else 'disabled'}")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable an account: its logins end at once, its tokens are refused and it cannot log in."""
    _set_active(username, False)


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled account again (it logs in anew; its unexpired API tokens work again)."""
    _set_active(username, True)


@user_app.command("unblock")
def user_unblock(
    username: Annotated[str | None, typer.Argument(help="the account locked by failed logins")] = None,
    address: Annotated[str | None, typer.Option(help="also (or only) lift a client address's block")] = None,
) -> None:
    """Lift a login block at once (after too many wrong passwords) and forget its failures."""
    from tousu.services import logins

    if username is None and address is None:
        raise typer.BadParameter("name an account, or an address with --address", param_hint="NAME")
    with _engine().begin() as conn:
        cleared = logins.unblock(conn, username=username, address=address)
    what = " and ".join(x for x in (username and f"account {username}", address and f"address {address}") if x)
    typer.echo(f"{what}: unblocked" if cleared else f"{what}: was not blocked (nothing to do)")


def _engine() -> Engine:
    from tousu.storage.db import open_database

    return open_database(Settings().database_url)


def _fail(exc: ServiceError) -> NoReturn:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(1)


@app.command("demo-data")
def demo_data(
    count: Annotated[int, typer.Option(help="complaints to generate")] = 300,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same data")] = 2026,
) -> None:
    """Load demo users and complaints once (skipped when demo users exist)."""
    from tousu.demo import load_demo
    from tousu.services import policy_settings
    from tousu.services.analysis_port import load_analyzer

    settings = Settings()
    engine = _engine()
    _, analyze = load_analyzer(settings.model_path)
    with engine.connect() as conn:
        policy = policy_settings.in_force(conn, settings.policy)  # the file's, with the admin's changes
    created = load_demo(engine, policy, count=count, seed=seed, analyze=analyze)
    typer.echo(f"demo data: {created} complaints created" if created else "demo data already loaded")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV, Excel .xlsx or JSON Lines file")],
    user: Annotated[str, typer.Option("--user", help="recorded as the receiving user")] = "system",
    rejects: Annotated[Path | None, typer.Option(help="where bad rows go (default: PATH.rejects.jsonl)")] = None,
) -> None:
    """Import complaints, received by the system's own account unless --user names one; each bad
    row is reported with its line number and written to a reject file."""
    from tousu.services import users
    from tousu.transfer import ImportFailed, import_file

    if user == users.SYSTEM_USERNAME:
        with _engine().begin() as conn:
            users.system_actor(conn, now=_now())
    try:
        report = import_file(path, settings=Settings(), username=user, rejects=rejects)
    except ImportFailed as exc:
        typer.echo(f"导入失败，未导入任何内容：{exc}", err=True)
        raise typer.Exit(1) from None
    if report.ignored_columns:
        typer.echo(f"注意：以下列不认识，已忽略：{'、'.join(report.ignored_columns)}", err=True)
    for _, reason in report.errors[:50]:
        typer.echo(reason, err=True)
    typer.echo(
        f"导入完成：新导入 {report.imported} 行，此前已导入而跳过 {report.skipped} 行，拒绝 {len(report.errors)} 行"
        + (f"（原因见 {report.rejects_path}）" if report.errors else "")
    )
    if report.errors:
        raise typer.Exit(2)


@app.command("export")
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: standard output)")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl | csv | xlsx (csv and xlsx with Chinese headers)")
    ] = "jsonl",
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="full phone numbers (administrators only; masked by default)")
    ] = False,
) -> None:
    """Export every complaint (with its customer) as JSON Lines, CSV or Excel; phone numbers masked."""
    from tousu.transfer import export_complaints

    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise SystemExit("error: an .xlsx export needs --output FILE")
    out = output.open("wb") if output else sys.stdout.buffer
    try:
        count = export_complaints(Settings(), out, fmt=fmt, masked=not unmasked)
    finally:
        if output:
            out.close()
        else:
            out.flush()
    typer.echo(f"exported {count} complaints" + (" (phone numbers in full)" if unmasked else ""), err=True)


@app.command("archive")
def archive_cmd(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only count what would be archived")] = False,
) -> None:
    """Archive the finished complaints unchanged for the policy's retention.archive_after_days, a chunk
    per transaction, each with its 归档 event (for cron; the server's scheduler does it too)."""
    from tousu.domain.deadlines import LOCAL
    from tousu.services import archive, policy_settings
    from tousu.settings import PolicyFileError

    settings, now = Settings(), _now()
    try:
        base = settings.policy
    except PolicyFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    engine = _engine()
    try:
        with engine.connect() as conn:
            policy = policy_settings.in_force(conn, base)  # the file's, with the admin's changes
            before = archive.cutoff(policy, now)
            if before is None:
                typer.echo("archiving is off (retention.archive_after_days is 0 or null): nothing archived")
                return
            due = archive.count_due(conn, now=now, policy=policy)
        since = f"finished and unchanged since {before.astimezone(LOCAL):%Y-%m-%d %H:%M} (Beijing time)"
        if dry_run:
            typer.echo(f"{due} complaints {since} would be archived (dry run: nothing changed)")
            return
        archived = chunks = 0
        while True:
            with engine.begin() as conn:
                done = archive.run_pass(conn, now=now, policy=policy, wait=True)
            archived, chunks = archived + done.archived, chunks + 1
            if not done.more:
                break
        typer.echo(f"archived {archived} complaints {since}, in {chunks} transaction(s)")
    finally:
        engine.dispose()


@app.command("backup")
def backup_cmd(
    target: Annotated[Path, typer.Argument(dir_okay=False, help="the backup file to write")],
) -> None:
    """Back the database up while the server runs (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    from tousu.storage.backup import BackupError, backup

    try:
        summary = backup(Settings().database_url, target)
    except BackupError as exc:
        typer.echo(f"备份失败：{exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"备份完成：{target}" + (f"（{summary}）" if summary else "（pg_dump 自定义格式）"))


@app.command("restore")
def restore_cmd(
    source: Annotated[Path, typer.Argument(dir_okay=False, help="a file written by tousu backup")],
    force: Annotated[bool, typer.Option(help="replace an existing database (stop every server first)")] = False,
) -> None:
    """Restore an SQLite backup into the database of TOUSU_DATABASE_URL, then migrate it."""
    from tousu.storage.backup import BackupError, restore

    try:
        summary = restore(Settings().database_url, source, force=force)
    except BackupError as exc:
        typer.echo(f"恢复失败，数据库未改动：{exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"恢复完成：{summary}；数据库已升级到当前版本。")


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
    """Check whether an appeal is admissible, with the reasons and legal basis (in Chinese): to
    the 通信管理局 (12300) for a telecom organisation, to 市场监管 (12315) for any other."""
    from tousu.domain.admissibility import AppealFacts, check_admissibility
    from tousu.domain.deadlines import LOCAL
    from tousu.services.industry import appeal_time_limits_bind

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
    policy = Settings().policy
    result = check_admissibility(facts, policy.admissibility, telecom=appeal_time_limits_bind(policy.industry))
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@model_app.command("list")
def model_list() -> None:
    """List the stored models, the newest first: id, version, status, trained, records, held-out F1."""
    from tousu.services import learning

    with _engine().connect() as conn:
        rows = learning.list_models(conn)
    typer.echo("id\tversion\tstatus\ttrained (UTC)\trecords\tcategory macro-F1 (held out)\tvs. model then in use")
    for r in rows:
        metrics = r["metrics"]
        typer.echo(
            f"{r['id']}\t{r['version']}\t{r['status']}\t{r['created_at']:%Y-%m-%d %H:%M}\t"
            f"{metrics['train_records']}\t{metrics['candidate']['category']['macro_f1']:.3f}\t"
            f"{metrics['baseline']['category']['macro_f1']:.3f}"
        )


@model_app.command("retrain")
def model_retrain(
    holdout: Annotated[float, typer.Option(help="share of the history held out to score the models")] = 0.2,
    seed: Annotated[int, typer.Option(help="chooses the held-out slice; keep it to compare models fairly")] = 0,
) -> None:
    """Train on the organisation's corrected and imported history; activate only if not worse.

    The new model and the one in use are scored on the held-out history; it is activated when
    its category macro-F1 there is not lower, and every server switches to it within seconds."""
    retrain_from_db(holdout=holdout, seed=seed)


def retrain_from_db(*, holdout: float, seed: int) -> None:
    """`tousu model retrain` and `tousu train --from-db`."""
    from tousu.services import learning
    from tousu.services.analysis_port import load_analyzer
    from tousu.services.errors import ServiceError

    configured, _ = load_analyzer(Settings().model_path)
    try:
        with _engine().begin() as conn:
            row = learning.retrain(
                conn,
                now=_now(),
                actor=None,
                configured=configured,
                holdout_share=holdout,
                seed=seed,
            )
    except ServiceError as exc:
        _fail(exc)
    metrics = row["metrics"]
    typer.echo(
        f"model {row['id']} ({row['version']}): trained on {metrics['train_records']} records, "
        f"scored on {metrics['held_out_records']} held out"
    )
    for who, scores in (("new model", metrics["candidate"]), ("model in use", metrics["baseline"])):
        summary = scores["summary"]
        typer.echo(
            f"  {who}: category macro-F1 {summary['category_macro_f1']:.3f}, "
            f"demands micro-F1 {summary['demand_micro_f1']:.3f}, emotion accuracy {summary['emotion_accuracy']:.3f}"
        )
    if row["status"] == "active":
        typer.echo("activated: every server uses it within seconds (tousu model activate ID rolls back)")
    else:
        typer.echo(f"refused: {row['reason']}")
        raise typer.Exit(2)


@model_app.command("activate")
def model_activate(model_id: Annotated[int, typer.Argument(help="the id shown by `tousu model list`")]) -> None:
    """Make a stored model the active one again (roll back); servers switch within seconds."""
    from tousu.services import learning
    from tousu.services.errors import ServiceError

    try:
        with _engine().begin() as conn:
            row = learning.activate(conn, model_id=model_id, actor=None, now=_now())
    except ServiceError as exc:
        _fail(exc)
    typer.echo(f"model {row['id']} ({row['version']}) active")


@model_app.command("deactivate")
def model_deactivate() -> None:
    """Stop using the organisation's model: servers go back to TOUSU_MODEL_PATH (the bundled model)."""
    from tousu.services import learning

    with _engine().begin() as conn:
        withdrawn = learning.deactivate(conn, actor=None, now=_now())
    typer.echo(f"model {withdrawn} withdrawn; the configured model is in use" if withdrawn else "no model was active")


def _mount_area_commands() -> None:
    """Commands owned by the knowledge base, the analyzer and the checker live with them."""
    from tousu.analysis import cli as analysis_cli
    from tousu.knowledge import cli as knowledge_cli
    from tousu.quality import cli as quality_cli

    for module in (knowledge_cli, analysis_cli, quality_cli):
        module.register(app)


_mount_area_commands()


def main() -> None:
    from tousu.storage.db import DatabaseNotReady

    try:
        app()
    except DatabaseNotReady as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
