"""Lesson scripts in the real window: the tour played through the keys a presenter clicker sends
(every slide shows exactly its recorded state, its visibility and action), Space as Next while
playing and Step again after leaving, leaving and coming back, the blank screen, the tour's
numbers on the canvas and in the math panel, recording, saving and opening a script."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit

import gui.file_actions as file_actions
from engine import Network
from engine.script import PANELS, builtin_script, element_key, read_script
from gui.style import fmt
from gui.training import SPEEDS
from tests.engine.test_script import hand_forward
from tests.gui.contract import assert_canvas_shows_one_state
from tests.gui.test_accessibility import controls, unnamed

NEXT = (Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Down)
BACK = (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up)
TOUR = builtin_script()


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window, key, modifier)


def start_tour(qtbot, window):
    window.controller.set_speed(len(SPEEDS) - 1)  # the training slide as fast as possible
    window.findChild(QAction, "actionNotesTour").trigger()
    assert window.scripts.playing
    return window.scripts


def expected_parameters(slide):
    """The slide's parameters and step count after its action, computed with the engine on
    its own from the slide's recorded state (nothing from the window)."""
    lesson, _, steps = slide.state.build()
    net, X, T = lesson.network, lesson.inputs, lesson.targets
    a = slide.action
    if a is not None and a.kind == "step":
        for s in range(a.count):
            idx = Network.batch_indices(len(X), lesson.batch_size, steps + s)
            net.step(X[idx], T[idx], lesson.lr)
        steps += a.count
    elif a is not None and a.kind == "train":
        net.train(X, T, lesson.lr, a.to_step - steps, lesson.batch_size, start=steps)
        steps = a.to_step
    return net.theta.copy(), steps, lesson


def assert_on_slide(qtbot, window, k):
    """Slide k (from 0) is shown exactly as recorded."""
    player, c = window.scripts, window.controller
    slide = TOUR.slides[k]
    qtbot.waitUntil(lambda: not c.training and c.undo_stack.isClean(), timeout=5000)
    theta, steps, lesson = expected_parameters(slide)
    assert player.index == k
    assert window.findChild(QLabel, "scriptCounter").text() == f"{k + 1} / {len(TOUR.slides)}"
    assert slide.title in window.findChild(QLabel, "scriptTitle").text()
    assert c.step_count == steps
    assert c.network.theta.tobytes() == theta.tobytes()
    assert c.lr == lesson.lr and c.inputs.tobytes() == lesson.inputs.tobytes()
    assert c.network.activations == lesson.network.activations
    # what is shown
    s = slide.show
    assert window.view.show_derivatives == s.derivatives and window.view.show_net == s.net
    assert (not window.teaching.math_dock.isHidden()) == (
        s.math or (slide.action is not None and slide.action.kind == "explain"))
    for name in PANELS:
        if s.panels is not None and name in window.docks:
            assert window.docks[name].isHidden() == (name not in s.panels), name
    assert window.teaching.quiz_dock.isHidden() == (slide.question is None)
    if slide.select is not None:
        assert c.selection == element_key(slide.select, c.network)
    if slide.action is not None and slide.action.kind == "explain":
        assert c.selection == element_key(slide.action.target, c.network)
    if slide.action is not None and slide.action.kind == "phase":
        assert c.walk is not None and c.walk.number[0] == slide.action.count
    elif slide.question is None:
        assert c.walk is None and not window.view.concealed
        assert_canvas_shows_one_state(window.view, c)
    assert not window.scripts.blank.isVisible()
    assert c.undo_stack.isClean()  # what the slide did is no unsaved change


def test_the_tour_through_the_clicker_keys_shows_every_slide_as_recorded(qtbot, window):
    start_tour(qtbot, window)
    assert_on_slide(qtbot, window, 0)
    n = len(TOUR.slides)
    for k in range(1, n):
        press(qtbot, window, NEXT[k % len(NEXT)])
        assert_on_slide(qtbot, window, k)
    press(qtbot, window, Qt.Key.Key_PageDown)  # past the last: stays
    assert window.scripts.index == n - 1
    for k in range(n - 2, n - 6, -1):
        press(qtbot, window, BACK[k % len(BACK)])
        assert_on_slide(qtbot, window, k)


