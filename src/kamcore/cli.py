"""The `kamcore` command line: serve the API, run projection workers, rebuild, inspect, export the schema."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from kamcore.settings import Settings

app = typer.Typer(help="kamcore: event-sourced key-account management for insurance sales.", no_args_is_help=True)
console = Console()

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="SQLite data directory [env KAMCORE_DATA_DIR].")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="postgresql://… to use PostgreSQL instead of SQLite [env KAMCORE_DATABASE_URL]."
    ),
]


def _settings(data_dir: Path | None, database_url: str | None) -> Settings:
    return Settings.from_env(data_dir=data_dir, database_url=database_url)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed a small demo book if the store is empty.")] = False,
    projections: Annotated[
        bool, typer.Option(help="Run projections in this process (turn off when `kamcore project` workers run them).")
    ] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error.")] = "info",
    workers: Annotated[
        int,
        typer.Option(min=1, help="Worker processes on one port (each opens its own runtime; read models are shared)."),
    ] = 1,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in development, health at /healthz)."""
    import os

    import uvicorn

    from kamcore.api.app import SERVE_PROJECTIONS_ENV, create_app

    _configure_logging(log_level)
    settings = _settings(data_dir, database_url)
    if demo:
        _seed_if_empty(settings)
    console.print(
        f"kamcore on http://{host}:{port}/graphql  backend: {settings.backend().describe()}"
        + (f"  workers: {workers}" if workers > 1 else "")
    )
    target: Any = "kamcore.api.app:create_app_from_env"
    if workers == 1:
        target = create_app(settings, run_projections=projections)
    else:
        _prepare_for_workers(settings, catch_up=projections)
        # uvicorn spawns workers > 1 from an import string; each builds its app from these variables.
        os.environ["KAMCORE_DATA_DIR"] = str(settings.data_dir)
        os.environ["KAMCORE_DATABASE_SCHEMA"] = settings.database_schema
        if settings.database_url:
            os.environ["KAMCORE_DATABASE_URL"] = settings.database_url
        os.environ[SERVE_PROJECTIONS_ENV] = "1" if projections else "0"
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=5,
    )


def _prepare_for_workers(settings: Settings, *, catch_up: bool) -> None:
    """Create the stores and catch the read models up once, before the workers start.

    Otherwise every worker would race to create the same tables (concurrent CREATE … IF NOT EXISTS
    fails on PostgreSQL) and apply the same backlog, each batch committed by one and discarded by the others.
    """
    from kamcore.runtime import Runtime

    runtime = Runtime(settings)
    try:
        if catch_up:
            runtime.catch_up()
    finally:
        runtime.close()


def _seed_if_empty(settings: Settings) -> None:
    """Seed the demo book into an empty store and grant a demo admin token (kept in the data directory)."""
    from kamcore.application import CommandContext
    from kamcore.demo import seed_demo
    from kamcore.domain.values import Source
    from kamcore.runtime import Runtime

    runtime = Runtime(settings)
    token_file = settings.data_dir / "demo-admin.token"
    try:
        if runtime.app.head_position() == 0:
            written = seed_demo(runtime.app)
            console.print(f"seeded the demo book: {written} events")
            _, secret = runtime.app.grant_token(
                CommandContext(actor="demo", source=Source.CLI, reason="demo"), name="demo admin", role="admin"
            )
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            token_file.write_text(secret + "\n")
            token_file.chmod(0o600)
    finally:
        runtime.close()
    if token_file.exists():
        console.print(f"demo admin token ({token_file}): Authorization: Bearer {token_file.read_text().strip()}")


