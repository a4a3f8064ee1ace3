"""Classroom mode: zoom and font scale, themes, presentation mode, full screen, and the window
state that persists between runs (QSettings)."""


def install(window):
    """Add the classroom actions to ``window`` (a MainWindow) and restore its saved state."""
