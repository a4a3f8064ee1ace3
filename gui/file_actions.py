"""Files: Open, Save, Save As, recent files, the unsaved-changes prompt, dropping a file on the
window, and the exports (diagram, plots, history).

``install(window)`` adds a File menu (first in the menu bar) and ``window.files``, a
``FileActions`` with the same operations as methods for scripts and tests: ``open_file(path)``,
``save()``, ``save_as(path)``, ``maybe_save()``, ``export(kind, path)``, ``path``.

Every dialog goes through a module-level function (``ask_open_path``, ``ask_save_path``,
``ask_unsaved_changes``, ``ask_overwrite_changed``, ``ask_overwrite_read_only``, ``show_error``)
that tests replace. Where no one can answer a dialog (Qt's ``offscreen`` or ``minimal`` platform:
tests, ``--screenshot``) they do not block: an open or save dialog is cancelled, the
unsaved-changes prompt answers Discard, the overwrite questions answer No (nothing is written; the
status bar says why) and an error goes to the status bar only.

Saving is careful about what it replaces: only a regular file (a device, FIFO, socket or folder
is refused with one line); a file another program changed since we opened or last saved it (its
``FileStamp``: time, size and a hash of its bytes) or a read-only file only after asking. Saving
and opening remove our own stale temporaries beside the file (``engine.atomic``).

Recent files live in ``QSettings("BackpropLab", "Backprop Lab")`` under ``recentFiles`` (most
recent first, at most ``MAX_RECENT``); ``saveHistory`` remembers whether saves include the
training history.
"""
from __future__ import annotations

import os
import re

import shiboken6
from PySide6.QtCore import QEvent, QObject, QStandardPaths, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from engine.atomic import (
    FileStamp,
    NotRegularFileError,
    check_regular_target,
    is_read_only,
    remove_stale_temporaries,
)
from engine.lesson import LessonFileError, dumps_document, read_document, read_file, write_bytes

from . import exports
from .settings import settings

RECENT_KEY = "recentFiles"
SAVE_HISTORY_KEY = "saveHistory"
MAX_RECENT = 8
APP_TITLE = "Backprop Lab"
LESSON_FILTER = "Backprop Lab lessons (*.json);;All files (*)"
NON_INTERACTIVE = ("offscreen", "minimal")

#: kind → (menu text, object name suffix, file filter, default suffix, shortcut)
EXPORTS = {
    "diagram_png": ("Diagram as PNG…", "DiagramPng", "PNG images (*.png)", ".png", "Ctrl+Alt+1"),
    "diagram_svg": ("Diagram as SVG…", "DiagramSvg", "SVG images (*.svg)", ".svg", "Ctrl+Alt+2"),
    "loss_png": ("Loss Plot as PNG…", "LossPng", "PNG images (*.png)", ".png", "Ctrl+Alt+3"),
    "loss_csv": ("Loss Plot Data as CSV…", "LossCsv", "CSV files (*.csv)", ".csv",
                 "Ctrl+Alt+4"),
    "parameters_png": ("Parameter Plot as PNG…", "ParametersPng", "PNG images (*.png)", ".png",
                       "Ctrl+Alt+5"),
    "parameters_csv": ("Parameter Plot Data as CSV…", "ParametersCsv", "CSV files (*.csv)",
                       ".csv", "Ctrl+Alt+6"),
    "outputs_png": ("Outputs Plot as PNG…", "OutputsPng", "PNG images (*.png)", ".png",
                    "Ctrl+Alt+7"),
    "history_csv": ("History as CSV…", "HistoryCsv", "CSV files (*.csv)", ".csv", "Ctrl+Alt+8"),
}


# -- dialogs (tests replace these) -----------------------------------------------------------------
def interactive():
    """Can a user answer a dialog? Not on the off-screen platforms."""
    return QGuiApplication.platformName() not in NON_INTERACTIVE


def ask_open_path(parent, folder):
    """A lesson file to open, or None."""
    if not interactive():
        return None
    path, _ = QFileDialog.getOpenFileName(parent, "Open Lesson", folder, LESSON_FILTER)
    return path or None


