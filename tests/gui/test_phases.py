"""Phase stepping through the real window: N walks the next Step phase by phase, each phase marks
the right neurons and edges and is named on screen, and walking them all is exactly one Step."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import Network
from engine.lesson import load_preset
from gui.canvas.phase_mark import PHASE
from tests.gui.test_math_panel import chains, ends

IN = [(1, 3), (1, 4), (2, 3), (2, 4)]
OUT = [(3, 5), (3, 6), (3, 7), (4, 5), (4, 6), (4, 7)]

#: the notes' 2-2-3 net, simultaneous updates: (name, marked neurons, marked edges)
SIMULTANEOUS = [
    ("Forward pass: layer 1 (y3, y4)", [3, 4], IN),
    ("Forward pass: output layer (y5, y6, y7)", [5, 6, 7], OUT),
    ("Loss L", [5, 6, 7], []),
    ("Output deltas (δ5, δ6, δ7)", [5, 6, 7], []),
    ("Hidden deltas: layer 1 (δ3, δ4)", [3, 4], OUT),
    ("Update: every weight and bias", [3, 4, 5, 6, 7], sorted(IN + OUT)),
]
OUTPUT_FIRST = [
    *SIMULTANEOUS[:4],
    ("Update: output layer (weights into it, biases)", [5, 6, 7], OUT),
    SIMULTANEOUS[4],
    ("Update: layer 1 (weights into it, biases)", [3, 4], IN),
]



def press_n(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_N)


def reference_step(preset="notes_linear", order="simultaneous"):
    lesson = load_preset(preset)
    lesson.network.update_order = order
    idx = Network.batch_indices(len(lesson.inputs), lesson.batch_size, 0)
    rec = lesson.network.step(lesson.inputs[idx], lesson.targets[idx], lesson.lr)
    return lesson.network.theta.copy(), rec


@pytest.mark.parametrize("order, expected", [("simultaneous", SIMULTANEOUS),
                                             ("output_first", OUTPUT_FIRST)])
def test_each_phase_marks_its_items_and_all_phases_are_one_step(qtbot, window, order, expected):
    c, view, panel = window.controller, window.view, window.teaching.math
    c.edit(("order",), order)
    before = window.network.theta.copy()
    for k, (name, neurons, edges) in enumerate(expected, start=1):
        press_n(qtbot, window)
        assert view.phase_marked() == (neurons, edges), name
        assert panel.phase_label.isVisible()
        assert panel.phase_label.text() == f"Phase {k} of {len(expected)}: {name}"
        assert f"Phase {k} of {len(expected)}: {name}" in window.message_label.text()
        if k < len(expected):  # nothing changes until the last phase
            np.testing.assert_array_equal(window.network.theta, before)
            assert c.step_count == 0
    theta, rec = reference_step(order=order)
    np.testing.assert_array_equal(window.network.theta, theta)  # bitwise: one Step
    assert c.step_count == 1 and c.history.n_steps == 1
    assert c.history.latest()[0] == rec.loss
    assert "the Step is taken" in window.message_label.text()
    # one Step to undo, and the walk is over
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(window.network.theta, before)
    assert view.phase_marked() == ([], [])
    assert not panel.phase_label.isVisible()


def test_marks_are_drawn_in_the_phase_colour(qtbot, window):
    press_n(qtbot, window)
    image = window.view.grab().toImage()
    item = window.view.neurons[3]
    ring = item.scene_circle_rect().adjusted(-6.5, 0, 0, 0)  # just outside the circle's left
    p = window.view.mapFromScene(ring.left(), ring.center().y())
    colour = image.pixelColor(p * image.devicePixelRatio())
    assert abs(colour.green() - PHASE.green()) < 40 and colour.red() < 80


def test_the_panel_shows_the_phase_equations_with_the_steps_numbers(qtbot, window):
    _, rec = reference_step()
    for _ in range(3):
        press_n(qtbot, window)
    lines = chains(window.teaching.math.browser.toPlainText())
    assert ends(lines, "L", f"{rec.loss:.3f}")
    for k in (5, 6, 7):
        assert ends(lines, f"Err{k}", f"{rec.err(k):.3f}")
    press_n(qtbot, window)
    press_n(qtbot, window)
    lines = chains(window.teaching.math.browser.toPlainText())
    assert ends(lines, "δ3", f"{rec.delta(3):.3f}")
    assert "Numbers of the next Step (step 1)" in window.teaching.math.text()


def test_an_edit_or_a_step_ends_the_walk(qtbot, window):
    c, view = window.controller, window.view
    press_n(qtbot, window)
    press_n(qtbot, window)
    assert view.phase_marked()[0] == [5, 6, 7]
    c.edit(("lr",), 0.1)
    assert view.phase_marked() == ([], [])
    assert window.teaching.stepper.phase is None
    press_n(qtbot, window)  # starts again from the first phase, with the new η
    assert view.phase_marked()[0] == [3, 4]
    assert window.teaching.stepper.record.lr == 0.1
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert view.phase_marked() == ([], []) and c.step_count == 1


def test_ctrl_space_also_steps_a_phase_and_batches_use_the_steps_batch(qtbot, window):
    window.preset_actions["xor"].trigger()
    c = window.controller
    c.edit(("batch",), 2)
    c.step()  # step 1 used samples 1-2; the walk is step 2, samples 3-4
    for _ in range(6):  # XOR is 2-2-1: two forward layers, loss, two δ layers, update
        qtbot.keyClick(window.view, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    lesson = load_preset("xor")
    lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, 2, batch_size=2)
    np.testing.assert_array_equal(window.network.theta, lesson.network.theta)
    assert c.step_count == 2
