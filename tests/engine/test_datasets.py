"""Generated data sets, input features and the train/test split (engine.datasets)."""
import math

import numpy as np
import pytest

from engine import Network
from engine.datasets import (
    EXTENT, FEATURES, GENERATORS, MAX_SEED, check_features, feature_names, generate, n_test,
    split, with_features,
)

CLASSIFIERS = [name for name, g in GENERATORS.items() if g.kind == "classification"]


# -- generate ------------------------------------------------------------------------------------
def test_the_generators_are_the_five_of_the_issue():
    assert list(GENERATORS) == ["xor", "circle", "gaussians", "spiral", "curve"]
    for name, g in GENERATORS.items():
        assert g.name == name and g.n_outputs == 1
        assert g.count_range == (4, 2000) and g.noise_range == (0.0, 1.0)
        assert g.noise_means and g.title
        assert g.count_range[0] <= g.default_count <= g.count_range[1]
        assert g.noise_range[0] <= g.default_noise <= g.noise_range[1]
    assert GENERATORS["curve"].kind == "regression" and GENERATORS["curve"].n_inputs == 1
    assert all(GENERATORS[n].n_inputs == 2 for n in CLASSIFIERS)


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("count", [4, 5, 37, 2000])
@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
def test_shape_count_labels_and_extent(name, count, noise):
    g = GENERATORS[name]
    X, T = generate(name, count, noise, 7)
    assert X.dtype == T.dtype == np.float64
    assert X.shape == (count, g.n_inputs) and T.shape == (count, 1)
    assert X.flags.c_contiguous and T.flags.c_contiguous
    assert np.isfinite(X).all() and np.isfinite(T).all()
    if g.kind == "classification":
        assert set(np.unique(T)) <= {0.0, 1.0}
        assert (T == 1).sum() == count // 2 and (T == 0).sum() == count - count // 2
        assert np.abs(X).max() <= EXTENT
    else:
        assert X.min() >= -3.0 and X.max() <= 3.0


@pytest.mark.parametrize("name", list(GENERATORS))
def test_deterministic_by_seed(name):
    a = generate(name, 300, 0.3, 5)
    b = generate(name, 300, 0.3, 5)
    assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    c = generate(name, 300, 0.3, 6)
    assert c[0].tobytes() != a[0].tobytes()
    big = generate(name, 300, 0.3, MAX_SEED)
    assert big[0].shape == (300, GENERATORS[name].n_inputs)


def test_noise_zero_is_clean():
    X, T = generate("xor", 400, 0.0, 1)
    assert ((X[:, 0] * X[:, 1] > 0) == (T[:, 0] == 1)).all()      # label 1 where x1·x2 > 0
    assert (np.abs(X) >= 0.5).all() and (np.abs(X) <= 4.5).all()
    X, T = generate("circle", 400, 0.0, 1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r[T[:, 0] == 1] <= 2.5).all() and (r[T[:, 0] == 0] >= 3.5).all()
    assert (r <= 5.0 + 1e-12).all()
    X, T = generate("gaussians", 400, 0.0, 1)
    assert (X[T[:, 0] == 1].mean(axis=0) == pytest.approx([2.0, 2.0], abs=0.1))
    assert (X[T[:, 0] == 0].mean(axis=0) == pytest.approx([-2.0, -2.0], abs=0.1))
    X, T = generate("spiral", 400, 0.0, 1)
    r = np.hypot(X[:, 0], X[:, 1])
    angle = 3.5 * math.pi * r / 5.0 + np.where(T[:, 0] == 1, 0.0, math.pi)  # on its own arm
    np.testing.assert_allclose(X[:, 0], r * np.sin(angle), atol=1e-12)
    np.testing.assert_allclose(X[:, 1], r * np.cos(angle), atol=1e-12)
    X, T = generate("curve", 400, 0.0, 1)
    np.testing.assert_allclose(T[:, 0], np.sin(1.5 * X[:, 0]), atol=1e-15)


def test_noise_blurs_and_the_order_mixes_the_classes():
    clean, _ = generate("circle", 400, 0.0, 2)
    noisy, _ = generate("circle", 400, 1.0, 2)
    assert np.abs(noisy - clean).max() > 0.5
    assert np.abs(noisy - clean).max() <= 1.0 * (1 + 1e-12)
    _, T = generate("spiral", 400, 0.0, 2)
    first = T[:40, 0]
    assert 0 < first.sum() < 40  # not all of one class first
    _, y0 = generate("curve", 400, 0.0, 2)
    _, y1 = generate("curve", 400, 1.0, 2)
    assert 0.2 < np.std(y1 - y0) < 0.4  # standard deviation 0.3 × noise


@pytest.mark.parametrize("args,message", [
    (("moons", 10, 0.0, 0), r"^unknown data set 'moons'; choose one of xor, circle, gaussians, "
                            r"spiral, curve$"),
    ((None, 10, 0.0, 0), r"^unknown data set None"),
    (("xor", 3, 0.0, 0), r"^count must be a whole number from 4 to 2,000, not 3$"),
    (("xor", 2001, 0.0, 0), r"^count must be .* not 2001$"),
    (("xor", 10.0, 0.0, 0), r"^count must be a whole number"),
    (("xor", True, 0.0, 0), r"^count must be"),
    (("xor", 10, 1.5, 0), r"^noise must be a number from 0 to 1, not 1.5$"),
    (("xor", 10, -0.1, 0), r"^noise must be"),
    (("xor", 10, float("nan"), 0), r"^noise must be .* not nan$"),
    (("xor", 10, "0.5", 0), r"^noise must be"),
    (("xor", 10, 0.1, -1), r"^seed must be a whole number from 0 to .*, not -1$"),
    (("xor", 10, 0.1, 2**62 + 1), r"^seed must be"),
    (("xor", 10, 0.1, 1.0), r"^seed must be"),
])
def test_bad_settings_are_refused_in_one_line(args, message):
    with pytest.raises(ValueError, match=message) as info:
        generate(*args)
    assert "\n" not in str(info.value)


