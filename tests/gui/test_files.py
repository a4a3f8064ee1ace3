"""The File menu, driven as a user would: Save As, Save, Open (good and bad files), the
unsaved-changes prompt, recent files, dropping a file on the window, the title; what a save may
replace (never a device, FIFO or folder; a changed or read-only file only when the user says so)
and what opening refuses at once."""
import json
import os
import signal
import stat
import time

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMenu

import engine.lesson
from engine import atomic
from engine.lesson import load_preset, read_lesson, write_lesson
from gui import file_actions
from tests.gui.files_helpers import (  # noqa: F401 (fixtures)
    dialogs,
    isolated_settings,
    make_window,
    window,
)


def state(w):
    """Everything a saved file must restore, as comparable bytes and values."""
    c = w.controller
    n = c.history.n_buckets
    return {
        "sizes": c.network.sizes, "activations": c.network.activations, "loss": c.network.loss,
        "order": c.network.update_order, "theta": c.network.theta.tobytes(),
        "frozen": c.network.frozen.tobytes(), "inputs": c.inputs.tobytes(),
        "targets": c.targets.tobytes(), "shape": (c.inputs.shape, c.targets.shape),
        "lr": c.lr, "batch": c.batch_size, "seed": c.seed, "steps": c.step_count,
        "history": (c.history.capacity, c.history.stride, c.history.n_steps, n,
                    c.history.lo[:n].tobytes(), c.history.hi[:n].tobytes(),
                    c.history.last[:n].tobytes()),
        "name": c.lesson.name,
    }


def edit_a_lot(w):
    c = w.controller
    c.edit(("lr",), "0.3")
    c.edit(("w", 3, 5), "0.123456789012345678")
    c.edit(("x", 0, 1), "-0.7")
    c.set_frozen(("w", 4, 6), True)
    c.edit(("order",), "output_first")
    c.randomize(17)
    c.run_steps(5000)  # the history merges its buckets: stride > 1
    c.step()


def test_file_menu_comes_first_with_named_actions(window):
    bar = window.menuBar()
    menu = bar.actions()[0].menu()
    assert menu.objectName() == "menuFile"
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["Open…", "Open &Recent"] and "Quit" in texts
    shortcuts = {"actionOpen": "Ctrl+O", "actionSave": "Ctrl+S", "actionSaveAs": "Ctrl+Shift+S",
                 "actionQuit": "Ctrl+Q"}
    for name, keys in shortcuts.items():
        action = getattr(window.files, name)
        assert action.objectName() == name and action.shortcut().toString() == keys
    export_menu = window.findChild(QMenu, "menuExport")
    names = {a.objectName() for a in export_menu.actions() if not a.isSeparator()}
    assert {"actionExportDiagramPng", "actionExportDiagramSvg", "actionExportLossPng",
            "actionExportLossCsv", "actionExportParametersPng", "actionExportParametersCsv",
            "actionExportHistoryCsv"} <= names


def test_save_as_then_open_restores_everything_bit_for_bit(make_window, dialogs, tmp_path):
    w = make_window()
    edit_a_lot(w)
    assert w.controller.history.stride > 1
    before = state(w)
    path = tmp_path / "my lesson.json"
    dialogs.save_paths.append(path)
    w.files.actionSaveAs.trigger()
    assert path.exists() and dialogs.errors == []
    assert w.files.path == str(path)
    assert state(w) == before  # saving changes nothing

    other = make_window(load_preset("xor"))
    assert other.files.open_file(str(path))
    assert state(other) == before
    assert other.files.path == str(path)
    assert not other.isWindowModified()
    assert other.controller.undo_stack.count() == 0
    # and the file is what the engine reads
    lesson, history, steps = read_lesson(path)
    assert steps == before["steps"] and history.stride == before["history"][1]


def test_save_without_a_file_asks_where_and_adds_json(window, dialogs, tmp_path):
    dialogs.save_paths.append(tmp_path / "no-suffix")
    window.controller.step()
    window.files.actionSave.trigger()
    assert (tmp_path / "no-suffix.json").exists()
    # the second Save writes the same file without asking
    window.controller.step()
    window.files.actionSave.trigger()
    assert read_lesson(tmp_path / "no-suffix.json")[2] == 2
    assert dialogs.save_paths == [] and dialogs.errors == []