def ask_save_path(parent, title, suggested, file_filter):
    """Where to save (``suggested`` is a full path), or None."""
    if not interactive():
        return None
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def ask_unsaved_changes(parent, name):
    """"save", "discard" or "cancel" for the unsaved changes to ``name``."""
    if not interactive():
        return "discard"
    box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE,
                      f"Save the changes to “{name}” first?", parent=parent)
    box.setInformativeText("Your changes are lost if you don't save them.")
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(answer), "cancel")


def ask_overwrite_changed(parent, name):
    """True to overwrite ``name``, which another program changed since it was opened or last
    saved here. Where no one can answer: False (keep their changes)."""
    return _ask_overwrite(parent, f"“{name}” was changed by another program since you opened "
                          "it. Overwrite it?",
                          "Overwriting replaces that program's changes with this lesson.")


def ask_overwrite_read_only(parent, name):
    """True to replace the read-only file ``name`` anyway. Where no one can answer: False."""
    return _ask_overwrite(parent, f"“{name}” is read-only. Overwrite it anyway?",
                          "The saved file stays read-only.")


def _ask_overwrite(parent, text, info):
    if not interactive():
        return False
    box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, text, parent=parent)
    box.setInformativeText(info)
    overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is overwrite


def show_error(parent, title, text):
    """Tell the user that something failed (``text`` is one line)."""
    if interactive():
        QMessageBox.warning(parent, title, text)


# -- recent files ---------------------------------------------------------------------------------
def recent_files():
    """The remembered files, most recent first."""
    value = settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # some back ends return a one-item list as a plain string
        value = [value]
    return [p for p in (value or []) if isinstance(p, str) and p][:MAX_RECENT]


def _store_recent(paths):
    s = settings()
    s.setValue(RECENT_KEY, list(paths)[:MAX_RECENT])
    s.sync()


def add_recent_file(path):
    path = os.path.abspath(path)
    _store_recent([path] + [p for p in recent_files() if p != path])


def remove_recent_file(path):
    _store_recent([p for p in recent_files() if p != os.path.abspath(path)])


def clear_recent_files():
    _store_recent([])


def _slug(name):
    s = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return s or "lesson"


def _with_suffix(path, suffix):
    """``path`` with ``suffix`` added when it has none — unless it names something that exists:
    the user chose that (and a device or folder is then refused by name, not missed)."""
    if os.path.splitext(path)[1] or os.path.lexists(path):
        return path
    return path + suffix


