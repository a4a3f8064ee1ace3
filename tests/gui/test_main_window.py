"""The main window, driven as a user would: toolbar clicks, shortcuts, typing."""
import time

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QSpinBox, QTableWidget, QToolBar

from engine.lesson import load_preset
from gui.style import fmt
from gui.main_window import KEY_SPEED
from gui.settings import settings
from gui.training import DEFAULT_SPEED, SPEEDS
from tests.gui.conftest import shown_window
from tests.gui.canvas_helpers import free_point_on_edge



def click_action(qtbot, window, action):
    toolbar = window.findChild(QToolBar, "mainToolBar")
    qtbot.mouseClick(toolbar.widgetForAction(action), Qt.MouseButton.LeftButton)


def notes_lesson():
    return load_preset("notes_linear")


def test_opens_with_the_notes_linear_preset_and_named_widgets(window):
    ref = notes_lesson().network
    assert window.network.sizes == (2, 2, 3)
    assert window.network.activations == ("relu", "linear")
    np.testing.assert_array_equal(window.network.theta, ref.theta)
    for name in ("actionStep", "actionTrain", "actionReset", "actionUndo", "actionRedo"):
        assert window.findChild(type(window.actionStep), name) is not None, name
    for name in ("networkView", "lossPlot", "weightPlot", "learningRateEdit"):
        assert window.findChild(object, name) is not None, name


def test_step_button_changes_weights_exactly_as_engine_step(qtbot, window):
    lesson = notes_lesson()
    expected = lesson.network.copy()
    rec = expected.step(lesson.inputs, lesson.targets, lesson.lr)
    click_action(qtbot, window, window.actionStep)
    np.testing.assert_array_equal(window.network.theta, expected.theta)
    assert window.controller.step_count == 1
    assert window.step_label.text() == "step 1"
    assert window.controller.history.n_steps == 1
    assert window.controller.history.latest()[0] == rec.loss


def test_space_steps_and_ctrl_z_undoes_exactly(qtbot, window):
    before = window.network.theta.copy()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.controller.step_count == 2
    after_two = window.network.theta.copy()
    assert not np.array_equal(after_two, before)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(window.network.theta, before)
    assert window.controller.step_count == 0
    assert window.controller.history.n_steps == 0
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_Z, redo)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, redo)
    np.testing.assert_array_equal(window.network.theta, after_two)
    assert window.controller.history.n_steps == 2


def type_into(qtbot, edit, text):
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_learning_rate_edit_accepts_numbers_and_refuses_bad_text(qtbot, window):
    edit = window.findChild(QLineEdit, "learningRateEdit")
    type_into(qtbot, edit, "0.25")
    assert window.controller.lr == 0.25
    for bad in ("abc", "nan", "1e999", "-1"):
        type_into(qtbot, edit, bad)
        assert window.controller.lr == 0.25
        assert edit.text() == "0.25"
        assert "Not changed" in window.message_label.text()
    window.controller.step()
    lesson = notes_lesson()
    ref = lesson.network.copy()
    ref.step(lesson.inputs, lesson.targets, 0.25)
    np.testing.assert_array_equal(window.network.theta, ref.theta)


def test_inspector_edits_the_selected_weight_and_freezes_it(qtbot, window):
    window.controller.select(("w", 3, 5))
    edit = window.findChild(QLineEdit, "inspectorValueEdit")
    type_into(qtbot, edit, "0.75")
    assert window.network.weight(3, 5) == 0.75
    check = window.inspector.frozen_check
    # on the box itself: a wide check box only toggles on its box and text
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert window.network.is_weight_frozen(3, 5)
    window.controller.step()
    assert window.network.weight(3, 5) == 0.75
    type_into(qtbot, edit, "zero")
    assert window.network.weight(3, 5) == 0.75
    assert window.message_label.text().startswith("Not changed")


