"""The ``mixdown`` command line: serve, worker, keys, migrate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mixdown.clock import SystemClock
from mixdown.jobs.cost import from_milli
from mixdown.service.keys import Caller
from mixdown.settings import Settings

app = typer.Typer(help="mixdown: self-hosted AI music and audio API server.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list, revoke and top up API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Database and artifacts folder [env: MIXDOWN_DATA_DIR].")
]


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line values on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given) if given else Settings()


def _database(data_dir: Path | None) -> Any:
    from mixdown.storage.db import Database

    settings = load_settings(data_dir=data_dir)
    db = Database.from_url(settings.resolved_database_url)
    db.migrate()
    return db


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000].")] = None,
    data_dir: DataDir = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes to start and supervise [default: 2].")
    ] = None,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="API node only (workers run as `mixdown worker`).")
    ] = False,
) -> None:
    """Start the API, apply migrations, and run N supervised worker processes."""
    import uvicorn

    from mixdown.app import create_app
    from mixdown.logs import setup_logging
    from mixdown.service.container import build_services
    from mixdown.workers.supervisor import Supervisor

    settings = load_settings(host=host, port=port, data_dir=data_dir, workers=0 if no_workers else workers)
    # Submit-time checks read Settings() from MIXDOWN_* (as workers do): give them these settings.
    os.environ.update(settings.to_env())
    setup_logging(settings.log_level, json_format=settings.log_json, process="api")
    services = build_services(settings)
    services.db.migrate()
    # With queue=celery, workers are Celery nodes (`mixdown worker`), never embedded.
    embedded = settings.workers if settings.queue == "local" else 0
    supervisor = Supervisor(settings, embedded, services.jobs)
    supervisor.start()
    try:
        # Workers stop in the app's shutdown: uvicorn re-raises SIGTERM after it, so code after
        # uvicorn.run may never run.
        uvicorn.run(
            create_app(settings, services=services, on_shutdown=supervisor.stop),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
    finally:
        supervisor.stop()
        services.close()


@app.command()
def worker(
    data_dir: DataDir = None,
    concurrency: Annotated[int, typer.Option(help="Worker processes on this node.")] = 1,
    queues: Annotated[
        str | None, typer.Option(help="Comma-separated queues to serve (default: all).")
    ] = None,
) -> None:
    """Run worker processes only (no API), e.g. on a second machine sharing the database."""
    import signal
    import threading

    from mixdown.logs import setup_logging
    from mixdown.service.container import build_services
    from mixdown.workers.supervisor import Supervisor

    settings = load_settings(data_dir=data_dir)
    queue_list = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    if settings.queue == "celery":
        from mixdown.workers.celery_node import run_node

        run_node(settings, queue_list, concurrency)
        return
    setup_logging(settings.log_level, json_format=settings.log_json, process="workers")
    services = build_services(settings)
    services.db.migrate()
    supervisor = Supervisor(settings, concurrency, services.jobs, queue_list)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    supervisor.start()
    done.wait()
    supervisor.stop()


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply database migrations (serve does this by itself)."""
    _database(data_dir)
    console.print("database is up to date")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A label for the key.")],
    credits: Annotated[
        float | None, typer.Option(help="Starting credits [default: MIXDOWN_DEFAULT_CREDITS].")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from mixdown.service.keys import create_key

    settings = load_settings(data_dir=data_dir)
    amount = settings.default_credits if credits is None else credits
    key, plain = create_key(_database(data_dir), name=name, credits_amount=amount, now=SystemClock().now())
    console.print(f"[bold]id[/bold] {key.id}  [bold]credits[/bold] {amount}", highlight=False)
    typer.echo(plain)


@keys_app.command("list")
def keys_list(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List keys with their balances."""
    import json

    from mixdown.service.keys import list_keys
    from mixdown.service.views import iso

    keys = list_keys(_database(data_dir))
    if as_json:
        for key in keys:
            typer.echo(
                json.dumps(
                    {
                        "id": key.id,
                        "name": key.name,
                        "prefix": key.prefix,
                        "credits": from_milli(key.balance_milli),
                        "reserved": from_milli(key.reserved_milli),
                        "spent": from_milli(key.spent_milli),
                        "created_at": iso(key.created_at),
                        "revoked_at": iso(key.revoked_at),
                    }
                )
            )
        return
    table = Table("id", "name", "prefix", "credits", "reserved", "spent", "created", "revoked")
    table.columns[0].no_wrap = True
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            key.prefix + "…",
            f"{from_milli(key.balance_milli):g}",
            f"{from_milli(key.reserved_milli):g}",
            f"{from_milli(key.spent_milli):g}",
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: DataDir = None) -> None:
    """Revoke a key; it answers 401 from then on."""
    from mixdown.errors import NotFound
    from mixdown.service.keys import revoke_key

    try:
        revoke_key(_database(data_dir), key_id, SystemClock().now())
    except NotFound as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"revoked {key_id}")


@keys_app.command("credit")
def keys_credit(key_id: str, amount: float, data_dir: DataDir = None) -> None:
    """Add credits to a key (a negative amount removes them)."""
    from mixdown.errors import MixdownError
    from mixdown.service.keys import credit_key

    try:
        balance = credit_key(_database(data_dir), key_id, amount, SystemClock().now())
    except MixdownError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{key_id}: {balance:g} credits")


def main() -> None:
    """Console entry point."""
    app()


@app.command()
def usage(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `mixdown keys list`).")],
    data_dir: DataDir = None,
    group_by: Annotated[str | None, typer.Option("--group-by", help="task or day")] = None,
    days: Annotated[int, typer.Option("--days", help="The last N days.")] = 30,
) -> None:
    """Usage of one key: jobs, audio seconds, credits spent and refunded, cache hits (JSON)."""
    import json
    from datetime import timedelta

    from mixdown.errors import MixdownError
    from mixdown.service.container import build_services
    from mixdown.service.keys import get_key
    from mixdown.service.usage import usage_view

    services = build_services(load_settings(data_dir=data_dir))
    try:
        key = get_key(services.db, key_id)
        now = services.clock.now()
        view = usage_view(
            services, Caller(key.id, key.name), start=now - timedelta(days=days), end=now, group_by=group_by
        )
    except MixdownError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    typer.echo(json.dumps(view, indent=2))


@keys_app.command("update")
def keys_update(
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
    data_dir: DataDir = None,
    plan: Annotated[str | None, typer.Option("--plan", help="A plan name from MIXDOWN_PLANS.")] = None,
    monthly_minutes: Annotated[float | None, typer.Option("--monthly-minutes")] = None,
    max_duration: Annotated[float | None, typer.Option("--max-duration", help="Seconds per request.")] = None,
    max_concurrent: Annotated[int | None, typer.Option("--max-concurrent")] = None,
    max_input_mb: Annotated[float | None, typer.Option("--max-input-mb")] = None,
) -> None:
    """Set a key's plan and/or its own quota limits over the plan's; prints its quota state (JSON)."""
    import json

    from mixdown.errors import MixdownError
    from mixdown.service.container import build_services
    from mixdown.service.quotas import set_key_quotas

    overrides = {
        "monthly_generation_minutes": monthly_minutes,
        "max_duration_seconds": max_duration,
        "max_concurrent_jobs": max_concurrent,
        "max_input_bytes": None if max_input_mb is None else int(max_input_mb * 1024 * 1024),
    }
    services = build_services(load_settings(data_dir=data_dir))
    try:
        view = set_key_quotas(
            services, key_id, plan=plan, overrides={k: v for k, v in overrides.items() if v is not None}
        )
    except MixdownError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    typer.echo(json.dumps(view, indent=2))