def test_cancelled_save_dialog_saves_nothing(window, dialogs):
    window.controller.step()
    assert window.files.save() is False
    assert window.isWindowModified() and window.files.path is None


def test_title_names_the_file_and_marks_unsaved_changes(qtbot, window, dialogs, tmp_path):
    c = window.controller
    assert window.windowTitle() == "Notes: linear outputs[*] — Backprop Lab"
    assert not window.isWindowModified()
    c.step()
    assert window.isWindowModified()
    assert window.files.save_as(str(tmp_path / "t.json"))
    assert window.windowTitle() == "t.json[*] — Backprop Lab"
    assert not window.isWindowModified()
    c.undo_stack.undo()
    assert window.isWindowModified()
    c.undo_stack.redo()
    assert not window.isWindowModified()  # back at the saved state
    c.start_training()
    assert window.isWindowModified()  # training changes the document
    qtbot.waitUntil(lambda: c.step_count > 2)
    c.pause()
    assert window.isWindowModified()
    c.start_training()
    c.pause()  # a run without a step changes nothing
    c.undo_stack.undo()
    assert not window.isWindowModified()


def test_opening_a_bad_file_shows_the_field_and_changes_nothing(window, dialogs, tmp_path):
    c = window.controller
    c.step()
    good = tmp_path / "good.json"
    assert window.files.save_as(str(good))
    c.step()
    d = json.loads(good.read_text("utf-8"))
    d["network"]["weights"]["w35"] = "0.4"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d), "utf-8")
    before, undo_count = state(window), c.undo_stack.count()
    dialogs.answer = "discard"
    dialogs.open_paths.append(bad)
    window.files.actionOpen.trigger()
    assert dialogs.errors == [("Cannot open lesson",
                               'bad.json: network.weights.w35 must be a number, not the text '
                               '"0.4"')]
    assert state(window) == before and c.undo_stack.count() == undo_count
    assert window.files.path == str(good)
    assert "network.weights.w35" in window.message_label.text()


