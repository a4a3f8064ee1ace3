"""Comparison runs in the window: Compare… (Ctrl+Shift+C) and its dialog, lockstep with Step and
Train N (checked against networks changed and stepped by hand, bit for bit), Undo/Redo, promote
and remove, Compare while training and after Undo, save → reopen, the plots and the canvas, and
the compared loss export."""
from __future__ import annotations

import csv

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit

from engine import Network, variants
from engine.lesson import load_preset
from gui import file_actions
from gui.compare import CompareDialog
from gui.style import fmt
from gui.training import SPEEDS
from tests.engine.test_variants import by_hand
from tests.gui.test_controller import answer_train_n

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def xor_window(window):
    window.load_preset("xor")
    window.controller.set_speed(len(SPEEDS) - 1)  # Train N at full speed
    return window.controller


def compare(qtbot, window, lr=None, init=None, seed=None, order=None, acts=None, batch=None):
    """Compare… by its shortcut, fields typed or chosen, Add Run clicked; the dialog."""
    qtbot.keyClick(window, Qt.Key.Key_C, CTRL | SHIFT)
    dialog = window.findChild(CompareDialog, "compareDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    for name, text in (("compareInit", init), ("compareOrder", order)):
        if text is not None:
            dialog.findChild(QComboBox, name).setCurrentText(text)
    for name, text in (("compareLr", lr), ("compareSeed", seed), ("compareBatch", batch)):
        if text is not None:
            field = dialog.findChild(QLineEdit, name)
            assert field.isEnabled(), name
            field.selectAll()
            qtbot.keyClicks(field, text)
    for layer, text in enumerate(acts or (), start=1):
        if text is not None:
            dialog.findChild(QComboBox, f"compareActivation{layer}").setCurrentText(text)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def train_n(qtbot, window, n):
    c = window.controller
    window.findChild(QAction, "actionTrainN").trigger()
    answer_train_n(qtbot, window, n)
    qtbot.waitUntil(lambda: not c.training, timeout=10000)


def assert_runs_are_separately_trained(window, steps, start_lesson=None):
    lesson = start_lesson or load_preset("xor")
    for run in window.comparison.runs:
        assert run.step_count == steps == window.controller.step_count
        ref = by_hand(lesson, run.change, steps)
        np.testing.assert_array_equal(run.network.theta, ref.theta, err_msg=run.name)


def test_each_kind_of_change_trains_in_lockstep_bit_for_bit(qtbot, window):
    c = xor_window(window)
    dialog = compare(qtbot, window, lr="2.5")
    assert not dialog.isVisible()
    compare(qtbot, window, init="he", seed="5")
    compare(qtbot, window, order="output_first")
    runs = window.comparison.runs
    assert [r.name for r in runs] == ["η = 2.5", "seed 5 (he)", "output layer first"]
    assert [r.change for r in runs] == [{"lr": 2.5}, {"seed": 5, "init": "he"},
                                        {"update_order": "output_first"}]
    window.findChild(QAction, "actionStep").trigger()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert_runs_are_separately_trained(window, 2)
    train_n(qtbot, window, 37)
    assert_runs_are_separately_trained(window, 39)
    # the fourth run is refused: the action is off and saying so changes nothing
    assert not window.findChild(QAction, "actionCompare").isEnabled()
    assert not window.comparison.add_run({"lr": 0.1})
    assert "at most 4 runs" in window.message_label.text()
    assert len(runs) == 3
    # the loss plot: one curve per run, every step of its history, a legend naming it
    window.loss_plot.refresh()
    window.comparison.loss_overlay.update()
    for run, curve in zip(runs, window.comparison.loss_overlay.curves):
        x, y = curve.getOriginalDataset()
        assert len(x) == 39
        ref = [by_hand(load_preset("xor"), run.change, 0)]
        assert y[0] == ref[0].loss_value(c.inputs, c.targets)
    legend = [label.text for _, label in window.comparison.loss_overlay.legend.items]
    assert legend == ["main", "η = 2.5", "seed 5 (he)", "output layer first"]


def test_activation_and_batch_size_runs_follow_step_and_train_n(qtbot, window):
    xor_window(window)
    compare(qtbot, window, acts=["sigmoid", None])
    compare(qtbot, window, batch="1")
    compare(qtbot, window, lr="0.3", batch="3", order="output_first")
    assert [r.name for r in window.comparison.runs] == [
        "layer 1: sigmoid", "batch 1", "η = 0.3, output layer first, batch 3"]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    train_n(qtbot, window, 21)
    assert_runs_are_separately_trained(window, 22)


def test_bad_settings_are_named_in_the_dialog_and_add_nothing(qtbot, window):
    c = xor_window(window)
    count = c.undo_stack.count()
    dialog = compare(qtbot, window, lr="abc")
    assert dialog.isVisible() and dialog.error.text()
    dialog.findChild(QLineEdit, "compareLr").setText(str(c.lr))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "change at least one setting" in dialog.error.text()
    dialog.findChild(QLineEdit, "compareBatch").setText("9")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "from 1 to 4" in dialog.error.text()
    dialog.reject()
    assert window.comparison.runs == [] and c.undo_stack.count() == count


def test_undo_redo_promote_and_remove(qtbot, window):
    c = xor_window(window)
    cmp = window.comparison
    compare(qtbot, window, lr="3")
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    run = cmp.runs[0]
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert_runs_are_separately_trained(window, 3)
    assert run.history.n_steps == 3
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert_runs_are_separately_trained(window, 4)
    # the canvas shows the run, then the difference main − run
    key = ("w", 3, 5)
    cmp.selector.activated.emit(1)
    assert window.view.labels[key].text() == f"w35 = {fmt(run.network.weight(3, 5))}"
    assert cmp.caption.isVisible() and cmp.caption.text() == "Run “η = 3.0” (read-only)"
    y5 = run.network.forward(c.inputs[c.sample])[0]
    assert window.view.neurons[5].value_text() == fmt(y5)
    cmp.selector.activated.emit(2)
    diff = c.network.weight(3, 5) - run.network.weight(3, 5)
    assert abs(diff) > 0.01
    assert window.view.labels[key].text() == f"Δw35 = {fmt(diff)}"
    assert window.view.labels[key].derivative_text() is None  # no backward pass for a Δ
    assert window.view.neurons[5].value_text() == fmt(c.network.forward(c.inputs[0])[0] - y5)
    edge = window.view.connections[(3, 5)]
    window.view.update_tooltip(edge)
    assert edge.toolTip() == ("Δw35 = w35 (main) − w35 (η = 3.0)\n"
                              f"= {fmt(c.network.weight(3, 5))} − "
                              f"{fmt(run.network.weight(3, 5))} = {fmt(diff)}")
    assert not window.view.controller.edit(key, "1")  # edits are the main's
    assert "choose the main run" in window.message_label.text()
    cmp.selector.activated.emit(0)
    assert not cmp.caption.isVisible()
    assert window.view.labels[key].text() == f"w35 = {fmt(c.network.weight(3, 5))}"
    assert window.view.labels[key].derivative_text() is not None
    cmp.selector.activated.emit(1)
    # promote: the run becomes the lesson, in one undo command
    before = (c.network.theta.copy(), c.lr, c.undo_stack.index())
    window.findChild(QAction, "actionPromoteRun").trigger()
    np.testing.assert_array_equal(c.network.theta, run.network.theta)
    assert c.lr == 3.0 and cmp.runs == [] and c.undo_stack.index() == before[2] + 1
    assert window.view.controller is c
    qtbot.keyClick(window, Qt.Key.Key_Space)
    np.testing.assert_array_equal(c.network.theta, by_hand(load_preset("xor"), {"lr": 3.0},
                                                           5).theta)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    np.testing.assert_array_equal(c.network.theta, before[0])
    assert c.lr == before[1] and cmp.runs == [run]
    assert_runs_are_separately_trained(window, 4)
    # remove, and undo it
    cmp.selector.activated.emit(1)
    qtbot.keyClick(window, Qt.Key.Key_X, CTRL | SHIFT)
    assert cmp.runs == [] and not cmp.selector.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert cmp.runs == [run]
    assert_runs_are_separately_trained(window, 4)


def test_compare_during_training_and_after_undo(qtbot, window):
    c = xor_window(window)
    c.set_speed(3)  # 30 steps/s: the run stays open
    window.findChild(QAction, "actionTrain").trigger()
    qtbot.waitUntil(lambda: c.step_count >= 2, timeout=3000)
    assert window.comparison.add_run({"lr": 2.0})
    assert c.training  # training goes on, with the run beside it
    run = window.comparison.runs[0]
    k = run.step_count
    qtbot.waitUntil(lambda: c.step_count >= k + 3, timeout=3000)
    c.pause()
    assert run.step_count == c.step_count
    # the run began at step k from the main's parameters there: train those by hand
    steps = c.step_count
    main_at_k = c.history.last[k - 1, 1:]
    ref = load_preset("xor")
    ref.network.set_params(main_at_k)
    net = ref.network
    for s in range(k, steps):
        idx = Network.batch_indices(len(c.inputs), None, s)
        net.step(c.inputs[idx], c.targets[idx], 2.0)
    np.testing.assert_array_equal(run.network.theta, net.theta)
    # Undo takes back the training after Compare, then Compare itself
    c.undo()
    assert run.step_count == c.step_count == k and window.comparison.runs == [run]
    c.undo()
    assert window.comparison.runs == []
    # Compare after Undo: the run starts from the state Undo went back to
    c.undo()
    start, theta = c.step_count, c.network.theta.copy()
    assert start < k
    assert window.comparison.add_run({"update_order": "output_first"})
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    run = window.comparison.runs[0]
    ref = load_preset("xor").network
    ref.set_params(theta)
    ref.update_order = "output_first"
    for s in (start, start + 1):
        idx = Network.batch_indices(len(c.inputs), None, s)
        ref.step(c.inputs[idx], c.targets[idx], c.lr)
    assert run.step_count == c.step_count == start + 2
    np.testing.assert_array_equal(run.network.theta, ref.theta)


def test_save_and_reopen_keeps_the_runs(qtbot, window, tmp_path, monkeypatch):
    c = xor_window(window)
    monkeypatch.setattr(file_actions, "ask_overwrite_changed", lambda *a: True)
    window.comparison.add_run({"lr": 2.0})
    window.comparison.add_run({"activations": ["relu", None]})
    train_n(qtbot, window, 12)
    thetas = [r.network.theta.copy() for r in window.comparison.runs]
    saved_losses = [r.history.last[:12, 0].copy() for r in window.comparison.runs]
    path = str(tmp_path / "two-runs.json")
    assert window.files.save_as(path)
    assert c.undo_stack.isClean()
    window.load_preset("notes_linear")
    assert window.comparison.runs == [] and not window.comparison.selector.isEnabled()
    assert window.files.open_file(path)
    runs = window.comparison.runs
    assert [r.name for r in runs] == ["η = 2.0", "layer 1: relu"]
    for run, theta in zip(runs, thetas):
        np.testing.assert_array_equal(run.network.theta, theta)
        assert run.step_count == 12
    assert [label.text for _, label in window.comparison.loss_overlay.legend.items] == [
        "main", "η = 2.0", "layer 1: relu"]
    window.comparison.loss_overlay.update()  # the runs' loss curves came back with them
    for run, curve, losses in zip(runs, window.comparison.loss_overlay.curves, saved_losses):
        np.testing.assert_array_equal(curve.getOriginalDataset()[1], losses)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert_runs_are_separately_trained(window, 13)
    # an older file without runs opens as before: no runs, nothing to choose on the canvas
    assert window.files.open_file("tests/engine/files/v1_saved.json")
    assert window.comparison.runs == [] and not window.comparison.selector.isEnabled()


def test_compared_loss_export_has_one_column_per_run(qtbot, window, tmp_path):
    c = xor_window(window)
    window.comparison.add_run({"lr": 2.0})
    window.comparison.add_run({"batch_size": 1})
    train_n(qtbot, window, 6)
    path = tmp_path / "loss.csv"
    assert window.comparison.export("csv", str(path))
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["step", "L (main)", "L (η = 2.0)", "L (batch 1)"]
    assert [int(r[0]) for r in rows[1:]] == [1, 2, 3, 4, 5, 6]
    for column, change in enumerate(({}, {"lr": 2.0}, {"batch_size": 1}), start=1):
        lesson = load_preset("xor")
        net, losses = lesson.network, []
        for s in range(6):
            idx = Network.batch_indices(4, change.get("batch_size"), s)
            losses.append(net.step(c.inputs[idx], c.targets[idx], change.get("lr", 1.0)).loss)
        assert [float(r[column]) for r in rows[1:]] == losses
    for kind in ("png", "svg"):
        out = tmp_path / f"loss.{kind}"
        assert window.comparison.export(kind, str(out))
        assert out.stat().st_size > 1000
    assert out.read_bytes().lstrip().startswith(b"<?xml") and b"2.0" in out.read_bytes()


def test_a_new_shape_remakes_the_runs_or_removes_one_that_no_longer_fits(qtbot, window):
    c = xor_window(window)
    cmp = window.comparison
    cmp.add_run({"lr": 2.0})
    cmp.add_run({"activations": ["relu", None]})
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    kept, dropped = cmp.runs
    theta = dropped.network.theta.copy()
    cmp.selector.activated.emit(2)  # the canvas shows the relu run while the shape changes
    assert c.add_neuron(1)  # 2-3-1: the η run is made again from it; the other still fits
    assert cmp.runs == [kept, dropped]
    np.testing.assert_array_equal(kept.network.theta, c.network.theta)
    assert list(dropped.network.activations) == ["relu", "sigmoid"]
    assert sorted(window.view.neurons) == [1, 2, 3, 4, 5, 6]
    assert window.view.labels[("w", 5, 6)].text() == f"w56 = {fmt(dropped.network.weight(5, 6))}"
    assert window.view.controller.run is dropped
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert sorted(window.view.neurons) == [1, 2, 3, 4, 5]
    assert window.view.labels[("w", 4, 5)].text() == f"w45 = {fmt(dropped.network.weight(4, 5))}"
    assert c.add_layer(2, 2, "tanh")  # three layers: a list of two activations cannot say which
    assert cmp.runs == [kept]
    assert "removed" in window.message_label.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert cmp.runs == [kept, dropped] and dropped.step_count == 3
    np.testing.assert_array_equal(dropped.network.theta, theta)


def _runs_state(cmp):
    return [(r.name, r.step_count, r.stopped, r.network.theta.tobytes(),
             r.history.n_steps, r.history.latest().tobytes() if r.history.n_steps else b"")
            for r in cmp.runs]


def test_a_random_user_keeps_the_runs_in_step_and_undo_exact(window):
    """Steps, runs, Undo, Redo, edits, Reset, Randomize, Compare and Remove in a seeded random
    order: every run is always at the lesson's step, and undoing everything then redoing it
    gives back the very same runs."""
    import random
    c = xor_window(window)
    cmp = window.comparison
    rng = random.Random(11)
    changes = [{"lr": 2.0}, {"seed": 4, "init": "uniform"}, {"update_order": "output_first"},
               {"activations": ["relu", None]}, {"batch_size": 1}, {"lr": 0.2, "batch_size": 3}]
    actions = [
        lambda: c.step(), lambda: c.run_steps(rng.randint(1, 40)), lambda: c.undo(),
        lambda: c.undo(), lambda: c.redo(), lambda: c.edit(("lr",), rng.choice(("0.5", "3"))),
        lambda: c.edit(("batch",), rng.choice(("1", "2", "all"))), lambda: c.reset(),
        lambda: c.randomize(), lambda: c.set_shuffle(rng.choice((None, 5))),
        lambda: cmp.add_run(rng.choice(changes)),
        lambda: cmp.runs and cmp.remove_run(rng.choice(cmp.runs)),
    ]
    seen_runs = 0
    for _ in range(150):
        rng.choice(actions)()
        seen_runs = max(seen_runs, len(cmp.runs))
        for r in cmp.runs:
            assert r.step_count == c.step_count or r.stopped, r.name
            assert r.history.start + r.history.n_steps == r.step_count
    assert seen_runs == 3
    end = (c.network.theta.tobytes(), _runs_state(cmp))
    n = c.undo_stack.index()
    while c.undo_stack.canUndo():
        c.undo()
    assert cmp.runs == []
    for _ in range(n):
        c.redo()
    assert (c.network.theta.tobytes(), _runs_state(cmp)) == end


def test_the_command_lines_steps_take_the_runs_along_chunk_by_chunk(window):
    c = xor_window(window)
    cmp = window.comparison
    cmp.add_run({"lr": 0.5, "batch_size": 2})
    seen = []
    c.run_steps(23_000, progress=lambda done, n: seen.append(cmp.runs[0].step_count))
    assert seen == [10_000, 20_000, 23_000]  # the run follows every chunk, not only the end
    lesson = load_preset("xor")
    ref = variants.train_separately(lesson.network, {"lr": 0.5, "batch_size": 2},
                                    lesson.inputs, lesson.targets, lesson.lr, None, 23_000)
    np.testing.assert_array_equal(cmp.runs[0].network.theta, ref.theta)


def test_the_timeline_shows_and_resumes_every_run_at_its_own_past_step(qtbot, window):
    """Runs live on the lesson's timeline: at a past step k each run shows its own state after
    k steps (not the lesson's with the change); Step there discards the later steps of every
    run too, so each run goes on from its own step k; Undo brings all of it back exactly."""
    c = xor_window(window)
    compare(qtbot, window, lr="2.5")
    compare(qtbot, window, order="output_first")
    train_n(qtbot, window, 30)
    assert_runs_are_separately_trained(window, 30)
    latest = [r.network.theta.copy() for r in window.comparison.runs]
    window.comparison._selected(1)  # the canvas shows the first run
    for _ in range(10):  # back ten steps with Shift+← on the canvas
        qtbot.keyClick(window.view, Qt.Key.Key_Left, SHIFT)
    assert c.viewing == 20
    lesson = load_preset("xor")
    for run in window.comparison.runs:
        np.testing.assert_array_equal(run.network.theta, by_hand(lesson, run.change, 20).theta)
    shown = window.comparison.source.run
    w35 = window.view.labels[("w", 3, 5)].text()
    i35 = shown.network.layout.weight_index(3, 5)
    assert w35 == f"w35 = {fmt(shown.network.theta[i35])}"  # the canvas shows the run at 20
    qtbot.keyClick(window.view, Qt.Key.Key_End)  # the latest step: the runs' latest state
    assert c.viewing is None
    for run, theta in zip(window.comparison.runs, latest):
        np.testing.assert_array_equal(run.network.theta, theta)
    c.show_step(20)
    window.findChild(QAction, "actionStep").trigger()  # off-screen: the later steps go
    assert c.step_count == 21
    assert_runs_are_separately_trained(window, 21)
    assert all(r.history.n_steps == 21 for r in window.comparison.runs)
    window.findChild(QAction, "actionUndo").trigger()  # the Step
    window.findChild(QAction, "actionUndo").trigger()  # Resume from step 20
    assert c.step_count == 30
    for run, theta in zip(window.comparison.runs, latest):
        np.testing.assert_array_equal(run.network.theta, theta)
    train_n(qtbot, window, 5)
    assert_runs_are_separately_trained(window, 35)