@app.command()
def demo(
    accounts: Annotated[int, typer.Option(min=1, max=100_000, help="Accounts to open.")] = 40,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same book).")] = 7,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write a seeded, realistic insurer book (3.5 years of business) through the bulk path."""
    import time

    from kamcore.demo import write_book
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("demo book"), BarColumn(), TaskProgressColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task("accounts", total=accounts)
            written = write_book(
                runtime.app, accounts, seed=seed, progress=lambda done: bar.update(task, completed=done)
            )
    finally:
        runtime.close()
    seconds = time.perf_counter() - started
    console.print(
        f"wrote {written} events for {accounts} accounts in {seconds:.1f} s "
        f"({written / max(seconds, 1e-9):,.0f} events/s)"
    )


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="CSV (.csv) or JSON Lines (.jsonl, .ndjson) files.", exists=True)],
    kind: Annotated[str, typer.Option("--kind", help="accounts, policies or claims.")],
    mode: Annotated[
        str, typer.Option("--mode", help="all-or-nothing (any bad row: nothing imported) or good-rows.")
    ] = "all-or-nothing",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")] = False,
    actor: Annotated[str, typer.Option(help="Who imports, for the audit trail.")] = "cli:import",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Bulk-import accounts, policies or claims (see docs/import.md); re-importing a file writes nothing new."""
    from kamcore.importing import ImportKind, ImportMode, import_files
    from kamcore.importing.reading import UnsupportedFile
    from kamcore.runtime import Runtime

    try:
        chosen_kind, chosen_mode = ImportKind(kind), ImportMode(mode)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    runtime = Runtime(_settings(data_dir, database_url))
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), console=console, transient=True
        ) as bar:
            tasks: dict[tuple[str, str], int] = {}

            def report_progress(name: str, done: int, size: int, phase: str) -> None:
                key = (name, phase)
                if key not in tasks:
                    tasks[key] = bar.add_task(f"{phase} {name}", total=max(size, 1))
                bar.update(tasks[key], completed=done)

            report = import_files(
                runtime.app,
                files,
                chosen_kind,
                mode=chosen_mode,
                dry_run=dry_run,
                actor=actor,
                progress=report_progress,
            )
    except UnsupportedFile as error:
        raise typer.BadParameter(str(error)) from None
    finally:
        runtime.close()
    report.render(console)
    if report.bad_rows:
        raise typer.Exit(1)


@app.command()
def project(data_dir: DataDir = None, database_url: DatabaseUrl = None, log_level: str = "info") -> None:
    """Run the projection workers in the foreground until interrupted (for PostgreSQL deployments)."""
    from kamcore.runtime import Runtime

    _configure_logging(log_level)
    runtime = Runtime(_settings(data_dir, database_url))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime.start()
    console.print("projection workers running; Ctrl-C to stop")
    try:
        while not stop.wait(1.0):
            failed = [s for s in runtime.status() if s.error]
            if failed:
                for s in failed:
                    console.print(f"[red]projection {s.name} stopped: {s.error}[/red]")
                raise typer.Exit(1)
    finally:
        runtime.close()


@app.command()
def rebuild(
    name: Annotated[list[str] | None, typer.Argument(help="Projections to rebuild (default: all).")] = None,
    workers: Annotated[
        int, typer.Option(min=0, help="Worker processes sharing out the read models (0: one per CPU core).")
    ] = 1,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Empty read models and replay the whole log into them in one pass (per worker), with progress and events/s."""
    import os

    from kamcore.projections.catalog import all_projections
    from kamcore.projections.one_pass import rebuild as rebuild_read_models

    known = [p.name for p in all_projections()]
    unknown = set(name or ()) - set(known)
    if unknown:
        raise typer.BadParameter(f"unknown projection(s): {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    names = [n for n in known if not name or n in name]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
    ) as bar:
        tasks = {n: bar.add_task(n, total=None) for n in names}

        def report(projection: str, position: int, head: int) -> None:
            bar.update(tasks[projection], completed=position, total=max(head, 1))

        try:
            result = rebuild_read_models(
                _settings(data_dir, database_url), names, workers=workers or os.cpu_count() or 1, progress=report
            )
        except RuntimeError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    console.print(
        f"rebuilt {len(names)} read model(s) over {result.head:,} events in {result.seconds:.1f} s "
        f"with {result.workers} worker(s): {result.events_per_second:,.0f} events/s of log"
    )


