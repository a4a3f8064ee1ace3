"""Phase stepping through the real window: N walks the next Step phase by phase, each phase marks
the right neurons and edges and is named on screen, and walking them all is exactly one Step."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import Network
from engine.lesson import load_preset
from gui.canvas.phase_mark import PHASE
from gui.canvas.texts import signed
from gui.style import fmt
from tests.gui.contract import assert_canvas_shows_one_state, fresh_pass
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
    assert c.walk is None
    assert_canvas_shows_one_state(view, c, window.loss_label.text())
    press_n(qtbot, window)  # starts again from the first phase, with the new η
    assert view.phase_marked()[0] == [3, 4]
    assert c.walk.record.lr == 0.1
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert view.phase_marked() == ([], []) and c.step_count == 1
    assert_canvas_shows_one_state(view, c, window.loss_label.text())


#: notes' 2-2-3, simultaneous: after each phase, the layers with y, whether Err and L are known,
#: the layers with δ (and gradients into them)
REVEALED = [({1}, False, set()), ({1, 2}, False, set()), ({1, 2}, True, set()),
            ({1, 2}, True, {2}), ({1, 2}, True, {1, 2})]


def test_each_phase_shows_on_the_canvas_exactly_what_it_has_computed(qtbot, window):
    c, view = window.controller, window.view
    rec, _, s = fresh_pass(c)  # the Step about to be walked, computed independently
    layer = {3: 1, 4: 1, 5: 2, 6: 2, 7: 2}
    for k, (forward, loss, deltas) in enumerate(REVEALED, start=1):
        press_n(qtbot, window)
        assert c.walk.number == (k, 6)
        for j, l in layer.items():
            y = fmt(rec.out(j, s)) if l in forward else "?"
            assert view.neurons[j].value_text() == y, (k, j)
            d = fmt(rec.delta(j, s)) if l in deltas else "?"
            assert view.neurons[j].note.text() == f"δ{j} = {d}", (k, j)
            assert view.labels[("b", j)].derivative_text() == (
                f"∂L/∂b = {fmt(rec.grad_bias(j)) if l in deltas else '?'}")
        for i, j in IN + OUT:
            label = view.labels[("w", i, j)]
            assert label.text() == f"w{i}{j} = {fmt(rec.params_before[c.param_index(('w', i, j))])}"
            g = fmt(rec.grad_weight(i, j)) if layer[j] in deltas else "?"
            assert label.derivative_text() == f"∂L/∂w = {g}", (k, i, j)
        for o in (5, 6, 7):
            err = fmt(rec.err(o, s)) if loss else "?"
            assert view.labels[("ob", 0, o)].derivative_text() == f"Err{o} = {err}"
        assert window.loss_label.text() == (f"L = {fmt(rec.loss, 6)}" if loss else "L = ?")
        # the math panel shows this phase, with the same numbers
        assert f"Phase {k} of 6" in window.teaching.math.text()
    press_n(qtbot, window)  # the update: the Step is taken
    assert c.step_count == 1 and c.walk.taken
    for i, j in IN + OUT:
        index = c.param_index(("w", i, j))
        old, new = rec.params_before[index], rec.params_after[index]
        assert new == c.network.weight(i, j)
        label = view.labels[("w", i, j)]
        assert label.text() == f"w{i}{j} = {fmt(new)}"
        assert label.derivative_text() == f"Δ = {signed(new - old, 3)}"
        assert view.connections[(i, j)].weight == new
    # the old forward and backward numbers do not belong to the new weights: not shown
    assert all(view.neurons[j].value_text() == "?" for j in layer)
    assert window.loss_label.text() == f"L = {fmt(fresh_pass(c)[0].loss, 6)}"
    assert "Step 1, just taken" in window.teaching.math.text()
    press_n(qtbot, window)  # the next walk starts from the new state
    rec2, _, s2 = fresh_pass(c)
    assert view.neurons[3].value_text() == fmt(rec2.out(3, s2))
    assert view.labels[("w", 3, 5)].derivative_text() == "∂L/∂w = ?"


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
