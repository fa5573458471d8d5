"""Catching up (or rebuilding) several read models in one pass over the log, optionally in worker processes.

Reading and decoding events (JSON plus transcodings) is the largest shared cost of a rebuild: each
read model on its own would read and decode the log again. One pass decodes every event once and
hands each read model the events it handles, each in its own exactly-once batch transaction, so a
crash mid-pass resumes like any runner. Groups of read models can run in separate processes to use
more than one core (the read models live in separate tables or files, so they do not contend).
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kamcore.application.handling import CommandHandling
from kamcore.projections.runner import FollowingThread, ProjectionFailed, ProjectionRunner
from kamcore.settings import Settings

PassProgress = Callable[[str, int, int], None]  # (read model, position reached, head)


def catch_up_in_one_pass(
    app: CommandHandling,
    runners: Sequence[ProjectionRunner],
    *,
    until: int | None = None,
    batch_size: int = 1000,
    progress: PassProgress | None = None,
) -> int:
    """Bring every runner to the head (or `until`) reading the log once; returns the events read.

    A runner that meets a poison event stops there with its error set (as when following); the others
    go on. A runner that met another worker's batch, or a batch that cannot be decoded, drops out of the
    shared pass and finishes on its own, through the runner's usual checks.
    """
    head = app.head_position() if until is None else min(until, app.head_position())
    sharing = {r.name: r for r in runners if r.error is None}
    wanted = {r.name: frozenset(r.topics) for r in runners}
    topics = () if any(not w for w in wanted.values()) else tuple(sorted(frozenset().union(*wanted.values())))
    position = min((r.position for r in sharing.values()), default=head)
    read = 0
    while position < head and sharing:
        notifications = app.recorder.select_notifications(
            start=position, limit=batch_size, stop=head, topics=topics, inclusive_of_start=False
        )
        reached = notifications[-1].id if len(notifications) == batch_size else head
        try:
            events = [app.mapper.to_domain_event(n) for n in notifications]
        except Exception:  # noqa: BLE001 - the runners find the poison event one by one
            break
        read += len(notifications)
        for runner in list(sharing.values()):
            if runner.position >= reached:
                continue
            if runner.position < position:  # fell behind this batch: it would skip events
                del sharing[runner.name]
                continue
            after, topics_wanted = runner.position, wanted[runner.name]
            picked = [
                (n, e) for n, e in zip(notifications, events, strict=True)
                if n.id > after and (not topics_wanted or n.topic in topics_wanted)
            ]  # fmt: skip
            try:
                runner.apply_decoded(picked, reached)
            except ProjectionFailed as failure:
                runner.fail(failure)
                del sharing[runner.name]
            if progress:
                progress(runner.name, runner.position, head)
        position = reached
    for runner in runners:
        if runner.error is None and runner.position < head:
            try:
                runner.catch_up(until=head)
            except ProjectionFailed as failure:
                runner.fail(failure)
            if progress:
                progress(runner.name, runner.position, head)
        elif runner.error is None:
            runner.settle()
    return read


class SharedFollower(FollowingThread):
    """One thread following the log for several read models: each wake-up is one pass over the new events.

    With a thread per read model every save made each of them ask for the head, read and decode the
    same new events; on two cores that contention was most of a mutation's latency.
    """

    thread_name = "projections"

    def __init__(self, app: CommandHandling, runners: Sequence[ProjectionRunner], *, batch_size: int = 1000) -> None:
        super().__init__()
        self.app = app
        self.runners = list(runners)
        self.batch_size = batch_size
        for runner in self.runners:
            runner.follower = self

    def _follow_once(self) -> int:
        followed = [r for r in self.runners if not r.stopped]
        return catch_up_in_one_pass(self.app, followed, batch_size=self.batch_size)

    def _idle(self) -> float:
        """Store the positions that quiet batches moved in memory only (soon after, not per batch)."""
        soonest = super()._idle()
        for runner in self.runners:
            if runner.position_unrecorded and runner.error is None:
                due = runner.recorded_at + runner.record_empty_after - time.monotonic()
                if due <= 0:
                    runner.record_position()
                else:
                    soonest = min(soonest, due)
        return soonest


def rebuild_in_one_pass(
    app: CommandHandling,
    runners: Sequence[ProjectionRunner],
    *,
    batch_size: int = 1000,
    progress: PassProgress | None = None,
) -> int:
    for runner in runners:
        runner.reset()
    return catch_up_in_one_pass(app, runners, batch_size=batch_size, progress=progress)


@dataclass(frozen=True)
class RebuildReport:
    names: tuple[str, ...]
    head: int
    seconds: float
    workers: int

    @property
    def events_per_second(self) -> float:
        return self.head / self.seconds if self.seconds else 0.0


def split(names: Sequence[str], costs: dict[str, int], workers: int) -> list[list[str]]:
    """Greedy partition of the read models into `workers` groups of similar rebuild cost."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(names))))]
    loads = [0] * len(groups)
    for name in sorted(names, key=lambda n: -costs.get(n, 1)):
        i = loads.index(min(loads))
        groups[i].append(name)
        loads[i] += costs.get(name, 1)
    return [g for g in groups if g]