def test_train_then_pause_stops(qtbot, window):
    c = window.controller
    qtbot.keyClick(window.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert c.training and window.actionTrain.text() == "Pause"
    qtbot.waitUntil(lambda: c.step_count > 100, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert not c.training and window.actionTrain.text() == "Train"
    stopped_at = c.step_count
    qtbot.wait(100)
    assert c.step_count == stopped_at
    assert c.history.n_steps == stopped_at
    # the whole run is one undo step
    window.actionUndo.trigger()
    assert c.step_count == 0
    np.testing.assert_array_equal(window.network.theta, notes_lesson().network.theta)


def test_train_n_shows_progress_and_cancel_stops(qtbot, window):
    c = window.controller
    c.set_speed(3)  # 30 steps/s: slow enough to cancel midway
    window.train_n(1000)
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: c.step_count >= 2, timeout=5000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert not c.training and not window.progress.isVisible()
    assert 2 <= c.step_count < 1000


def test_train_n_runs_exactly_n_steps_like_the_engine(qtbot, window):
    c = window.controller
    window.train_n(500)
    qtbot.waitUntil(lambda: not c.training, timeout=10000)
    assert c.step_count == 500
    lesson = notes_lesson()
    ref = lesson.network.copy()
    losses = ref.train(lesson.inputs, lesson.targets, lesson.lr, 500)
    np.testing.assert_array_equal(window.network.theta, ref.theta)
    x, y = c.history.curve(0)
    np.testing.assert_array_equal(y, losses)


def test_diverging_learning_rate_pauses_and_keeps_a_finite_state(qtbot, window):
    c = window.controller
    type_into(qtbot, window.findChild(QLineEdit, "learningRateEdit"), "1e6")
    c.start_training()
    qtbot.waitUntil(lambda: not c.training, timeout=5000)
    assert np.isfinite(window.network.theta).all()
    assert "diverged" in window.message_label.text()
    for col in range(c.history.n_columns):
        assert np.isfinite(c.history.curve(col)[1]).all()


def test_reset_and_randomize_are_undoable(qtbot, window):
    c = window.controller
    initial = window.network.theta.copy()
    c.step()
    click_action(qtbot, window, window.actionRandomize)
    randomized = window.network.theta.copy()
    assert not np.array_equal(randomized, initial) and c.step_count == 0
    click_action(qtbot, window, window.actionReset)
    np.testing.assert_array_equal(window.network.theta, initial)
    window.actionUndo.trigger()
    np.testing.assert_array_equal(window.network.theta, randomized)
    window.actionUndo.trigger()
    assert c.step_count == 1 and c.history.n_steps == 1


def test_presets_menu_loads_each_preset(qtbot, window):
    for name, action in window.preset_actions.items():
        action.trigger()
        ref = load_preset(name)
        assert window.network.sizes == ref.network.sizes
        assert window.network.activations == ref.network.activations
        np.testing.assert_array_equal(window.network.theta, ref.network.theta)
        window.controller.step()
        assert window.controller.step_count == 1


def test_step_adds_a_point_to_every_curve(qtbot, window):
    plot = window.weight_plot
    click_action(qtbot, window, window.actionStep)
    plot.refresh()
    window.loss_plot.refresh()
    for index, curve in enumerate(plot.curves):
        x, y = curve.getData()
        assert len(y) == 1 and y[-1] == window.network.theta[index]
    x, y = window.loss_plot.curve.getData()
    assert len(y) == 1 and y[0] == window.controller.history.latest()[0]


def test_clicking_an_edge_highlights_its_curve_and_the_inspector(qtbot, window):
    view = window.view
    point = free_point_on_edge(view, view.connections[(3, 5)])
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(point))
    assert window.controller.selection == ("w", 3, 5)
    index = window.network.labels.index("w35")
    assert window.weight_plot.selected == index
    assert window.inspector.title.text() == "Parameter w35"
    assert window.findChild(QLineEdit, "inspectorValueEdit").text() == "0.400000"


def test_every_menu_action_has_a_keyboard_shortcut(window):
    """A lecturer never needs the mouse (the recent-files list is reached with Alt+F, R)."""
    missing = []

    def walk(menu, path):
        for a in menu.actions():
            if a.isSeparator() or a.menu() is window.files.recent_menu:
                continue
            if a.menu() is not None:
                walk(a.menu(), path + [a.text()])
            elif a.shortcut().isEmpty():
                missing.append(" > ".join(path + [a.text()]))

    for top in window.menuBar().actions():
        walk(top.menu(), [top.text()])
    assert missing == []
    shortcuts = [a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"


def test_dead_relus_are_hatched_on_the_canvas_and_named_in_the_status_bar(qtbot, window):
    """η = 1e6 on the ReLU net kills every ReLU within two steps (L stuck at 0.170): the
    canvas and the status bar say so, and Undo brings them back to life. (The notes' own
    second case starts with y6 inactive — net6 < 0 for its one sample — which is shown but not
    warned about.)"""
    window.preset_actions["notes_relu"].trigger()
    c = window.controller
    assert c.dead == {6} and window.dead_label.text() == "dead ReLU: y6"
    assert "Dead" not in window.message_label.text()
    c.edit(("lr",), "1e6")
    for _ in range(2):
        qtbot.keyClick(window.view, Qt.Key.Key_Space)
    net = window.network
    dead = {j for j in (3, 4, 5, 6, 7)
            if all(v <= 0 for v in net.step(c.inputs, c.targets, c.lr, apply=False).nets[
                net.layout.locate(j)[0]][:, net.layout.locate(j)[1]])}
    assert dead and c.dead == dead
    assert window.dead_label.isVisible()
    assert window.dead_label.text() == "dead ReLU: " + ", ".join(f"y{j}" for j in sorted(dead))
    for j, item in window.view.neurons.items():
        assert item.dead == (j in dead)
    window.view.update_tooltip(window.view.neurons[min(dead)])
    assert "dead: net ≤ 0 for every sample" in window.view.neurons[min(dead)].toolTip()
    assert "Dead ReLU" in window.message_label.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert c.dead == {6} and window.dead_label.text() == "dead ReLU: y6"
    assert [j for j, item in window.view.neurons.items() if item.dead] == [6]


def test_show_net_puts_net_j_under_every_neuron(qtbot, window):
    from tests.gui.contract import fresh_pass

    view = window.view
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.actionShowNet.isChecked()
    rec, _, s = fresh_pass(window.controller)
    for j in (3, 4, 5, 6, 7):
        assert view.neurons[j].note.text() == (f"net{j} = {fmt(rec.net(j, s))}\n"
                                               f"δ{j} = {fmt(rec.delta(j, s))}")
    assert view.net_layout.overlaps() == []
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # δ off: net stays
    assert view.neurons[5].note.text() == f"net5 = {fmt(rec.net(5, s))}"
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert not view.neurons[5].note.isVisible()
# -- speed: the default lets a class watch the first curve form; remembered --------------------
CTRL = Qt.KeyboardModifier.ControlModifier


def new_window(qtbot):
    """Another window, as the next start of the app makes it (same settings)."""
    return shown_window(qtbot)


def test_a_fresh_window_trains_xor_slowly_enough_to_watch_the_loss_curve_form(qtbot, window):
    c = window.controller
    assert SPEEDS[c.speed_index] == DEFAULT_SPEED == 100
    assert window.speed_label.text() == "paused  (speed: 100 steps/s)"
    assert window.lesson_panel.speed.value() == c.speed_index
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)  # XOR
    first_loss = c.record.loss
    start = time.perf_counter()
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: c.step_count >= 300, timeout=15_000)
    took = time.perf_counter() - start
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    assert not c.training
    assert took > 2.0  # several seconds for the plateau and the fall (full speed: < 0.01 s)
    # the loss plot shows a curve that falls across the plot, not a spike at step 0
    plot = window.loss_plot
    plot.refresh()
    x, y = plot.curve.getOriginalDataset()
    assert x[0] == 0 and y[0] == first_loss and x[-1] == c.step_count - 1
    (x0, x1), (y0, y1) = plot.plot.getPlotItem().vb.viewRange()
    assert (100 - max(x0, 0)) / (x1 - x0) > 0.15  # the first 100 steps: a good share
    assert (y[0] - y[-1]) / (y1 - y0) > 0.4  # and the fall takes much of the height
    # Log steps (Alt+S): the first 100 steps take most of the width, on both step plots
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.loss_plot.log_steps)  # a mnemonic clicks after 100 ms
    assert window.weight_plot.log_steps
    assert window.weight_plot.log_steps_check.isChecked()
    plot.refresh()
    x, y = plot.curve.getOriginalDataset()
    assert x[0] == 1 and y[0] == first_loss  # the loss step 1 started from, at 1
    plot.plot.grab()  # the view range settles when painted
    (x0, x1), _ = plot.plot.getPlotItem().vb.viewRange()
    assert (2 - max(x0, 0)) / (x1 - x0) > 0.6


