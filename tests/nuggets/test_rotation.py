"""The per-channel rotation: every tip once per round, library changes honoured."""

import itertools
import random

import pytest

from bot.nuggets.rotation import Rotation, next_tip, remaining

TWENTY = [f"tip-{n:02d}" for n in range(20)]


def serve(count, available, rotation=None, seed=0):
    """Serve `count` tips and return them with the final rotation."""
    rng = random.Random(seed)
    served = []
    for _ in range(count):
        tip, rotation = next_tip(rotation, available, rng)
        served.append(tip)
    return served, rotation


@pytest.mark.parametrize("seed", range(10))
def test_every_tip_appears_exactly_once_per_round(seed):
    """Over 3 rounds of 20 tips, each round is a permutation of the library."""
    served, rotation = serve(60, TWENTY, seed=seed)
    for start in (0, 20, 40):
        assert sorted(served[start : start + 20]) == TWENTY
    assert rotation.round == 3
    assert rotation.position == 20


@pytest.mark.parametrize("seed", range(10))
def test_rounds_are_shuffled_and_never_repeat_across_the_boundary(seed):
    """A new round is a fresh shuffle and does not start with the tip that ended the last."""
    served, _ = serve(100, TWENTY, seed=seed)
    for boundary in (20, 40, 60, 80):
        assert served[boundary] != served[boundary - 1]
    assert served[:20] != served[20:40]


def test_two_tips_alternate_without_repeats():
    """With two tips the round boundary still never repeats a tip."""
    served, _ = serve(20, ["a", "b"], seed=3)
    assert all(first != second for first, second in itertools.pairwise(served))


def test_a_single_tip_is_repeated_each_round():
    """One tip is all there is, so every round is that tip."""
    served, rotation = serve(3, ["only"])
    assert served == ["only", "only", "only"]
    assert rotation.round == 3


@pytest.mark.parametrize("seed", range(10))
def test_tips_added_mid_round_are_served_in_this_round(seed):
    """New tips join the current round: the round grows and covers old and new tips."""
    rng = random.Random(seed)
    first, rotation = serve(7, TWENTY, seed=seed)
    added = [*TWENTY, "new-1", "new-2"]
    assert remaining(rotation, added) == 15
    rest = []
    for _ in range(15):
        tip, rotation = next_tip(rotation, added, rng)
        rest.append(tip)
    assert sorted(first + rest) == sorted(added)
    assert rotation.round == 1
    assert remaining(rotation, added) == 0
    tip, rotation = next_tip(rotation, added, rng)
    assert rotation.round == 2


@pytest.mark.parametrize("seed", range(10))
def test_removed_tips_are_skipped(seed):
    """A tip removed from the library is never served again, and the round still ends."""
    rng = random.Random(seed)
    first, rotation = serve(5, TWENTY, seed=seed)
    unserved = [tip for tip in TWENTY if tip not in first]
    gone = set(unserved[:4]) | {first[0]}
    library = [tip for tip in TWENTY if tip not in gone]
    assert remaining(rotation, library) == 11
    rest = []
    for _ in range(11):
        tip, rotation = next_tip(rotation, library, rng)
        rest.append(tip)
    assert not gone & set(rest)
    assert sorted(first[1:] + rest) == sorted(library)
    assert remaining(rotation, library) == 0


def test_a_tip_served_then_removed_and_restored_waits_for_the_next_round():
    """Restoring a tip already served this round does not serve it twice in the round."""
    rng = random.Random(1)
    tip, rotation = next_tip(None, ["a", "b", "c"], rng)
    others = [t for t in ["a", "b", "c"] if t != tip]
    _, rotation = next_tip(rotation, others, rng)
    last, rotation = next_tip(rotation, ["a", "b", "c"], rng)
    assert last not in {tip}
    assert remaining(rotation, ["a", "b", "c"]) == 0


def test_duplicate_ids_count_once():
    """A library listing an id twice still serves it once per round."""
    served, _ = serve(3, ["a", "a", "b", "c"])
    assert sorted(served) == ["a", "b", "c"]


def test_remaining_before_the_first_post_is_the_library_size():
    """A channel without a rotation has the whole library ahead of it."""
    assert remaining(None, TWENTY) == 20


def test_an_empty_library_is_an_error():
    """There is nothing to post, which the caller must report rather than hide."""
    with pytest.raises(ValueError, match="empty"):
        next_tip(Rotation(1, ("a",), 1), [], random.Random(0))


def test_rotation_survives_a_round_trip_through_plain_data():
    """A rotation rebuilt from its fields continues exactly where it left off."""
    _, rotation = serve(5, TWENTY, seed=4)
    copy = Rotation(rotation.round, tuple(rotation.order), rotation.position)
    assert (
        next_tip(copy, TWENTY, random.Random(9))[0]
        == next_tip(rotation, TWENTY, random.Random(9))[0]
    )
