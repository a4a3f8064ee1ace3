"""The training history: bounded after any number of steps, spikes kept, exact undo while it can."""
import numpy as np

from gui.history import History


def test_a_million_steps_stay_bounded_and_keep_a_single_spike():
    h = History(2, capacity=256)
    rows = np.zeros((10_000, 2))
    for k in range(100):
        chunk = rows.copy()
        chunk[:, 1] = k
        if k == 37:
            chunk[1234, 0] = 99.0  # one spike in a million steps
        h.append(chunk)
    assert h.n_steps == 1_000_000
    assert h.n_buckets <= 256 and h.lo.shape == (256, 2)
    x, y = h.curve(0)
    assert len(x) <= 2 * 256
    assert y.max() == 99.0  # the spike survives every merge as a bucket's max
    assert h.latest()[1] == 99  # the last row is the last step's


def test_max_points_joins_buckets_but_keeps_min_and_max():
    h = History(1, capacity=2048)
    values = np.sin(np.arange(5000) / 50.0)
    values[4321] = -7.0
    h.append(values[:, None])
    x, y = h.curve(0, max_points=300)
    assert len(x) <= 300
    assert y.min() == -7.0 and y.max() == values.max()
    assert np.all(np.diff(x) >= 0)  # still in step order


def test_truncate_is_exact_while_every_bucket_holds_one_step():
    h = History(1, capacity=64)
    h.append(np.arange(50.0)[:, None])
    h.truncate(20)
    x, y = h.curve(0)
    np.testing.assert_array_equal(y, np.arange(20.0))
    assert h.n_steps == 20
    h.append(np.array([[5.0]]))
    assert h.latest()[0] == 5.0 and h.n_steps == 21
