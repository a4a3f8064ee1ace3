"""When something goes wrong: a global exception handler for the window.

PySide6 hands an exception that escapes a Qt slot, or a Python override of a Qt virtual
(``paintEvent``, …), to ``sys.excepthook``; by default that prints a traceback nobody in a
classroom reads, and the window says nothing. With the hook installed, the window

1. pauses training and brings every view back in line with the model (``controller.changed``),
2. autosaves the lesson when it has unsaved changes (``window.autosave``, if installed),
3. appends the report (time, versions, traceback) to ``errors.log`` in the user's data folder
   (``settings.data_folder()``; at ``LOG_MAX_BYTES`` the log moves to ``errors.log.1`` and a new
   one starts, so the two never hold much more than twice that),
4. shows a small non-modal report — a one-line summary, the traceback in a read-only box, Copy
   (to the clipboard) and Close — that does not take the keyboard from the main window; one
   dialog however many exceptions arrive (a repeat of the last traceback is counted, not
   repeated), and
5. says in the status bar that something went wrong and where the log is.

Each part is guarded on its own; the hook never raises. The previous hook (the one that prints
the traceback on stderr) is always called afterwards, so a terminal still shows it and, should the
report itself fail, nothing is lost. KeyboardInterrupt and SystemExit go to the previous hook
only. An exception in another thread than the GUI's is logged, not shown.

``install(window)`` is a feature like the others (``window.crash``, a ``CrashReporter``; it
changes nothing global). ``install_excepthook()`` routes ``sys.excepthook`` to the reporter of the
newest visible window: ``main()`` calls it, and so can a test (``uninstall_excepthook()`` puts
the previous hook back).
"""
from __future__ import annotations

import os
import platform
import sys
import traceback
import weakref
from datetime import datetime

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout,
)

from . import settings as app_settings

LOG_NAME = "errors.log"
LOG_MAX_BYTES = 1_000_000   # errors.log moves to errors.log.1 before it would grow past this
MAX_TRACEBACK_CHARS = 64_000  # of one report (the end is kept: that is where it went wrong)
MAX_KEPT = 20               # reports the dialog keeps (the newest)
MAX_SUMMARY_CHARS = 200

_reporters = []        # weakref.ref(CrashReporter), oldest first
_previous_hook = None  # sys.excepthook before install_excepthook()


# -- the log ---------------------------------------------------------------------------------------
def log_path():
    """Where the error log is (or would be), or None when there is no data folder."""
    folder = app_settings.data_folder()
    return os.path.join(folder, LOG_NAME) if folder else None


def append_to_log(text):
    """Append ``text`` and a blank line to the error log (creating its folder; moving a log that
    would outgrow ``LOG_MAX_BYTES`` to ``errors.log.1`` first). Returns the log's path; raises
    OSError when it cannot be written."""
    path = log_path()
    if not path:
        raise OSError("there is no data folder on this system")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = (text.rstrip("\n") + "\n\n").encode("utf-8", "backslashreplace")
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        size = 0
    if size and size + len(data) > LOG_MAX_BYTES:
        os.replace(path, path + ".1")
    with open(path, "ab") as f:
        f.write(data)
    return path


# -- one report ------------------------------------------------------------------------------------
def summarize(exc_type, exc):
    """``"TypeName: message"`` on one line, at most MAX_SUMMARY_CHARS."""
    name = getattr(exc_type, "__name__", None) or "Exception"
    try:
        message = " ".join(str(exc).split())
    except Exception:  # an exception whose str() fails
        message = ""
    line = f"{name}: {message}" if message else name
    return line if len(line) <= MAX_SUMMARY_CHARS else line[:MAX_SUMMARY_CHARS - 1] + "…"


def _versions():
    try:
        from importlib.metadata import version
        app = version("backprop-lab")
    except Exception:
        app = "(version unknown)"
    try:
        import PySide6
        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except Exception:
        qt = "Qt (version unknown)"
    return f"Backprop Lab {app}; Python {platform.python_version()}; {qt}; {platform.platform()}"


