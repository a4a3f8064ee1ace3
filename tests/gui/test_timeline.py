"""The timeline through the window: the keys, the slider and the step field show any past step
exactly (canvas, inspector, math panel, markers); Step/Train from there asks, discards the later
steps as one undo command, and Undo brings them back."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMessageBox

from engine import Network
from engine.lesson import load_preset
from gui import file_actions, timeline
from gui.math_panel import MathPanel
from gui.style import fmt
from gui.training import SPEEDS

from .contract import assert_canvas_shows_one_state


def reference(preset, script):
    """The state at every step count, computed here from scratch one engine step at a time:
    ``script`` is [(steps, edit)] — train ``steps``, then ``edit(net, settings)``."""
    lesson = load_preset(preset)
    net = lesson.network.copy()
    s = {"X": lesson.inputs, "T": lesson.targets, "lr": lesson.lr, "b": None, "q": None}
    states, k = {0: net.theta.copy()}, 0
    for steps, edit in script:
        for _ in range(steps):
            idx = Network.batch_indices(len(s["X"]), s["b"], k, s["q"])
            net.step(s["X"][idx], s["T"][idx], s["lr"])
            k += 1
            states[k] = net.theta.copy()
        if edit is not None:
            edit(net, s)
            states[k] = net.theta.copy()
    return states


def key(window, qtbot, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.view, k, mods)


@pytest.fixture
def trained(window):
    """XOR: 40 steps in batches of 2 (shuffled), then w35 edited, w13 frozen and the update
    order output first, 30 steps more, then η changed and 20 more — through the controller's
    requests, as the window makes them."""
    c = window.controller
    c.load_lesson(load_preset("xor"))
    c.edit(("batch",), "2")
    c.set_shuffle(5)
    c.run_steps(40)
    c.edit(("w", 3, 5), "1.5")
    c.set_frozen(("w", 1, 3), True)
    c.edit(("order",), "output_first")
    c.run_steps(30)
    c.edit(("lr",), "0.7")
    c.run_steps(20)

    def w35(net, s):
        net.set_weight(3, 5, 1.5)
        net.freeze_weight(1, 3)
        net.update_order = "output_first"

    def lr(net, s):
        s["lr"] = 0.7
    states = reference("xor", [(0, lambda n, s: s.update(b=2, q=5)), (40, w35), (30, lr),
                               (20, None)])
    window.activateWindow()
    window.view.setFocus()
    return c, states


def test_keys_slider_and_field_show_every_past_step_exactly(window, qtbot, trained):
    c, states = trained
    bar = window.timeline.bar
    assert (bar.slider.minimum(), bar.slider.maximum(), bar.slider.value()) == (0, 90, 90)
    c.select(("w", 3, 5))
    math = window.findChild(MathPanel)
    line = window.timeline.markers.lines["weight_plot"]
    assert not line.isVisible()

    def check(k):
        assert c.viewing == k and c.step_count == k
        assert c.network.theta.tobytes() == states[k].tobytes(), k
        assert bar.slider.value() == k and bar.field.value() == k
        assert_canvas_shows_one_state(window.view, c)
        w35 = states[k][c.param_index(("w", 3, 5))]
        assert window.findChild(QLineEdit, "inspectorValueEdit").text() == fmt(w35, 6)
        assert line.isVisible() and line.value() == k
        assert f"(step {k + 1})" in math.text() and fmt(w35, math.decimals) in math.text()

    key(window, qtbot, Qt.Key.Key_Home)
    check(0)
    key(window, qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    check(1)
    key(window, qtbot, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: bar.page() >= 90)  # the loss plot drawn: the steps it shows
    assert bar.page() <= 200
    key(window, qtbot, Qt.Key.Key_PageUp)
    check(0)
    window.loss_plot.plot.getPlotItem().setXRange(20, 50, padding=0)
    assert bar.page() == 30
    key(window, qtbot, Qt.Key.Key_PageDown)
    check(30)
    for k in (40, 41, 39, 70, 71, 85, 12):  # edits at 40 and 70: the edited state shows
        bar.field.lineEdit().selectAll()
        qtbot.keyClicks(bar.field.lineEdit(), str(k))
        qtbot.keyClick(bar.field.lineEdit(), Qt.Key.Key_Return)
        check(k)
    bar.slider.setFocus()
    qtbot.keyClick(bar.slider, Qt.Key.Key_Right)  # the slider's own key
    check(13)
    bar.slider.setValue(60)  # as a drag does
    check(60)
    key(window, qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    check(59)
    window.view.setFocus()
    key(window, qtbot, Qt.Key.Key_End)
    assert c.viewing is None and c.step_count == 90 and not line.isVisible()
    assert c.network.theta.tobytes() == states[90].tobytes()
    assert c.history.step_count == 90


def test_a_past_step_has_the_settings_it_ran_with(window, qtbot, trained):
    c, states = trained
    c.show_step(39)
    assert (c.lr, c.network.update_order, bool(c.network.frozen[0])) == (
        load_preset("xor").lr, "simultaneous", False)
    c.show_step(40)  # the edits made at step 40 are part of it
    assert (c.network.update_order, bool(c.network.frozen[0])) == ("output_first", True)
    assert c.network.weight(3, 5) == 1.5
    c.show_step(80)
    assert c.lr == 0.7
    c.show_step(69)
    assert c.lr == load_preset("xor").lr
    key(window, qtbot, Qt.Key.Key_End)
    assert c.lr == 0.7 and c.viewing is None


def test_step_from_a_past_step_asks_and_undo_brings_the_later_steps_back(window, qtbot,
                                                                       trained, monkeypatch):
    c, states = trained
    asked = []
    monkeypatch.setattr(timeline, "ask_discard_later", lambda parent, k, last: asked.append(
        (k, last)) or answer)
    end_history = c.history.n_steps
    c.show_step(55)
    answer = False  # Cancel: nothing changes
    window.findChild(QAction, "actionStep").trigger()
    assert asked == [(55, 90)] and c.viewing == 55 and c.step_count == 55
    n_commands = c.undo_stack.count()
    answer = True
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert asked[-1] == (55, 90)
    assert c.viewing is None and c.step_count == 56
    assert c.history.step_count == 56 and c.history.n_steps == 56
    # step 56 again, computed here from step 55's state
    net = load_preset("xor").network.copy()
    net.restore((states[55], c.network.frozen))
    net.update_order = "output_first"
    idx = Network.batch_indices(4, 2, 55, 5)
    net.step(c.inputs[idx], c.targets[idx], load_preset("xor").lr)
    assert c.network.theta.tobytes() == net.theta.tobytes() == states[56].tobytes()
    assert c.undo_stack.count() == n_commands + 2
    assert c.undo_stack.text(n_commands).startswith("Resume from step 55")
    # the history's rows up to 56 are the ones recorded the first time
    assert c.history.last[54, 1:].tobytes() == states[55].tobytes()
    window.findChild(QAction, "actionUndo").trigger()  # the Step
    window.findChild(QAction, "actionUndo").trigger()  # the discard: steps 56–90 are back
    assert c.step_count == 90 and c.history.n_steps == end_history
    assert c.network.theta.tobytes() == states[90].tobytes()
    c.show_step(77)
    assert c.network.theta.tobytes() == states[77].tobytes()
    window.findChild(QAction, "actionRedo").trigger()
    assert c.viewing is None and c.step_count == 55 and c.history.n_steps == 55
    window.findChild(QAction, "actionRedo").trigger()
    assert c.step_count == 56 and c.network.theta.tobytes() == states[56].tobytes()
    # and the timeline after the redo still shows the steps before it
    c.show_step(30)
    assert c.network.theta.tobytes() == states[30].tobytes()


def test_the_question_and_always_discard(window, qtbot, trained, monkeypatch):
    c, _ = trained
    shown = []

    def exec_(box):
        shown.append((box.text(), sorted(b.text() for b in box.buttons())))
        box.checkBox().setChecked(True)
        next(b for b in box.buttons() if b.text() == "Discard Later Steps").click()
        return 0
    monkeypatch.setattr(file_actions, "interactive", lambda: True)
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    c.show_step(88)
    window.findChild(QAction, "actionStep").trigger()
    assert shown == [("Go on from step 88 and discard the 2 later steps (89–90)?",
                      ["Cancel", "Discard Later Steps"])]
    assert c.step_count == 89
    assert window.findChild(QAction, "actionTimelineAlwaysDiscard").isChecked()
    c.show_step(10)
    window.findChild(QAction, "actionTrain").trigger()  # no question now
    assert len(shown) == 1 and c.training
    qtbot.waitUntil(lambda: c.step_count > 12)
    c.pause()
    assert c.history.step_count == c.step_count > 10
    monkeypatch.undo()  # the unsaved-changes question at closing is not this one


def test_scrubbing_while_training_pauses_first(window, qtbot):
    c = window.controller
    c.set_speed(len(SPEEDS) - 1)  # as fast as possible
    window.findChild(QAction, "actionTrain").trigger()
    qtbot.waitUntil(lambda: c.step_count > 300, timeout=5000)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert not c.training
    last = c.history.step_count
    assert c.viewing == last - 1
    assert c.undo_stack.text(c.undo_stack.count() - 1).startswith("Train")
    lesson = load_preset("notes_linear")  # from scratch, in one engine call
    lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, last - 1)
    assert c.network.theta.tobytes() == lesson.network.theta.tobytes()
    assert_canvas_shows_one_state(window.view, c)


def test_an_edit_at_a_past_step_goes_on_from_the_edited_state(window, qtbot, monkeypatch):
    c = window.controller
    monkeypatch.setattr(timeline, "ask_discard_later", lambda *a: True)
    c.run_steps(20)
    c.show_step(8)
    assert c.edit(("b", 5), "0.25")
    assert c.viewing is None and c.step_count == 8 and c.network.bias(5) == 0.25
    before = c.network.theta.copy()
    c.run_steps(5)
    c.show_step(8)
    assert c.network.theta.tobytes() == before.tobytes()
    c.show_step(7)
    assert c.network.bias(5) != 0.25
    three = reference("notes_linear", [(8, lambda n, s: n.set_bias(5, 0.25)), (5, None)])
    c.show_step(12)
    assert c.network.theta.tobytes() == three[12].tobytes()


def test_a_data_change_is_part_of_the_timeline(window, qtbot):
    c = window.controller
    c.load_lesson(load_preset("xor"))
    c.run_steps(10)
    old_targets = c.targets
    X, T = c.all_data()
    c.set_dataset(X, 1.0 - T, "Flip targets")
    c.run_steps(10)
    c.show_step(5)
    assert c.targets is old_targets
    assert_canvas_shows_one_state(window.view, c)
    c.show_step(15)
    assert np.array_equal(c.targets, 1.0 - old_targets)
    c.show_step(20)
    assert c.viewing is None and np.array_equal(c.targets, 1.0 - old_targets)


def test_the_keys_do_not_take_a_text_fields_keys(window, qtbot):
    c = window.controller
    c.run_steps(10)
    field = window.findChild(QLineEdit, "inspectorValueEdit")
    c.select(("w", 3, 5))
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Home)
    qtbot.keyClick(field, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert c.viewing is None and field.selectedText() == field.text()[:1]


@pytest.mark.parametrize("preset", ["notes_linear", "notes_relu", "notes_softmax", "xor"])
def test_every_preset_through_the_slider(window, qtbot, preset):
    """Minibatches where the preset has samples to spare, a frozen weight, both update
    orders: random steps through the slider equal a replay from scratch."""
    c = window.controller
    c.load_lesson(load_preset(preset))
    n = len(c.inputs)
    b = 1 if n > 1 else None
    if b:
        c.edit(("batch",), str(b))
    c.set_frozen(c.key_of_param(0), True)
    c.run_steps(25)
    c.edit(("order",), "output_first")
    c.run_steps(25)

    def freeze(net, s):
        s["b"] = b
        net.frozen[0] = True

    def order(net, s):
        net.update_order = "output_first"
    states = reference(preset, [(0, freeze), (25, order), (25, None)])
    slider = window.timeline.bar.slider
    for k in np.random.default_rng(3).choice(50, size=6, replace=False):
        slider.setValue(int(k))
        assert c.viewing == k
        assert c.network.theta.tobytes() == states[k].tobytes(), (preset, k)
    assert_canvas_shows_one_state(window.view, c)


def test_page_keys_give_way_to_another_features_action_while_it_is_enabled(window, qtbot):
    c = window.controller
    c.run_steps(30)
    mine = window.findChild(QAction, "actionTimelinePageBack")
    played = []
    other = window.add_action("actionScriptBack", "Previous Cue", "PgUp",
                              lambda: played.append(1))
    assert not mine.isEnabled()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    assert played == [1] and c.viewing is None
    other.setEnabled(False)  # the script stopped: PgUp is the timeline's again
    assert mine.isEnabled()
    qtbot.keyClick(window.view, Qt.Key.Key_PageUp)
    assert played == [1] and c.viewing is not None and c.viewing < 30


def test_markers_on_log_step_axes_and_a_save_from_a_past_step(window, qtbot):
    c = window.controller
    c.run_steps(40)
    c.show_step(9)
    lines = window.timeline.markers.lines
    assert lines["loss_plot"].value() == 9 == lines["weight_plot"].value()
    window.loss_plot.set_log_steps(True)  # one setting for both plots
    # the loss step 10 starts from is drawn at 10 on the log axis, the parameters after 9 at 9
    assert lines["loss_plot"].value() == pytest.approx(1.0)
    assert lines["weight_plot"].value() == pytest.approx(np.log10(9))
    window.loss_plot.set_log_steps(False)
    lesson = c.to_lesson()  # what Save and the autosave write: the latest state
    assert c.viewing is None and c.step_count == c.history.step_count == 40
    assert lesson.network.theta.tobytes() == c.network.theta.tobytes()
    assert not lines["loss_plot"].isVisible()


def test_next_phase_at_a_past_step_asks_only_when_it_takes_the_step(window, qtbot, monkeypatch):
    c = window.controller
    asked = []
    monkeypatch.setattr(timeline, "ask_discard_later",
                        lambda parent, k, last: asked.append((k, last)) or True)
    c.run_steps(12)
    c.show_step(5)
    phase = window.findChild(QAction, "actionPhaseStep")
    phase.trigger()
    assert c.walk is not None and c.viewing == 5 and asked == []
    while asked == []:
        phase.trigger()
    assert asked == [(5, 12)] and c.step_count == 6 and c.walk.taken
    assert c.history.step_count == 6
    c.show_step(2)  # ends the walk, shows step 2
    assert c.walk is None and c.viewing == 2