BAD_FILES = [
    (b'{"format": "backprop-lab", "version": 3}', "version 3 is newer than this Backprop Lab"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"format": "backprop-lab", "version": 1, "network": {', "not valid JSON"),
    (b'{"format": "backprop-lab", "version": 1, "network": NaN}',
     "network must be an object, not nan"),
    (None, "no such file"),
]


def test_each_kind_of_bad_file_gives_a_dialog(window, dialogs, tmp_path):
    before = state(window)
    for k, (content, expected) in enumerate(BAD_FILES):
        path = tmp_path / f"x{k}.json"
        if content is not None:
            path.write_bytes(content)
        assert window.files.open_file(str(path)) is False
        title, text = dialogs.errors[-1]
        assert title == "Cannot open lesson"
        assert text.startswith(f"x{k}.json: ") and expected in text and "\n" not in text
        assert state(window) == before
    assert len(dialogs.errors) == len(BAD_FILES)


def test_unsaved_changes_prompt_on_quit(window, dialogs, tmp_path):
    window.controller.step()
    dialogs.answer = "cancel"
    window.files.actionQuit.trigger()
    assert window.isVisible() and dialogs.prompts == ["Notes: linear outputs"]
    dialogs.answer = "save"
    dialogs.save_paths.append(tmp_path / "saved on quit.json")
    window.files.actionQuit.trigger()
    assert not window.isVisible()
    assert read_lesson(tmp_path / "saved on quit.json")[2] == 1


def test_discard_closes_and_a_clean_document_closes_without_asking(make_window, dialogs):
    w = make_window()
    w.close()
    assert not w.isVisible() and dialogs.prompts == []
    w = make_window()
    w.controller.step()
    dialogs.answer = "discard"
    assert w.close()
    assert dialogs.prompts == ["Notes: linear outputs"]


def test_a_failed_save_on_quit_keeps_the_window_open(window, dialogs, tmp_path, monkeypatch):
    window.controller.step()
    dialogs.answer = "save"
    dialogs.save_paths.append(tmp_path / "x.json")
    monkeypatch.setattr(atomic.os, "replace", lambda *a: (_ for _ in ()).throw(
        OSError(28, "No space left on device")))
    assert not window.close()
    assert window.isVisible()
    assert dialogs.errors == [("Cannot save lesson",
                               "x.json: the file cannot be written: No space left on device")]
    assert not (tmp_path / "x.json").exists()
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []


def test_an_interrupted_save_keeps_the_old_file_and_the_unsaved_mark(window, dialogs, tmp_path,
                                                                    monkeypatch):
    path = tmp_path / "keep.json"
    assert window.files.save_as(str(path))
    old = path.read_bytes()
    window.controller.step()
    monkeypatch.setattr(atomic.os, "replace", lambda *a: (_ for _ in ()).throw(
        OSError(5, "Input/output error")))
    assert not window.files.save()
    assert path.read_bytes() == old
    assert window.isWindowModified()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_loading_a_preset_asks_about_unsaved_changes(window, dialogs):
    c = window.controller
    c.step()
    dialogs.answer = "cancel"
    window.preset_actions["xor"].trigger()
    assert c.network.sizes == (2, 2, 3) and c.step_count == 1  # kept
    dialogs.answer = "discard"
    window.preset_actions["xor"].trigger()
    assert c.network.sizes == (2, 2, 1) and c.lesson.name == "XOR"
    assert window.files.path is None
    assert dialogs.prompts == ["Notes: linear outputs"] * 2


def test_opening_a_preset_forgets_the_file(window, dialogs, tmp_path):
    assert window.files.save_as(str(tmp_path / "a.json"))
    window.preset_actions["xor"].trigger()
    assert window.files.path is None
    assert window.windowTitle() == "XOR[*] — Backprop Lab"


def test_recent_files_remember_opened_and_saved_files(make_window, dialogs, tmp_path):
    w = make_window()
    paths = [tmp_path / f"r{k}.json" for k in range(3)]
    for p in paths:
        assert w.files.save_as(str(p))
    assert file_actions.recent_files() == [str(p) for p in reversed(paths)]
    assert file_actions.settings().value("recentFiles") == [str(p) for p in reversed(paths)]
    menu = w.files.recent_menu
    menu.aboutToShow.emit()
    items = [a for a in menu.actions() if a.data()]
    assert [a.data() for a in items] == [str(p) for p in reversed(paths)]
    assert items[0].text() == "&1 r2.json"
    # a second window sees them; choosing one opens it
    other = make_window(load_preset("xor"))
    other.files.recent_menu.aboutToShow.emit()
    [a for a in other.files.recent_menu.actions() if a.data() == str(paths[0])][0].trigger()
    assert other.files.path == str(paths[0])
    assert other.controller.network.sizes == (2, 2, 3)
    assert file_actions.recent_files()[0] == str(paths[0])
    # a file that has gone is reported and forgotten
    paths[1].unlink()
    assert not other.files.open_recent(str(paths[1]))
    assert str(paths[1]) not in file_actions.recent_files()
    assert "no such file" in dialogs.errors[-1][1]


def test_recent_files_are_bounded(window, tmp_path):
    for k in range(file_actions.MAX_RECENT + 4):
        file_actions.add_recent_file(str(tmp_path / f"{k}.json"))
    assert len(file_actions.recent_files()) == file_actions.MAX_RECENT
    window.files.rebuild_recent_menu()
    clear = window.files.recent_menu.findChild(type(window.files.actionOpen), "actionClearRecent")
    clear.trigger()
    assert file_actions.recent_files() == []


def drop(window, path, target=None):
    target = target or window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:  # Qt ≥ 6.12 takes a QPointF (the QPoint form is deprecated there) …
        enter = QDragEnterEvent(QPointF(50, 50), *args)
    except TypeError:  # … which older Qt does not have
        enter = QDragEnterEvent(QPoint(50, 50), *args)
    QApplication.sendEvent(target, enter)
    accepted = enter.isAccepted()
    if accepted:
        event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)
    return accepted


def test_dropping_a_lesson_file_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "dropped.json"
    write_lesson(path, load_preset("xor"), None, 7)
    assert drop(window, path)
    qtbot.waitUntil(lambda: window.files.path == str(path))
    assert window.controller.step_count == 7 and window.controller.lesson.name == "XOR"
    path2 = tmp_path / "on the canvas.json"
    write_lesson(path2, load_preset("notes_relu"))
    assert drop(window, path2, window.view.viewport())
    qtbot.waitUntil(lambda: window.files.path == str(path2))


def test_dropping_other_files_is_refused(window, tmp_path):
    other = tmp_path / "picture.png"
    other.write_bytes(b"\x89PNG")
    assert not drop(window, other)
    assert window.files.path is None


def test_the_history_is_optional(window, tmp_path):
    c = window.controller
    c.run_steps(10)
    assert window.files.actionSaveHistory.isChecked()
    window.files.actionSaveHistory.trigger()  # the user unticks it
    assert not window.files.save_history
    assert window.files.save_as(str(tmp_path / "nohist.json"))
    d = json.loads((tmp_path / "nohist.json").read_text("utf-8"))
    assert "history" not in d and d["state"] == {"step_count": 10}
    window.files.actionSaveHistory.trigger()
    assert window.files.save_history
    assert window.files.save()
    assert json.loads((tmp_path / "nohist.json").read_text("utf-8"))["history"]["n_steps"] == 10


def test_a_history_too_big_for_a_file_is_left_out_with_a_message(window, tmp_path, monkeypatch):
    window.controller.run_steps(300)
    monkeypatch.setattr(engine.lesson, "MAX_VALUES", 2000)
    assert window.files.save_as(str(tmp_path / "big.json"))
    assert "without the training history" in window.message_label.text()
    lesson, history, steps = read_lesson(tmp_path / "big.json")
    assert history is None and steps == 300
    np.testing.assert_array_equal(lesson.network.theta, window.controller.network.theta)


# -- what a save may replace -----------------------------------------------------------------------
REAL_ASK_CHANGED = file_actions.ask_overwrite_changed  # before any test replaces them
REAL_ASK_READ_ONLY = file_actions.ask_overwrite_read_only
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")


@pytest.fixture
def no_hang():
    """A test that blocks fails after 20 s instead of hanging the suite (Unix)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def timeout(*_):
        raise TimeoutError("blocked for 20 s")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def folder(tmp_path):
    """A folder for the test's files alone (tmp_path also holds the settings)."""
    path = tmp_path / "files"
    path.mkdir()
    return path


def save_as_by_menu(window, dialogs, path):
    dialogs.save_paths.append(path)
    window.files.actionSaveAs.trigger()


def test_save_as_onto_a_device_is_refused(window, dialogs):
    if not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("no character device at os.devnull")
    before = os.stat(os.devnull)
    window.controller.step()
    save_as_by_menu(window, dialogs, os.devnull)
    line = f"{os.path.basename(os.devnull)}: is not a regular file (a character device); " \
           "choose another name"
    assert dialogs.errors == [("Cannot save lesson", line)]
    assert window.message_label.text() == line
    assert window.isWindowModified() and window.files.path is None
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino,
                                                                             before.st_rdev)
    assert not os.path.lexists(os.devnull + ".json")


