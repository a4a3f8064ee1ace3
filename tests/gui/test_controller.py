"""Every request a user can make while training runs (Train, and Train N), after Undo and in the
middle of a phase walk — made through what the user touches (shortcuts, toolbar, fields, the
canvas) — leaves one consistent state: a timer exactly while a run is open, every step in exactly
one undo command, and a canvas that shows the engine's numbers."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QSpinBox, QTableWidget, QToolBar

from engine.lesson import load_preset, write_lesson
from gui import file_actions
from tests.gui.canvas_helpers import edit_label
from tests.gui.contract import (
    assert_canvas_shows_one_state, assert_commands_replay, assert_training_consistent,
    assert_undo_redo_is_identity, snapshot,
)

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def key(qtbot, window, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.view, k, mods)


def type_into(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.fixture
def xor(qtbot, window):
    """The window on XOR (four samples, so batch sizes and sample columns exist)."""
    key(qtbot, window, Qt.Key.Key_4, CTRL)
    assert window.controller.lesson.name == "XOR"
    window.controller.set_speed(6)  # 10,000 steps/s: runs long enough to interrupt
    return window


def train(qtbot, window, n=None):
    """Start Train (Ctrl+T) or Train N (Ctrl+Shift+T, answering the dialog) and let it run."""
    c = window.controller
    if n is None:
        key(qtbot, window, Qt.Key.Key_T, CTRL)
    else:
        key(qtbot, window, Qt.Key.Key_T, CTRL | SHIFT)
        answer_train_n(qtbot, window, n)
    start = c.step_count
    qtbot.waitUntil(lambda: c.step_count > start + 20, timeout=5000)
    assert c.training
    assert_training_consistent(c)


def answer_train_n(qtbot, window, n):
    dialog = window.findChild(QInputDialog, "trainNDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    spin = dialog.findChild(QSpinBox)
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(n))
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    window.activateWindow()  # what the window manager does when the dialog closes
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


# -- requests that change a value: training goes on, the run so far is one undo command ---------
def edit_lr(qtbot, w):
    type_into(qtbot, w.findChild(QLineEdit, "learningRateEdit"), "0.3")
    return w.controller.lr == 0.3


def edit_canvas_label(qtbot, w):
    edit_label(qtbot, w.view, ("w", 1, 3), "0.75")
    return w.network.weight(1, 3) == 0.75 or w.network.is_weight_frozen(1, 3)


def freeze(qtbot, w):
    w.controller.select(("w", 1, 3))
    key(qtbot, w, Qt.Key.Key_L, CTRL)
    return w.network.is_weight_frozen(1, 3)


def update_order(qtbot, w):
    key(qtbot, w, Qt.Key.Key_U, CTRL)
    return w.network.update_order == "output_first"


def batch_size(qtbot, w):
    spin = w.findChild(QSpinBox, "batchSizeSpin")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    return w.controller.batch_size == 2


def table_cell(qtbot, w):
    table = w.findChild(QTableWidget, "sampleTable")
    table.item(0, 1).setText("0.5")  # what the cell editor commits
    return w.controller.inputs[1, 0] == 0.5


EDITS = {"η field": edit_lr, "canvas label": edit_canvas_label, "freeze": freeze,
         "update order": update_order, "batch size": batch_size, "table cell": table_cell}


@pytest.mark.parametrize("mode", [None, 100_000])
@pytest.mark.parametrize("name", EDITS)
def test_an_edit_while_training_splits_the_run_and_training_goes_on(qtbot, xor, name, mode):
    c = xor.controller
    before = snapshot(c)
    train(qtbot, xor, mode)
    assert EDITS[name](qtbot, xor)
    assert c.training, "training goes on after an edit"
    assert_training_consistent(c)
    texts = [c.undo_stack.text(i) for i in range(c.undo_stack.count())]
    assert texts[-2].startswith("Train") and texts[-1].startswith("Set"), texts
    at_edit = c.step_count
    qtbot.waitUntil(lambda: c.step_count > at_edit + 20, timeout=5000)
    key(qtbot, xor, Qt.Key.Key_T, CTRL) if mode is None else xor.cancel_button.click()
    assert not c.training and xor.progress.isHidden()
    assert_training_consistent(c)
    assert c.undo_stack.text(c.undo_stack.count() - 1).startswith("Train")
    assert_canvas_shows_one_state(xor.view, c, xor.loss_label.text())
    assert_commands_replay(c)
    assert_undo_redo_is_identity(c)
    while c.undo_stack.canUndo():
        c.undo()
    assert snapshot(c) == before


def test_refused_text_while_training_changes_nothing(qtbot, xor):
    c = xor.controller
    train(qtbot, xor)
    count = c.undo_stack.count()
    type_into(qtbot, xor.findChild(QLineEdit, "learningRateEdit"), "fast")
    assert c.training and c.undo_stack.count() == count and c.lr == load_preset("xor").lr
    assert xor.message_label.text().startswith("Not changed")


# -- requests that end the run ---------------------------------------------------------------------
def open_file(qtbot, w, monkeypatch, tmp_path):
    path = tmp_path / "other.json"
    write_lesson(path, load_preset("notes_relu"), None, 3)
    monkeypatch.setattr(file_actions, "ask_open_path", lambda *a: str(path))
    key(qtbot, w, Qt.Key.Key_O, CTRL)
    assert w.controller.lesson.name == load_preset("notes_relu").name


STOPS = {
    "Step (Space)": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_Space),
    "Next Phase (N)": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_N),
    "Reset": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_R, CTRL),
    "Randomize": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_R, CTRL | SHIFT),
    "Undo": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_Z, CTRL),
    "Redo": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_Z, CTRL | SHIFT),
    "Pause (Ctrl+T)": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_T, CTRL),
    "Train toolbar button": lambda qtbot, w, *_: qtbot.mouseClick(
        w.findChild(QToolBar, "mainToolBar").widgetForAction(w.actionTrain),
        Qt.MouseButton.LeftButton),
    "preset (Ctrl+1)": lambda qtbot, w, *_: key(qtbot, w, Qt.Key.Key_1, CTRL),
    "Open…": open_file,
}


@pytest.mark.parametrize("mode", [None, 100_000])
@pytest.mark.parametrize("name", STOPS)
def test_a_request_while_training_ends_the_run_as_one_undo_command(qtbot, xor, name, mode,
                                                                   monkeypatch, tmp_path):
    c = xor.controller
    c.step()  # something to redo after the Undo of the run, and a state before it
    c.step()
    c.undo()
    before = snapshot(c)
    train(qtbot, xor, mode)
    count = c.undo_stack.count()  # with the run, once it is pushed
    STOPS[name](qtbot, xor, monkeypatch, tmp_path)
    if name == "Next Phase (N)":
        assert c.walk is not None and c.walk.number == (1, 6)
        c.advance_phase()  # the rest is checked on a settled screen
        key(qtbot, xor, Qt.Key.Key_Escape)
    assert not c.training and xor.progress.isHidden()
    assert xor.actionTrain.text() == "Train" and not xor.actionTrain.isChecked()
    assert_training_consistent(c)
    held = c.step_count
    qtbot.wait(60)  # no timer goes on training behind the user's back
    assert c.step_count == held
    if name == "Undo":
        assert snapshot(c) == before  # the run was what went
        stack = c.undo_stack  # ... as one command, now the one to redo
        assert stack.index() == stack.count() - 1 and stack.redoText().startswith("Train")
    elif name not in ("preset (Ctrl+1)", "Open…"):
        assert any(c.undo_stack.text(i).startswith("Train") for i in range(count + 1))
    c._end_walk()
    assert_canvas_shows_one_state(xor.view, c, xor.loss_label.text())
    assert_commands_replay(c)
    assert_undo_redo_is_identity(c)


def test_train_n_from_toolbar_menu_and_shortcut_asks_for_n_and_remembers_it(qtbot, window):
    c = window.controller
    button = window.findChild(QToolBar, "mainToolBar").widgetForAction(window.actionTrainN)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not c.training  # nothing until N is given
    answer_train_n(qtbot, window, 250)
    qtbot.waitUntil(lambda: not c.training, timeout=5000)
    assert c.step_count == 250
    ref = load_preset("notes_linear")
    ref.network.train(ref.inputs, ref.targets, ref.lr, 250)
    np.testing.assert_array_equal(window.network.theta, ref.network.theta)
    menu_action = next(a for a in window.menuBar().actions() if a.text() == "&Network")
    assert window.actionTrainN in menu_action.menu().actions()
    window.actionTrainN.trigger()  # the menu entry
    dialog = window.findChild(QInputDialog, "trainNDialog")
    assert dialog.isVisible() and dialog.intValue() == 250  # remembered
    dialog.reject()
    key(qtbot, window, Qt.Key.Key_T, CTRL | SHIFT)
    assert dialog.isVisible() and dialog.intMaximum() == 100_000_000
    dialog.reject()
    assert not c.training and c.step_count == 250


def test_train_n_progress_counts_any_n_without_overflow(qtbot, window):
    c = window.controller
    c.set_speed(0)  # one step per second: the run stays open
    window.train_n(2_147_483_647)
    assert window.progress.isVisible() and window.progress.maximum() == 1000
    qtbot.waitUntil(lambda: c.step_count >= 1, timeout=3000)
    assert window.progress.format() == f"{c.step_count:,} of 2,147,483,647"
    window.cancel_button.click()
    assert not c.training


def test_undo_during_a_phase_walk_ends_it_and_undoes_the_last_command(qtbot, window):
    c = window.controller
    key(qtbot, window, Qt.Key.Key_Space)
    after_one = snapshot(c)
    key(qtbot, window, Qt.Key.Key_N)
    key(qtbot, window, Qt.Key.Key_N)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert c.walk is None and c.step_count == 0
    assert_canvas_shows_one_state(window.view, c, window.loss_label.text())
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert snapshot(c) == after_one


def test_divergence_while_training_ends_the_run_at_the_last_finite_state(qtbot, window):
    c = window.controller
    type_into(qtbot, window.findChild(QLineEdit, "learningRateEdit"), "1e6")
    key(qtbot, window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: not c.training, timeout=5000)
    assert_training_consistent(c)
    assert np.isfinite(window.network.theta).all()
    assert "diverged" in window.message_label.text()
    assert_canvas_shows_one_state(window.view, c, window.loss_label.text())
    assert_undo_redo_is_identity(c)


def test_a_thousand_randomize_presses_keep_no_copies_of_the_history(qtbot, window):
    """Each Reset and Randomize is undoable without a copy of the history: after a long run
    (a full history), 1,000 presses of Ctrl+Shift+R and Ctrl+R grow memory by what the undo
    commands hold — parameters and a mark, about 2 KB a press — not by copies of the history
    (1.5 MB a press before)."""
    import gc
    import tracemalloc

    c = window.controller
    c.run_steps(100_000)  # buckets full: the history holds 3 × 2048 × 16 floats
    assert c.history.n_buckets > 1000
    press = [window.actionRandomize, window.actionReset]
    for k in range(20):  # warm up: caches, the first commands
        press[k % 2].trigger()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for k in range(1000):
        press[k % 2].trigger()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 5_000_000, f"{grown:,} bytes for 1,000 presses"
    # and every one of them is still undoable, down to the trained state and its history
    for _ in range(1020):
        c.undo()
    assert c.step_count == 100_000 and c.history.n_steps == 100_000
    assert c.history.stride > 1 and c.undo_stack.undoText() == "Train 100,000 steps"
