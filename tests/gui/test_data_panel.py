"""The Data panel through the real window: the sample table (add, remove, edit, paste), CSV
import and export through the file dialogs, Generate…, the features, the split, the shuffle seed
and Train One Epoch — each one undo command, refused input changing nothing and saying so — and
the loss plot's test loss and accuracy."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog

from engine import Network
from engine.csvdata import MAX_CSV_CHARS, read_csv
from engine.datasets import GeneratorSettings, generate, n_test, split, with_features
from engine.lesson import Lesson, lesson_from_dict, read_lesson, write_lesson
from gui import data_panel
from gui.controller import Controller
from gui.plots import real_data
from gui.training import SPEEDS

CTRL, ALT, SHIFT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier,
                    Qt.KeyboardModifier.ShiftModifier)


def load(window, X, T, sizes=(2, 3, 1), acts=("tanh", "sigmoid"), loss="cross_entropy",
         seed=3, lr=0.5, batch=None, **kw):
    net = Network(list(sizes), list(acts), loss, seed=seed)
    window.controller.load_lesson(Lesson(net, np.asarray(X, float), np.asarray(T, float), lr,
                                         batch, **kw))
    return window.controller


def small(window):
    X = np.array([[0.5, -1.0], [1.25, 2.0], [-3.0, 0.75]])
    T = np.array([[1.0], [0.0], [1.0]])
    return load(window, X, T), X, T


@pytest.fixture
def dialogs(monkeypatch):
    """File dialogs that answer (off-screen, the panel asks none: no one could answer); each
    test then replaces QFileDialog's static methods with its answer."""
    monkeypatch.setattr(data_panel, "interactive", lambda: True)
    return monkeypatch


def panel(qtbot, window):
    p = window.data_panel.panel
    window.data_panel.show()
    qtbot.waitUntil(p.on_screen)
    return p


def data(c):
    """(raw inputs, targets) of every sample, in the data set's order."""
    X, T = c.all_data()
    return X[:, :c.n_raw].copy(), T.copy()


def table_values(p):
    m = p.model
    return np.array([[float(m.data(m.index(r, k), Qt.ItemDataRole.EditRole).replace("−", "-"))
                      for k in range(m.columnCount() - 1)] for r in range(m.rowCount())])


def action(window, name):
    a = window.findChild(QAction, name)
    assert a is not None, name
    return a


def message(window):
    return window.message_label.text()


# -- the menu and the shortcuts --------------------------------------------------------------------
def test_the_data_menu_has_every_command_with_a_shortcut_no_other_action_uses(qtbot, window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Data")
    expected = {"actionDataPanel": "Ctrl+Alt+D", "actionGenerateData": "Ctrl+Alt+G",
                "actionImportCsv": "Ctrl+Alt+I", "actionExportCsv": "Ctrl+Alt+E",
                "actionPasteData": "Ctrl+Alt+V", "actionEpoch": "Ctrl+Shift+E"}
    for name, keys in expected.items():
        a = action(window, name)
        assert a.shortcut().toString() == keys and a in menu.actions()
    # no shortcut of the window is taken twice (Ctrl+E is Export Worked Step)
    seen = {}
    for a in window.actions():
        for seq in a.shortcuts():
            key = seq.toString()
            assert key not in seen, f"{key}: {seen[key]} and {a.objectName()}"
            seen[key] = a.objectName()
    # Ctrl+Alt+D: the panel comes to the front from behind the Lesson/Math tabs, then closes
    dock = window.data_panel.dock
    assert dock.visibleRegion().isEmpty()
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL | ALT)
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL | ALT)
    assert dock.isHidden()