@needs_fifo
def test_save_as_onto_a_fifo_or_a_folder_is_refused(window, dialogs, folder, no_hang):
    tmp_path = folder
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "link.json").symlink_to(tmp_path / "pipe.json")
    window.controller.step()
    for name, kind in [("pipe.json", "a FIFO (named pipe)"), ("link.json", "a FIFO (named pipe)"),
                       ("folder.json", "a folder")]:
        save_as_by_menu(window, dialogs, tmp_path / name)
        line = f"{name}: is not a regular file ({kind}); choose another name"
        assert dialogs.errors[-1] == ("Cannot save lesson", line)
        assert window.message_label.text() == line
    assert window.isWindowModified() and window.files.path is None
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.json").st_mode)
    assert sorted(os.listdir(tmp_path)) == ["folder.json", "link.json", "pipe.json"]
    assert os.listdir(tmp_path / "folder.json") == []


def test_saving_through_a_symlink_still_updates_its_file(window, dialogs, tmp_path):
    real = tmp_path / "real.json"
    write_lesson(real, load_preset("notes_linear"))
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert window.files.open_file(str(link))
    window.controller.step()
    window.files.actionSave.trigger()
    assert dialogs.errors == [] and dialogs.overwrite_asks == []
    assert link.is_symlink() and read_lesson(real)[2] == 1
    assert not window.isWindowModified()


