"""Changing the network's shape in the window — the Architecture dialog (Ctrl+Alt+A) and the
canvas's context menu on a neuron: each change is one undo command, surviving weights keep their
values, the canvas and plots rebuild, limits are shown rather than silent."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QPushButton, QSpinBox

from engine import architecture as arch
from tests.gui.contract import (assert_canvas_shows_one_state, assert_training_consistent,
                                assert_undo_redo_is_identity)
from tests.gui.test_math_panel import context_menu_action

CTRL, ALT, SHIFT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier,
                    Qt.KeyboardModifier.ShiftModifier)


def open_dialog(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL | ALT)
    dialog = window.findChild(QDialog, "architectureDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def weights(net):
    return {(p.i, p.j): net.theta[p.index] for p in net.parameters() if p.kind == "w"}


def test_a_wider_hidden_layer_keeps_every_weight_and_undoes_exactly(qtbot, window):
    c = window.controller
    before = window.network.theta.copy()
    old = weights(window.network)
    dialog = open_dialog(qtbot, window)
    dialog.findChild(QSpinBox, "layerSize1").setValue(3)
    net = window.network
    assert net.sizes == (2, 3, 3)
    # w13, w14, w23, w24 keep their values; y5 … y7 became y6 … y8, their weights kept too
    assert net.weight(1, 3) == old[(1, 3)] and net.weight(2, 4) == old[(2, 4)]
    assert net.weight(3, 6) == old[(3, 5)] and net.weight(4, 8) == old[(4, 7)]
    assert sorted(window.view.neurons) == list(range(1, 9))
    assert len(window.weight_plot.curves) == net.n_params
    assert_canvas_shows_one_state(window.view, c, window.loss_label.text())
    assert c.undo_stack.undoText() == "Hidden layer 1: 3 neurons"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.network.sizes == (2, 2, 3)
    np.testing.assert_array_equal(window.network.theta, before)
    assert dialog.findChild(QSpinBox, "layerSize1").value() == 2  # the dialog follows
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert window.network.sizes == (2, 3, 3)
    assert_canvas_shows_one_state(window.view, c, window.loss_label.text())


def test_layers_activations_and_loss_from_the_dialog(qtbot, window):
    c = window.controller
    dialog = open_dialog(qtbot, window)
    dialog.findChild(QPushButton, "addLayerButton").click()
    assert window.network.sizes == (2, 2, 2, 3)
    assert window.network.activations == ("relu", "relu", "linear")
    combo = dialog.findChild(QComboBox, "layerActivation2")
    combo.activated.emit(combo.findText("tanh"))
    assert window.network.activations == ("relu", "tanh", "linear")
    # cross-entropy needs outputs in (0, 1): refused, said, nothing changed
    loss = dialog.findChild(QComboBox, "lossCombo")
    count = c.undo_stack.count()
    loss.activated.emit(loss.findText("cross_entropy"))
    assert window.network.loss == "half_sse" and c.undo_stack.count() == count
    assert window.message_label.text().startswith("Not changed")
    assert loss.currentText() == "half_sse"
    out = dialog.findChild(QComboBox, "layerActivation3")
    out.activated.emit(out.findText("sigmoid"))
    loss = dialog.findChild(QComboBox, "lossCombo")
    loss.activated.emit(loss.findText("cross_entropy"))
    assert window.network.loss == "cross_entropy"
    dialog.findChild(QPushButton, "removeLayer2").click()
    assert window.network.sizes == (2, 2, 3)
    assert_undo_redo_is_identity(c)


def test_the_context_menu_grows_and_shrinks_a_layer(qtbot, window):
    view = window.view
    context_menu_action(qtbot, view, view.neurons[4], "contextAddNeuron")
    assert window.network.sizes == (2, 3, 3)
    view = window.view
    context_menu_action(qtbot, view, view.neurons[3], "contextRemoveNeuron")
    assert window.network.sizes == (2, 2, 3)
    context_menu_action(qtbot, window.view, window.view.neurons[3], "contextAddLayer")
    assert window.network.sizes == (2, 2, 2, 3)
    context_menu_action(qtbot, window.view, window.view.neurons[5], "contextRemoveLayer")
    assert window.network.sizes == (2, 2, 3)


def test_limits_are_shown_not_silent(qtbot, window):
    dialog = open_dialog(qtbot, window)
    spin = dialog.findChild(QSpinBox, "layerSize1")
    assert spin.maximum() == arch.MAX_NEURONS
    add = dialog.findChild(QPushButton, "addLayerButton")
    for _ in range(arch.MAX_HIDDEN_LAYERS - 1):
        add.click()
    assert len(window.network.sizes) - 2 == arch.MAX_HIDDEN_LAYERS
    add = dialog.findChild(QPushButton, "addLayerButton")
    assert not add.isEnabled() and "Up to 6 hidden layers" in add.toolTip()
    count = window.controller.undo_stack.count()
    assert not window.controller.add_layer(1)  # any other way in is refused, and said
    assert window.controller.undo_stack.count() == count
    assert "at most 6 hidden layers" in window.message_label.text()


def test_zeros_initialisation_warns_and_randomize_uses_it(qtbot, window):
    dialog = open_dialog(qtbot, window)
    combo = dialog.findChild(QComboBox, "initCombo")
    combo.activated.emit(arch.INITS.index("zeros"))
    assert dialog.findChild(object, "initWarning").isVisible()
    assert "symmetry" in window.message_label.text()
    window.network.freeze_weight(3, 5)
    w35 = window.network.weight(3, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_R, CTRL | SHIFT)
    w = weights(window.network)
    assert w[(3, 5)] == w35 and all(v == 0 for k, v in w.items() if k != (3, 5))


def test_a_change_while_training_ends_the_run_first(qtbot, window):
    c = window.controller
    c.set_speed(6)
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: c.step_count > 20, timeout=5000)
    c.add_neuron(1)
    assert not c.training and window.network.sizes == (2, 3, 3)
    assert_training_consistent(c)
    assert c.undo_stack.text(c.undo_stack.count() - 2).startswith("Train")
    assert_undo_redo_is_identity(c)
