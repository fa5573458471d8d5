"""One worker-thread hop for the reads a request's DataLoaders dispatch together.

Each DataLoader dispatches its batch on its own; with `run_in_threadpool` per loader, an account's
policies, claims and stakeholder keys cost three hops to the thread pool and back at once, and on a
busy two-core machine each hop costs about as much as the read itself. The batches dispatched in the
same turn of the event loop are queued here and run one after another in a single hop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")

Queued = tuple[Callable[[], Any], "asyncio.Future[Any]"]


def _run_all(queued: list[Queued]) -> list[tuple[bool, Any]]:
    """Each read's result, or the exception it raised (it belongs to that read's caller only)."""
    outcomes: list[tuple[bool, Any]] = []
    for read, _ in queued:
        try:
            outcomes.append((True, read()))
        except Exception as error:  # noqa: BLE001 - handed to the caller that asked for this read
            outcomes.append((False, error))
    return outcomes


class SharedHop:
    """Runs the blocking reads asked for in one turn of the event loop in one thread-pool hop."""

    def __init__(self) -> None:
        self._queued: list[Queued] = []
        self._flushing: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    async def run(self, read: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._queued:  # the first of this turn: the flush starts after the others of the turn queued
            task = loop.create_task(self._flush())
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        self._queued.append((read, future))
        return await future

    async def _flush(self) -> None:
        queued, self._queued = self._queued, []
        try:
            outcomes = await run_in_threadpool(_run_all, queued)
        except BaseException as error:  # cancelled (the request went away): every waiting caller learns it
            for _, future in queued:
                if future.done():
                    continue
                if isinstance(error, Exception):
                    future.set_exception(error)
                else:
                    future.cancel()
            raise
        for (_, future), (ok, value) in zip(queued, outcomes, strict=True):
            if future.done():  # its caller was cancelled meanwhile
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
