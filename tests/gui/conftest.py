"""The window as a user meets it: shown, exposed and active (window-wide shortcuts go to the
active window only)."""
import gc

import pytest

from gui.main_window import MainWindow


def collect_garbage_now():
    """Free the widgets earlier tests left in reference cycles (a window leaves about 2,500
    objects) now, at a safe point. Left to the automatic collector, they can be freed inside
    QObject::disconnect, which holds Qt's signal-slot locks while PySide calls back into Python:
    a QObject destroyed there may need one of those locks, and the test hangs for good (seen in
    pyqtgraph's addItem, PySide 6.11)."""
    gc.collect()


def shown_window(qtbot, lesson=None):
    """A MainWindow as the app starts it (on ``lesson``, as a file named on the command line
    does): shown, exposed and active."""
    w = MainWindow(lesson)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


@pytest.fixture
def window(qtbot):
    collect_garbage_now()
    return shown_window(qtbot)


@pytest.fixture
def comma_locale():
    """Qt's default locale is German (decimal comma) for one test, then what it was."""
    from PySide6.QtCore import QLocale

    old = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert QLocale().decimalPoint() == ","
    yield
    QLocale.setDefault(old)


@pytest.fixture(autouse=True)
def light_look_afterwards():
    """The canvas's colours and line widths and the plots' look are module-wide: a test that
    switches the theme or the text size (the random user does, in whatever order its seed
    gives) leaves the Light look at 1× behind, as a new window finds it, for a next test that
    draws without a window."""
    yield
    from gui import plots, style
    from gui.canvas import theme

    theme.use(style.LIGHT)
    theme.set_line_scale(1.0)
    plots.use_look(style.LIGHT)


@pytest.fixture(autouse=True)
def no_window_left_on_screen():
    """A window a test leaves on the screen — one it never handed to qtbot, or one whose close
    the test's stand-in dialog refused (pytest-qt closes windows while the test's patches still
    answer Cancel to "Save the changes?") — takes the mouse of every later test in this process
    (a hover test failed that way). Hidden, it is out of their way."""
    yield
    from PySide6.QtWidgets import QApplication

    for w in QApplication.topLevelWidgets():
        if w.isWindow() and w.isVisible():
            w.hide()