def change_behind_our_back(path, mtime_shift=5):
    """Another program rewrites the file: other bytes, a later time."""
    d = json.loads(path.read_text("utf-8"))
    d["name"] = "Edited elsewhere"
    path.write_text(json.dumps(d), "utf-8")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + mtime_shift * 10**9))
    return path.read_bytes()


def test_a_file_changed_by_another_program_is_not_overwritten_without_asking(window, dialogs,
                                                                              tmp_path):
    path = tmp_path / "shared.json"
    save_as_by_menu(window, dialogs, path)
    window.controller.step()
    theirs = change_behind_our_back(path)
    window.files.actionSave.trigger()  # the user says Cancel
    assert dialogs.overwrite_asks == [("changed", "shared.json")]
    assert path.read_bytes() == theirs
    assert window.message_label.text() == ("Not saved: “shared.json” was changed by another "
                                           "program since you opened it.")
    assert window.isWindowModified() and window.windowTitle() == "shared.json[*] — Backprop Lab"
    dialogs.overwrite = True  # Save again, and Overwrite
    window.files.actionSave.trigger()
    assert dialogs.overwrite_asks == [("changed", "shared.json")] * 2
    assert read_lesson(path)[2] == 1 and read_lesson(path)[0].name == "Notes: linear outputs"
    assert window.message_label.text() == "Saved shared.json."
    assert not window.isWindowModified()
    window.controller.step()
    window.files.actionSave.trigger()  # what we wrote ourselves is not a change
    assert len(dialogs.overwrite_asks) == 2 and read_lesson(path)[2] == 2


def test_a_file_changed_after_it_was_opened_asks_too(make_window, dialogs, tmp_path):
    path = tmp_path / "opened.json"
    write_lesson(path, load_preset("xor"), None, 4)
    w = make_window()
    dialogs.open_paths.append(path)
    w.files.actionOpen.trigger()
    assert w.files.path == str(path)
    theirs = change_behind_our_back(path)
    w.controller.step()
    w.files.actionSave.trigger()
    assert dialogs.overwrite_asks == [("changed", "opened.json")]
    assert path.read_bytes() == theirs and w.isWindowModified()
    # Save As onto the same file asks the same question
    save_as_by_menu(w, dialogs, path)
    assert dialogs.overwrite_asks == [("changed", "opened.json")] * 2
    assert path.read_bytes() == theirs


def test_a_change_within_the_same_clock_tick_is_noticed(window, dialogs, folder):
    """Same size, same modification time (file clocks tick in milliseconds or seconds): the
    bytes decide."""
    path = folder / "quick.json"
    assert window.files.save_as(str(path))
    st = os.stat(path)
    theirs = path.read_bytes().replace(b"Notes: linear", b"Notes: LINEAR")
    path.write_bytes(theirs)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    window.controller.step()
    window.files.actionSave.trigger()
    assert dialogs.overwrite_asks == [("changed", "quick.json")]
    assert path.read_bytes() == theirs and window.isWindowModified()


def test_a_touched_file_with_the_same_bytes_is_not_a_change(window, dialogs, tmp_path):
    path = tmp_path / "touched.json"
    assert window.files.save_as(str(path))
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 7 * 10**9))
    window.controller.step()
    window.files.actionSave.trigger()
    assert dialogs.overwrite_asks == [] and read_lesson(path)[2] == 1


def test_where_no_one_can_answer_a_changed_file_is_kept(window, dialogs, tmp_path, monkeypatch):
    monkeypatch.setattr(file_actions, "ask_overwrite_changed", REAL_ASK_CHANGED)
    path = tmp_path / "kept.json"
    assert window.files.save_as(str(path))
    theirs = change_behind_our_back(path)
    window.controller.step()
    window.files.actionSave.trigger()  # offscreen: the question answers itself, without blocking
    assert path.read_bytes() == theirs
    assert window.message_label.text().startswith("Not saved: “kept.json” was changed")
    assert window.isWindowModified()