# -- the feature -----------------------------------------------------------------------------------
class FileActions(QObject):
    """The File menu's operations for one MainWindow (``window.files``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self._path = None  # the file the document was opened from or saved to
        self._stamp = None  # (real path, FileStamp): what that file held when we read/wrote it
        self._lesson = self.controller.lesson  # the lesson that file holds (see _lesson_loaded)
        self._export_folder = None
        self._make_menu()
        c = self.controller
        c.undo_stack.cleanChanged.connect(self._update_title)
        c.trainingStateChanged.connect(self._update_title)
        c.structureChanged.connect(self._lesson_loaded)
        window.close_guards.append(self.maybe_save)
        window.replace_guards.append(self.maybe_save)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        window.view.viewport().installEventFilter(self)
        self._update_title()

    # -- state -------------------------------------------------------------------------------------
    @property
    def path(self):
        """The current file (absolute), or None for a document never saved."""
        return self._path

    def document_name(self):
        if self._path:
            return os.path.basename(self._path)
        return self.controller.lesson.name or "Untitled"

    def is_modified(self):
        c = self.controller
        return not c.undo_stack.isClean() or c.training

    def _lesson_loaded(self):
        # another lesson replaced the document (a preset, …): it has no file any more
        if self.controller.lesson is not self._lesson:
            self._lesson = self.controller.lesson
            self._path = self._stamp = None
        self._update_title()

    def _update_title(self, *_):
        if not shiboken6.isValid(self.window):  # signals that arrive while the window goes away
            return
        self.window.setWindowTitle(f"{self.document_name()}[*] — {APP_TITLE}")
        self.window.setWindowModified(self.is_modified())

    def _folder(self):
        if self._path:
            return os.path.dirname(self._path)
        recent = recent_files()
        if recent:
            return os.path.dirname(recent[0])
        return (QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                or os.path.expanduser("~"))

    def _error(self, title, text):
        self.window.show_message(text, True)
        show_error(self.window, title, text)

    # -- menu --------------------------------------------------------------------------------------
    def _make_menu(self):
        w = self.window
        menu = QMenu("&File", w)
        menu.setObjectName("menuFile")
        self.menu = menu
        self.actionOpen = w.add_action("actionOpen", "Open…", "Ctrl+O", lambda *_: self.open_file(),
                                    "Open a lesson file")
        self.actionSave = w.add_action("actionSave", "Save", "Ctrl+S", lambda *_: self.save(),
                                    "Save the lesson")
        self.actionSaveAs = w.add_action("actionSaveAs", "Save As…", "Ctrl+Shift+S",
                                      lambda *_: self.save_as(), "Save the lesson to a new file")
        self.actionSaveHistory = w.add_action(
            "actionSaveHistory", "Include Training History in Saves", "Ctrl+Alt+H",
            self._set_save_history, "Saved files also hold the loss and parameter curves",
            checkable=True)
        self.actionSaveHistory.setChecked(self.save_history)
        self.actionQuit = w.add_action("actionQuit", "Quit", "Ctrl+Q", lambda *_: w.close(),
                                    "Close the window (asks about unsaved changes)")
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        self.recent_menu = QMenu("Open &Recent", w)
        self.recent_menu.setObjectName("menuRecent")
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)
        self.export_menu = QMenu("&Export", w)
        self.export_menu.setObjectName("menuExport")
        self.export_actions = {}
        for kind, (text, suffix, _, _, shortcut) in EXPORTS.items():
            a = w.add_action(f"actionExport{suffix}", text, shortcut,
                          lambda *_, k=kind: self.export(k))
            self.export_menu.addAction(a)
            self.export_actions[kind] = a
        self.export_menu.insertSeparator(self.export_actions["loss_png"])
        self.export_menu.insertSeparator(self.export_actions["history_csv"])

        menu.addAction(self.actionOpen)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        menu.addAction(self.actionSave)
        menu.addAction(self.actionSaveAs)
        menu.addAction(self.actionSaveHistory)
        menu.addSeparator()
        menu.addMenu(self.export_menu)
        menu.addSeparator()
        menu.addAction(self.actionQuit)
        bar = w.menuBar()
        first = bar.actions()
        if first:
            bar.insertMenu(first[0], menu)
        else:
            bar.addMenu(menu)
        self.rebuild_recent_menu()

    def rebuild_recent_menu(self):
        m = self.recent_menu
        m.clear()
        paths = recent_files()
        for n, path in enumerate(paths, start=1):
            a = QAction(f"&{n} {os.path.basename(path)}", m)
            a.setObjectName(f"actionRecent{n}")
            a.setToolTip(path)
            a.setStatusTip(path)
            a.setData(path)
            a.triggered.connect(lambda _=False, p=path: self.open_recent(p))
            m.addAction(a)
        if paths:
            m.addSeparator()
        clear = QAction("Clear Menu", m)
        clear.setObjectName("actionClearRecent")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self._clear_recent)
        m.addAction(clear)
        m.setEnabled(True)

    def _clear_recent(self):
        clear_recent_files()
        self.rebuild_recent_menu()

    @property
    def save_history(self):
        v = settings().value(SAVE_HISTORY_KEY, True)
        return v not in (False, "false", "0", 0)

    def _set_save_history(self, on):
        s = settings()
        s.setValue(SAVE_HISTORY_KEY, bool(on))
        s.sync()

    # -- unsaved changes --------------------------------------------------------------------------
    def maybe_save(self):
        """Before the document is replaced or the window closes: True to go on (saved, nothing
        to save, or Discard), False to stop (Cancel, or the save failed)."""
        self.controller.pause()  # a training run becomes an undo step: now it counts as a change
        if not self.is_modified():
            return True
        answer = ask_unsaved_changes(self.window, self.document_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    # -- open --------------------------------------------------------------------------------------
    def open_file(self, path=None):
        """Open a lesson file (asking which when ``path`` is None). A file that cannot be opened
        leaves the document as it was and shows the one-line reason. True when opened."""
        if not self.maybe_save():
            return False
        if path is None:
            path = ask_open_path(self.window, self._folder())
            if not path:
                return False
        name = os.path.basename(path) or path
        try:
            lesson, history, step_count, stamp = read_document(path)
        except ValueError as e:  # LessonFileError included
            self._error("Cannot open lesson", f"{name}: {e}")
            return False
        except Exception as e:  # a bug must not lose the document either
            self._error("Cannot open lesson", f"{name}: unexpected {type(e).__name__}: {e}")
            return False
        self.open_document(path, lesson, history, step_count, stamp)
        return True

    def open_recent(self, path):
        if not os.path.exists(path):
            remove_recent_file(path)
            self.rebuild_recent_menu()
            self._error("Cannot open lesson", f"{os.path.basename(path)}: no such file (it has "
                        "been removed from the recent files)")
            return False
        return self.open_file(path)

    def open_document(self, path, lesson, history=None, step_count=0, stamp=None):
        """Show a lesson already read from ``path`` (the command line reads before the window
        exists). ``stamp`` is the ``FileStamp`` of the bytes it was read from (``read_document``);
        without it the file is stamped as it is now."""
        old = (self._path, self._lesson, self._stamp)
        self._path, self._lesson = os.path.abspath(path), lesson
        self._stamp = None
        try:
            self.controller.load_lesson(lesson, history, step_count)
        except Exception:
            self._path, self._lesson, self._stamp = old
            raise
        self._remember_stamp(path, stamp)
        remove_stale_temporaries(path)
        add_recent_file(self._path)
        self.rebuild_recent_menu()
        self._update_title()
        self.window.show_message(f"Opened {os.path.basename(self._path)}.")

    # -- save --------------------------------------------------------------------------------------
    def save(self):
        """Save to the current file (Save As when there is none). True when saved."""
        if self._path is None:
            return self.save_as()
        return self._write(self._path)

    def save_as(self, path=None):
        """Save to a new file (asking where when ``path`` is None); it becomes the current
        file. True when saved."""
        if path is None:
            suggested = (self._path or
                         os.path.join(self._folder(), _slug(self.document_name()) + ".json"))
            path = ask_save_path(self.window, "Save Lesson As", suggested, LESSON_FILTER)
            if not path:
                return False
            path = _with_suffix(path, ".json")
        return self._write(path)

    def _write(self, path):
        c = self.controller
        c.pause()
        name = os.path.basename(path) or path
        try:
            check_regular_target(path)
        except NotRegularFileError as e:
            self._error("Cannot save lesson", f"{name}: {e}")
            return False
        if not self._may_overwrite(path, name):
            return False
        lesson = c.to_lesson()
        history = c.history if self.save_history and c.history.n_steps else None
        note = ""
        try:
            try:
                data = dumps_document(lesson, history, c.step_count)
            except LessonFileError as e:
                if history is None:
                    raise
                data = dumps_document(lesson, None, c.step_count)
                note = f" without the training history ({e})"
            stamp = write_bytes(path, data)
        except ValueError as e:
            self._error("Cannot save lesson", f"{name}: {e}")
            return False
        self._path, self._lesson = os.path.abspath(path), c.lesson
        self._remember_stamp(path, stamp)
        c.undo_stack.setClean()
        add_recent_file(self._path)
        self.rebuild_recent_menu()
        self._update_title()
        self.window.show_message(f"Saved {name}{note}.", bool(note))
        return True

    def _may_overwrite(self, path, name):
        """Ask before replacing a file another program changed since we read or wrote it, or a
        read-only one. False (with the reason in the status bar) when the answer is no."""
        if self._changed_on_disk(path) and not ask_overwrite_changed(self.window, name):
            self.window.show_message(f"Not saved: “{name}” was changed by another program "
                                     "since you opened it.", True)
            return False
        if is_read_only(path) and not ask_overwrite_read_only(self.window, name):
            self.window.show_message(f"Not saved: “{name}” is read-only.", True)
            return False
        return True

    def _remember_stamp(self, path, stamp):
        """What the file at ``path`` holds as we read or wrote it (read now when ``stamp`` is
        None)."""
        real = os.path.realpath(path)
        if stamp is None:
            try:
                data, st = read_file(real)
            except LessonFileError:
                self._stamp = None
                return
            stamp = FileStamp.of(st, data)
        self._stamp = (real, stamp)

    def _changed_on_disk(self, path):
        """Has another program changed the file at ``path`` since we read or wrote it? Only the
        document's own file is known; a file that has gone loses nothing when saved again."""
        if self._stamp is None or os.path.realpath(path) != self._stamp[0]:
            return False
        real, stamp = self._stamp
        try:
            st = os.stat(real)
        except OSError:
            return False

        def current_bytes():
            try:
                return read_file(real)[0]
            except LessonFileError:
                return None

        return not stamp.matches(st, current_bytes)

    # -- exports -----------------------------------------------------------------------------------
    def export(self, kind, path=None):
        """Export ``kind`` (a key of ``EXPORTS``) to ``path`` (asking where when None). True when
        written."""
        text, _, file_filter, suffix, _ = EXPORTS[kind]
        stem = os.path.splitext(self.document_name())[0] if self._path else _slug(
            self.document_name())
        name = os.path.splitext(f"{stem}-{kind.replace('_', '.')}")[0] + suffix
        w, c = self.window, self.controller

        def write(path):
            if kind == "diagram_png":
                exports.export_diagram_png(w.view, path)
            elif kind == "diagram_svg":
                exports.export_diagram_svg(w.view, path)
            elif kind == "history_csv":
                exports.export_history_csv(c.history, c.network.labels, path)
            else:
                which, fmt = kind.split("_")
                plot = {"loss": w.loss_plot, "parameters": w.weight_plot,
                        "outputs": w.output_plot}[which]
                plot.refresh()  # the plots redraw lazily: export what the history holds now
                if fmt == "png":
                    exports.export_plot_png(plot.plot, path)
                else:
                    exports.export_plot_csv(plot.plot, path, self._curve_names(which))
        return self.export_with(write, path, f"Export {text.rstrip('…')}", name, file_filter,
                                suffix)

    def export_with(self, write, path, title, name, file_filter, suffix):
        """An export of any feature: ``write(path)`` to ``path``, or where the user says (the
        dialog ``title`` offers ``name`` in the last export folder) when None. A failure is one
        message and False; success is said in the status bar and the folder remembered."""
        if path is None:
            suggested = os.path.join(self._export_folder or self._folder(), name)
            path = ask_save_path(self.window, title, suggested, file_filter)
            if not path:
                return False
            path = _with_suffix(path, suffix)
        try:
            write(path)
        except Exception as e:  # ExportError, or anything Qt/pyqtgraph raise
            self._error("Cannot export", f"{os.path.basename(path)}: {e}")
            return False
        self._export_folder = os.path.dirname(os.path.abspath(path))
        self.window.show_message(f"Exported {os.path.basename(path)}.")
        return True

    def _curve_names(self, which):
        w = self.window
        if which == "loss":
            return {w.loss_plot.curve: "loss", w.loss_plot.test_curve: "test loss"}
        labels = self.controller.network.labels
        return dict(zip(w.weight_plot.curves, labels))

    # -- dropping a file on the window -------------------------------------------------------------
    @staticmethod
    def dropped_lesson(mime):
        """The local .json file a drag carries, or None."""
        if not mime.hasUrls():
            return None
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if len(files) == 1 and files[0].lower().endswith(".json"):
            return files[0]
        return None

    def eventFilter(self, obj, event):
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self.dropped_lesson(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif t == QEvent.Type.Drop:
            path = self.dropped_lesson(event.mimeData())
            if path:
                event.acceptProposedAction()
                # open after the drop returns: the prompt must not block the drag's source
                QTimer.singleShot(0, lambda: self.open_file(path))
                return True
        return super().eventFilter(obj, event)


def install(window):
    """Add the File menu and its actions to ``window`` (a MainWindow): ``window.files``."""
    window.files = FileActions(window)
    return window.files
