"""Live events for subscriptions: one log follower per process fans events out to subscribers.

Every message carries its event-log position. A subscriber that passes `after` first gets the
stored events after that position, then the live ones, with no gap and no duplicate: it registers
with the hub (which fixes the hand-over position under the hub's lock) before reading history.
Other processes' writes arrive through the backend's wake-up (LISTEN/NOTIFY, or polling on SQLite).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent
from starlette.concurrency import run_in_threadpool

from kamcore.domain.events import account_of
from kamcore.runtime import Runtime

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000
BATCH = 500


@dataclass(frozen=True)
class LiveEvent:
    position: int
    account_id: UUID | None
    event: DomainEvent


class SubscriberTooSlow(Exception):
    """The subscriber's queue overflowed; it should resubscribe with the last position it saw."""


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, account_id: UUID | None) -> None:
        self.loop = loop
        self.account_id = account_id
        self.queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.overflowed = False

    def offer(self, item: LiveEvent) -> None:
        """Called on the event loop; a full queue ends the subscription instead of blocking the hub."""
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            self.queue.get_nowait()
            self.queue.put_nowait(None)


class EventHub:
    """Follows the event log from the head at start-up and publishes each event once per process."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.position = runtime.app.head_position()
        self._subscribers: set[_Subscriber] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Where this process's own saves reached, and whether the log may have moved otherwise (another
        # process, or a start): with nobody subscribed, a local save moves the position without a read.
        self._saved_position = self.position
        self._elsewhere = False
        self._thread = threading.Thread(target=self._follow, name="kamcore-live", daemon=True)
        self._unwatch = runtime.backend.watch(runtime.app, self._moved_elsewhere, self._stop)
        runtime.app.on_saved(self._saved)
        self._thread.start()

    def _saved(self, position: int) -> None:
        with self._lock:
            self._saved_position = max(self._saved_position, position)
        self._wake.set()

    def _moved_elsewhere(self) -> None:
        with self._lock:
            self._elsewhere = True
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._unwatch()

    async def subscribe(self, account_id: UUID | None, after: int | None) -> AsyncIterator[LiveEvent]:
        subscriber = _Subscriber(asyncio.get_running_loop(), account_id)
        with self._lock:
            self._subscribers.add(subscriber)
            handover = self.position
        try:
            last = after or 0
            if after is not None and after < handover:
                for item in await run_in_threadpool(self._history, account_id, after, handover):
                    last = item.position
                    yield item
            while True:
                item = await subscriber.queue.get()
                if item is None:
                    raise SubscriberTooSlow(f"too slow: resubscribe with after: {last}")
                if item.position > last:
                    last = item.position
                    yield item
        finally:
            with self._lock:
                self._subscribers.discard(subscriber)

    def _history(self, account_id: UUID | None, after: int, until: int) -> list[LiveEvent]:
        """Stored events in (after, until] for the account; bounded by the hand-over position."""
        items: list[LiveEvent] = []
        start = after
        while start < until:
            batch = self.runtime.app.recorder.select_notifications(
                start=start, limit=BATCH, stop=until, inclusive_of_start=False
            )
            if not batch:
                break
            items += [i for i in self._decode(batch) if account_id is None or i.account_id == account_id]
            start = batch[-1].id
            if len(items) > 10 * QUEUE_LIMIT:
                raise SubscriberTooSlow("history too long: resubscribe from a later position")
        return items

    def _decode(self, notifications: list[Any]) -> list[LiveEvent]:
        mapper = self.runtime.app.mapper
        items = []
        for n in notifications:
            event = mapper.to_domain_event(n)
            items.append(LiveEvent(n.id, account_of(event), event))
        return items

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            try:
                self._publish_new()
            except Exception:
                log.exception("live event hub: reading the log failed; retrying")
                self._stop.wait(1.0)

    def _publish_new(self) -> None:
        with self._lock:
            elsewhere, self._elsewhere = self._elsewhere, False
            if not self._subscribers and not elsewhere:  # only local saves: their positions say where the log is
                self.position = max(self.position, self._saved_position)
                return
        try:
            head = self.runtime.app.head_position()
        except Exception:
            with self._lock:
                self._elsewhere = True  # the retry reads the head again
            raise
        with self._lock:
            if not self._subscribers:  # nobody to tell: skip reading and decoding (a subscriber that comes
                self.position = max(self.position, head, self._saved_position)  # later replays from its own
                return  # position up to here)
        while True:
            batch = self.runtime.app.recorder.select_notifications(
                start=self.position, limit=BATCH, inclusive_of_start=False
            )
            if not batch:
                return
            items = self._decode(batch)
            with self._lock:
                for subscriber in self._subscribers:
                    for item in items:
                        if subscriber.account_id is None or subscriber.account_id == item.account_id:
                            subscriber.loop.call_soon_threadsafe(subscriber.offer, item)
                self.position = batch[-1].id
            if len(batch) < BATCH:
                return
