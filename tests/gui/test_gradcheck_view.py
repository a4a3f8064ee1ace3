"""The gradient check through the real window: Ctrl+G opens the table of every parameter, its
numbers are the engine's check, and a backprop bug shows as red rows that say MISMATCH."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton, QTableWidget

from engine import gradient_check
from gui.style import fmt



def open_check(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(QDialog, "gradCheckDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog, dialog.findChild(QTableWidget, "gradCheckTable")


def cells(table, row):
    return [table.item(row, col).text() for col in range(table.columnCount())]


def test_every_parameter_agrees_with_finite_differences(qtbot, window):
    dialog, table = open_check(qtbot, window)
    c = window.controller
    ref = gradient_check(c.network, c.inputs, c.targets)
    assert table.rowCount() == c.network.n_params == 15
    for row, label in enumerate(ref.labels):
        name, analytic, numeric, rel, status = cells(table, row)
        assert (name, analytic, numeric) == (label, fmt(ref.analytic[row], 8),
                                             fmt(ref.numeric[row], 8))
        assert float(rel.replace("−", "-")) == pytest.approx(ref.rel_error[row], rel=0.06)
        assert status == "ok"
        assert table.item(row, 0).background().style() == Qt.BrushStyle.NoBrush
    assert dialog.mismatched_rows() == []
    assert dialog.summary.text().startswith("All 15 parameters agree")


def test_a_backprop_bug_is_a_red_row_that_says_mismatch(qtbot, window, monkeypatch):
    dialog, table = open_check(qtbot, window)
    net = window.network
    real = net.gradient
    w35 = net.labels.index("w35")

    def buggy(x, t):  # the sign slip of the notes' Err7·w47, say, in one weight
        loss, grad = real(x, t)
        grad = grad.copy()
        grad[w35] = -grad[w35]
        return loss, grad

    monkeypatch.setattr(net, "gradient", buggy)
    qtbot.mouseClick(dialog.findChild(QPushButton, "gradCheckRecheck"), Qt.MouseButton.LeftButton)
    assert dialog.mismatched_rows() == [w35]
    assert cells(table, w35)[0] == "w35" and cells(table, w35)[4] == "MISMATCH"
    colour = table.item(w35, 0).background().color()
    assert colour.red() > 150 and colour.green() < 100  # red, the app's mismatch colour
    assert "1 mismatch" in dialog.summary.text() and "w35" in dialog.summary.text()


def test_the_table_follows_edits(qtbot, window):
    dialog, table = open_check(qtbot, window)
    before = cells(table, 0)[1]
    window.controller.edit(("w", 3, 5), 1.5)
    assert cells(table, 0)[1] != before
    ref = gradient_check(window.network, window.controller.inputs, window.controller.targets)
    assert cells(table, 0)[1] == fmt(ref.analytic[0], 8)
