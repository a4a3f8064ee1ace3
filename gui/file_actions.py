"""Files: Open, Save, Save As, recent files, the unsaved-changes prompt, dropping a file on the
window, and the exports (diagram, plots, history)."""


def install(window):
    """Add the File menu and its actions to ``window`` (a MainWindow)."""
