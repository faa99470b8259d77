"""Work of many workspaces done side by side: round-robin between workspaces, a few at once each.

The weekly fan-out and the check-ins hand each workspace's work to a shared set of threads
through `side_by_side`. Threads take one item from each workspace in turn, so a minute with
1,000 workspaces due starts all of them at once instead of one after another, and at most
`per_workspace` items of one workspace are worked on at a time: a workspace that is slow
(Slack told it to wait) holds that many threads at most, and the rest go on with the others.
"""

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class WorkspaceLanes(Generic[K, T]):
    """A queue per workspace; `take` hands out the next item round-robin, `done` gives back."""

    def __init__(self, items: Iterable[tuple[K, T]], per_workspace: int) -> None:
        self.per_workspace = max(1, per_workspace)
        self._ready = threading.Condition()
        self._queues: dict[K, deque[T]] = {}
        for workspace, item in items:
            self._queues.setdefault(workspace, deque()).append(item)
        self._pending = sum(len(queue) for queue in self._queues.values())
        self._busy: dict[K, int] = dict.fromkeys(self._queues, 0)
        # Workspaces with work waiting and room for one more thread, in turn order.
        self._turns: deque[K] = deque(self._queues)

    def take(self) -> tuple[K, T] | None:
        """The next item, from the workspace whose turn it is; None once nothing is left.

        Waits while every workspace with work left already has `per_workspace` items out.
        """
        with self._ready:
            while True:
                if self._pending == 0:
                    return None
                if self._turns:
                    workspace = self._turns.popleft()
                    item = self._queues[workspace].popleft()
                    self._pending -= 1
                    self._busy[workspace] += 1
                    if self._queues[workspace] and self._busy[workspace] < self.per_workspace:
                        self._turns.append(workspace)
                    if self._pending == 0:
                        self._ready.notify_all()  # the threads still waiting can finish
                    return workspace, item
                self._ready.wait()

    def done(self, workspace: K) -> None:
        """An item of `workspace` is finished: the workspace may have another taken."""
        with self._ready:
            was_full = self._busy[workspace] >= self.per_workspace
            self._busy[workspace] -= 1
            if was_full and self._queues[workspace]:
                self._turns.append(workspace)
                # One item became available: wake one thread, not every idle one (with
                # one workspace, most of the threads wait the whole tick).
                self._ready.notify()


def side_by_side(
    items: Iterable[tuple[K, T]],
    work: Callable[[K, T], None],
    *,
    workers: int,
    per_workspace: int,
    name: str,
) -> None:
    """Run `work(workspace, item)` for every item on `workers` threads, workspaces in turn.

    `work` should contain its own failures. What it lets through (the process going down)
    stops that thread and is raised here once every other thread has finished.
    """
    lanes = WorkspaceLanes(items, per_workspace)

    def drain() -> None:
        while (taken := lanes.take()) is not None:
            workspace, item = taken
            try:
                work(workspace, item)
            finally:
                lanes.done(workspace)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix=name) as pool:
        futures = [pool.submit(drain) for _ in range(max(1, workers))]
    for future in futures:
        crash = future.exception()
        if crash is not None:
            raise crash
