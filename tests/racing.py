"""Running the same work on several threads at once, each as a separate worker would."""

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

from bot.store.database import engine_from_url
from bot.store.sql import SqlStore
from tests.teams import TEAM


def race(workers: Sequence[str], target: Callable[[str], None]) -> list[BaseException]:
    """Run `target(worker)` on one thread per worker, released together; return what raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(worker: str) -> None:
        try:
            barrier.wait()
            target(worker)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@contextlib.contextmanager
def separate_store(database_url: str) -> Iterator[SqlStore]:
    """A store on an engine of its own, as another process would have one."""
    engine = engine_from_url(database_url)
    try:
        yield SqlStore(engine).for_workspace(TEAM)
    finally:
        engine.dispose()