def rebuild(
    settings: Settings, names: Sequence[str], *, workers: int = 1, progress: PassProgress | None = None
) -> RebuildReport:
    """Rebuild the named read models from zero, in `workers` processes (1: in this process)."""
    from kamcore.runtime import Runtime

    started = time.perf_counter()
    runtime = Runtime(settings)
    try:
        head = runtime.app.head_position()
        costs = {name: runtime.stores[name].projection.rebuild_cost for name in names}
    finally:
        runtime.close()
    groups = split(names, costs, workers)
    if len(groups) == 1:
        _rebuild_group(settings, groups[0], _Reporter(None, progress))
    else:
        _rebuild_in_processes(settings, groups, progress)
    return RebuildReport(tuple(names), head, time.perf_counter() - started, len(groups))


class _Reporter:
    """Progress from a worker process travels over a queue; in-process it is a direct call."""

    def __init__(self, channel: Any, progress: PassProgress | None) -> None:
        self.channel = channel
        self.progress = progress

    def __call__(self, name: str, position: int, head: int) -> None:
        if self.channel is not None:
            self.channel.put(("progress", name, position, head))
        elif self.progress is not None:
            self.progress(name, position, head)


def _rebuild_group(
    settings: Settings, names: Sequence[str], report: _Reporter, opened: Callable[[], None] = lambda: None
) -> None:
    from kamcore.runtime import Runtime

    runtime = Runtime(settings)
    try:
        opened()
        runners = [runtime.runners[name] for name in names]
        rebuild_in_one_pass(runtime.app, runners, batch_size=settings.projection_batch_size, progress=report)
        failed = next((r.error for r in runners if r.error is not None), None)
        if failed is not None:
            raise failed
    finally:
        runtime.close()


def _worker(settings: Settings, names: list[str], channel: Any) -> None:
    try:
        _rebuild_group(settings, names, _Reporter(channel, None), lambda: channel.put(("opened", "", 0, 0)))
    except BaseException as error:
        channel.put(("failed", ", ".join(names), repr(error), 0))
        raise
    channel.put(("done", ", ".join(names), 0, 0))


def _rebuild_in_processes(settings: Settings, groups: list[list[str]], progress: PassProgress | None) -> None:
    context = multiprocessing.get_context("spawn")  # no inherited connections or threads
    channel = context.Queue()
    processes = [context.Process(target=_worker, args=(settings, group, channel), daemon=True) for group in groups]
    # One at a time until each has opened its stores: concurrent CREATE … IF NOT EXISTS races on PostgreSQL.
    waiting = list(processes)
    waiting.pop(0).start()
    finished, failures = 0, []
    while finished < len(processes):
        try:
            kind, name, position, head = channel.get(timeout=1.0)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes) and channel.empty():
                failures.append("a rebuild worker died")
                break
            continue
        if kind == "opened" and waiting:
            waiting.pop(0).start()
        elif kind == "progress" and progress:
            progress(name, position, head)
        elif kind in ("done", "failed"):
            finished += 1
            if kind == "failed":
                failures.append(f"{name}: {position}")
    for process in processes:
        process.join()
    if failures:
        raise RuntimeError(f"rebuild failed: {'; '.join(failures)}")