# -- the table: add, remove, edit ------------------------------------------------------------------
def test_add_and_remove_rows_are_one_undo_step_each_and_undo_redo_exactly(qtbot, window):
    c, X, T = small(window)
    p = panel(qtbot, window)
    assert np.array_equal(table_values(p), np.hstack((X, T)))
    count = c.undo_stack.count()
    p.table.setCurrentIndex(p.model.index(1, 0))
    qtbot.mouseClick(p.add_button, Qt.MouseButton.LeftButton)
    X4, T4 = np.insert(X, 2, 0.0, axis=0), np.insert(T, 2, 0.0, axis=0)
    assert c.undo_stack.count() == count + 1
    assert np.array_equal(data(c)[0], X4) and np.array_equal(data(c)[1], T4)
    assert p.model.rowCount() == 4 and np.array_equal(table_values(p), np.hstack((X4, T4)))
    assert window.lesson_panel.table.columnCount() == 4  # the lesson panel follows
    # remove samples 1 and 3 (a selection of two rows)
    p.table.clearSelection()
    for r in (0, 2):
        p.table.selectionModel().select(
            p.model.index(r, 0), p.table.selectionModel().SelectionFlag.Select
            | p.table.selectionModel().SelectionFlag.Rows)
    qtbot.mouseClick(p.remove_button, Qt.MouseButton.LeftButton)
    X2, T2 = np.delete(X4, [0, 2], axis=0), np.delete(T4, [0, 2], axis=0)
    assert np.array_equal(data(c)[0], X2) and np.array_equal(data(c)[1], T2)
    assert c.undo_stack.count() == count + 2
    window.actionUndo.trigger()
    assert np.array_equal(data(c)[0], X4) and np.array_equal(table_values(p), np.hstack((X4, T4)))
    window.actionUndo.trigger()
    assert np.array_equal(data(c)[0], X) and np.array_equal(data(c)[1], T)
    assert np.array_equal(table_values(p), np.hstack((X, T)))
    window.actionRedo.trigger()
    window.actionRedo.trigger()
    assert np.array_equal(data(c)[0], X2) and np.array_equal(table_values(p), np.hstack((X2, T2)))
    # the last sample cannot go: refused with a message, nothing changed
    p.table.selectAll()
    count = c.undo_stack.count()
    qtbot.mouseClick(p.remove_button, Qt.MouseButton.LeftButton)
    assert c.undo_stack.count() == count and np.array_equal(data(c)[0], X2)
    assert "at least one sample" in message(window)


def test_a_cell_typed_in_the_table_is_one_undo_step_and_text_is_refused(qtbot, window):
    c, X, T = small(window)
    p = panel(qtbot, window)
    count = c.undo_stack.count()
    p.table.setFocus()
    p.table.setCurrentIndex(p.model.index(2, 1))
    qtbot.keyClick(p.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "-0.125")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits in a queued call
    qtbot.waitUntil(lambda: c.undo_stack.count() > count)
    X2 = X.copy()
    X2[2, 1] = -0.125
    assert np.array_equal(data(c)[0], X2)
    assert p.model.data(p.model.index(2, 1)) == "−0.125"
    assert c.undo_stack.undoText() == "Set x2 of sample 3 = −0.125"
    count = c.undo_stack.count()
    p.table.setCurrentIndex(p.model.index(0, 2))
    qtbot.keyClick(p.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "abc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not a number" in message(window))
    assert c.undo_stack.count() == count and np.array_equal(data(c)[0], X2)
    assert "not a number" in message(window)
    window.actionUndo.trigger()
    assert np.array_equal(data(c)[0], X)


# -- paste ---------------------------------------------------------------------------------------------
def test_paste_from_a_spreadsheet_replaces_the_samples_and_undo_brings_them_back(qtbot, window):
    c, X, T = small(window)
    p = panel(qtbot, window)
    QGuiApplication.clipboard().setText("1.5\t-2\t1\n0.25\t3e-1\t0\n")
    action(window, "actionPasteData").trigger()
    assert np.array_equal(data(c)[0], [[1.5, -2.0], [0.25, 0.3]])
    assert np.array_equal(data(c)[1], [[1.0], [0.0]])
    assert p.model.rowCount() == 2
    window.actionUndo.trigger()
    assert np.array_equal(data(c)[0], X) and p.model.rowCount() == 3
    window.actionRedo.trigger()
    assert np.array_equal(data(c)[0], [[1.5, -2.0], [0.25, 0.3]])


def test_paste_with_a_decimal_comma_reads_semicolons_and_tabs(qtbot, window, comma_locale):
    c, X, T = small(window)
    panel(qtbot, window)
    QGuiApplication.clipboard().setText("x1;x2;ob5\n1,5;-2;1\n0,25;0;0\n")
    action(window, "actionPasteData").trigger()
    assert np.array_equal(data(c)[0], [[1.5, -2.0], [0.25, 0.0]])
    QGuiApplication.clipboard().setText("2,5\t1\t0\n")
    action(window, "actionPasteData").trigger()
    assert np.array_equal(data(c)[0], [[2.5, 1.0]])
    # "1,5,2,1" cannot be read with a decimal comma (nor as 4 numbers for 3 columns)
    count = c.undo_stack.count()
    QGuiApplication.clipboard().setText("1,5,2,1\n")
    action(window, "actionPasteData").trigger()
    assert c.undo_stack.count() == count and np.array_equal(data(c)[0], [[2.5, 1.0]])
    assert message(window).startswith("Paste: nothing changed")


