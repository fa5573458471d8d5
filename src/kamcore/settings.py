"""The one place that decides the backend (SQLite or PostgreSQL), the data directory and options."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamcore.storage.backend import Backend

DEFAULT_DATA_DIR = "./kamcore-data"


@dataclass(frozen=True)
class Settings:
    """Read from `KAMCORE_*` environment variables; CLI options override them."""

    data_dir: Path = field(default_factory=lambda: Path(DEFAULT_DATA_DIR))
    database_url: str | None = None
    database_schema: str = "public"
    reporting_currency: str = "EUR"
    development: bool = True
    projection_batch_size: int = 1000
    signing_key_file: Path | None = None  # Ed25519 key for audit checkpoints; default <data_dir>/keys/…
    audit_checkpoint_interval: int = 10_000  # a signed checkpoint every N chained events
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "data_dir": Path(env.get("KAMCORE_DATA_DIR", DEFAULT_DATA_DIR)),
            "database_url": env.get("KAMCORE_DATABASE_URL") or None,
            "database_schema": env.get("KAMCORE_DATABASE_SCHEMA", "public"),
            "reporting_currency": env.get("KAMCORE_REPORTING_CURRENCY", "EUR"),
            "development": env.get("KAMCORE_ENV", "development") != "production",
            "projection_batch_size": int(env.get("KAMCORE_PROJECTION_BATCH_SIZE", "1000")),
            "signing_key_file": Path(env["KAMCORE_SIGNING_KEY_FILE"]) if env.get("KAMCORE_SIGNING_KEY_FILE") else None,
            "audit_checkpoint_interval": int(env.get("KAMCORE_AUDIT_CHECKPOINT_INTERVAL", "10000")),
            "cors_origins": tuple(o.strip() for o in env.get("KAMCORE_CORS_ORIGINS", "").split(",") if o.strip()),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["data_dir"], str):
            values["data_dir"] = Path(values["data_dir"])
        return cls(**values)  # type: ignore[arg-type]

    @property
    def signing_key_path(self) -> Path:
        """PEM (PKCS#8) or raw 32-byte Ed25519 seed; created with mode 0600 on first use."""
        return self.signing_key_file or self.data_dir / "keys" / "audit-signing.key"

    def backend(self) -> Backend:
        """SQLite in `data_dir` unless a PostgreSQL URL is configured."""
        if self.database_url:
            from kamcore.storage.postgres import PostgresBackend

            return PostgresBackend(self.database_url, schema=self.database_schema)
        from kamcore.storage.sqlite import SQLiteBackend

        return SQLiteBackend(self.data_dir)
