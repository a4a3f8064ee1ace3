"""The global exception handler: an exception in a slot pauses training, shows one non-modal
report (Copy puts it on the clipboard), appends it to the error log, says so in the status bar,
and leaves the window usable; the handler itself never raises."""
import os
import sys
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QPushButton

from gui import crash

# pytest-qt must not take sys.excepthook for itself: the handler under test needs it
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def previous_hook(monkeypatch):
    """Install the handler over a recording hook (instead of the printing default); the list
    receives every (type, value, traceback) passed on to it."""
    received = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: received.append(exc))
    crash.install_excepthook()
    assert sys.excepthook is crash.excepthook
    yield received
    crash.uninstall_excepthook()


def raise_once(message, exc_type=RuntimeError):
    """A slot that raises the first time it is called."""
    calls = []

    def slot_that_fails(*_):
        calls.append(1)
        if len(calls) == 1:
            raise exc_type(message)
    return slot_that_fails


def dialog_of(window):
    return window.findChild(QDialog, "crashDialog")


def test_an_exception_in_a_slot_is_reported_and_the_window_stays_usable(
        window, qtbot, previous_hook, isolated_data_folder):
    c = window.controller
    c.changed.connect(raise_once("the listener broke"))
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert c.step_count == 1  # the Step itself happened; a listener failed after it

    dialog = dialog_of(window)
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    summary = dialog.findChild(QLabel, "crashSummary").text()
    assert summary == "RuntimeError: the listener broke"
    details = dialog.findChild(QPlainTextEdit, "crashDetails")
    assert details.isReadOnly()
    text = details.toPlainText()
    assert "Traceback (most recent call last)" in text and "slot_that_fails" in text
    assert "Backprop Lab" in text and "Python" in text  # the versions, for whoever reads it
    # the Step is unsaved work: autosaved at once, in case worse follows
    assert os.path.exists(window.autosave.paths[0])
    assert "was autosaved" in dialog.findChild(QLabel, "crashNote").text()

    qtbot.mouseClick(dialog.findChild(QPushButton, "crashCopyButton"),
                     Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == text

    log = isolated_data_folder / crash.LOG_NAME
    logged = log.read_text("utf-8")
    assert "RuntimeError: the listener broke" in logged and "slot_that_fails" in logged
    assert logged.startswith("[20")  # a timestamp first
    message = window.message_label.text()
    assert message.startswith("Something went wrong: RuntimeError: the listener broke")
    assert str(log) in message
    assert len(previous_hook) == 1 and previous_hook[0][0] is RuntimeError  # still printed

    # the report does not take the keyboard: Space still steps
    assert window.isActiveWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert c.step_count == 2
    qtbot.mouseClick(dialog.findChild(QPushButton, "crashCloseButton"),
                     Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_an_exception_while_training_pauses_it(window, qtbot, previous_hook):
    c = window.controller
    c.historyChanged.connect(raise_once("during training"))
    c.start_training()
    assert c.training
    qtbot.waitUntil(lambda: window.crash.total >= 1, timeout=5000)
    assert not c.training and not window.actionTrain.isChecked()
    assert c.step_count > 0 and c.undo_stack.count() == 1  # the run so far is one undo step
    assert "Training was paused." in dialog_of(window).findChild(QLabel, "crashNote").text()
    assert "Training paused" in window.message_label.text()
    c.start_training()  # and it trains again
    qtbot.waitUntil(lambda: c.undo_stack.count() == 1 and c.step_count > 100, timeout=5000)
    c.pause()


def test_several_exceptions_share_one_dialog(window, qtbot, previous_hook,
                                             isolated_data_folder):
    for n in range(3):
        QTimer.singleShot(0, raise_once(f"number {n}", ValueError))
        qtbot.waitUntil(lambda n=n: window.crash.total == n + 1)
    dialogs = [d for d in window.findChildren(QDialog, "crashDialog")]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    summary = dialogs[0].findChild(QLabel, "crashSummary").text()
    assert summary.startswith("ValueError: number 2") and "3 errors" in summary
    text = dialogs[0].findChild(QPlainTextEdit, "crashDetails").toPlainText()
    assert text.index("number 0") < text.index("number 1") < text.index("number 2")
    assert (isolated_data_folder / crash.LOG_NAME).read_text("utf-8").count("] ValueError") == 3
    assert not os.path.exists(window.autosave.paths[0])  # nothing unsaved, nothing autosaved


def test_a_slot_that_fails_again_while_the_views_are_refreshed_is_counted_once(
        window, qtbot, previous_hook):
    calls = []

    def always_fails():
        calls.append(1)
        raise KeyError("every time")
    window.controller.changed.connect(always_fails)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # the Step's changed, then the handler's own
    assert len(calls) == 2 and window.crash.total == 2
    assert len(window.crash.reports) == 1 and window.crash.reports[0].count == 2
    assert "came 2 times in a row" in dialog_of(window).findChild(
        QPlainTextEdit, "crashDetails").toPlainText()
    window.controller.changed.disconnect(always_fails)


def test_the_handler_never_raises_when_the_log_cannot_be_written(
        window, qtbot, previous_hook, isolated_data_folder):
    isolated_data_folder.parent.mkdir(parents=True, exist_ok=True)
    isolated_data_folder.write_text("a file where the folder should be")  # root can't write either
    QTimer.singleShot(0, raise_once("no log today"))
    qtbot.waitUntil(lambda: window.crash.total == 1)
    assert dialog_of(window).isVisible()
    message = window.message_label.text()
    assert "RuntimeError: no log today" in message
    assert "the error log could not be written" in message
    assert "could not be written" in dialog_of(window).findChild(QLabel, "crashNote").text()
    assert len(previous_hook) == 1


def test_the_handler_never_raises_when_everything_fails(window, monkeypatch, previous_hook):
    def broken(*_, **__):
        raise RuntimeError("broken too")
    exc = ZeroDivisionError("the original")
    with monkeypatch.context() as m:  # undone before the window closes
        m.setattr(window.controller, "pause", broken)
        m.setattr(window, "show_message", broken)
        m.setattr(crash, "CrashDialog", broken)
        m.setattr(crash, "append_to_log", broken)
        crash.excepthook(ZeroDivisionError, exc, None)  # does not raise
        assert previous_hook == [(ZeroDivisionError, exc, None)]  # it still gets the exception

        m.setattr(crash.CrashReporter, "report", broken)
        crash.excepthook(ZeroDivisionError, exc, None)
        assert len(previous_hook) == 2


def test_keyboard_interrupt_and_system_exit_go_to_the_previous_hook_only(window,
                                                                         previous_hook):
    for exc_type in (KeyboardInterrupt, SystemExit):
        crash.excepthook(exc_type, exc_type(), None)
    assert [e[0] for e in previous_hook] == [KeyboardInterrupt, SystemExit]
    assert window.crash.total == 0 and dialog_of(window) is None


def test_an_exception_in_another_thread_is_logged_not_shown(window, previous_hook,
                                                           isolated_data_folder):
    def run():
        try:
            raise OSError("in a worker")
        except OSError as e:
            crash.excepthook(OSError, e, e.__traceback__)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert window.crash.total == 0 and dialog_of(window) is None
    assert "OSError: in a worker" in (isolated_data_folder / crash.LOG_NAME).read_text("utf-8")
    assert len(previous_hook) == 1


def test_the_log_is_appended_and_rotated(monkeypatch, isolated_data_folder):
    monkeypatch.setattr(crash, "LOG_MAX_BYTES", 1000)
    log = isolated_data_folder / crash.LOG_NAME
    assert crash.append_to_log("first") == str(log)  # creates the folder
    crash.append_to_log("second")
    assert log.read_text("utf-8") == "first\n\nsecond\n\n"
    crash.append_to_log("x" * 990)  # would pass 1000 bytes: the old log moves aside
    assert (isolated_data_folder / (crash.LOG_NAME + ".1")).read_text("utf-8").startswith(
        "first")
    assert log.read_text("utf-8") == "x" * 990 + "\n\n"


def test_install_and_uninstall_keep_the_previous_hook(monkeypatch):
    def mine(*exc):
        pass
    monkeypatch.setattr(sys, "excepthook", mine)
    crash.install_excepthook()
    crash.install_excepthook()  # twice: still one layer
    assert sys.excepthook is crash.excepthook and crash._previous_hook is mine
    crash.uninstall_excepthook()
    assert sys.excepthook is mine


def test_every_window_has_a_reporter_but_only_main_installs_the_hook(window):
    assert isinstance(window.crash, crash.CrashReporter)
    assert crash.current_reporter() is window.crash
    assert sys.excepthook is not crash.excepthook


def test_summary_is_one_short_line():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")
    assert crash.summarize(Unprintable, Unprintable()) == "Unprintable"
    assert crash.summarize(ValueError, ValueError("a\nb   c")) == "ValueError: a b c"
    long = crash.summarize(ValueError, ValueError("x" * 500))
    assert len(long) == crash.MAX_SUMMARY_CHARS and long.endswith("…")
