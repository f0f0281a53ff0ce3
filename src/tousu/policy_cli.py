"""`tousu policy`: the administrators' policy overrides on the command line (show, set, reset).

Changes go through the same validation and audit trail as the pages (recorded as made on the
command line); running servers follow them within seconds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from tousu.settings import Settings

app = typer.Typer(
    help="The policy in force and the administrators' overrides of the policy file.", no_args_is_help=True
)


def _value(text: str) -> Any:
    """JSON when it reads as JSON (500, null, ["2026-12-31"]), the text itself otherwise (09:00)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _change(**kw: Any) -> None:
    from tousu.services import policy_settings
    from tousu.storage.db import open_database

    settings = Settings()
    engine = open_database(settings.database_url)
    try:
        with engine.begin() as conn:
            stored = policy_settings.change(conn, base=settings.policy, actor=None, now=datetime.now(UTC), **kw)
    except policy_settings.PolicyInvalid as exc:
        for error in exc.errors:
            typer.echo(f"{error.key}: {error.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"policy version {stored.version}; servers follow it within {policy_settings.CHECK_SECONDS:g} seconds")


@app.command("show")
def show(
    everything: Annotated[bool, typer.Option("--all", help="print the whole policy in force as JSON")] = False,
    halls: Annotated[bool, typer.Option("--halls", help="list the known halls (teams), one a line")] = False,
) -> None:
    """List the overrides in force (key, value, Chinese name), with --all the whole policy, with
    --halls the halls a hall calendar may name."""
    from tousu.domain import policy_overrides as po
    from tousu.services import policy_settings
    from tousu.storage.db import open_database

    settings = Settings()
    engine = open_database(settings.database_url)
    try:
        with engine.connect() as conn:
            stored = policy_settings.load(conn)
            policy = policy_settings.effective(settings.policy, stored.overrides)
            known = policy_settings.teams(conn, policy)
    finally:
        engine.dispose()
    if everything:
        typer.echo(json.dumps(policy.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    if halls:
        typer.echo("\n".join(known))
        return
    typer.echo(
        f"version {stored.version}" + (f", changed by {stored.changed_by or 'command line'}" if stored.version else "")
    )
    for key, value in stored.overrides.items():
        typer.echo(f"{key} = {json.dumps(value, ensure_ascii=False)}    # {po.label(key)}")


@app.command("set")
def set_value(
    key: Annotated[str, typer.Argument(help="e.g. authority.by_role.manager.max_refund, sla.hall_calendars.HALL")],
    value: Annotated[
        str,
        typer.Argument(
            help='e.g. 500, 09:00, null, or JSON such as ["2026-12-31"] or, for a hall\'s own calendar, '
            '{"hours": {"opens": "08:30", "closes": "20:00"}, "weekdays": [0, 1, 2, 3, 4, 5, 6]}'
        ),
    ],
) -> None:
    """Override one setting of the policy file (refused, with the reason, if the policy rejects it).

    A hall's own calendar may name only a known hall (`tousu policy show --halls` lists them)."""
    _change(set_values={key: _value(value)})


@app.command("reset")
def reset(key: Annotated[str, typer.Argument(help="a key set before, or a section holding several")]) -> None:
    """Bring a setting back to the policy file's value (or the default)."""
    _change(reset=[key])