BAD_TEXT = {
    "ragged": ("1,2,0\n3,4\n", "row 2 has 2 values"),
    "text in a number cell": ("x1,x2,ob5\n1,abc,0\n", '"abc" is not a number'),
    "wrong column count": ("1,2,3,4\n", "row 1 has 4 values; the network needs 3"),
    "empty": ("  \n", "the data is empty"),
    "header without rows": ("x1,x2,ob5\n", "no data rows"),
    "not finite": ("1,nan,0\n", "not a finite number"),
    "huge": ("1," * (MAX_CSV_CHARS // 2 + 1), "larger than 10 MB"),
}


def test_a_malformed_paste_says_why_and_changes_nothing(qtbot, window):
    c, X, T = small(window)
    p = panel(qtbot, window)
    for case, (text, why) in BAD_TEXT.items():
        window.clear_message()
        before = (c.inputs, c.targets, c.undo_stack.count())
        QGuiApplication.clipboard().setText(text)
        action(window, "actionPasteData").trigger()
        assert (c.inputs, c.targets, c.undo_stack.count()) == before, case  # the same arrays
        said = message(window)
        assert said.startswith("Paste: nothing changed") and why in said, (case, said)
        assert "\n" not in said and len(said) < 300
        assert np.array_equal(table_values(p), np.hstack((X, T)))


# -- CSV files ---------------------------------------------------------------------------------------
def test_csv_export_and_import_round_trip_through_the_dialogs(qtbot, window, tmp_path,
                                                              dialogs):
    monkeypatch = dialogs
    X, T = generate("circle", 40, 0.3, 7)
    c = load(window, X, T, test_ratio=0.25)
    panel(qtbot, window)
    path = tmp_path / "circle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    action(window, "actionExportCsv").trigger()
    written = (tmp_path / "circle.csv").read_text()
    assert written.splitlines()[0] == "x1,x2,ob6"  # a 2-3-1 network: the output is y6
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]
    Xr, Tr = read_csv(written, 2, 1)  # every sample, in the data set's order, exactly
    assert np.array_equal(Xr, X) and np.array_equal(Tr, T)
    # other data, then the file back: bit for bit, one undo step, the split kept
    c.set_dataset(np.zeros((5, 2)), np.ones((5, 1)), "zeros")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "circle.csv"), "")))
    count = c.undo_stack.count()
    action(window, "actionImportCsv").trigger()
    assert c.undo_stack.count() == count + 1
    assert np.array_equal(data(c)[0], X) and np.array_equal(data(c)[1], T)
    assert len(c.test_inputs) == n_test(40, 0.25) and c.test_ratio == 0.25
    assert "Imported 40 samples" in message(window)
    window.actionUndo.trigger()
    assert np.array_equal(data(c)[0], np.zeros((5, 2)))
    # a cancelled dialog does nothing
    index = c.undo_stack.index()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    action(window, "actionImportCsv").trigger()
    assert c.undo_stack.index() == index and c.undo_stack.canRedo()


def test_a_malformed_csv_file_says_why_and_changes_nothing(qtbot, window, tmp_path, dialogs):
    monkeypatch = dialogs
    c, X, T = small(window)
    panel(qtbot, window)
    path = tmp_path / "bad.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    for case in [*BAD_TEXT, "not UTF-8", "missing"]:
        if case == "not UTF-8":
            path.write_bytes(b"x1,x2,ob6\n1,\xff,0\n")
            why = "not UTF-8"
        elif case == "missing":
            path.unlink()
            why = "not a regular file"
        else:
            text, why = BAD_TEXT[case]
            path.write_text(text + ("0" if case == "huge" else ""))
        window.clear_message()
        before = (c.inputs, c.targets, c.undo_stack.count())
        action(window, "actionImportCsv").trigger()
        assert (c.inputs, c.targets, c.undo_stack.count()) == before, case
        said = message(window)
        assert said.startswith("Import bad.csv: nothing changed") and why in said, (case, said)


# -- Generate… ---------------------------------------------------------------------------------------
def type_settings(qtbot, dialog, name, count, noise, seed):
    dialog.combo.setCurrentIndex(dialog.combo.findData(name))
    for edit, text in ((dialog.count_edit, count), (dialog.noise_edit, noise),
                       (dialog.seed_edit, seed)):
        edit.clear()
        qtbot.keyClicks(edit, text)


