"""The live hub keeps its hand-over position without reading the log's head for this process's own saves
when nobody is subscribed, and reads the head when the log may have moved elsewhere."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kamcore.api.live import EventHub
from kamcore.application import CommandContext
from kamcore.runtime import Runtime


def test_local_saves_move_the_position_without_a_read(
    runtime: Runtime, ctx: CommandContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = EventHub(runtime)
    hub.close()  # drive it by hand: no thread, no watcher
    hub._publish_new()  # what the watcher said before it stopped (PostgreSQL's LISTEN says so on connecting)
    position = runtime.app.open_account(ctx, name="A", segment="sme", region="W").position
    reads: list[int] = []
    this_thread = threading.get_ident()
    real_head = runtime.app.head_position

    def head() -> int:
        if threading.get_ident() == this_thread:  # not the runtime's followers
            reads.append(1)
        return real_head()

    monkeypatch.setattr(runtime.app, "head_position", head)
    hub._publish_new()
    assert hub.position == position  # the save told the hub through on_saved
    assert reads == []
    other = runtime.app.open_account(ctx, name="B", segment="sme", region="W").position
    hub._saved_position = position
    hub._moved_elsewhere()
    hub._publish_new()
    assert hub.position == other
    assert reads == [1]


def test_a_failed_head_read_is_retried(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = EventHub(runtime)
    hub.close()

    def failing() -> Any:
        raise OSError("storage away")

    monkeypatch.setattr(runtime.app, "head_position", failing)
    hub._moved_elsewhere()
    with pytest.raises(OSError, match="storage away"):
        hub._publish_new()
    monkeypatch.setattr(runtime.app, "head_position", lambda: 42)
    hub._publish_new()
    assert hub.position == 42