def test_the_generated_sets_can_be_learned():
    """A small net learns each classification set at noise 0 (circle with x1², x2²)."""
    for name, keys, hidden, steps in (("xor", ["x1x2"], 2, 600), ("circle", ["x1sq", "x2sq"], 2, 600),
                                      ("gaussians", [], 1, 300)):
        X, T = generate(name, 100, 0.0, 4)
        X = with_features(X, keys)
        net = Network([X.shape[1], hidden, 1], ["tanh", "sigmoid"], "cross_entropy", seed=1)
        net.train(X / 6.0, T, 0.5, steps)
        right = ((net.forward(X / 6.0) > 0.5) == (T == 1)).mean()
        assert right >= 0.95, (name, right)


# -- features --------------------------------------------------------------------------------------
def test_features_are_appended_in_features_order():
    assert list(FEATURES) == ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert list(FEATURES.values()) == ["x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
    X = np.array([[0.5, -2.0], [3.0, 0.25]])
    got = with_features(X, ["sinx2", "x1sq", "x1x2"])
    expected = np.array([[0.5, -2.0, 0.25, -1.0, math.sin(-2.0)],
                         [3.0, 0.25, 9.0, 0.75, math.sin(0.25)]])
    assert got.tobytes() == expected.tobytes()
    every = with_features(X, list(FEATURES)[::-1])
    assert every.shape == (2, 7)
    assert every[:, 2:].tobytes() == np.column_stack(
        [X[:, 0] ** 2, X[:, 1] ** 2, X[:, 0] * X[:, 1], np.array([math.sin(v) for v in X[:, 0]]),
         np.array([math.sin(v) for v in X[:, 1]])]).tobytes()
    none = with_features(X, [])
    assert none.tobytes() == X.tobytes() and none is not X
    assert with_features(X, ()).shape == (2, 2)


def test_feature_names_are_the_input_neurons_names():
    assert feature_names([]) == ["x1", "x2"]
    assert feature_names(["sinx1", "x1sq"]) == ["x1", "x2", "x1²", "sin x1"]
    assert feature_names(list(FEATURES)) == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin x1",
                                             "sin x2"]
    assert feature_names(["sinx1"], n_raw=1) == ["x1", "sin x1"]
    assert check_features(["x1x2", "x1sq"]) == ("x1sq", "x1x2")


def test_one_raw_input_takes_only_the_features_of_x1():
    X = np.array([[0.5], [-1.0]])
    assert with_features(X, ["x1sq", "sinx1"]).tolist() == [[0.5, 0.25, math.sin(0.5)],
                                                           [-1.0, 1.0, math.sin(-1.0)]]
    with pytest.raises(ValueError, match=r"^feature x1x2 \(x1·x2\) needs input x2, but there is "
                                         r"1 raw input$"):
        with_features(X, ["x1x2"])


@pytest.mark.parametrize("keys,message", [
    (["x3sq"], r"^unknown feature 'x3sq'; choose from x1sq, x2sq, x1x2, sinx1, sinx2$"),
    (["x1sq", "x1sq"], r"^feature x1sq is listed twice$"),
    ("x1sq", r"^features must be a list of keys, not the text 'x1sq'$"),
    ([1], r"^unknown feature 1"),
    (None, r"^features must be a list of keys, not None$"),
])
def test_bad_features_are_refused(keys, message):
    with pytest.raises(ValueError, match=message):
        with_features(np.zeros((2, 2)), keys)


# -- split -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 10, 101, 2000])
@pytest.mark.parametrize("ratio", [0.0, 0.1, 0.25, 0.5, 0.9])
def test_split_is_a_sorted_partition(n, ratio):
    train, test = split(n, ratio, 3)
    assert train.dtype == test.dtype == np.int64
    assert (np.diff(train) > 0).all() and (np.diff(test) > 0).all()
    assert sorted(train.tolist() + test.tolist()) == list(range(n))
    assert len(test) == n_test(n, ratio) == min(n - 1, math.floor(n * ratio + 0.5))
    assert len(train) >= 1


def test_split_is_deterministic_and_nested():
    a = split(100, 0.2, 4)
    b = split(100, 0.2, 4)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b))
    assert split(100, 0.2, 5)[1].tolist() != a[1].tolist()
    assert len(a[1]) == 20
    smaller = split(100, 0.1, 4)[1]
    assert set(smaller) <= set(a[1])  # more test_ratio only moves samples into the test set
    assert split(100, 0.0, 4)[1].size == 0
    assert n_test(3, 0.5) == 2 and n_test(4, 0.9) == 3 and n_test(1, 0.9) == 0
    assert n_test(100, 0.29) == 29  # 28.999999999999996 is 29, not 28


@pytest.mark.parametrize("args,message", [
    ((10, 0.95, 0), r"^test ratio must be a number from 0 to 0.9, not 0.95$"),
    ((10, -0.1, 0), r"^test ratio must be"),
    ((10, None, 0), r"^test ratio must be"),
    ((0, 0.2, 0), r"^the number of samples must be a whole number from 1 to"),
    ((10, 0.2, -3), r"^split seed must be a whole number from 0 to .*, not -3$"),
])
def test_bad_split_settings_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        split(*args)
