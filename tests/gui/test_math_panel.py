"""The math panel through the real window: select (click, context menu), read the screen, compare
with the engine's record; the update order switch; freezing from the canvas; exporting."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu, QSpinBox

from engine.lesson import load_preset
from gui.style import fmt
from tests.gui.canvas_helpers import at, free_point_on_edge
from tests.gui.contract import fresh_pass


def chains(text):
    """The panel's equations as one line each: "∂L/∂w13 = … = −0.093" (the panel shows one form
    per row of a table; rows start with = or ←)."""
    joined = re.sub(r"\n+(=|←)\n", r" \1 ", text)
    return [line for line in joined.splitlines() if " = " in line or " ← " in line]


def ends(lines, lhs, value):
    """Some equation for ``lhs`` ends at ``value`` (as shown)."""
    return any(re.match(rf"{re.escape(lhs)} [=←] ", line) and line.endswith(f"= {value}")
               for line in lines)


def context_menu_action(qtbot, view, item, name, point=None):
    """Right-click ``item`` on the canvas and choose the menu entry ``name`` (an objectName)."""
    pos = at(view, item, point)
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        action = next(a for a in menu.actions() if a.objectName() == name)
        chosen.append(action.text())
        menu.close()
        action.trigger()

    QTimer.singleShot(50, choose)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(lambda: bool(chosen), timeout=3000)
    return chosen[0]


def param_keys(network):
    return [("w", p.i, p.j) if p.kind == "w" else ("b", p.j) for p in network.parameters()]


def check_parameters(window, decimals):
    c, panel = window.controller, window.teaching.math
    rec, _, s = fresh_pass(c)  # the next Step at the parameters shown, computed here
    for key in param_keys(c.network):
        c.select(key)
        lines = chains(panel.browser.toPlainText())
        label = c.label(key)
        i = c.param_index(key)
        j = key[-1]
        assert ends(lines, f"∂L/∂{label}", fmt(rec.grad[i], decimals)), (label, lines)
        assert ends(lines, label, fmt(rec.params_after[i], decimals)), (label, lines)
        assert ends(lines, f"δ{j}", fmt(rec.delta(j, s), decimals)), label


def test_the_panel_shows_the_engine_numbers_for_every_parameter_and_neuron(qtbot, window):
    c, panel = window.controller, window.teaching.math
    assert window.docks["math"].isVisible() and panel.objectName() == "mathPanel"
    check_parameters(window, 3)
    spin = window.findChild(QSpinBox, "decimalsSpin")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "6")
    assert panel.decimals == 6
    check_parameters(window, 6)
    rec = c.record
    for j in range(3, 8):
        c.select(("n", j))
        lines = chains(panel.browser.toPlainText())
        assert ends(lines, f"net{j}", fmt(rec.net(j), 6))
        assert ends(lines, f"y{j}", fmt(rec.out(j), 6))
        assert ends(lines, f"δ{j}", fmt(rec.delta(j), 6))
    assert "Numbers of the next Step (step 1)" in panel.text()


def test_after_a_step_the_panel_shows_the_next_step_and_labels_the_one_just_taken(qtbot, window):
    c, panel = window.controller, window.teaching.math
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert c.step_count == 1 and c.last_step is not None
    assert "Numbers of the next Step (step 2) at the parameters shown" in panel.text()
    check_parameters(window, 3)  # the next Step's numbers, as on the canvas
    c.select(("w", 3, 5))
    text = panel.browser.toPlainText()
    assert "Step 1, just taken (numbers from before it):" in text
    lines = chains(text)
    now = fmt(c.network.weight(3, 5))
    assert lines[0].startswith("w35 ← w35 + η δ5 y3 = 0.400 + 0.500 × ")
    assert lines[0].endswith(f"= {now}")  # the Step just taken ends at the weight on screen
    c.edit(("lr",), "0.3")  # any other change: nothing is "just taken" any more
    assert "just taken" not in panel.browser.toPlainText()


def test_w13_reads_as_the_notes_with_numbers_then_result(window):
    window.controller.select(("w", 1, 3))
    lines = chains(window.teaching.math.browser.toPlainText())
    rec = window.controller.record
    d3 = fmt(rec.delta(3))
    # δ3 = 0.1556: at 3 decimals −0.156 × 0.600 = −0.0936 would not give the −0.093 shown,
    # so this line shows δ3 with one more decimal
    assert (f"∂L/∂w13 = ∂L/∂y3 · ∂y3/∂w13 = −[δ5 w35 + δ6 w36 + δ7 w37] · ReLU'(net3) · x1 "
            f"= −δ3 x1 = −0.1556 × 0.600 = {fmt(rec.grad_weight(1, 3))}") in lines
    assert fmt(rec.grad_weight(1, 3)) == "−0.093"
    new = fmt(rec.params_after[0])
    assert f"w13 ← w13 + η δ3 x1 = 0.150 + 0.500 × {d3} × 0.600 = {new}" in lines
    assert "Update order: simultaneous" in window.teaching.math.text()
    # legible on a projector
    assert window.teaching.math.browser.document().defaultFont().pointSizeF() >= 12


def test_clicking_an_edge_then_explain_from_its_context_menu(qtbot, window):
    view = window.view
    window.docks["lesson"].raise_()  # the math panel is behind the lesson
    edge = view.connections[(4, 6)]
    point = free_point_on_edge(view, edge)
    text = context_menu_action(qtbot, view, edge, "contextExplain", point)
    assert text.startswith("Explain")
    assert window.controller.selection == ("w", 4, 6)
    assert window.docks["math"].isVisible()
    lines = chains(window.teaching.math.browser.toPlainText())
    assert ends(lines, "∂L/∂w46", fmt(window.controller.record.grad_weight(4, 6)))


def test_freeze_from_the_context_menu_looks_frozen_and_never_moves(qtbot, window):
    view, c = window.view, window.controller
    text = context_menu_action(qtbot, view, view.labels[("w", 3, 5)], "contextFreeze")
    assert text == "Freeze w35 (never updated)"
    assert window.network.is_weight_frozen(3, 5)
    assert view.connections[(3, 5)].pen().style() == Qt.PenStyle.DashLine
    assert view.labels[("w", 3, 5)]._frozen
    c.select(("w", 3, 5))
    assert "w35 is frozen" in window.teaching.math.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.network.weight(3, 5) == 0.4
    # the same menu now unfreezes; Ctrl+L toggles the selected one
    assert context_menu_action(qtbot, view, view.labels[("w", 3, 5)],
                               "contextFreeze") == "Unfreeze w35"
    assert not window.network.is_weight_frozen(3, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.network.is_weight_frozen(3, 5)


def test_ctrl_u_switches_to_output_first_and_the_panel_says_so(qtbot, window):
    c = window.controller
    qtbot.keyClick(window.view, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert window.network.update_order == "output_first"
    assert window.teaching.actionUpdateOrder.isChecked()
    text = window.teaching.math.text()
    assert "Update order: output layer first" in text
    c.select(("w", 1, 3))
    lines = chains(window.teaching.math.browser.toPlainText())
    lesson = load_preset("notes_linear")
    lesson.network.update_order = "output_first"
    ref = lesson.network.step(lesson.inputs, lesson.targets, lesson.lr, apply=False)
    assert any(line.startswith("δ3 = [δ5 w35new + δ6 w36new + δ7 w37new]") for line in lines)
    assert ends(lines, "δ3", fmt(ref.delta(3)))
    assert ends(lines, "w13", fmt(ref.params_after[0]))
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    np.testing.assert_array_equal(window.network.theta, ref.params_after)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.network.update_order == "simultaneous"
    assert not window.teaching.actionUpdateOrder.isChecked()
    assert "Update order: simultaneous" in window.teaching.math.text()


def test_softmax_and_batches_say_their_forms(window):
    c = window.controller
    window.preset_actions["notes_softmax"].trigger()
    c.select(("w", 3, 7))
    text = window.teaching.math.text()
    assert "Softmax outputs with cross-entropy" in text
    assert any(line.startswith("δ7 = ob7 − y7 Σm obm = ob7 − y7 = 1.000 − ")
               for line in chains(text))
    window.preset_actions["xor"].trigger()
    c.select(("w", 1, 3))
    text = window.teaching.math.text()
    assert "Batch of 4 samples" in text and "sample 1 of its batch" in text
    assert ends(chains(text), "∂L/∂w13", fmt(c.record.grad_weight(1, 3)))


def test_ctrl_e_exports_the_worked_step(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "step"
    monkeypatch.setattr("gui.teaching.ask_export_path",
                        lambda *a: (str(target), "HTML page (*.html)"))
    qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    page = (tmp_path / "step.html").read_text(encoding="utf-8")
    root = ET.fromstring(page)
    text = "".join(root.itertext())
    for label in window.network.labels:
        assert f"∂L/∂{label}" in text
    assert "worked step 1" in text
    assert "Exported" in window.message_label.text()
    md = window.teaching.export_step(tmp_path / "step.md").read_text(encoding="utf-8")
    tex = window.teaching.export_step(tmp_path / "step.tex").read_text(encoding="utf-8")
    for label in window.network.labels:
        assert f"∂L/∂{label}" in md
        assert f"\\partial {label[0]}_{{{label[1:]}}}" in tex
    assert window.teaching.export_step(tmp_path / "step.pdf") is None
    assert "Not exported" in window.message_label.text()


def test_teach_menu_lists_every_action_with_a_shortcut(window):
    # (submenus, e.g. Lesson Script, are checked by test_every_menu_action_has_a_keyboard_shortcut)
    actions = [a for a in window.teaching.menu.actions()
               if not a.isSeparator() and a.menu() is None]
    names = {a.objectName() for a in actions}
    assert names >= {"actionShowMath", "actionPhaseStep", "actionPredict",
                     "actionGradientCheck", "actionUpdateOrder", "actionFreeze",
                     "actionExportStep", "actionExerciseSheet"}  # and what other features add
    for a in actions:
        assert not a.shortcut().isEmpty(), a.objectName()
        assert a in window.actions()  # so the shortcut works wherever the focus is
