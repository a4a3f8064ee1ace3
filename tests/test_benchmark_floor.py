"""The engine benchmark's NumPy floor (``benchmarks/bench_engine.py``, ``numpy_floor``) is only a
fair floor if it does the engine's own arithmetic: after the same steps it must hold the same
parameters as ``Network.train()``, bit for bit, on every case it is timed on."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_engine as bench  # noqa: E402


@pytest.mark.parametrize("case", [c for c in bench.CASES if c.floor], ids=lambda c: c.name)
def test_the_floor_takes_the_same_steps_as_train(case):
    net, (X, T) = bench.make_net(case), bench.data(case)
    run = bench.numpy_floor(case)
    run(50)
    net.train(X, T, bench.LR, 50)
    Wa = run.parameters
    for layer in range(1, len(case.sizes)):
        np.testing.assert_array_equal(Wa[layer][:-1], net.W[layer])
        np.testing.assert_array_equal(Wa[layer][-1], net.b[layer])
    assert not np.array_equal(Wa[1][:-1], bench.make_net(case).W[1])  # it did train