def test_generate_replaces_the_samples_and_reshapes_the_network_in_one_undo_step(qtbot, window):
    c = window.controller  # the notes' network: 2 inputs, 3 outputs, one sample
    before_sizes, (X0, T0) = list(c.network.sizes), data(c)
    panel(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_G, CTRL | ALT)
    dialog = window.data_panel.panel.generate_dialog
    qtbot.waitUntil(dialog.isVisible)
    type_settings(qtbot, dialog, "spiral", "120", "0.1", "3")
    count = c.undo_stack.count()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    X, T = generate("spiral", 120, 0.1, 3)
    assert np.array_equal(data(c)[0], X) and np.array_equal(data(c)[1], T)
    assert c.generator == GeneratorSettings("spiral", 120, 0.1, 3)
    assert c.network.sizes[0] == 2 and c.network.sizes[-1] == 1
    assert c.undo_stack.count() == count + 1
    assert "120 samples: 120 train" in window.data_panel.panel.summary.text()
    window.actionUndo.trigger()
    assert list(c.network.sizes) == before_sizes
    assert np.array_equal(data(c)[0], X0) and np.array_equal(data(c)[1], T0)
    window.actionRedo.trigger()
    assert np.array_equal(data(c)[0], X) and c.network.sizes[-1] == 1
    # the dialog opens with the data's own settings; the 1-D curve makes a 1-input network
    window.data_panel.panel.generate()
    assert (dialog.combo.currentData(), dialog.count_edit.text(), dialog.noise_edit.text(),
            dialog.seed_edit.text()) == ("spiral", "120", "0.1", "3")
    type_settings(qtbot, dialog, "curve", "50", "0", "1")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    Xc, Tc = generate("curve", 50, 0.0, 1)
    assert c.network.sizes[0] == 1 and np.array_equal(data(c)[0], Xc)
    assert c.network.activations[-1] == "linear" and c.network.loss == "half_sse"


BAD_SETTINGS = [
    ("3", "0", "0", "count must be a whole number from 4 to 2,000, not 3"),
    ("2.5", "0", "0", "count must be a whole number, not 2.5"),
    ("100", "2", "0", "noise must be a number from 0 to 1"),
    ("100", "0", "x", "seed: “x” is not a number"),
    ("", "0", "0", "count"),
]


def test_bad_generator_settings_say_which_and_change_nothing(qtbot, window):
    c, X, T = small(window)
    dialog = panel(qtbot, window).generate()
    for count, noise, seed, why in BAD_SETTINGS:
        type_settings(qtbot, dialog, "xor", count, noise, seed)
        before = (c.network, c.inputs, c.targets, c.undo_stack.count())
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert (c.network, c.inputs, c.targets, c.undo_stack.count()) == before
        assert dialog.isVisible()
        assert dialog.error.text().startswith("Not generated: ") and why in dialog.error.text()


# -- features, split, shuffle: also while training and after Undo ----------------------------------
def start_training(qtbot, window):
    c = window.controller
    c.set_speed(len(SPEEDS) - 1)
    window.actionTrain.trigger()
    qtbot.waitUntil(lambda: c.step_count > 0, timeout=3000)
    assert c.training


def test_features_from_the_check_boxes_while_training_and_after_undo(qtbot, window):
    X, T = generate("circle", 60, 0.0, 2)
    c = load(window, X, T)
    p = panel(qtbot, window)
    start_training(qtbot, window)
    qtbot.mouseClick(p.feature_checks["x1sq"], Qt.MouseButton.LeftButton)
    assert not c.training  # the run ended first and is its own undo step
    assert c.undo_stack.undoText() == "Features: x1²"
    assert c.undo_stack.text(c.undo_stack.count() - 2).startswith("Train ")
    assert c.features == ("x1sq",) and c.network.sizes[0] == 3
    assert np.array_equal(c.all_data()[0], with_features(X, ["x1sq"]))
    assert c.input_names() == ["x1", "x2", "x1²"]
    p.feature_checks["sinx2"].click()
    assert c.features == ("x1sq", "sinx2") and c.network.sizes[0] == 4
    window.actionUndo.trigger()
    assert c.features == ("x1sq",) and p.feature_checks["x1sq"].isChecked()
    assert not p.feature_checks["sinx2"].isChecked()
    window.actionUndo.trigger()
    assert c.features == () and not p.feature_checks["x1sq"].isChecked()
    assert c.network.sizes[0] == 2 and np.array_equal(data(c)[0], X)
    # after Undo, the boxes still work, and a 1-input network cannot take x2's features
    p.feature_checks["x1x2"].click()
    assert c.features == ("x1x2",)


