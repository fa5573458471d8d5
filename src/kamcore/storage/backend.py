"""What every backend provides; nothing outside `storage/` branches on the backend except SQL dialect."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import TrackingRecorder

from kamcore.application.handling import CommandHandling


class Dialect(ABC):
    """Turns the one SQL text a read model writes (`?` placeholders, `{t}` table prefix) into native SQL."""

    @abstractmethod
    def sql(self, statement: str) -> str: ...


class Backend(ABC):
    """Configures the event store, read-model stores and the wake-up signal for one backend."""

    name: str
    dialect: Dialect
    # Whether the query planner needs fresh table statistics after a bulk load (a rebuild) to pick index plans.
    plans_from_statistics: bool = False

    @abstractmethod
    def application_env(self, app_name: str) -> dict[str, str]:
        """`eventsourcing` environment for the application's event store."""

    @abstractmethod
    def read_model_env(self, projection_name: str) -> dict[str, str]:
        """`eventsourcing` environment for a projection's tracking recorder (and its tables)."""

    @abstractmethod
    def tracking_recorder_class(self) -> type[TrackingRecorder]: ...

    def projection_lock_statement(self, projection_name: str) -> str | None:
        """SQL that serialises batch writers of one projection inside their transaction (None: not needed)."""
        return None

    @abstractmethod
    def tracking_table(self, projection_name: str) -> str:
        """The native (qualified) name of a projection's tracking table, for resets."""

    def tune_read_model(self, datastore: Any) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Adjust a read model's datastore after it opens (nothing to do unless the backend says so)."""

    @abstractmethod
    def prepare(self) -> None:
        """Create what must exist before the stores open (a directory, a schema)."""

    @abstractmethod
    def watch(self, app: CommandHandling, notify: Callable[[], None], stop: threading.Event) -> Callable[[], None]:
        """Call `notify` when another process may have appended events; returns a join function."""

    def describe(self) -> str:
        return self.name
