"""Where the app remembers things between runs: one QSettings, shared by every feature."""
from PySide6.QtCore import QSettings

ORGANIZATION, APPLICATION = "BackpropLab", "Backprop Lab"


def settings():
    """The app's QSettings (recent files, window layout, theme, text size)."""
    return QSettings(ORGANIZATION, APPLICATION)
