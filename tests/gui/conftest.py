"""The window as a user meets it: shown, exposed and active (window-wide shortcuts go to the
active window only)."""
import pytest

from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w


@pytest.fixture
def comma_locale():
    """Qt's default locale is German (decimal comma) for one test, then what it was."""
    from PySide6.QtCore import QLocale

    old = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert QLocale().decimalPoint() == ","
    yield
    QLocale.setDefault(old)
