"""Teach ▸ Exercise Sheet…: the dialog opened from the Teach menu (and its shortcut), filled in by
keyboard, saves a sheet and a key equal to what the engine makes of the same settings; a bad
setting is one line in the dialog and writes nothing; training running does not get in the way."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

import gui.exercise_dialog as exd
from engine.exercises import Question, Settings, make_exercises, parse_questions
from engine.render import render
from tests.gui.test_accessibility import controls, unnamed

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def type_into(qtbot, box, text):
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)


def test_exercise_sheet_from_the_teach_menu(window, qtbot, tmp_path, monkeypatch):
    menu = window.menuBar().findChild(QMenu, "menuTeach")
    action = window.findChild(QAction, "actionExerciseSheet")
    assert action in menu.actions() and action.text() == "Exercise Sheet…"
    assert action.shortcut().toString() == "Ctrl+Alt+X"
    action.trigger()
    dialog = window.findChild(exd.ExerciseDialog, "exerciseDialog")
    qtbot.waitUntil(dialog.isActiveWindow)  # its keys are its own: Space does not Step
    assert unnamed(controls(dialog)) == []  # every control has a name and a description

    # fill it in as a teacher does
    type_into(qtbot, dialog.count, "3")
    type_into(qtbot, dialog.seed, "17")
    lo, hi = dialog.ranges["weights"]
    type_into(qtbot, lo, "-0.5")
    type_into(qtbot, hi, "0.8")
    type_into(qtbot, dialog.decimals, "2")
    dialog.format.setFocus()
    qtbot.keyClicks(dialog.format, "LaTeX")
    assert dialog.format.currentData() == "tex"
    lay = window.controller.network.layout
    dialog.set_questions(parse_questions("L dL/dw35", lay))
    # one more by keyboard: y3 is the list's second row (net3, y3, …); Space checks it
    dialog.questions.setFocus()
    dialog.questions.setCurrentRow(1)
    steps = window.controller.step_count
    qtbot.keyClick(dialog.questions, Qt.Key.Key_Space)
    assert window.controller.step_count == steps
    picked = dialog.checked_questions()
    assert picked == (Question("y", 3), Question("L"), Question("grad", ("w", 3, 5)))

    asked = []

    def save_as(parent, title, suggested, filters, selected):
        asked.append((title, suggested))
        name = "sheet.tex" if "sheet" in title else "key"  # the key: no suffix typed
        return str(tmp_path / name), selected

    monkeypatch.setattr(exd, "interactive", lambda: True)
    monkeypatch.setattr(exd.QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(dialog.save_sheet, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    assert asked == [("Save exercise sheet", "exercises-seed17.tex"),
                     ("Save answer key", "exercises-seed17-key.tex")]

    expected = make_exercises(window.controller.to_lesson(), Settings(
        count=3, seed=17, weights=(-0.5, 0.8), decimals=2, questions=picked))
    sheet = (tmp_path / "sheet.tex").read_text(encoding="utf-8")
    key = (tmp_path / "key.tex").read_text(encoding="utf-8")
    assert sheet == render(expected.sheet(), "tex")
    assert key == render(expected.key(), "tex")
    assert "Exercise 3" in sheet and "seed 17" in sheet
    assert dialog.status.text().startswith("Saved the answer key (3 exercises, seed 17;")
    assert str(tmp_path / "key.tex") in window.message_label.text()

    # a range the engine refuses: one line in the dialog, no file dialog, nothing written
    asked.clear()
    type_into(qtbot, lo, "0.9")
    qtbot.mouseClick(dialog.save_sheet, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Not saved: the weights range is empty: low 0.9 is above " \
                                   "high 0.8"
    assert asked == [] and sorted(p.name for p in tmp_path.iterdir()) == ["key.tex", "sheet.tex"]
    assert (tmp_path / "sheet.tex").read_text(encoding="utf-8") == sheet

    # by keyboard, while training runs: the sheet is the network's shape, whatever its weights
    type_into(qtbot, lo, "-0.5")
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.findChild(QAction, "actionTrain").trigger()
    assert window.controller.training
    qtbot.keyClick(window, Qt.Key.Key_X, CTRL_ALT)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.focusWidget() is dialog.count
    assert window.findChildren(exd.ExerciseDialog) == [dialog]  # the same dialog, as it was
    assert dialog.seed.value() == 17 and dialog.checked_questions() == picked
    assert dialog.save("sheet", str(tmp_path / "again.tex")) is not None
    assert (tmp_path / "again.tex").read_text(encoding="utf-8") == sheet
    assert window.controller.training  # saving a sheet does not stop the run
    window.findChild(QAction, "actionTrain").trigger()
    dialog.close()
