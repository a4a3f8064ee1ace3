"""One number, one text: the canvas, its tooltips, the inspector, the math panel, the output
plot's value labels and the worked-step export write the same value the same way (the notes'
y7 = 0.1705 and b5 ← 0.2655, which binary rounding showed as 0.170 and 0.265). Typed numbers:
a decimal comma where the locale writes one, and a number that would underflow is refused."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from tests.gui.test_main_window import type_into
from tests.gui.test_math_panel import chains, ends


def output_label(window, j):
    plot = window.output_plot
    return plot.value_labels[plot.neurons.index(j)].toPlainText()


def test_y7_is_0_171_everywhere(qtbot, window):
    c = window.controller
    assert repr(c.record.out(7)) == "0.17049999999999998"  # exactly 0.1705 by hand
    assert window.view.neurons[7].value_text() == "0.171"
    window.view.update_tooltip(window.view.neurons[7])
    assert "y7 = linear(net7) = 0.171" in window.view.neurons[7].toolTip()
    c.select(("n", 7))
    details = window.findChild(QLabel, "inspectorDetails").text()
    assert "y7 = linear(net7) = 0.171" in details  # the same line as the canvas's tooltip
    lines = chains(window.teaching.math.browser.toPlainText())
    assert ends(lines, "y7", "0.171") and ends(lines, "net7", "0.171")
    window.output_plot.refresh()
    assert output_label(window, 7) == "0.171"
    md = window.teaching.worked_step("md")
    assert "y7 = net7\n   = 0.171" in md
    # Err7 = 0.1295 shows as 0.130, which 0.300 − 0.171 would not give: y7 gets a digit there
    assert "Err7 = ob7 − y7\n     = 0.300 − 0.1705\n     = 0.130" in md
    assert window.view.labels[("ob", 0, 7)].derivative_text() == "Err7 = 0.130"


def test_b5_after_the_step_is_0_266_everywhere(qtbot, window):
    c = window.controller
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert repr(c.network.bias(5)) == "0.26549999999999996"  # 0.100 + 0.500 × 0.331 = 0.2655
    assert window.view.labels[("b", 5)].text() == "b5 = 0.266"
    c.select(("b", 5))
    text = window.teaching.math.browser.toPlainText()
    assert "b5 ← b5 + η δ5 = 0.100 + 0.500 × 0.331 = 0.266" in " ".join(text.split())
    assert window.findChild(QLineEdit, "inspectorValueEdit").text() == "0.265500"
    window.view.update_tooltip(window.view.labels[("b", 5)])
    assert "changed it: 0.100 → 0.266 (Δ = +0.166)" in window.view.labels[("b", 5)].toolTip()


def test_a_decimal_comma_is_accepted_through_the_learning_rate(qtbot, window, comma_locale):
    edit = window.findChild(QLineEdit, "learningRateEdit")
    type_into(qtbot, edit, "0,25")
    assert window.controller.lr == 0.25
    type_into(qtbot, edit, "0.3")  # "." is always a decimal point
    assert window.controller.lr == 0.3
    undo_count = window.controller.undo_stack.count()
    type_into(qtbot, edit, "1.000,5")  # digit groups: refused, nothing changed
    assert window.controller.lr == 0.3 and window.controller.undo_stack.count() == undo_count
    assert "no thousands separators" in window.message_label.text()
    # the canvas labels too (a weight edited in place)
    assert window.controller.edit(("w", 3, 5), "−0,5")
    assert window.network.weight(3, 5) == -0.5


def test_a_decimal_comma_is_refused_where_the_locale_writes_a_point(qtbot, window):
    edit = window.findChild(QLineEdit, "learningRateEdit")
    type_into(qtbot, edit, "0,25")
    assert window.controller.lr == 0.5 and edit.text() == "0.5"
    assert window.message_label.text() == ("Not changed: “0,25” is not a number: use “.” for the "
                                           "decimal point and no thousands separators")


def test_underflow_is_refused_with_its_message_and_nothing_changes(qtbot, window):
    c = window.controller
    edit = window.findChild(QLineEdit, "learningRateEdit")
    theta = c.network.theta.copy()
    type_into(qtbot, edit, "1e-400")
    assert c.lr == 0.5 and edit.text() == "0.5"
    assert window.message_label.text() == ("Not changed: 1e-400 is too small: it would be 0; "
                                           "type 0 if you mean 0")
    c.select(("w", 3, 5))
    value = window.findChild(QLineEdit, "inspectorValueEdit")
    type_into(qtbot, value, "-1e-400")
    assert (c.network.theta == theta).all() and c.undo_stack.count() == 0
    assert window.message_label.text().endswith("it would be 0; type 0 if you mean 0")
    type_into(qtbot, value, "0")  # 0 itself is fine
    assert c.network.weight(3, 5) == 0.0


def test_the_undo_tooltip_names_the_value_as_typed(qtbot, window):
    c = window.controller
    assert c.edit(("w", 3, 5), "-0.00012345")
    assert c.undo_stack.undoText() == "Set w35 = −0.00012345"
    assert window.actionUndo.toolTip() == "Undo Set w35 = −0.00012345 (Ctrl+Z)"