def test_a_read_only_file_is_overwritten_only_when_the_user_says_so(window, dialogs, tmp_path,
                                                                    monkeypatch):
    path = tmp_path / "handout.json"
    write_lesson(path, load_preset("xor"), None, 9)
    os.chmod(path, 0o444)
    old = path.read_bytes()
    window.controller.step()
    save_as_by_menu(window, dialogs, path)  # the teacher's read-only handout
    assert dialogs.overwrite_asks == [("read_only", "handout.json")]
    assert path.read_bytes() == old
    assert window.message_label.text() == "Not saved: “handout.json” is read-only."
    assert window.isWindowModified() and window.files.path is None
    # where no one can answer, the real question says no without blocking
    replaced = file_actions.ask_overwrite_read_only
    monkeypatch.setattr(file_actions, "ask_overwrite_read_only", REAL_ASK_READ_ONLY)
    assert not window.files.save_as(str(path))
    assert path.read_bytes() == old and window.isWindowModified()
    monkeypatch.setattr(file_actions, "ask_overwrite_read_only", replaced)
    dialogs.overwrite = True  # Save As again, and Overwrite
    save_as_by_menu(window, dialogs, path)
    assert dialogs.overwrite_asks == [("read_only", "handout.json")] * 2
    assert read_lesson(path)[2] == 1 and not window.isWindowModified()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444  # it stays read-only
    assert window.message_label.text() == "Saved handout.json."


def old_temporary(folder, name):
    path = folder / name
    path.write_bytes(b"half a lesson")
    t = time.time() - 2 * atomic.STALE_SECONDS
    os.utime(path, (t, t))
    return path


def test_saving_and_opening_remove_our_stale_temporaries_only(window, dialogs, folder):
    tmp_path = folder
    path = tmp_path / "lesson.json"
    keep = [old_temporary(tmp_path, n) for n in (".lesson.json.tmp", "lesson.json.abcdefgh.tmp",
                                                   ".other.json.abcdefgh.tmp", "notes.txt")]
    old_temporary(tmp_path, ".lesson.json.k1ll3d_x.tmp")  # a save killed before its rename
    window.controller.step()
    save_as_by_menu(window, dialogs, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["lesson.json", *(p.name for p in keep)])
    old_temporary(tmp_path, ".lesson.json.k1ll3d_y.tmp")  # another one, before the next open
    assert window.files.open_file(str(path))
    assert sorted(os.listdir(tmp_path)) == sorted(["lesson.json", *(p.name for p in keep)])
    assert all(p.read_bytes() == b"half a lesson" for p in keep)


# -- what opening refuses --------------------------------------------------------------------------
@needs_fifo
def test_opening_a_fifo_is_refused_at_once_by_menu_recent_and_drop(qtbot, window, dialogs,
                                                                   tmp_path, no_hang):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    before = state(window)
    line = "pipe.json: this is a FIFO (named pipe), not a regular file; only lesson files can " \
           "be opened"
    dialogs.open_paths.append(fifo)
    window.files.actionOpen.trigger()
    assert dialogs.errors == [("Cannot open lesson", line)]
    assert window.message_label.text() == line
    file_actions.add_recent_file(str(fifo))
    window.files.recent_menu.aboutToShow.emit()
    [a for a in window.files.recent_menu.actions() if a.data() == str(fifo)][0].trigger()
    assert dialogs.errors[-1] == ("Cannot open lesson", line)
    assert drop(window, fifo)
    qtbot.waitUntil(lambda: len(dialogs.errors) == 3)
    assert dialogs.errors[-1] == ("Cannot open lesson", line)
    assert state(window) == before and window.files.path is None


def test_opening_a_device_is_refused(window, dialogs):
    if not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("no character device at os.devnull")
    assert not window.files.open_file(os.devnull)
    assert dialogs.errors == [("Cannot open lesson", f"{os.path.basename(os.devnull)}: this is a "
                               "character device, not a regular file; only lesson files can be "
                               "opened")]