def test_the_speed_is_remembered_and_shown_at_once_while_paused(qtbot, window):
    c = window.controller
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft, CTRL)  # Slower: 30 steps/s
    assert SPEEDS[c.speed_index] == 30
    assert window.speed_label.text() == "paused  (speed: 30 steps/s)"
    for _ in range(len(SPEEDS)):
        qtbot.keyClick(window, Qt.Key.Key_BracketLeft, CTRL)
    assert window.speed_label.text() == "paused  (speed: 1 step/s)"
    assert window.lesson_panel.speed_label.text() == "1 step per second"
    window.lesson_panel.speed.setValue(len(SPEEDS) - 1)  # the slider, to the end
    assert window.speed_label.text() == "paused  (speed: max)"
    assert window.lesson_panel.speed_label.text() == "as fast as possible"
    window.lesson_panel.speed.setValue(SPEEDS.index(1000))
    window.close()
    again = new_window(qtbot)
    assert SPEEDS[again.controller.speed_index] == 1000
    assert again.speed_label.text() == "paused  (speed: 1,000 steps/s)"
    assert again.lesson_panel.speed.value() == SPEEDS.index(1000)


def test_a_saved_speed_that_is_not_offered_gives_the_default(qtbot):
    settings().setValue(KEY_SPEED, "7")
    assert SPEEDS[new_window(qtbot).controller.speed_index] == DEFAULT_SPEED