def test_space_is_next_while_playing_and_step_again_after_leaving(qtbot, window):
    c = window.controller
    start_tour(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.scripts.index == 1 and c.step_count == 0  # Next slide, not a Step
    assert "Space is Next slide" in window.actionStep.toolTip()
    press(qtbot, window, Qt.Key.Key_Escape)
    assert window.actionStep.toolTip().endswith("(Space)")
    assert not window.scripts.playing
    assert "Shift+F5" in window.findChild(QLabel, "messageLabel").text()
    c._end_walk()
    press(qtbot, window, Qt.Key.Key_Space)
    assert c.step_count == 1 and window.scripts.index == 1  # Step again
    press(qtbot, window, Qt.Key.Key_PageDown)  # the clicker keys are the window's again
    assert window.scripts.index == 1
    press(qtbot, window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert window.scripts.playing
    assert_on_slide(qtbot, window, 1)


def test_leave_try_something_and_come_back_to_the_slide_as_it_was(qtbot, window):
    c = window.controller
    start_tour(qtbot, window)
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_PageDown)
    assert_on_slide(qtbot, window, 4)
    press(qtbot, window, Qt.Key.Key_Escape)
    c.edit(("w", 3, 5), "1.5")
    c.edit(("lr",), "0.1")
    c.step()
    c.select(("b", 7))
    window.actionDerivatives.trigger()
    assert c.network.weight(3, 5) != 0.4 and c.step_count == 1
    press(qtbot, window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert_on_slide(qtbot, window, 4)
    assert c.network.weight(3, 5) == 0.4 and not c.undo_stack.canUndo()
    # a slide change while training runs stops the run first
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert c.training
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert not c.training
    assert_on_slide(qtbot, window, 5)


def test_b_blanks_the_screen_and_brings_it_back(qtbot, window):
    start_tour(qtbot, window)
    press(qtbot, window, Qt.Key.Key_PageDown)
    blank = window.scripts.blank
    press(qtbot, window, Qt.Key.Key_B)
    assert blank.isVisible() and blank.geometry() == window.rect()
    assert window.childAt(window.rect().center()) is blank  # it covers the canvas
    press(qtbot, window, Qt.Key.Key_B)
    assert not blank.isVisible() and window.scripts.index == 1
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_PageDown)  # the first key only brings the slide back
    assert not blank.isVisible() and window.scripts.index == 1
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert window.scripts.index == 2
    press(qtbot, window, Qt.Key.Key_Escape)
    press(qtbot, window, Qt.Key.Key_B)  # not playing: B blanks nothing
    assert not blank.isVisible()


def go_to(qtbot, window, title):
    k = next(i for i, s in enumerate(TOUR.slides) if title in s.title)
    while window.scripts.index < k:
        press(qtbot, window, Qt.Key.Key_PageDown)
    # the math panel's table cells, one line each, read as one line of text
    return " ".join(window.teaching.math.text().split()), window.findChild(
        QLabel, "scriptTitle").text()


def label(window, key):
    lab = window.view.labels[key]
    return lab.text() + " " + (lab.derivative_text() or "")


def test_the_tours_numbers_are_the_notes_with_the_slips_corrected(qtbot, window):
    lin, relu = hand_forward("notes_linear"), hand_forward("notes_relu")
    view = window.view
    start_tour(qtbot, window)
    go_to(qtbot, window, "forward pass")
    for j in (3, 4, 5, 6, 7):
        assert view.neurons[j].value_text() == fmt(lin[f"y{j}"])
        assert f"net{j} = {fmt(lin[f'net{j}'])}" in view.neurons[j].note.text()
    # the forward pass only: δ, ∂L/∂w and L are not computed yet
    assert view.neurons[3].note.text().endswith("δ3 = ?")
    assert label(window, ("w", 3, 5)) == "w35 = 0.400 ∂L/∂w = ?"
    assert window.findChild(QLabel, "lossLabel").text() == "L = ?"
    go_to(qtbot, window, "The loss")
    assert window.findChild(QLabel, "lossLabel").text() == f"L = {fmt(lin['L'], 6)}"
    assert view.neurons[5].note.text().endswith("δ5 = ?")
    go_to(qtbot, window, "Err:")
    for k in (5, 6, 7):
        assert f"Err{k} = {fmt(lin[f'Err{k}'])}" in label(window, ("ob", 0, k))
    math, _ = go_to(qtbot, window, "output δ")
    assert f"= {fmt(lin['w35new'])}" in math
    assert f"δ5 = {fmt(lin['δ5'])}" in view.neurons[5].note.text()
    math, _ = go_to(qtbot, window, "w46 without η")
    assert "w46 ← w46 + η δ6 y4" in math and f"= {fmt(lin['w46new'])}" in math
    assert f"= {fmt(lin['w46slip'])}" not in math  # the slip's value is only in the prompt
    math, _ = go_to(qtbot, window, "The hidden δ")
    assert f"= {fmt(lin['δ3'])}" in math
    math, _ = go_to(qtbot, window, "sign of Err7")
    assert f"= {fmt(lin['dw24'])}" in math and f"= {fmt(lin['w24new'])}" in math
    assert f"∂L/∂w = {fmt(lin['dw24'])}" in label(window, ("w", 2, 4))
    math, _ = go_to(qtbot, window, "ReLU outputs")
    assert view.neurons[6].value_text() == fmt(0.0) and f"= {fmt(relu['w35new'])}" in math
    math, _ = go_to(qtbot, window, "hidden δ with ReLU")
    assert f"= {fmt(relu['δ3'])}" in math
    math, _ = go_to(qtbot, window, "b6 without η")
    assert "b6 ← b6 + η δ6" in math
    go_to(qtbot, window, "Predict")
    assert window.teaching.quiz.asked() == ("new", ("w", 1, 3)) and view.concealed
    assert fmt(relu["w13new"]) not in label(window, ("w", 1, 3))
    math, _ = go_to(qtbot, window, "The updates")
    assert not view.concealed
    assert label(window, ("w", 3, 5)).startswith(f"w35 = {fmt(relu['w35new'])}")
    assert label(window, ("w", 1, 3)).startswith(f"w13 = {fmt(relu['w13new'])}")
    assert "just taken" in math and f"= {fmt(relu['w35new'])}" in math


def test_record_edit_save_and_open_a_script(qtbot, window, tmp_path):
    c, player = window.controller, window.scripts
    c.load_lesson(c.lesson)  # a clean document: no unsaved-changes question
    c.edit(("w", 3, 5), "0.7")
    c.step()
    c.select(("w", 4, 6))
    press(qtbot, window, Qt.Key.Key_N,
          Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    theta = c.network.theta.copy()
    assert len(player.script.slides) == 1 and player.script.slides[0].select == "w46"
    press(qtbot, window, Qt.Key.Key_M,
          Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    editor = player.recorder
    assert editor.isVisible()
    assert unnamed(controls(editor)) == []  # every field says what it is to a screen reader
    prompt = editor.findChild(QPlainTextEdit, "slidePrompt")
    prompt.setPlainText("")
    qtbot.keyClicks(prompt, "Look at **w46**")
    editor.findChild(QCheckBox, "slideNet").setChecked(True)
    editor.findChild(QComboBox, "slideAction").setCurrentIndex(4)  # Explain
    target = editor.findChild(QLineEdit, "slideActionTarget")
    qtbot.keyClicks(target, "w99")
    assert not editor.apply()
    assert "w99" in editor.findChild(QLabel, "slideError").text()
    assert player.script.slides[0].action is None and player.script.slides[0].prompt == ""
    target.clear()
    qtbot.keyClicks(target, "w46")
    assert editor.apply()
    slide = player.script.slides[0]
    assert slide.prompt == "Look at **w46**" and slide.show.net and slide.action.target == "w46"
    editor.close()
    path = tmp_path / "mine.json"
    assert player.save_script(str(path))
    assert read_script(path).slides[0].prompt == "Look at **w46**"
    c.randomize()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-lab-script", "version": 9, "slides": []}')
    assert not player.open_script(str(bad))
    assert "version 9 is newer" in window.findChild(QLabel, "messageLabel").text()
    assert player.script.slides[0].prompt == "Look at **w46**" and c.step_count == 0
    assert player.open_script(str(path))
    assert player.playing and c.step_count == 1
    assert c.network.theta.tobytes() == theta.tobytes()
    assert window.view.show_net and c.selection == ("w", 4, 6)
    assert "Look at w46" in window.findChild(QLabel, "scriptTitle").parent().text()


def test_the_tour_asks_before_replacing_unsaved_changes(qtbot, window, monkeypatch):
    c = window.controller
    c.edit(("w", 3, 5), "0.9")
    answers = []
    monkeypatch.setattr(file_actions, "ask_unsaved_changes",
                        lambda *a: answers.append(a) or "cancel")
    window.findChild(QAction, "actionNotesTour").trigger()
    assert answers and not window.scripts.playing and c.network.weight(3, 5) == 0.9
    help_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.text().replace("&", "") == "Help")
    assert window.findChild(QAction, "actionNotesTour") in help_menu.actions()
    teach = next(a.menu() for a in window.menuBar().actions()
                 if a.text().replace("&", "") == "Teach")
    assert any(a.menu() is not None and a.menu().objectName() == "menuScript"
               for a in teach.actions())


def test_in_presentation_mode_the_slides_keep_the_screen_to_the_network(qtbot, window):
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.classroom.presenting
    start_tour(qtbot, window)
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_PageDown)
    assert window.scripts.index == 4
    assert [n for n, d in window.docks.items() if not d.isHidden()] == []
    assert window.controller.selection == ("w", 3, 5)  # explained: selected, as the math says
    message = window.findChild(QLabel, "messageLabel").text()
    assert message == f"Slide 5 / {len(TOUR.slides)}: {TOUR.slides[4].title}"
    press(qtbot, window, Qt.Key.Key_Escape)
    press(qtbot, window, Qt.Key.Key_F5)
    assert not window.classroom.presenting and not window.docks["math"].isHidden()


def test_the_answer_field_keeps_its_space_and_page_down_still_moves_on(qtbot, window):
    start_tour(qtbot, window)
    k = next(i for i, s in enumerate(TOUR.slides) if s.question is not None)
    window.scripts.go(k)
    assert window.view.hasFocus()  # the slide's keys reach the window, not the field
    field = window.findChild(QLineEdit, "quizGuess")
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "0.2")
    qtbot.keyClick(field, Qt.Key.Key_Space)
    assert field.text() == "0.2 " and window.scripts.index == k
    qtbot.keyClick(field, Qt.Key.Key_PageDown)
    assert window.scripts.index == k + 1
