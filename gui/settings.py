"""Where the app remembers things between runs: one QSettings, shared by every feature, and one
data folder for the files the app writes for itself (the error log, autosaves)."""
from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION, APPLICATION = "BackpropLab", "Backprop Lab"


def settings():
    """The app's QSettings (recent files, window layout, theme, text size)."""
    return QSettings(ORGANIZATION, APPLICATION)


def data_folder():
    """The user's data folder for this app (Qt's AppDataLocation; with the names ``main()`` sets:
    ``~/.local/share/BackpropLab/Backprop Lab`` on Linux, ``%APPDATA%\\BackpropLab\\Backprop Lab``
    on Windows, ``~/Library/Application Support/BackpropLab/Backprop Lab`` on macOS), or "" when
    the platform has none. It may not exist yet. Tests point it elsewhere (``XDG_DATA_HOME``, or
    by replacing this function)."""
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
