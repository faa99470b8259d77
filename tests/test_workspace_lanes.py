"""Workspaces side by side: in turn, never more than `per_workspace` of one at once."""

import threading
import time

import pytest

from bot.workspace_lanes import WorkspaceLanes, side_by_side


def test_items_are_handed_out_one_workspace_after_another() -> None:
    """Three workspaces of three: the first round takes one of each, in order."""
    items = [(team, f"{team}-{n}") for team in ("A", "B", "C") for n in range(3)]
    lanes = WorkspaceLanes(items, per_workspace=3)
    taken = [lanes.take() for _ in range(9)]
    handed = [pair[1] for pair in taken if pair is not None]
    assert handed[:3] == ["A-0", "B-0", "C-0"]
    assert sorted(handed) == sorted(item for _, item in items)
    assert lanes.take() is None


def test_a_workspace_at_its_limit_waits_for_one_to_finish() -> None:
    """per_workspace=1: A's second item is only handed out after A's first is done."""
    lanes = WorkspaceLanes([("A", 1), ("A", 2), ("B", 3)], per_workspace=1)
    assert lanes.take() == ("A", 1)
    assert lanes.take() == ("B", 3)
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(lanes.take()))
    waiter.start()
    waiter.join(0.1)
    assert got == [], "A is at its limit and B has nothing left"
    lanes.done("A")
    waiter.join(1)
    assert got == [("A", 2)]


def test_side_by_side_runs_everything_and_caps_each_workspace() -> None:
    """40 items of 4 workspaces on 16 threads: all done, never more than 2 of one at once."""
    lock = threading.Lock()
    now: dict[str, int] = {}
    most: dict[str, int] = {}
    done: list[int] = []

    def work(team: str, item: int) -> None:
        with lock:
            now[team] = now.get(team, 0) + 1
            most[team] = max(most.get(team, 0), now[team])
        time.sleep(0.005)
        with lock:
            now[team] -= 1
            done.append(item)

    items = [(f"T{n % 4}", n) for n in range(40)]
    side_by_side(items, work, workers=16, per_workspace=2, name="test")
    assert sorted(done) == list(range(40))
    assert max(most.values()) == 2


def test_what_work_lets_through_is_raised_after_the_rest_finish() -> None:
    """A BaseException from one item stops its thread; the others still do theirs."""

    class Down(BaseException):
        pass

    done: list[int] = []

    def work(team: str, item: int) -> None:
        if item == 0:
            raise Down
        done.append(item)

    with pytest.raises(Down):
        side_by_side([("A", n) for n in range(5)], work, workers=2, per_workspace=2, name="t")
    assert sorted(done) == [1, 2, 3, 4]