@app.command()
def status(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Show each projection's position, the log head and the lag."""
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        table = Table("projection", "position", "head", "lag", "error")
        for s in runtime.status():
            table.add_row(s.name, str(s.position), str(s.head), str(s.lag), s.error or "")
        console.print(f"backend: {runtime.backend.describe()}")
        console.print(table)
    finally:
        runtime.close()


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = Path("schema/kamcore.graphql"),
) -> None:
    """Write the GraphQL SDL that the contract test compares with the code."""
    from kamcore.api.sdl import schema_sdl

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(schema_sdl())
    console.print(f"wrote {output}")


tokens = typer.Typer(
    help="Grant, list and revoke API tokens (granting and revoking are audited events).", no_args_is_help=True
)
app.add_typer(tokens, name="token")


@tokens.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, manager, relationship_manager, auditor or service.")],
    name: Annotated[str, typer.Option(help="Who or what holds the token.")],
    rm_id: Annotated[str | None, typer.Option("--rm-id", help="The RM's id (relationship_manager tokens).")] = None,
    expires_days: Annotated[int | None, typer.Option(min=1, help="Days until it expires (default: never).")] = None,
    actor: Annotated[str, typer.Option(help="Who grants it, for the audit trail.")] = "cli:operator",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Grant a token and print its secret once (only its hash is stored)."""
    from kamcore.application import CommandContext
    from kamcore.domain.errors import KamError
    from kamcore.domain.values import Source
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
        result, secret = runtime.app.grant_token(
            CommandContext(actor=actor, source=Source.CLI, reason="token create"),
            name=name,
            role=role,
            relationship_manager_id=rm_id,
            expires_at=expires,
        )
    except KamError as error:
        console.print(f"[red]{error.field}: {error.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"token id {result.aggregate_id} ({role})")
    print(secret)


@tokens.command("list")
def token_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List tokens (never their secrets), including revoked ones."""
    from kamcore.projections.access_tokens import list_tokens
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        runtime.catch_up()
        table = Table("id", "name", "role", "rm", "granted", "expires", "revoked")
        for t in list_tokens(runtime.stores["access_tokens"]):
            table.add_row(
                t["token_id"],
                t["name"],
                t["role"],
                t["relationship_manager_id"] or "",
                t["granted_at"][:19],
                (t["expires_at"] or "")[:19],
                (t["revoked_at"] or "")[:19],
            )
        console.print(table)
    finally:
        runtime.close()


