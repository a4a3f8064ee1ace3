"""Test set-up: Qt runs off-screen, so the suite needs no display, and every test gets its own
settings folder and data folder, so no test reads or writes the user's real settings (recent
files, layout), error log or autosaves."""
import os

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Hypothesis draws the same examples in every run, so a run of unchanged code passes or fails
# alike on every machine (two random finds in one day failed runs of code they had not
# touched). To search afresh: HYPOTHESIS_PROFILE=explore uv run pytest [--hypothesis-seed=N]
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")  # not in tmp_path: tests list that folder
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def isolated_data_folder(tmp_path_factory, monkeypatch):
    """The app's data folder (error log, autosaves) in a fresh temporary folder: through
    XDG_DATA_HOME for Qt on Linux and for child processes, and by replacing
    ``gui.settings.data_folder`` for every platform."""
    import gui.settings

    folder = tmp_path_factory.mktemp("data")  # not in tmp_path: tests list that folder
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    app_folder = folder / "BackpropLab" / "Backprop Lab"
    monkeypatch.setattr(gui.settings, "data_folder", lambda: str(app_folder))
    return app_folder
