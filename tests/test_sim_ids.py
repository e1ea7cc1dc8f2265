"""Simulation ids: UUID-v4-shaped, from the simulation's own seeded stream, the same
whatever the block sizes they are drawn in."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from stptui.sim.engine import _ID_BLOCKS, _id_block
from tests.simkit import make_sim

QUEUE = "resources:\n  q:\n    type: sqs-queue\n"


@given(st.integers(0, 2**32), st.integers(1, 300))
def test_a_block_is_the_uuid4s_of_the_streams_bytes(seed: int, n: int) -> None:
    raw = random.Random(seed).randbytes(16 * n)
    expected = [str(uuid.UUID(bytes=raw[i : i + 16], version=4)) for i in range(0, 16 * n, 16)]
    assert _id_block(random.Random(seed), n)[::-1] == expected


def test_ids_do_not_depend_on_block_sizes() -> None:
    sim = make_sim(QUEUE, seed=3)
    count = sum(_ID_BLOCKS) + 10  # past every size change
    ids = [sim.new_id() for _ in range(count)]
    assert len(set(ids)) == count
    one_block = _id_block(random.Random("ids:3"), count)[::-1]
    assert ids == one_block
    assert all(i[14] == "4" and i[19] in "89ab" for i in ids)
