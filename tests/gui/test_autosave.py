"""Autosave and recovery: unsaved work is written to the data folder on a timer and before the
close prompt, removed once nothing is unsaved, and offered at the next start when the instance
that wrote it is gone — recovered bit for bit, or discarded; an unreadable one is refused in one
line."""
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine.lesson import read_lesson
from gui import app, autosave, file_actions
from gui.main_window import MainWindow
from tests.gui.files_helpers import (  # noqa: F401 (fixtures)
    dialogs,
    isolated_settings,
    make_window,
    window,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def fast(monkeypatch):
    """Autosave every 50 ms instead of every minute (for windows made after this)."""
    monkeypatch.setattr(autosave, "INTERVAL_MS", 50)


class Asked:
    """Stands in for ``autosave.ask_recover``: records the questions, gives ``answer``."""

    def __init__(self, monkeypatch, answer):
        self.answer, self.questions = answer, []
        monkeypatch.setattr(autosave, "ask_recover", self)

    def __call__(self, parent, name, when):
        self.questions.append((name, when))
        return self.answer


def state(w):
    """Everything an autosave must restore, as comparable bytes and values."""
    c = w.controller
    h, n = c.history, c.history.n_buckets
    return {
        "sizes": c.network.sizes, "activations": c.network.activations,
        "order": c.network.update_order, "theta": c.network.theta.tobytes(),
        "frozen": c.network.frozen.tobytes(), "inputs": c.inputs.tobytes(),
        "targets": c.targets.tobytes(), "lr": c.lr, "batch": c.batch_size, "seed": c.seed,
        "steps": c.step_count, "name": c.lesson.name,
        "history": (h.capacity, h.stride, h.n_steps, n, h.lo[:n].tobytes(),
                    h.hi[:n].tobytes(), h.last[:n].tobytes()),
    }


def edit_a_lot(w):
    c = w.controller
    c.edit(("lr",), "0.3")
    c.edit(("w", 3, 5), "0.123456789012345678")
    c.set_frozen(("w", 4, 6), True)
    c.randomize(17)
    c.run_steps(5000)  # the history merges its buckets: stride > 1
    c.step()


def dead_pid():
    """The number of a process that has ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def leave_autosave(w, pid):
    """Make ``w``'s autosave look like one left by process ``pid`` (which crashed): its files
    move to that process's name. Returns the new (lesson, sidecar) paths."""
    assert w.autosave.save_now()
    folder = os.path.dirname(w.autosave.paths[0])
    moved = autosave.paths_of(f"autosave-{pid}", folder)
    for old, new in zip(w.autosave.paths, moved):
        os.replace(old, new)
    return moved


# -- writing ---------------------------------------------------------------------------------------
def test_it_writes_after_the_interval_when_modified_and_not_when_clean(fast, window, qtbot):
    lesson_path, info_path = window.autosave.paths
    # named for this process (a window of an earlier test still alive here takes the plain
    # name, and this one gets the next free number)
    assert re.fullmatch(rf"autosave-{os.getpid()}(-\d+)?", window.autosave.stem)
    qtbot.wait(300)  # six intervals with nothing unsaved
    assert not os.path.exists(lesson_path) and not os.path.exists(info_path)

    before = time.time()
    window.controller.step()
    qtbot.waitUntil(lambda: os.path.exists(info_path), timeout=3000)
    assert read_lesson(lesson_path)[2] == 1
    info = json.loads(pathlib.Path(info_path).read_text("utf-8"))
    assert info["format"] == "backprop-lab-autosave" and info["version"] == 1
    assert info["path"] is None and info["name"] == window.files.document_name()
    assert info["pid"] == os.getpid() and before <= info["saved_epoch"] <= time.time()
    assert info["saved"].startswith(time.strftime("%Y-"))

    saved = window.autosave.saved_at
    qtbot.wait(300)  # nothing changed since: not written again
    assert window.autosave.saved_at == saved
    window.controller.step()
    qtbot.waitUntil(lambda: window.autosave.saved_at != saved, timeout=3000)
    assert read_lesson(lesson_path)[2] == 2


def test_the_autosave_reopens_bit_for_bit(make_window):
    w = make_window()
    edit_a_lot(w)
    assert w.controller.history.stride > 1
    assert w.autosave.save_now()
    lesson, history, step_count = read_lesson(w.autosave.paths[0])
    again = make_window()
    again.files.open_document(w.autosave.paths[0], lesson, history, step_count)
    assert state(again) == state(w)


def test_it_is_removed_when_saved_and_when_undone_to_the_saved_state(window, tmp_path):
    c = window.controller
    lesson_path = window.autosave.paths[0]
    c.step()
    assert window.autosave.save_now() and os.path.exists(lesson_path)
    assert window.files.save_as(tmp_path / "saved.json")
    assert not os.path.exists(lesson_path)
    c.step()
    assert window.autosave.save_now() and os.path.exists(lesson_path)
    c.undo_stack.undo()  # back to what the file holds: nothing unsaved
    assert not window.files.is_modified() and not os.path.exists(lesson_path)


def test_training_counts_as_unsaved(fast, window, qtbot):
    c = window.controller
    c.start_training()
    qtbot.waitUntil(lambda: os.path.exists(window.autosave.paths[0]), timeout=3000)
    c.pause()
    c.undo_stack.undo()
    assert not os.path.exists(window.autosave.paths[0])


def test_closing_writes_it_before_the_prompt_and_removes_it_after(window, dialogs,
                                                                  monkeypatch):
    lesson_path = window.autosave.paths[0]
    on_disk_while_asked = []

    def ask(parent, name):
        on_disk_while_asked.append(os.path.exists(lesson_path))
        return dialogs.answer
    monkeypatch.setattr(file_actions, "ask_unsaved_changes", ask)
    window.controller.step()  # the one-minute timer has not fired
    dialogs.answer = "cancel"
    assert not window.close()  # the window stays, and so does the autosave
    assert on_disk_while_asked == [True] and os.path.exists(lesson_path)
    assert window.autosave.timer.isActive()
    dialogs.answer = "discard"
    assert window.close()  # the user's choice: the autosave goes too
    assert not os.path.exists(lesson_path) and not window.autosave.timer.isActive()


def test_a_second_window_has_its_own_autosave(make_window):
    a, b = make_window(), make_window()
    assert a.autosave.stem != b.autosave.stem
    for w in (a, b):
        w.controller.step()
        assert w.autosave.save_now()
    assert autosave.stale_autosaves() == []  # both are this process's, and running


def test_a_failing_autosave_says_so_once_and_never_raises(window, isolated_data_folder):
    isolated_data_folder.parent.mkdir(parents=True, exist_ok=True)
    isolated_data_folder.write_text("a file where the folder should be")
    window.controller.step()
    assert window.autosave.save_now() is False
    assert window.message_label.text().startswith("Autosave failed: ")
    window.message_label.clear()
    assert window.autosave.save_now() is False
    assert window.message_label.text() == ""  # the same failure is not repeated


# -- recovering ------------------------------------------------------------------------------------
def test_a_crashed_instance_is_recovered_at_the_next_start(make_window, tmp_path, monkeypatch,
                                                           isolated_data_folder):
    """A real crash: another process opens a file, edits, trains, autosaves and dies."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the child finds the data folder through XDG_DATA_HOME")
    path = tmp_path / "lesson.json"
    first = make_window()
    assert first.files.save_as(path)
    script = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from gui.settings import APPLICATION, ORGANIZATION\n"
        "app = QApplication([])\n"
        "app.setApplicationName(APPLICATION); app.setOrganizationName(ORGANIZATION)\n"
        "from gui.main_window import MainWindow\n"
        "w = MainWindow()\n"
        "assert w.files.open_file(sys.argv[1])\n"
        "c = w.controller\n"
        "c.edit(('w', 3, 5), '0.123456789012345678'); c.randomize(17); c.run_steps(3000)\n"
        "c.step()\n"
        "assert w.autosave.save_now()\n"
        "print(c.network.theta.tobytes().hex(), c.step_count, c.history.n_steps, flush=True)\n"
        "os._exit(3)\n")  # no close, no clean-up
    r = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    theta_hex, steps, n_steps = r.stdout.split()
    left = autosave.stale_autosaves()
    assert len(left) == 1 and left[0].path == str(path) and left[0].name == "lesson.json"
    saved_lesson = read_lesson(left[0].lesson_path)

    asked = Asked(monkeypatch, "recover")
    w = make_window()
    assert autosave.offer_recovery(w) == [(left[0].stem, "recovered")]
    assert asked.questions == [("lesson.json", time.strftime("%H:%M",
                                                             time.localtime(left[0].saved)))]
    c = w.controller
    assert c.network.theta.tobytes().hex() == theta_hex
    assert c.step_count == int(steps) and c.history.n_steps == int(n_steps)
    assert c.network.theta.tobytes() == saved_lesson[0].network.theta.tobytes()
    # an unsaved document that Save writes back to its file
    assert w.files.is_modified() and w.isWindowModified()
    assert w.windowTitle() == "lesson.json[*] — Backprop Lab"
    assert w.files.path == str(path)
    assert "Recovered “lesson.json”" in w.message_label.text()
    assert not os.path.exists(left[0].lesson_path) and not os.path.exists(left[0].info_path)
    assert os.path.exists(w.autosave.paths[0])  # this window's own copy replaces it
    recovered = state(w)
    assert w.files.save()
    assert not w.files.is_modified() and not os.path.exists(w.autosave.paths[0])
    again = make_window()
    assert again.files.open_file(path)
    assert state(again) == recovered


def test_a_left_autosave_is_recovered_into_equal_numbers(make_window, monkeypatch):
    w1 = make_window()
    edit_a_lot(w1)
    expected = state(w1)
    leave_autosave(w1, dead_pid())
    w1.controller.load_lesson(w1.controller.lesson)  # the crashed window's work is gone

    Asked(monkeypatch, "recover")
    w2 = make_window()
    (stem, outcome), = autosave.offer_recovery(w2)
    assert outcome == "recovered" and state(w2) == expected
    assert w2.files.path is None and w2.files.is_modified()  # never saved: Save asks where


def test_a_file_changed_after_the_autosave_is_not_the_save_target(make_window, tmp_path,
                                                                  monkeypatch):
    path = tmp_path / "lesson.json"
    w1 = make_window()
    assert w1.files.save_as(path)
    w1.controller.step()
    left = leave_autosave(w1, dead_pid())
    assert w1.files.save()  # saved later (elsewhere): Ctrl+S must not overwrite that
    os.utime(path, (time.time() + 5, time.time() + 5))
    Asked(monkeypatch, "recover")
    w2 = make_window()
    assert autosave.offer_recovery(w2)[0][1] == "recovered"
    assert w2.files.path is None and w2.controller.step_count == 1
    assert "asks where" in w2.message_label.text()
    assert not os.path.exists(left[0])


def test_declining_removes_it(make_window, monkeypatch):
    w1 = make_window()
    w1.controller.step()
    left = leave_autosave(w1, dead_pid())
    asked = Asked(monkeypatch, "discard")
    w2 = make_window()
    assert autosave.offer_recovery(w2)[0][1] == "discarded"
    assert len(asked.questions) == 1
    assert not any(map(os.path.exists, left))
    assert w2.controller.step_count == 0 and not w2.files.is_modified()
    assert autosave.offer_recovery(w2) == []


def test_where_no_one_can_answer_it_is_kept_without_blocking(make_window):
    assert not file_actions.interactive()
    w1 = make_window()
    w1.controller.step()
    left = leave_autosave(w1, dead_pid())
    w2 = make_window()
    assert autosave.offer_recovery(w2)[0][1] == "later"
    assert all(map(os.path.exists, left)) and w2.controller.step_count == 0


def test_a_corrupt_autosave_is_refused_in_one_line_and_removed(window, monkeypatch, capsys,
                                                               isolated_data_folder):
    asked = Asked(monkeypatch, "recover")
    isolated_data_folder.mkdir(parents=True)
    stem = f"autosave-{dead_pid()}"
    lesson_path, info_path = autosave.paths_of(stem, str(isolated_data_folder))
    pathlib.Path(lesson_path).write_bytes(b'{"format": "backprop-lab", "version": 1, "netw')
    pathlib.Path(info_path).write_text('{"format": "backprop-lab-autosave", "saved_epoch": 1}')
    pathlib.Path(isolated_data_folder / f".{stem}.json.abc123.tmp").write_bytes(b"half")
    assert autosave.offer_recovery(window) == [(stem, "unreadable")]
    assert asked.questions == []
    message = window.message_label.text()
    assert "\n" not in message and "could not be read (the file is not valid JSON" in message
    assert message.endswith("it has been removed.")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not be read" in err
    assert os.listdir(isolated_data_folder) == []
    assert window.controller.step_count == 0 and not window.files.is_modified()


def test_a_bad_sidecar_still_offers_the_lesson(make_window, monkeypatch):
    w1 = make_window()
    w1.controller.step()
    lesson_path, info_path = leave_autosave(w1, dead_pid())
    pathlib.Path(info_path).write_text("not json")
    asked = Asked(monkeypatch, "recover")
    w2 = make_window()
    assert autosave.offer_recovery(w2)[0][1] == "recovered"
    assert asked.questions[0][0] == w1.controller.lesson.name  # the lesson's own name
    assert w2.controller.step_count == 1


def test_only_autosaves_of_instances_that_are_gone_are_offered(make_window, monkeypatch):
    w1 = make_window()
    w1.controller.step()
    parent = os.getppid()  # running, and started before the autosave was written
    lesson_path, info_path = leave_autosave(w1, parent)
    assert autosave.stale_autosaves() == []
    if autosave.process_started(parent) is not None:
        # the same number, but a process that started after the autosave: numbers are reused
        info = json.loads(pathlib.Path(info_path).read_text("utf-8"))
        info["saved_epoch"] = autosave.process_started(parent) - 3600
        pathlib.Path(info_path).write_text(json.dumps(info))
        assert [f.stem for f in autosave.stale_autosaves()] == [f"autosave-{parent}"]
    os.remove(lesson_path)  # a sidecar alone is left as it is while its process runs
    os.remove(info_path)


def test_an_old_autosave_with_this_process_number_is_offered_not_overwritten(make_window,
                                                                           monkeypatch):
    w1 = make_window()
    w1.controller.step()
    left = leave_autosave(w1, os.getpid())  # an earlier process had this number and crashed
    monkeypatch.setattr(autosave, "_owned", set())  # as at the start of this process
    w2 = make_window()
    assert w2.autosave.stem == f"autosave-{os.getpid()}-2"  # the old one's name stays free
    Asked(monkeypatch, "recover")
    assert autosave.offer_recovery(w2) == [(f"autosave-{os.getpid()}", "recovered")]
    assert w2.controller.step_count == 1
    assert not any(map(os.path.exists, left))


def test_several_are_offered_newest_first_until_one_is_recovered(make_window, monkeypatch):
    left = []
    for steps in (1, 2, 3):
        w = make_window()
        for _ in range(steps):
            w.controller.step()
        left.append(leave_autosave(w, dead_pid()))
        w.controller.load_lesson(w.controller.lesson)
        time.sleep(0.01)
    answers = iter(["discard", "recover"])
    monkeypatch.setattr(autosave, "ask_recover", lambda *a: next(answers))
    w = make_window()
    outcomes = autosave.offer_recovery(w)
    assert [o for _, o in outcomes] == ["discarded", "recovered"]
    assert w.controller.step_count == 2  # the newest (3 steps) discarded, the next recovered
    assert all(map(os.path.exists, left[0]))  # the oldest waits for the next start


# -- start-up --------------------------------------------------------------------------------------
def test_main_offers_recovery_except_for_a_screenshot(qtbot, tmp_path, monkeypatch, dialogs):
    w1 = MainWindow()
    qtbot.addWidget(w1)
    w1.controller.step()
    left = leave_autosave(w1, dead_pid())
    made = []
    monkeypatch.setattr("gui.main_window.MainWindow.show",
                        lambda self: made.append(self) or qtbot.addWidget(self))
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.exec", lambda *a: 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs the crash hook
    asked = Asked(monkeypatch, "recover")
    assert app.main(["--screenshot", str(tmp_path / "shot.png")]) == 0
    assert asked.questions == [] and all(map(os.path.exists, left))
    assert app.main(["--preset", "xor"]) == 0
    assert len(asked.questions) == 1 and not any(map(os.path.exists, left))
    w = made[-1]
    assert w.controller.step_count == 1 and w.files.is_modified()
    assert np.array_equal(w.controller.network.theta, w1.controller.network.theta)
    assert QApplication.organizationName() == "BackpropLab"


@pytest.mark.parametrize("button, answer", [("Recover", "recover"), ("Discard", "discard"),
                                            ("Not Now", "later"), (None, "later")])
def test_the_question_names_the_lesson_and_the_time(window, monkeypatch, button, answer):
    from PySide6.QtWidgets import QMessageBox
    shown = []

    def exec_(box):  # what a user would see, and a click on ``button`` (None: Escape)
        shown.append((box.text(), [b.text() for b in box.buttons()],
                      box.defaultButton().text(), box.escapeButton().text()))
        for b in box.buttons():
            if b.text() == button:
                b.click()
        return 0
    monkeypatch.setattr(file_actions, "interactive", lambda: True)
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert autosave.ask_recover(window, "lesson.json", "14:03") == answer
    text, buttons, default, escape = shown[0]
    assert text == "Recover the unsaved lesson “lesson.json” from 14:03?"
    assert sorted(buttons) == ["Discard", "Not Now", "Recover"]
    assert (default, escape) == ("Recover", "Not Now")
