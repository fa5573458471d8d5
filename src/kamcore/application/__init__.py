"""The service layer: command methods on an `eventsourcing` Application, with audit and idempotency."""

from kamcore.application.app import KamApplication
from kamcore.application.context import CommandContext, CommandResult

__all__ = ["CommandContext", "CommandResult", "KamApplication"]