@tokens.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The id shown by `token create` / `token list`.")],
    reason: Annotated[str, typer.Option(help="Why, for the audit trail.")],
    actor: Annotated[str, typer.Option(help="Who revokes it.")] = "cli:operator",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token; API processes refuse it within seconds."""
    from uuid import UUID

    from kamcore.application import CommandContext
    from kamcore.domain.errors import KamError
    from kamcore.domain.values import Source
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        runtime.app.revoke_token(CommandContext(actor=actor, source=Source.CLI, reason=reason), UUID(token_id))
    except (KamError, ValueError) as error:
        console.print(f"[red]cannot revoke {token_id}: {getattr(error, 'message', error)}[/red]")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"revoked {token_id}")


privacy = typer.Typer(
    help="Personal data of data subjects (accounts' contacts), encrypted per contact: erasure.", no_args_is_help=True
)
app.add_typer(privacy, name="privacy")


@privacy.command("erase")
def privacy_erase(
    account: Annotated[str, typer.Option(help="The account's UUID.")],
    stakeholder: Annotated[str, typer.Option(help="The contact's id within the account, e.g. stakeholder-3.")],
    reason: Annotated[str, typer.Option(help="Why, e.g. the data-protection request; recorded with the erasure.")],
    actor: Annotated[str, typer.Option(help="Who erases, for the audit trail.")] = "cli:operator",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Erase a contact's name, title and e-mail for good: delete their key and record Account.DataSubjectErased.

    The event log is not rewritten, so `kamcore audit verify` still passes.
    """
    from uuid import UUID

    from kamcore.application import CommandContext
    from kamcore.domain.errors import KamError
    from kamcore.domain.values import Source
    from kamcore.runtime import Runtime

    try:
        account_id = UUID(account)
    except ValueError:
        raise typer.BadParameter(f"not a UUID: {account}", param_hint="--account") from None
    runtime = Runtime(_settings(data_dir, database_url))
    try:
        result = runtime.app.erase_data_subject(
            CommandContext(actor=actor, source=Source.CLI, reason=reason), account_id, stakeholder
        )
    except KamError as error:
        console.print(f"[red]{error.field}: {error.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"erased {result.detail['subject_id']} (event-log position {result.position})")


audit = typer.Typer(
    help="Tamper evidence: verify the event log's hash chain, export bundles for auditors, show the public key.",
    no_args_is_help=True,
)
app.add_typer(audit, name="audit")


@audit.command("verify")
def audit_verify(
    public_key: Annotated[
        list[str] | None,
        typer.Option(help="Trusted Ed25519 public key (hex), repeatable; default: the local signing key's."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=100, help="Events per read.")] = 2_000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute the hash chain over the whole log; name the first altered, deleted, inserted or reordered event."""
    from kamcore.audit.verify import verify_runtime
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        report = verify_runtime(runtime, set(public_key) if public_key else None, batch_size=batch_size)
    finally:
        runtime.close()
    console.print(
        f"verified {report.events_verified} events up to position {report.chained_position} "
        f"and {report.checkpoints_verified} signed checkpoints in {report.seconds:.2f} s "
        f"({report.events_per_second:,.0f} events/s); {report.not_yet_chained} newer events not yet chained"
    )
    for warning in report.warnings:
        console.print(f"[yellow]warning: {warning}[/yellow]")
    if report.problem:
        console.print(f"[red]FAILED at {report.problem}[/red]")
        raise typer.Exit(1)
    console.print(f"[green]OK[/green]: chain hash at position {report.chained_position} is {report.last_hash}")


@audit.command("export")
def audit_export(
    output: Annotated[Path, typer.Argument(help="Bundle directory to create (must not exist or be empty).")],
    aggregate: Annotated[str | None, typer.Option(help="Only this aggregate's events (its UUID).")] = None,
    from_position: Annotated[int | None, typer.Option(min=1, help="First position (inclusive).")] = None,
    to_position: Annotated[int | None, typer.Option(min=1, help="Last position (inclusive).")] = None,
    since: Annotated[datetime | None, typer.Option(help="Events timestamped at or after this (UTC if naive).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Events timestamped before this (UTC if naive).")] = None,
    catch_up: Annotated[bool, typer.Option(help="Chain every event written so far before exporting.")] = True,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write an auditor's bundle: events.ndjson, manifest.json and the standalone verify_bundle.py."""
    from uuid import UUID

    from kamcore.audit.export import ExportError, ExportScope, export_bundle
    from kamcore.runtime import Runtime

    def utc(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment

    try:
        originator_id = UUID(aggregate) if aggregate else None
    except ValueError:
        raise typer.BadParameter(f"not a UUID: {aggregate}", param_hint="--aggregate") from None
    scope = ExportScope(originator_id, from_position, to_position, utc(since), utc(until))
    runtime = Runtime(_settings(data_dir, database_url))
    try:
        if catch_up:
            runtime.chain_keeper.catch_up()
        summary = export_bundle(runtime, output, scope)
    except ExportError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(
        f"wrote {summary.directory}: {summary.event_count} events (positions {summary.first_position}.."
        f"{summary.last_position}), {summary.checkpoint_count} checkpoints; check it with "
        f"`python {summary.directory / 'verify_bundle.py'} --public-key <published key>`"
    )


@audit.command("replay")
def audit_replay(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Rebuild every read model into a scratch store and compare it row by row with the live one."""
    from kamcore.audit.replay import replay_check
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        results = replay_check(runtime)
    finally:
        runtime.close()
    table = Table("read model", "position", "rows", "result")
    for r in results:
        table.add_row(
            r.name,
            str(r.position),
            str(r.rows),
            "[green]same[/green]" if r.ok else f"[red]{len(r.differences)} difference(s)[/red]",
        )
    console.print(table)
    for r in results:
        for difference in r.differences:
            console.print(f"[red]{difference}[/red]")
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@audit.command("invariants")
def audit_invariants(
    batch_size: Annotated[int, typer.Option(min=100, help="Events per read.")] = 10_000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Rebuild every aggregate from the stored log and check the domain invariants (DESIGN.md §3) on each."""
    from kamcore.audit.invariants import check_invariants
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        report = check_invariants(runtime, batch_size)
    finally:
        runtime.close()
    table = Table("aggregate type", "checked")
    for kind, count in sorted(report.aggregates.items()):
        table.add_row(kind, f"{count:,}")
    console.print(table)
    console.print(
        f"checked {sum(report.aggregates.values()):,} aggregates ({report.events:,} events) in {report.seconds:.1f} s "
        f"({report.events_per_second:,.0f} events/s): {report.violation_count} violation(s)"
    )
    for violation in report.violations:
        console.print(f"[red]{violation}[/red]")
    if not report.ok:
        raise typer.Exit(1)


@audit.command("history")
def audit_history(
    account: Annotated[
        str | None, typer.Option(help="An account's UUID: its events and everything belonging to it.")
    ] = None,
    aggregate: Annotated[str | None, typer.Option(help="Any aggregate's UUID: only its own events.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only events issued by this principal.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Events per page.")] = 100,
    after: Annotated[int, typer.Option(min=0, help="Continue after this log position.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="NDJSON with the whole envelope and data.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every event of an account (or aggregate) in log order, with the audit envelope; recorded as an audit read."""
    import json

    from kamcore.application import CommandContext
    from kamcore.audit.history import HistoryFilter, history
    from kamcore.domain.errors import KamError
    from kamcore.domain.values import Source
    from kamcore.runtime import Runtime

    runtime = Runtime(_settings(data_dir, database_url))
    try:
        runtime.catch_up()
        page = history(
            runtime.stores["event_history"],
            HistoryFilter(account_id=account, aggregate_id=aggregate, actor=actor),
            subject_keys=runtime.app.subject_keys,
            after=after,
            first=limit,
        )
        runtime.app.record_audit_access(
            CommandContext(actor="cli:auditor", source=Source.CLI), what="history", subject=account or aggregate or ""
        )
    except KamError as error:
        console.print(f"[red]{error.field}: {error.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    if as_json:
        for event in page.events:
            print(json.dumps(event, default=str))
        return
    table = Table("position", "recorded (UTC)", "business date", "event", "actor", "reason")
    for e in page.events:
        table.add_row(
            str(e["position"]),
            e["recorded_at"][:19],
            e["business_date"],
            f"{e['aggregate_type']}.{e['event_type']}",
            e["actor"],
            e["reason"] or "",
        )
    console.print(table)
    if page.has_next:
        console.print(f"more: --after {page.events[-1]['position']}")


@audit.command("public-key")
def audit_public_key(
    pem: Annotated[bool, typer.Option("--pem", help="PEM (SubjectPublicKeyInfo) instead of 64 hex digits.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the checkpoint-signing public key (the key is created on first use) for auditors to pin."""
    from kamcore.audit.keys import SigningKey

    key = SigningKey.load_or_create(_settings(data_dir, database_url).signing_key_path)
    print(key.public_key_pem().strip() if pem else key.public_key_hex)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