def test_split_and_shuffle_from_the_panel_while_training_and_after_undo(qtbot, window):
    X, T = generate("gaussians", 50, 0.2, 4)
    c = load(window, X, T)
    p = panel(qtbot, window)
    start_training(qtbot, window)
    p.test_spin.setFocus()
    p.test_spin.selectAll()
    qtbot.keyClicks(p.test_spin, "30")
    qtbot.keyClick(p.test_spin, Qt.Key.Key_Return)
    assert not c.training and c.test_ratio == 0.3
    train, test = split(50, 0.3, 0)
    assert np.array_equal(c.test_inputs, X[test]) and np.array_equal(c.inputs, X[train])
    assert c.undo_stack.undoText() == "Test set: 30 %"
    assert "50 samples: 35 train, 15 test" in p.summary.text()
    assert [p.model.data(p.model.index(r, 3)) for r in range(50)].count("test") == 15
    p.split_seed_spin.setValue(9)
    assert np.array_equal(c.test_inputs, X[split(50, 0.3, 9)[1]])
    qtbot.mouseClick(p.shuffle_check, Qt.MouseButton.LeftButton)
    assert c.shuffle_seed == 0
    p.shuffle_seed_spin.setValue(5)
    assert c.shuffle_seed == 5
    for _ in range(2):
        window.actionUndo.trigger()
    assert c.shuffle_seed is None and not p.shuffle_check.isChecked()
    window.actionUndo.trigger()
    assert c.split_seed == 0 and p.split_seed_spin.value() == 0
    window.actionUndo.trigger()
    assert c.test_ratio == 0 and p.test_spin.value() == 0 and len(c.inputs) == 50
    # after Undo: the split again, now the dataset set directly during a run
    p.test_spin.setValue(20)
    start_training(qtbot, window)
    c.set_dataset(X[:10], T[:10], "ten")
    assert not c.training and len(c.test_inputs) == 2 and c.test_ratio == 0.2


def test_train_one_epoch_visits_every_training_sample_once(qtbot, window):
    X, T = generate("xor", 24, 0.0, 1)
    c = load(window, X, T, batch=5, test_ratio=0.25)  # 18 training samples: 4 steps of 5
    c.set_speed(len(SPEEDS) - 1)
    qtbot.keyClick(window.view, Qt.Key.Key_E, CTRL | SHIFT)
    qtbot.waitUntil(lambda: not c.training and c.step_count > 0, timeout=3000)
    assert c.step_count == 4
    assert c.undo_stack.undoText() == "Train 4 steps"


# -- the loss plot: test loss and accuracy ---------------------------------------------------------
def test_the_loss_plot_draws_the_test_loss_and_the_accuracy(qtbot, window):
    X, T = generate("circle", 80, 0.2, 3)
    c = load(window, X, T, sizes=(2, 4, 1), test_ratio=0.25)
    plot = window.loss_plot
    for _ in range(3):
        window.actionStep.trigger()
    plot.refresh()
    x, y = real_data(plot.test_curve)
    train, test = split(80, 0.25, 0)
    expected = c.network.loss_value(X[test], T[test])  # another path: the engine on the split
    assert x[-1] == 3 and y[-1] == pytest.approx(expected, rel=1e-12)
    assert plot.legend.isVisibleTo(plot) and "test L" in plot.legend.text()
    right = lambda idx: np.mean((c.network.forward(X[idx])[:, 0] >= 0.5) == (T[idx, 0] == 1))
    text = plot.accuracy_label.text()
    assert text == (f"accuracy {100 * right(train):.1f} % "
                    f"(test {100 * right(test):.1f} %)")
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    plot.refresh()
    assert real_data(plot.test_curve)[0].max() == 1  # no points from the steps undone
    # a lesson without a test set, and a regression: no test curve, no legend, no accuracy
    load(window, X, T, sizes=(2, 4, 1), acts=("tanh", "linear"), loss="half_sse")
    plot.refresh()
    assert plot.test_curve.getData()[0] is None and not plot.legend.isVisibleTo(plot)
    assert not plot.accuracy_label.isVisibleTo(plot)


