"""Predict, then reveal, through the real window: nothing gives the answer away before Check;
Check accepts a value within the tolerance and refuses one outside it, then shows the
derivation."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from gui.quiz import CLOSE, SHOWN, judge, within
from gui.style import fmt
from tests.gui.test_math_panel import chains, context_menu_action, ends



def open_quiz(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.docks["quiz"].isVisible()
    return window.teaching.quiz


def choose(window, text):
    combo = window.findChild(QComboBox, "quizQuantity")
    combo.setCurrentIndex(combo.findText(text))
    assert combo.currentText() == text


def answer(qtbot, window, typed):
    edit = window.findChild(QLineEdit, "quizGuess")
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    return window.findChild(QLabel, "quizResult").text()


def backward_numbers_on_screen(window):
    """Every δ, Err and ∂L/∂θ the canvas and the inspector show."""
    view = window.view
    shown = [label.derivative_text() for label in view.labels.values()]
    shown += [n.note.text() for n in view.neurons.values() if n.note.isVisible()]
    details = window.findChild(QLabel, "inspectorDetails")
    if details.isVisible():
        shown.append(details.text())
    return [s for s in shown if s]


def test_nothing_gives_the_answer_away_before_check(qtbot, window):
    quiz = open_quiz(qtbot, window)
    window.controller.select(("n", 3))
    choose(window, "δ3")
    assert quiz.pending
    assert backward_numbers_on_screen(window) == []
    assert "Hidden while you predict" in window.teaching.math.text()
    assert quiz.reveal.toPlainText() == "" and quiz.result.text() == ""
    truth = fmt(window.controller.record.delta(3))
    window.view.update_tooltip(window.view.neurons[3])
    assert truth not in window.view.neurons[3].toolTip()
    assert "hidden until you check" in window.view.neurons[3].toolTip()
    # closing the quiz shows everything again
    qtbot.keyClick(window.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert not window.docks["quiz"].isVisible()
    assert backward_numbers_on_screen(window)
    assert "Hidden" not in window.teaching.math.text()


def test_a_right_value_is_accepted_then_the_derivation_is_shown(qtbot, window):
    open_quiz(qtbot, window)
    choose(window, "δ3")
    truth = window.controller.record.delta(3)
    result = answer(qtbot, window, fmt(truth, 3))
    assert "✓ Right:" in result
    assert f"δ3 = {fmt(truth)} (to 3 decimals); you said {fmt(truth)}." in result
    quiz = window.teaching.quiz
    assert not quiz.pending
    lines = chains(quiz.reveal.toPlainText())
    assert ends(lines, "δ3", fmt(truth))
    assert "Update order: simultaneous" in quiz.reveal.toPlainText()
    assert backward_numbers_on_screen(window)  # revealed: the canvas shows them again


def test_a_wrong_value_is_refused_and_the_truth_shown(qtbot, window):
    open_quiz(qtbot, window)
    choose(window, "∂L/∂w13")
    truth = window.controller.record.grad_weight(1, 3)
    result = answer(qtbot, window, "0.5")
    assert "✗ Not quite" in result and fmt(truth) in result
    assert ends(chains(window.teaching.quiz.reveal.toPlainText()), "∂L/∂w13", fmt(truth))


def test_text_that_is_not_a_number_reveals_nothing(qtbot, window):
    quiz = open_quiz(qtbot, window)
    result = answer(qtbot, window, "about a half")
    assert "type a number" in result
    assert quiz.pending and quiz.reveal.toPlainText() == ""


def test_predict_from_the_context_menu_and_a_step_asks_again(qtbot, window):
    view, c = window.view, window.controller
    context_menu_action(qtbot, view, view.labels[("w", 3, 5)], "contextPredict")
    assert window.findChild(QComboBox, "quizQuantity").currentText() == "w35 after the next Step"
    assert c.selection == ("w", 3, 5)
    new = c.record.params_after[c.param_index(("w", 3, 5))]
    assert "✓ Right" in answer(qtbot, window, f"{new:.4f}")
    quiz = window.teaching.quiz
    assert not quiz.pending
    window.view.setFocus()  # (in the guess field, Space is a character)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)  # the Step happens as predicted
    assert window.network.weight(3, 5) == new
    assert quiz.pending and quiz.result.text() == ""  # the next Step is a new question
    # the context menu of a neuron asks for its δ
    context_menu_action(qtbot, view, view.neurons[6], "contextPredict")
    assert window.findChild(QComboBox, "quizQuantity").currentText() == "δ6"


def test_the_answer_is_the_next_steps_after_a_step(qtbot, window):
    c = window.controller
    c.step()
    open_quiz(qtbot, window)
    choose(window, "δ5")
    nxt = c.network.step(c.inputs, c.targets, c.lr, apply=False)
    assert "✓ Right" in answer(qtbot, window, repr(nxt.delta(5)))


@pytest.mark.parametrize("guess, truth, decimals, right", [
    (0.156, 0.1555, 3, True),       # the truth as shown, rounded
    (0.0105, 0.010, 3, True),       # half a unit of the last decimal (1 % would be 0.0001)
    (0.0106, 0.010, 3, False),
    (0.158, 0.156, 3, False),       # 0.002 off: more than half a unit and more than 1 %
    (0.16, 0.156, 2, True),
    (101.0, 100.0, 3, True),        # 1 % of a large value
    (102.0, 100.0, 3, False),
    (-0.156, 0.156, 3, False),      # the sign matters
    (0.266, 0.26549999999999996, 3, True),   # shown as 0.266 (the float is just below 0.2655)
    (0.2655, 0.26549999999999996, 3, True),  # half a unit from 0.266: the edge counts
    (0.2666, 0.26549999999999996, 3, True),  # more than half a unit, but within 1 %
    (0.269, 0.26549999999999996, 3, False),  # neither
    (-0.266, -0.2655, 3, True),
    (1.2e-5, 1.2043e-5, 3, True),   # shown as 1.20e−05: judged at its last digit, ±5e−08
    (0.0, 1e-5, 3, False),          # shown as 1.00e−05, not 0.000: 0 is not that
    (3.0, 2.5, 0, True),            # 2.5 shows as 3 at 0 decimals
    (float("nan"), 0.1, 3, False),
])
def test_tolerance(guess, truth, decimals, right):
    assert within(guess, truth, decimals) is right


@pytest.mark.parametrize("guess, why", [(0.266, SHOWN), (0.2664, SHOWN), (0.265, CLOSE),
                                        (0.3, None)])
def test_judge_says_which_rule_accepted(guess, why):
    assert judge(guess, 0.26549999999999996, 3) == why


def test_b5_of_the_notes_is_0_266_and_the_panel_says_how_it_judged(qtbot, window):
    """b5 ← 0.100 + 0.500 × 0.331 = 0.2655, which the engine holds as 0.26549999999999996:
    shown 0.266 everywhere, and the panel judges against that value."""
    c = window.controller
    new = c.record.params_after[c.param_index(("b", 5))]
    assert repr(float(new)) == "0.26549999999999996"
    assert window.view.labels[("b", 5)].text() == "b5 = 0.100"
    open_quiz(qtbot, window)
    choose(window, "b5 after the next Step")
    result = answer(qtbot, window, "0.266")
    assert result == ("<b>✓ Right:</b> b5 after the next Step = 0.266 (to 3 decimals); "
                      "you said 0.266.")
    window.teaching.quiz.reset()
    result = answer(qtbot, window, "0.2655")
    assert result.endswith("= 0.266 (to 3 decimals); you said 0.2655, within ±0.0005 of it.")
    assert "✓ Right:" in result
    window.teaching.quiz.reset()
    result = answer(qtbot, window, "0.265")  # rounded the other way: within 1 %, and said so
    assert "✓ Right (within 1 %):" in result and "= 0.266 (to 3 decimals); you said 0.265" in result
    window.teaching.quiz.reset()
    result = answer(qtbot, window, "0.27")
    assert "✗ Not quite:" in result and "= 0.266 (to 3 decimals); you said 0.27" in result
    assert "within ±0.0005 of it, or within 1 %" in result
    assert ends(chains(window.teaching.quiz.reveal.toPlainText()), "b5", "0.266")
    # the step is taken as predicted, and the canvas shows what the quiz said
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.view.labels[("b", 5)].text() == "b5 = 0.266"


def test_a_decimal_comma_is_an_answer_where_the_locale_writes_one(qtbot, window, comma_locale):
    open_quiz(qtbot, window)
    choose(window, "b5 after the next Step")
    result = answer(qtbot, window, "0,266")
    assert result.startswith("<b>✓ Right:</b>") and "you said 0.266." in result
# -- the Show Err, δ, ∂L/∂w button and a window that starts again --------------------------------
def assert_backward_pass_shown(window):
    view = window.view
    assert not view.concealed
    assert backward_numbers_on_screen(window)
    assert view.neurons[5].note.isVisible() and view.neurons[5].note.text().startswith("δ5")
    assert window.actionDerivatives.isChecked() and window.actionDerivatives.isEnabled()


def test_the_show_button_says_what_the_canvas_shows_while_predicting(qtbot, window):
    show = window.actionDerivatives
    assert_backward_pass_shown(window)
    open_quiz(qtbot, window)
    assert window.view.concealed and backward_numbers_on_screen(window) == []
    assert not show.isChecked() and not show.isEnabled()  # off, and cannot be switched on
    assert "prediction" in show.toolTip()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.view.concealed and backward_numbers_on_screen(window) == []
    answer(qtbot, window, "0")  # checked: the numbers are back, and the button with them
    assert_backward_pass_shown(window)
    # switched off by the user, it stays off through a prediction
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not show.isChecked() and not window.view.show_derivatives
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # closes Predict
    assert not window.docks["quiz"].isVisible()
    assert not show.isChecked() and show.isEnabled() and not window.view.concealed


def test_a_window_closed_while_predicting_starts_again_with_everything_shown(qtbot, window):
    open_quiz(qtbot, window)
    assert window.view.concealed
    window.close()  # remembers the layout, the Predict panel open in it
    from gui.main_window import MainWindow
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.docks["quiz"].isVisible()
    assert not again.teaching.actionPredict.isChecked()
    assert_backward_pass_shown(again)
    assert "Hidden" not in again.teaching.math.text()
    # and Predict still works as before
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow)
    open_quiz(qtbot, again)
    assert again.view.concealed and not again.actionDerivatives.isChecked()