def test_log_scale_and_log_steps_are_remembered(qtbot, window):
    qtbot.mouseClick(window.weight_plot.log_steps_check, Qt.MouseButton.LeftButton)
    assert window.loss_plot.log_steps_check.isChecked()  # one setting for both plots
    qtbot.mouseClick(window.loss_plot.log_check, Qt.MouseButton.LeftButton)
    window.close()
    again = new_window(qtbot)
    assert again.loss_plot.log_scale and again.loss_plot.log_steps and again.weight_plot.log_steps
    assert again.loss_plot.plot.getPlotItem().getAxis("bottom").logMode
    qtbot.mouseClick(again.loss_plot.log_steps_check, Qt.MouseButton.LeftButton)
    assert not again.weight_plot.log_steps
    again.close()
    assert not new_window(qtbot).weight_plot.log_steps


# -- the status bar's message ---------------------------------------------------------------------
def is_red(label):
    return "color" in label.styleSheet()


def test_an_accepted_edit_clears_the_error_of_a_refused_one(qtbot, window):
    edit = window.findChild(QLineEdit, "learningRateEdit")
    type_into(qtbot, edit, "abc")
    assert window.message_label.text().startswith("Not changed") and is_red(window.message_label)
    qtbot.wait(10)  # the user types again
    type_into(qtbot, edit, "0.3")
    assert window.controller.lr == 0.3
    assert window.message_label.text() == "" and not is_red(window.message_label)
    # any action that succeeds does it too: here a Step (Space)
    type_into(qtbot, edit, "-1")
    assert is_red(window.message_label)
    qtbot.wait(10)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.controller.step_count == 1 and window.message_label.text() == ""


def test_the_error_of_a_run_that_diverged_stays_although_the_run_is_pushed(qtbot, window):
    c = window.controller
    type_into(qtbot, window.findChild(QLineEdit, "learningRateEdit"), "1e6")
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: not c.training, timeout=5000)
    qtbot.wait(50)
    assert "diverged" in window.message_label.text() and is_red(window.message_label)
    assert c.undo_stack.count() == 2  # η, then the run up to the last finite state


# -- Space steps from every field -----------------------------------------------------------------
def test_space_in_the_learning_rate_field_commits_it_then_steps(qtbot, window):
    c = window.controller
    edit = window.findChild(QLineEdit, "learningRateEdit")
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.25")
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    assert c.lr == 0.25 and c.step_count == 1
    assert edit.text() == "0.25" and edit.hasFocus()  # no space typed; still there to edit
    lesson = notes_lesson()
    ref = lesson.network.copy()
    ref.step(lesson.inputs, lesson.targets, 0.25)  # the step used the η just typed
    np.testing.assert_array_equal(window.network.theta, ref.theta)
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    assert c.step_count == 2 and c.undo_stack.count() == 3  # η, Step, Step
    # refused text: the Step still comes, with the old η
    edit.selectAll()
    qtbot.keyClicks(edit, "abc")
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    assert c.lr == 0.25 and c.step_count == 3 and edit.text() == "0.25"


def test_space_in_a_spin_box_or_a_table_cell_commits_it_then_steps(qtbot, window):
    c = window.controller
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)  # XOR: four samples
    spin = window.findChild(QSpinBox, "batchSizeSpin")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    assert c.batch_size == 2 and c.step_count == 1 and spin.text() == "2"
    table = window.findChild(QTableWidget, "sampleTable")
    table.setFocus()
    table.setCurrentCell(0, 1)  # x1 of sample 2
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor is not table
    editor.selectAll()
    qtbot.keyClicks(editor, "0.5")
    qtbot.keyClick(editor, Qt.Key.Key_Space)
    assert c.inputs[1, 0] == 0.5 and c.step_count == 2
    assert table.item(0, 1).text() == "0.500"


def test_space_in_the_predict_answer_types_a_space_and_does_not_step(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    guess = window.findChild(QLineEdit, "quizGuess")
    guess.setFocus()
    qtbot.keyClicks(guess, "0.1")
    qtbot.keyClick(guess, Qt.Key.Key_Space)
    assert window.controller.step_count == 0 and guess.text() == "0.1 "


def test_no_two_actions_share_a_shortcut(window):
    """A shortcut given to two actions is ambiguous: Qt then runs neither, silently. Every
    feature installs its own actions, so this is where a clash would show."""
    owners = {}
    for a in window.findChildren(QAction):
        for key in a.shortcuts():
            owners.setdefault(key.toString(), []).append(a.objectName() or a.text())
    assert len(owners) > 50  # every feature's actions are there
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
