"""Read the next batch on a background thread while the current one is hashed.

Database drivers release the GIL while they wait for the server or the disk, so reading ahead
overlaps I/O with hashing; the queue holds at most `depth` batches, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_END = object()


@contextmanager
def prefetched(batches: Iterator[T], *, enabled: bool = True, depth: int = 2) -> Iterator[Iterator[T]]:
    """Yields an iterator over `batches` that a reader thread fills ahead; stops the thread on exit."""
    if not enabled:
        yield batches
        return
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.05)
            except queue.Full:
                continue
            return

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                put(batch)
            put(_END)
        except BaseException as error:  # noqa: BLE001 - re-raised in the consuming thread
            put(error)

    def consume() -> Iterator[T]:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    thread = threading.Thread(target=produce, name="kamcore-audit-prefetch", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
