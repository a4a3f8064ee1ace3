"""engine.variants: a run's change applied to a lesson, against networks built and stepped by
hand; the lesson file's optional ``runs``."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine import Network
from engine import architecture as arch
from engine import variants
from engine.history import History
from engine.lesson import (LessonFileError, dumps_document, load_preset, read_document,
                           write_lesson)
from tests.engine.schema_check import errors, load_schema

CHANGES = [
    {"lr": 1.7},
    {"seed": 5, "init": "he"},
    {"update_order": "output_first"},
    {"activations": ["sigmoid", None]},
    {"batch_size": 1},
    {"lr": 0.25, "batch_size": 3, "update_order": "output_first"},
]


def by_hand(lesson, change, steps, shuffle_seed=None):
    """The change made without engine.variants, then one ``step()`` per step."""
    net = lesson.network.copy()
    if "activations" in change:
        acts = [a or m for a, m in zip(change["activations"], net.activations)]
        new = Network(net.sizes, acts, net.loss, update_order=net.update_order)
        new.set_params(net.get_params())
        net = new
    if "seed" in change:
        net.set_params(arch.init_weights(net.sizes, change["init"], change["seed"]))
    net.update_order = change.get("update_order", net.update_order)
    lr = change.get("lr", lesson.lr)
    b = change.get("batch_size", lesson.batch_size)
    X, T = lesson.inputs, lesson.targets
    for s in range(steps):
        idx = Network.batch_indices(len(X), b, s, shuffle_seed)
        net.step(X[idx], T[idx], lr)
    return net


def xor4():
    lesson = load_preset("xor")
    return lesson


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: variants.describe(c))
def test_a_run_trained_in_pieces_is_the_network_trained_by_hand(change):
    lesson = xor4()
    net = lesson.network
    checked = variants.check_change(change, net, len(lesson.inputs))
    assert checked == change
    run = variants.apply_change(net, checked)
    lr, b, order = variants.run_settings(checked, lesson.lr, lesson.batch_size,
                                         net.update_order, len(lesson.inputs))
    done = 0
    for k in (1, 6, 23):  # the way lockstep trains it: pieces as the main run takes them
        run.update_order = order
        run.train(lesson.inputs, lesson.targets, lr, k, b, start=done, shuffle_seed=7)
        done += k
    ref = by_hand(lesson, checked, done, shuffle_seed=7)
    np.testing.assert_array_equal(run.theta, ref.theta)
    assert list(run.activations) == list(ref.activations)
    whole = variants.train_separately(net, checked, lesson.inputs, lesson.targets, lesson.lr,
                                      lesson.batch_size, done, shuffle_seed=7)
    np.testing.assert_array_equal(whole.theta, ref.theta)
    # the main lesson is untouched, and the change did change something
    np.testing.assert_array_equal(net.theta, load_preset("xor").network.theta)
    assert not np.array_equal(ref.theta, by_hand(lesson, {}, done, shuffle_seed=7).theta)


def test_changes_are_checked_and_named():
    net = xor4().network
    assert variants.check_change({"lr": 1.0}, net, 4, lr=1.0) == {}  # the main's: no change
    assert variants.check_change({"batch_size": 4}, net, 4, batch_size=None) == {}
    assert variants.check_change({"update_order": net.update_order}, net, 4) == {}
    assert variants.check_change({"init": "zeros"}, net, 4, seed=3) == {"seed": 3,
                                                                       "init": "zeros"}
    for bad, words in (({"lr": 0}, "η must be"), ({"lr": float("nan")}, "η must be"),
                       ({"seed": -1}, "seed"), ({"init": "xavier"}, "initialisation"),
                       ({"update_order": "random"}, "update order"),
                       ({"activations": ["softmax", None]}, "softmax"),
                       ({"activations": ["tanh"]}, "2 layers"),
                       ({"batch_size": 5}, "from 1 to 4"), ({"momentum": 0.9}, "momentum")):
        with pytest.raises(ValueError, match=words):
            variants.check_change(bad, net, 4)
    assert variants.describe({"lr": 1.0}) == "η = 1.0"
    assert variants.describe({"seed": 7, "init": "he", "batch_size": 2}) == "seed 7 (he), batch 2"
    assert variants.describe({"activations": [None, "tanh"]}) == "layer 2: tanh"
    assert variants.describe({"update_order": "output_first"}) == "output layer first"


def _with_runs(tmp_path, runs, step_count=30):
    """A lesson file at ``step_count`` whose ``runs`` are ``runs`` (written as JSON by hand,
    since saving checks them)."""
    lesson = xor4()
    lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, step_count)
    path = tmp_path / "runs.json"
    write_lesson(str(path), lesson, step_count=step_count)
    d = json.loads(path.read_text())
    d["runs"] = runs
    path.write_text(json.dumps(d))
    return lesson, path


def test_runs_saved_in_a_lesson_file_come_back_bit_for_bit(tmp_path):
    base = xor4()
    runs = []
    for change in CHANGES[:3]:
        net = variants.train_separately(base.network, change, base.inputs, base.targets,
                                        base.lr, None, 30)
        runs.append(variants.run_to_json(variants.describe(change), change, net.theta, 30))
    lesson, path = _with_runs(tmp_path, runs)
    text = path.read_text()
    assert json.loads(text)["version"] == 1  # runs need no new version: older readers keep them
    assert errors(json.loads(text), load_schema()) == []
    bad = json.loads(text)
    bad["runs"][0]["change"]["momentum"] = 0.9
    assert errors(bad, load_schema())  # the schema knows the runs' fields too
    read, _, steps, _ = read_document(str(path))
    parsed = variants.check_runs(read.extra["runs"], read, steps)
    for (name, change, theta, n, stopped, history), original, want in zip(parsed, CHANGES, runs):
        assert (name, change, n, stopped, history) == (variants.describe(original), original, 30,
                                                       False, None)
        np.testing.assert_array_equal(theta, np.array(want["parameters"]))


def test_a_file_without_runs_reads_as_before():
    lesson, history, steps, _ = read_document("tests/engine/files/v1_saved.json")
    assert "runs" not in lesson.extra
    assert dumps_document(lesson, history, steps) == open(
        "tests/engine/files/v1_saved.json", "rb").read()


@pytest.mark.parametrize("runs, words", [
    ("all", "runs must be a list"),
    ([{"name": "x", "change": {"lr": -1}, "parameters": [0.0] * 9, "step_count": 0}],
     r"runs\[0\]\.change: η must be"),
    ([{"name": "x", "change": {"lr": 2.0}, "parameters": [0.0] * 3, "step_count": 0}],
     r"runs\[0\]\.parameters must list the network's 9"),
    ([{"name": "x", "change": {"lr": 2.0}, "parameters": [0.0] * 9, "step_count": 31}],
     r"runs\[0\]\.step_count must be a whole number from 0 to the lesson's 30"),
    ([{"name": "x", "change": {"lr": 2.0}, "parameters": [0.0] * 9, "colour": 1}],
     r"runs\[0\]\.colour is not a field"),
    ([{"change": {"lr": 2.0}, "parameters": [0.0] * 9}] * 4, "at most 3"),
])
def test_runs_that_cannot_be_read_refuse_the_file_with_the_field_named(tmp_path, runs, words):
    _, path = _with_runs(tmp_path, runs)
    with pytest.raises(LessonFileError, match=words):
        read_document(str(path))


def test_a_runs_loss_curve_is_kept_as_a_one_column_history(tmp_path):
    base = xor4()
    net = variants.apply_change(base.network, {"lr": 2.0})
    history = History(1 + net.n_params, capacity=8, start=10)
    params = np.empty((50, net.n_params))
    losses = net.train(base.inputs, base.targets, 2.0, 50, params_out=params, start=10)
    history.append(np.column_stack((losses, params)))
    assert history.stride > 1  # buckets merged: lo and hi are kept too
    d = variants.run_to_json("fast", {"lr": 2.0}, net.theta, 60, history=history)
    assert all(len(row) == 1 for row in d["loss_history"]["last"])
    _, path = _with_runs(tmp_path, [d], step_count=60)
    read, _, steps, _ = read_document(str(path))
    *_, back = variants.check_runs(read.extra["runs"], read, steps)[0]
    assert (back.start, back.n_steps, back.stride) == (10, 50, history.stride)
    for col in ("last", "lo", "hi"):
        np.testing.assert_array_equal(getattr(back, col)[:back.n_buckets, 0],
                                      getattr(history, col)[:history.n_buckets, 0])
        assert np.isnan(getattr(back, col)[:back.n_buckets, 1:]).all()
    d["loss_history"]["n_steps"] = 49
    _, path = _with_runs(tmp_path, [d], step_count=60)
    with pytest.raises(LessonFileError, match=r"runs\[0\]\.loss_history"):
        read_document(str(path))