class Report:
    """One exception: when, a one-line summary, the traceback, how often it came in a row."""

    def __init__(self, exc_type, exc, tb):
        self.when = datetime.now().astimezone()
        self.summary = summarize(exc_type, exc)
        try:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
        except Exception:
            text = self.summary + "\n(the traceback could not be formatted)\n"
        if len(text) > MAX_TRACEBACK_CHARS:
            text = "…\n" + text[-MAX_TRACEBACK_CHARS:]
        self.traceback = text
        self.count = 1

    def text(self):
        again = f" (came {self.count} times in a row)" if self.count > 1 else ""
        return (f"[{self.when:%Y-%m-%d %H:%M:%S %z}] {self.summary}{again}\n{_versions()}\n"
                f"{self.traceback.rstrip()}\n")


# -- the dialog ------------------------------------------------------------------------------------
class CrashDialog(QDialog):
    """The non-modal report: summary, what to do, the traceback (read-only), Copy, Close. It
    shows without taking the keyboard from the main window, so Space still steps."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("Something went wrong — Backprop Lab")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.summary = QLabel(objectName="crashSummary", wordWrap=True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.note = QLabel(objectName="crashNote", wordWrap=True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(objectName="crashDetails", readOnly=True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton("Copy", objectName="crashCopyButton", autoDefault=False)
        self.close_button = QPushButton("Close", objectName="crashCloseButton",
                                        autoDefault=False)
        self.copy_button.setToolTip("Put the report on the clipboard (to paste it in a message)")
        self.copy_button.clicked.connect(self.copy)
        self.details.setAccessibleName("Error report")
        self.details.setAccessibleDescription("The traceback, for a bug report")
        self.copy_button.setAccessibleName("Copy")
        self.copy_button.setAccessibleDescription(self.copy_button.toolTip())
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close the report; the app goes on")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.resize(720, 380)

    def set_report(self, summary, note, text):
        self.summary.setText(summary)
        self.note.setText(note)
        self.details.setPlainText(text)
        bar = self.details.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest report is at the end

    def copy(self):
        """Put the whole report on the clipboard."""
        QGuiApplication.clipboard().setText(self.details.toPlainText())


# -- one window's reporter -------------------------------------------------------------------------
class CrashReporter(QObject):
    """What the window does about an exception (``window.crash``); see the module's text."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None    # made at the first report, then reused
        self.reports = []     # the newest MAX_KEPT, oldest first
        self.total = 0        # exceptions reported since the window opened
        self.log_file = None  # where the last report was written
        self._busy = False    # reporting: exceptions raised meanwhile wait in _queue
        self._queue = []
        _reporters.append(weakref.ref(self))

    def report(self, exc_type, exc, tb):
        """Handle one exception; True when the user was told (dialog or status bar). Never
        raises."""
        try:
            entry = Report(exc_type, exc, tb)
        except Exception:
            return False
        if self._busy:  # raised by a slot our changed.emit() ran: reported with this one
            if len(self._queue) < MAX_KEPT:
                self._queue.append(entry)
            return True
        self._busy = True
        try:
            was_training = _guarded(lambda: self.window.controller.training) or False
            _guarded(self.window.controller.pause)
            _guarded(self.window.controller.changed.emit)
            autosave = getattr(self.window, "autosave", None)
            saved = bool(autosave is not None and _guarded(autosave.save_if_modified))
            entries, self._queue = [entry] + self._queue, []
            log_error = None
            for e in entries:
                self.total += 1
                if self.reports and self.reports[-1].traceback == e.traceback:
                    self.reports[-1].count += 1  # the same again: counted, not logged again
                    continue
                self.reports = (self.reports + [e])[-MAX_KEPT:]
                try:
                    self.log_file = append_to_log(e.text())
                except Exception as error:  # OSError: an unwritable folder, a full disk, …
                    log_error = f"{type(error).__name__}: {error}"
            shown = _guarded(lambda: self._show(was_training, saved, log_error))
            told = _guarded(lambda: self._tell(was_training, log_error))
            return bool(shown or told)
        except Exception:
            return False
        finally:
            self._busy = False

    def _where(self, log_error):
        if log_error:
            return f"the error log could not be written ({log_error})"
        return f"the report is in {self.log_file}"

    def _show(self, was_training, saved, log_error):
        if self.dialog is None or not shiboken6.isValid(self.dialog):
            self.dialog = CrashDialog(self.window)
        last = self.reports[-1]
        summary = last.summary
        if self.total > 1:
            summary += f"  ({self.total} errors since the window opened; the newest is last)"
        done = []
        if was_training:
            done.append("Training was paused.")
        done.append("Your lesson is still open" + (" and was autosaved." if saved else "."))
        done.append("Save it (Ctrl+S) to be safe; you can go on working.")
        where = self._where(log_error)
        note = " ".join(done) + f" {where[0].upper()}{where[1:]}."
        self.dialog.set_report(summary, note, "\n".join(r.text() for r in self.reports))
        if self.dialog.isVisible():
            self.dialog.raise_()  # in front again, still without the keyboard
        else:
            self.dialog.show()
        return True

    def _tell(self, was_training, log_error):
        paused = " Training paused;" if was_training else ""
        self.window.show_message(f"Something went wrong: {self.reports[-1].summary}.{paused} "
                                 f"{self._where(log_error)}.", True)
        return True