def test_the_test_loss_is_computed_per_redraw_not_per_step(qtbot, window, monkeypatch):
    import time
    X, T = generate("gaussians", 60, 0.3, 1)
    c = load(window, X, T, sizes=(2, 3, 1), test_ratio=0.25, lr=0.1)
    calls = []
    real = c.test_loss
    monkeypatch.setattr(c, "test_loss", lambda: calls.append(1) or real())
    c.set_speed(len(SPEEDS) - 1)
    start = time.perf_counter()
    c.start_training(20_000)
    qtbot.waitUntil(lambda: not c.training, timeout=20_000)
    seconds = time.perf_counter() - start
    assert c.step_count == 20_000
    assert 1 <= len(calls) <= 3 + 10 * seconds * 2  # ten redraws a second (and a margin)
    window.loss_plot.refresh()
    assert real_data(window.loss_plot.test_curve)[0][-1] == 20_000


# -- learning: XOR through the Train action, the spiral with features -----------------------------
def test_an_xor_net_reaches_100_percent_training_accuracy_through_train(qtbot, window):
    X, T = generate("xor", 200, 0.0, 5)
    c = load(window, X, T, sizes=(2, 4, 1), seed=3, lr=0.5)
    c.set_speed(len(SPEEDS) - 1)
    window.actionTrain.trigger()
    qtbot.waitUntil(lambda: c.accuracy() == 1.0, timeout=10_000)
    window.actionTrain.trigger()  # pause
    assert not c.training and 0 < c.step_count <= 3000
    y = window.network.forward(X)[:, 0]  # every sample on its side of 0.5, checked here
    assert np.all((y >= 0.5) == (T[:, 0] == 1.0))
    window.loss_plot.refresh()
    assert window.loss_plot.accuracy_label.text() == "accuracy 100.0 %"


def test_a_spiral_net_with_features_gets_over_90_percent_test_accuracy(qapp):
    X, T = generate("spiral", 400, 0.0, 1)
    net = Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "cross_entropy", seed=1)
    c = Controller(Lesson(net, X, T, 0.1, 10))
    c.set_split(0.2, 0)
    c.set_shuffle(1)
    c.set_features(["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"])
    assert list(c.network.sizes) == [7, 8, 8, 1]
    c.run_steps(4000)
    _, test = split(400, 0.2, 0)
    y = c.network.forward(with_features(X[test], c.features))[:, 0]
    accuracy = np.mean((y >= 0.5) == (T[test, 0] == 1.0))
    assert accuracy > 0.9 and c.accuracy(test=True) == accuracy


# -- older files ---------------------------------------------------------------------------------------
def test_a_version_1_file_opens_in_the_panel_and_saves_unchanged_after_undo(qtbot, window,
                                                                            tmp_path):
    lesson = lesson_from_dict({
        "format": "backprop-lab", "version": 1,
        "network": {"layers": [2, 2, 1], "activations": ["tanh", "sigmoid"],
                    "loss": "cross_entropy",
                    "weights": {"w13": 0.1, "w14": -0.2, "w23": 0.3, "w24": 0.4, "w35": 0.5,
                                "w45": -0.6},
                    "biases": {"b3": 0.0, "b4": 0.1, "b5": -0.1}},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
        "training": {"lr": 0.5}})
    first = tmp_path / "v1.json"
    write_lesson(str(first), lesson)
    assert '"version": 1' in first.read_text()
    window.files.open_file(str(first))
    c = window.controller
    p = panel(qtbot, window)
    assert np.array_equal(table_values(p), np.hstack((lesson.inputs, lesson.targets)))
    assert c.features == () and c.test_ratio == 0 and c.shuffle_seed is None
    p.feature_checks["x1x2"].click()
    p.test_spin.setValue(25)
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    again = tmp_path / "again.json"
    write_lesson(str(again), c.to_lesson())
    assert again.read_bytes() == first.read_bytes()
    assert read_lesson(str(again))[0].features == ()


def test_the_commands_work_with_the_panel_closed(qtbot, window, tmp_path, dialogs):
    monkeypatch = dialogs
    c, X, T = small(window)
    window.data_panel.dock.hide()
    c.set_dataset(X[:2], T[:2], "two")  # the hidden panel does not follow until shown
    path = tmp_path / "two.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.keyClick(window.view, Qt.Key.Key_E, CTRL | ALT)
    assert read_csv(path.read_text(), 2, 1)[0].tolist() == X[:2].tolist()
    p = panel(qtbot, window)
    assert np.array_equal(table_values(p), np.hstack((X[:2], T[:2])))
