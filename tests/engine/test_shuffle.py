"""Seeded shuffling per epoch: Network.batch_indices(n, b, step, shuffle_seed) and
train(..., shuffle_seed=...) — a new permutation every epoch, every sample once per epoch, a pure
function of (n, b, step, seed), bit for bit the same in train() as in repeated step()."""
import collections
import math

import numpy as np
import pytest

import engine.unrolled
from engine import Network
from engine.network import _Pass, _Unrolled


@pytest.fixture(params=["numpy", "unrolled"])
def backend(request, monkeypatch):
    monkeypatch.setattr(engine.unrolled, "UNROLL_LIMIT", 0 if request.param == "numpy" else 10**6)
    return request.param


def stream(n, b, steps, seed, start=0):
    return np.concatenate([Network.batch_indices(n, b, s, seed) for s in range(start, start + steps)])


@pytest.mark.parametrize("n,b", [(2, 1), (5, 1), (5, 2), (5, 3), (5, 4), (7, 3), (12, 4), (100, 7)])
def test_without_a_seed_the_order_is_todays(n, b):
    for s in list(range(40)) + [10**6, 2**40]:
        assert Network.batch_indices(n, b, s).tolist() == [(s * b + k) % n for k in range(b)]
        assert Network.batch_indices(n, b, s, None).tolist() == [(s * b + k) % n for k in range(b)]
    assert Network.epoch_order(n, 3).tolist() == list(range(n))


@pytest.mark.parametrize("n,b", [(2, 1), (5, 1), (5, 2), (5, 3), (5, 4), (7, 3), (12, 4), (100, 7)])
@pytest.mark.parametrize("seed", [0, 1, 12345, 2**62])
def test_every_epoch_is_a_permutation_visited_in_order(n, b, seed):
    epochs = 6
    steps = math.ceil(epochs * n / b)
    visited = stream(n, b, steps, seed)
    for e in range(epochs):
        block = visited[e * n:(e + 1) * n]
        assert sorted(block.tolist()) == list(range(n)), (e, block)  # every sample once
        assert block.tolist() == Network.epoch_order(n, e, seed).tolist()
    # the epoch of step s's first sample is s·b // n
    for s in range(steps):
        first = Network.batch_indices(n, b, s, seed)[0]
        e, r = divmod(s * b, n)
        assert first == Network.epoch_order(n, e, seed)[r]


def test_a_batch_straddling_two_epochs_takes_the_end_of_one_and_the_start_of_the_next():
    n, b, seed = 5, 2, 3
    # step 2 covers stream positions 4 and 5: the last of epoch 0, the first of epoch 1
    e0, e1 = Network.epoch_order(n, 0, seed), Network.epoch_order(n, 1, seed)
    assert Network.batch_indices(n, b, 2, seed).tolist() == [e0[4], e1[0]]


def test_epochs_and_seeds_give_different_orders():
    n = 20
    orders = {tuple(Network.epoch_order(n, e, 7).tolist()) for e in range(50)}
    assert len(orders) == 50
    assert Network.epoch_order(n, 0, 7).tolist() != Network.epoch_order(n, 0, 8).tolist()
    assert Network.epoch_order(n, 0, 7).tolist() != list(range(n))


def test_the_permutations_are_uniform():
    """All 6 orders of 3 samples come about equally often (12,000 epochs: ±7.5 % each, more
    than 3.5 standard deviations)."""
    counts = collections.Counter(tuple(Network.epoch_order(3, e, 11).tolist())
                                 for e in range(12000))
    assert len(counts) == 6
    assert all(abs(c - 2000) < 150 for c in counts.values()), counts


def test_any_step_can_be_replayed_on_its_own():
    n, b, seed = 13, 5, 99
    in_order = [Network.batch_indices(n, b, s, seed).tolist() for s in range(60)]
    for s in (59, 3, 0, 41, 17):
        assert Network.batch_indices(n, b, s, seed).tolist() == in_order[s]
    far = Network.batch_indices(n, b, 10**15, seed)  # a step count far beyond any run
    assert far.shape == (5,) and set(far.tolist()) <= set(range(n))
    assert far.dtype == np.int64


