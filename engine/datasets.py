"""Data sets for experiments beyond the notes' single sample, as in the TensorFlow Playground:
generated data sets, extra input features, and a train/test split. NumPy and the standard
library only.

**Generated data sets** ``generate(name, count, noise, seed)`` → (X, T), float64 arrays of shape
(count, n_inputs) and (count, 1), the same bytes for the same arguments (NumPy's PCG64 seeded
with ``seed``). ``GENERATORS`` describes each (its inputs, its bounds, what its noise does):

============  =====================================================================================
``xor``       4 clusters, one per quadrant: |x1|, |x2| uniform in [0.5, 4.5]; label 1 where
              x1·x2 > 0 (upper right, lower left), 0 elsewhere. Noise moves each coordinate by up
              to ±1.5 × noise (uniform), so near the axes the clusters reach into their neighbours.
``circle``    label 1 inside a circle (radius up to 2.5 around 0), label 0 in a ring around it
              (radius 3.5 to 5); points uniform over each area. Noise moves each coordinate by up
              to ±1 × noise, which closes the gap between the two at noise 1.
``gaussians`` two round blobs: label 1 around (2, 2), label 0 around (−2, −2), with standard
              deviation 0.5 + noise (well apart at 0, overlapping at 1); points are kept inside
              [−6, 6]² (clipped).
``spiral``    two interleaved spirals: r = 5t, angle 3.5πt (label 1) and 3.5πt + π (label 0)
              for t spread evenly over [0, 1]; x1 = r sin(angle), x2 = r cos(angle). Noise moves
              each coordinate by up to ±0.5 × noise (the arms are about 1.4 apart).
``curve``     regression, one input: x1 spread evenly over [−3, 3], target y = sin(1.5 x1) plus
              normal noise of standard deviation 0.3 × noise (the curve's amplitude is 1).
============  =====================================================================================

Every 2-D set lies inside [−6, 6]²; the labels are 0 and 1, the two classes as equal as the
count allows (count // 2 samples of label 1, the rest label 0). The samples come in a random
order, so a minibatch without shuffling still mixes the classes. ``count`` is 4 to 2,000,
``noise`` 0 to 1, ``seed`` a whole number from 0 to ``MAX_SEED``; anything else raises
``ValueError`` with one line naming the setting.

**Input features** ``FEATURES`` maps the stable keys files store to the names the inputs show:
x1², x2², x1·x2, sin x1, sin x2. ``with_features(X, keys)`` appends those columns to the raw
inputs X, always in ``FEATURES`` order whatever the order of ``keys`` (so a network with
features has 2 + len(keys) inputs: x1, x2, then the features); ``feature_names(keys)`` are the
input neurons' names. sin is ``math.sin`` (the C library's), element by element, not NumPy's
vectorised one, whose last digit may differ between machines: a lesson file stores the raw
inputs and computes its features again when opened.

**Train/test split** ``split(n, test_ratio, seed)`` → (train indices, test indices).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_COUNT, MAX_COUNT = 4, 2000
MAX_SEED = 2**62
MAX_TEST_RATIO = 0.9
MAX_SAMPLES = 10_000_000  # split() makes a permutation of them
EXTENT = 6.0  # every 2-D data set lies inside [−EXTENT, EXTENT]²


@dataclass(frozen=True)
class Generator:
    """What ``generate(name, …)`` makes: ``kind`` "classification" (labels 0/1) or
    "regression"; ``n_inputs`` raw inputs and ``n_outputs`` targets per sample; the bounds of
    ``count`` and ``noise`` (both inclusive); what noise does; defaults for a data panel."""

    name: str
    title: str
    kind: str
    n_inputs: int
    n_outputs: int
    count_range: tuple
    noise_range: tuple
    noise_means: str
    default_count: int
    default_noise: float


GENERATORS: dict[str, Generator] = {g.name: g for g in (
    Generator("xor", "XOR (4 clusters)", "classification", 2, 1, (MIN_COUNT, MAX_COUNT),
              (0.0, 1.0), "each coordinate moves by up to ±1.5 × noise", 200, 0.0),
    Generator("circle", "Circle", "classification", 2, 1, (MIN_COUNT, MAX_COUNT), (0.0, 1.0),
              "each coordinate moves by up to ±1 × noise", 200, 0.0),
    Generator("gaussians", "Two Gaussians", "classification", 2, 1, (MIN_COUNT, MAX_COUNT),
              (0.0, 1.0), "each blob's standard deviation is 0.5 + noise", 200, 0.0),
    Generator("spiral", "Two spirals", "classification", 2, 1, (MIN_COUNT, MAX_COUNT),
              (0.0, 1.0), "each coordinate moves by up to ±0.5 × noise", 400, 0.0),
    Generator("curve", "Curve (regression)", "regression", 1, 1, (MIN_COUNT, MAX_COUNT),
              (0.0, 1.0), "the target gets normal noise of standard deviation 0.3 × noise",
              100, 0.2),
)}


def _whole(value, what, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{what} must be a whole number from {lo:,} to {hi:,}, not {value!r}")
    return int(value)


def _ratio(value, what, lo, hi):
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if not ok or not (lo <= float(value) <= hi):  # NaN fails the comparison too
        raise ValueError(f"{what} must be a number from {lo:g} to {hi:g}, not {value!r}")
    return float(value)


def check_settings(name, count, noise, seed):
    """(name, count, noise, seed) checked; ``ValueError`` with one line naming the setting."""
    if not isinstance(name, str) or name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(GENERATORS)}")
    g = GENERATORS[name]
    count = _whole(count, "count", *g.count_range)
    noise = _ratio(noise, "noise", *g.noise_range)
    seed = _whole(seed, "seed", 0, MAX_SEED)
    return name, count, noise, seed


def _sin(a):
    return np.fromiter(map(math.sin, a.tolist()), np.float64, len(a))


def _cos(a):
    return np.fromiter(map(math.cos, a.tolist()), np.float64, len(a))


def _labels(count):
    """count // 2 ones and the rest zeros: label 1 first, then 0 (the order is shuffled later)."""
    n1 = count // 2
    return np.concatenate([np.ones(n1), np.zeros(count - n1)])


