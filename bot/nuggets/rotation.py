"""Which tip a channel gets next: every tip once, in shuffled order, before any repeats.

A `Rotation` is plain data so the store can persist it and a restart resumes mid-round.
The library may change between posts; `next_tip` reconciles the saved order with the tips
available now instead of asking callers to keep the two in step.

A personal weekly DM may weigh tips (the person's track and focus): each post then draws
the next tip from the rest of the round in proportion to its weight, so tips that fit
come sooner, and every tip still comes once per round.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# How much a tip id weighs when the next tip of a round is drawn (always more than 0).
IdWeight = Callable[[str], float]


@dataclass(frozen=True)
class Rotation:
    """One channel's place in its shuffled round: `order[:position]` have been posted."""

    round: int
    order: tuple[str, ...]
    position: int


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _pending(rotation: Rotation, available: list[str], rng: random.Random) -> list[str]:
    """The rest of this round: unposted ids still available, plus ids added since it began."""
    known = set(rotation.order)
    still_there = set(available)
    pending = [tip_id for tip_id in rotation.order[rotation.position :] if tip_id in still_there]
    for tip_id in available:
        if tip_id not in known:
            # New tips join the current round at a random place, so they are neither
            # all saved for the end nor all posted straight away.
            pending.insert(rng.randint(0, len(pending)), tip_id)
    return pending


def _new_round(available: list[str], last: str | None, rng: random.Random) -> list[str]:
    order = list(available)
    rng.shuffle(order)
    if len(order) > 1 and order[0] == last:
        # Posting the same tip twice in a row across a round boundary looks like a bug.
        swap = rng.randrange(1, len(order))
        order[0], order[swap] = order[swap], order[0]
    return order


def _draw_first(pending: list[str], weight: IdWeight | None, rng: random.Random) -> list[str]:
    """`pending` with one id drawn by weight moved to the front (unchanged without weights)."""
    if weight is None or len(pending) < 2:
        return pending
    drawn = rng.choices(range(len(pending)), weights=[weight(i) for i in pending])[0]
    return [pending[drawn], *pending[:drawn], *pending[drawn + 1 :]]


def next_tip(
    rotation: Rotation | None,
    available_ids: Sequence[str],
    rng: random.Random,
    weight: IdWeight | None = None,
) -> tuple[str, Rotation]:
    """Pick the next tip id and return it with the advanced rotation (None = first post)."""
    available = _unique(available_ids)
    if not available:
        message = "the tip library is empty, so there is no tip to post"
        raise ValueError(message)
    if rotation is None:
        first_round = _draw_first(_new_round(available, None, rng), weight, rng)
        return first_round[0], Rotation(round=1, order=tuple(first_round), position=1)
    posted = list(rotation.order[: rotation.position])
    pending = _draw_first(_pending(rotation, available, rng), weight, rng)
    if pending:
        order = (*posted, *pending)
        return pending[0], Rotation(rotation.round, order, len(posted) + 1)
    last = posted[-1] if posted else None
    next_round = _new_round(available, last, rng)
    if weight is not None:
        # Never the last round's final tip first (see _new_round), whatever it weighs.
        next_round = _draw_first(next_round, lambda i: 0.0 if i == last else weight(i), rng)
    return next_round[0], Rotation(rotation.round + 1, tuple(next_round), 1)


def remaining(rotation: Rotation | None, available_ids: Sequence[str]) -> int:
    """How many available tips are still to be posted before the round starts over."""
    available = _unique(available_ids)
    if rotation is None:
        return len(available)
    known = set(rotation.order)
    unposted = set(rotation.order[rotation.position :])
    return sum(1 for tip_id in available if tip_id in unposted or tip_id not in known)