def test_a_full_batch_is_every_sample_in_order_shuffled_or_not():
    for b in (None, 6, 9):
        assert Network.batch_indices(6, b, 5, 4).tolist() == list(range(6))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", 2**62 + 1])
def test_a_bad_shuffle_seed_is_refused(seed):
    with pytest.raises(ValueError, match=r"^shuffle seed must be None or a whole number from 0 "):
        Network.batch_indices(5, 2, 0, seed)
    net = Network([2, 1], ["linear"])
    before = net.get_params().tobytes()
    with pytest.raises(ValueError, match=r"^shuffle seed must be"):
        net.train(np.zeros((3, 2)), np.zeros((3, 1)), 0.1, 2, batch_size=1, shuffle_seed=seed)
    assert net.get_params().tobytes() == before


# -- train ≡ repeated step ------------------------------------------------------------------------
def data(n, n_in=2, n_out=1, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.uniform(size=(n, n_out))


@pytest.mark.parametrize("n,b", [(4, 1), (5, 2), (5, 3), (7, 6)])
def test_train_with_shuffling_is_repeated_step_bit_for_bit(backend, n, b):
    X, T = data(n)

    def fresh():
        net = Network([2, 3, 1], ["tanh", "sigmoid"], "cross_entropy", seed=2)
        net.freeze_bias(4)
        return net

    steps, start, seed = 3 * 4096 // b + 7, 5, 21  # more than one of train()'s slices
    stepped, trained = fresh(), fresh()
    expected = [stepped.step(X[idx], T[idx], 0.2).loss for idx in
                (Network.batch_indices(n, b, s, seed) for s in range(start, start + steps))]
    rows = np.empty((steps, trained.n_params))
    losses = trained.train(X, T, 0.2, steps, batch_size=b, params_out=rows, start=start,
                           shuffle_seed=seed)
    assert isinstance(trained._backend(b), _Pass if backend == "numpy" else _Unrolled)
    np.testing.assert_array_equal(losses, expected)
    np.testing.assert_array_equal(trained.get_params(), stepped.get_params())
    np.testing.assert_array_equal(rows[-1], stepped.get_params())
    # and not the unshuffled run
    other = fresh()
    assert not np.array_equal(other.train(X, T, 0.2, steps, batch_size=b, start=start), losses)


def test_large_batches_are_loaded_in_chunks_exactly():
    """NumPy backend, b = 299 of 300: the shuffled batches are gathered 292 steps at a time."""
    X, T = data(300, seed=4)
    net, ref = (Network([2, 2, 1], ["tanh", "linear"], seed=1) for _ in range(2))
    assert isinstance(net._backend(299), _Pass)
    losses = net.train(X, T, 0.05, 500, batch_size=299, start=3, shuffle_seed=8)
    expected = [ref.step(X[idx], T[idx], 0.05).loss
                for idx in (Network.batch_indices(300, 299, s, 8) for s in range(3, 503))]
    np.testing.assert_array_equal(losses, expected)
    np.testing.assert_array_equal(net.get_params(), ref.get_params())


def test_a_run_in_pieces_is_the_run_in_one(backend):
    X, T = data(9, seed=6)
    whole, pieces = (Network([2, 2, 1], ["tanh", "linear"], seed=5) for _ in range(2))
    a = whole.train(X, T, 0.1, 100, batch_size=4, shuffle_seed=2)
    b = np.concatenate([pieces.train(X, T, 0.1, k, batch_size=4, start=s, shuffle_seed=2)
                        for s, k in ((0, 13), (13, 1), (14, 86))])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(whole.get_params(), pieces.get_params())


def test_a_full_batch_trains_the_same_shuffled_or_not(backend):
    X, T = data(6, seed=7)
    a, b = (Network([2, 2, 1], ["tanh", "linear"], seed=5) for _ in range(2))
    np.testing.assert_array_equal(a.train(X, T, 0.1, 20, shuffle_seed=3), b.train(X, T, 0.1, 20))
    np.testing.assert_array_equal(a.get_params(), b.get_params())