def _xor(rng, count, noise):
    labels = _labels(count)
    # label 1: quadrants (+, +) and (−, −); label 0: (+, −) and (−, +), alternating within each
    alternate = np.concatenate([np.arange(count // 2) % 2, np.arange(count - count // 2) % 2])
    s1 = np.where(alternate == 0, 1.0, -1.0)
    s2 = np.where(labels == 1, s1, -s1)
    a = rng.uniform(0.5, 4.5, (count, 2))
    X = a * np.stack([s1, s2], axis=1)
    X += rng.uniform(-1.5, 1.5, (count, 2)) * noise
    return X, labels


def _circle(rng, count, noise):
    labels = _labels(count)
    inside = labels == 1
    u = rng.uniform(0.0, 1.0, count)
    r = np.where(inside, 2.5 * np.sqrt(u), np.sqrt(3.5**2 + u * (5.0**2 - 3.5**2)))
    angle = rng.uniform(0.0, 2 * math.pi, count)
    X = np.stack([r * _cos(angle), r * _sin(angle)], axis=1)
    X += rng.uniform(-1.0, 1.0, (count, 2)) * noise
    return X, labels


def _gaussians(rng, count, noise):
    labels = _labels(count)
    centre = np.where(labels == 1, 2.0, -2.0)[:, None]
    X = centre + rng.normal(0.0, 0.5 + noise, (count, 2))
    return np.clip(X, -EXTENT, EXTENT), labels


def _spiral(rng, count, noise):
    labels = _labels(count)
    n1 = count // 2
    # t spread evenly along each arm: one uniform draw inside each of its equal parts
    t = np.concatenate([(np.arange(n) + rng.uniform(0.0, 1.0, n)) / n
                        for n in (n1, count - n1)])
    r = 5.0 * t
    angle = 3.5 * math.pi * t + np.where(labels == 1, 0.0, math.pi)
    X = np.stack([r * _sin(angle), r * _cos(angle)], axis=1)
    X += rng.uniform(-0.5, 0.5, (count, 2)) * noise
    return X, labels


def _curve(rng, count, noise):
    x = -3.0 + 6.0 * (np.arange(count) + rng.uniform(0.0, 1.0, count)) / count
    y = _sin(1.5 * x) + rng.normal(0.0, 1.0, count) * (0.3 * noise)
    return x[:, None], y


_MAKERS = {"xor": _xor, "circle": _circle, "gaussians": _gaussians, "spiral": _spiral,
           "curve": _curve}


def generate(name, count, noise, seed):
    """(X, T): ``count`` samples of the data set ``name`` (see the module docstring), float64,
    X of shape (count, n_inputs) and T (count, 1), in a random order; a pure function of its
    arguments. ``ValueError`` naming the setting for a name, count, noise or seed out of bounds."""
    name, count, noise, seed = check_settings(name, count, noise, seed)
    rng = np.random.default_rng(seed)
    X, y = _MAKERS[name](rng, count, noise)
    order = rng.permutation(count)
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order].reshape(count, 1)


# -- input features ------------------------------------------------------------------------------
#: key (what files store) → the input's name, in the order the columns are appended
FEATURES: dict[str, str] = {"x1sq": "x1²", "x2sq": "x2²", "x1x2": "x1·x2", "sinx1": "sin x1",
                            "sinx2": "sin x2"}
_READS = {"x1sq": 1, "x2sq": 2, "x1x2": 2, "sinx1": 1, "sinx2": 2}  # the raw inputs each needs


def check_features(keys, n_raw=2):
    """``keys`` as a tuple in ``FEATURES`` order; ``ValueError`` for an unknown or repeated key
    or one that needs x2 when there is only x1 (``n_raw`` raw inputs)."""
    if isinstance(keys, str):
        raise ValueError(f"features must be a list of keys, not the text {keys!r}")
    try:
        keys = list(keys)
    except TypeError:
        raise ValueError(f"features must be a list of keys, not {keys!r}") from None
    for key in keys:
        if not isinstance(key, str) or key not in FEATURES:
            raise ValueError(f"unknown feature {key!r}; choose from {', '.join(FEATURES)}")
        if keys.count(key) > 1:
            raise ValueError(f"feature {key} is listed twice")
        if _READS[key] > n_raw:
            raise ValueError(f"feature {key} ({FEATURES[key]}) needs input x{_READS[key]}, but "
                             f"there {'is' if n_raw == 1 else 'are'} {n_raw} raw input"
                             f"{'' if n_raw == 1 else 's'}")
    return tuple(k for k in FEATURES if k in keys)


def with_features(X, keys):
    """The raw inputs X (N, n_raw) with a column per feature appended, in ``FEATURES`` order:
    (N, n_raw + len(keys)), float64, a new array. x1² is x1 × x1, x1·x2 is x1 × x2 and sin is
    ``math.sin``, so the columns are the same bits on every machine."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"the raw inputs must be a (samples, inputs) array, not shape {X.shape}")
    keys = check_features(keys, X.shape[1])
    x1, x2 = X[:, 0], X[:, 1] if X.shape[1] > 1 else None
    columns = {"x1sq": lambda: x1 * x1, "x2sq": lambda: x2 * x2, "x1x2": lambda: x1 * x2,
               "sinx1": lambda: _sin(x1), "sinx2": lambda: _sin(x2)}
    return np.column_stack([X] + [columns[k]() for k in keys]) if keys else X.copy()


def feature_names(keys, n_raw=2):
    """The input neurons' names: x1, x2 (``n_raw`` of them), then the features' names in
    ``FEATURES`` order — ["x1", "x2", "x1²", "sin x1"]."""
    keys = check_features(keys, n_raw)
    return [f"x{i}" for i in range(1, n_raw + 1)] + [FEATURES[k] for k in keys]


# -- train/test split ------------------------------------------------------------------------------
def n_test(n, test_ratio):
    """How many of n samples ``split`` puts in the test set: n × test_ratio rounded (halves up),
    at most n − 1 (one sample always trains)."""
    return min(n - 1, math.floor(n * test_ratio + 0.5))


def split(n, test_ratio, seed):
    """(train_idx, test_idx): the sample indices 0 … n − 1 split at random, both sorted, int64.
    The test set has ``n_test(n, test_ratio)`` samples: the first ones of the permutation
    of n that NumPy's PCG64 seeded with ``seed`` makes, so the same (n, test_ratio, seed) gives
    the same split, and with more test_ratio the test set only grows. ``test_ratio`` is 0 to 0.9;
    ``ValueError`` naming the setting otherwise."""
    n = _whole(n, "the number of samples", 1, MAX_SAMPLES)
    test_ratio = _ratio(test_ratio, "test ratio", 0.0, MAX_TEST_RATIO)
    seed = _whole(seed, "split seed", 0, MAX_SEED)
    order = np.random.default_rng(seed).permutation(n)
    k = n_test(n, test_ratio)
    return np.sort(order[k:]).astype(np.int64), np.sort(order[:k]).astype(np.int64)
