"""Shared set-up for the file tests: settings in a temporary folder (never the user's), a window,
and a recorder that stands in for the dialogs."""
import pytest
from PySide6.QtCore import QSettings

from gui import file_actions
from gui.main_window import MainWindow


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """QSettings (recent files and all) in tmp_path: the user's real settings are never read or
    written."""
    folder = tmp_path / "settings"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    assert file_actions.settings().fileName().startswith(str(folder))
    file_actions.clear_recent_files()
    return folder


class Dialogs:
    """Answers the file dialogs and records what they were asked."""

    def __init__(self, monkeypatch):
        self.errors = []       # (title, text)
        self.prompts = []      # document names asked about
        self.answer = "cancel"  # to the unsaved-changes prompt
        self.save_paths = []   # answers to the save dialog, in order
        self.open_paths = []
        self.overwrite_asks = []  # ("changed" or "read_only", document name)
        self.overwrite = False    # the answer to both overwrite questions
        monkeypatch.setattr(file_actions, "show_error",
                            lambda parent, title, text: self.errors.append((title, text)))
        monkeypatch.setattr(file_actions, "ask_unsaved_changes", self._unsaved)
        monkeypatch.setattr(file_actions, "ask_save_path",
                            lambda *a: str(self.save_paths.pop(0)) if self.save_paths else None)
        monkeypatch.setattr(file_actions, "ask_open_path",
                            lambda *a: str(self.open_paths.pop(0)) if self.open_paths else None)
        monkeypatch.setattr(file_actions, "ask_overwrite_changed",
                            lambda parent, name: self._overwrite("changed", name))
        monkeypatch.setattr(file_actions, "ask_overwrite_read_only",
                            lambda parent, name: self._overwrite("read_only", name))

    def _overwrite(self, kind, name):
        self.overwrite_asks.append((kind, name))
        return self.overwrite

    def _unsaved(self, parent, name):
        self.prompts.append(name)
        return self.answer


@pytest.fixture
def dialogs(monkeypatch):
    return Dialogs(monkeypatch)


@pytest.fixture
def make_window(qtbot, isolated_settings, dialogs):
    def make(lesson=None):
        w = MainWindow(lesson)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w
    return make


@pytest.fixture
def window(make_window):
    return make_window()