def _guarded(call):
    """``call()``, or None if it raised."""
    try:
        return call()
    except Exception:
        return None


# -- the hook --------------------------------------------------------------------------------------
def install(window):
    """Give ``window`` (a MainWindow) its reporter: ``window.crash``. Nothing global changes;
    ``install_excepthook()`` makes exceptions reach it."""
    window.crash = CrashReporter(window)
    return window.crash


def current_reporter():
    """The reporter of the newest visible window (else the newest one alive), or None."""
    alive = []
    for ref in _reporters:
        r = ref()
        if r is not None and shiboken6.isValid(r) and shiboken6.isValid(r.window):
            alive.append(ref)
    _reporters[:] = alive
    reporters = [ref() for ref in reversed(alive)]
    visible = [r for r in reporters if r.window.isVisible()]
    return (visible or reporters or [None])[0]


def _in_gui_thread():
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def _call_previous(exc_type, exc, tb):
    for hook in (_previous_hook, sys.__excepthook__):
        if hook is None or hook is excepthook:
            continue
        try:
            hook(exc_type, exc, tb)
            return
        except BaseException:
            continue


def excepthook(exc_type, exc, tb):
    """``sys.excepthook`` while installed: report an Exception in the window, then pass it to the
    previous hook (which prints it). Never raises."""
    try:
        if isinstance(exc_type, type) and issubclass(exc_type, Exception):
            reporter = current_reporter() if _in_gui_thread() else None
            if reporter is not None:
                reporter.report(exc_type, exc, tb)
            else:  # no window (yet), or another thread: widgets are out of reach
                _guarded(lambda: append_to_log(Report(exc_type, exc, tb).text()))
    except BaseException:
        pass
    _call_previous(exc_type, exc, tb)


def install_excepthook():
    """Route ``sys.excepthook`` to ``excepthook`` (once; the previous hook is kept)."""
    global _previous_hook
    if sys.excepthook is not excepthook:
        _previous_hook = sys.excepthook
        sys.excepthook = excepthook


def uninstall_excepthook():
    """Put back the hook ``install_excepthook`` replaced."""
    global _previous_hook
    if sys.excepthook is excepthook:
        sys.excepthook = _previous_hook or sys.__excepthook__
    _previous_hook = None
