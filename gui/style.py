"""Shared look: number formatting and reading, the colour-blind-safe palette (Okabe–Ito) and the
three themes (light, dark, high contrast) that the Qt widgets, the canvas and the plots follow."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory

from engine import numbers
# the app's one number format (engine.numbers): every number on screen and in exports
from engine.numbers import DEFAULT_DECIMALS, count, exact, fmt, sci  # noqa: F401

POSITIVE = QColor("#0072B2")  # blue: w > 0
NEGATIVE = QColor("#D55E00")  # vermillion: w < 0
FROZEN = QColor("#7F7F7F")    # grey: a frozen parameter
SELECTED = QColor("#E69F00")  # orange: the selected element
MISMATCH = QColor("#CC3311")  # red: a refused edit, a failed check


def parse_number(text):
    """A number the user typed (``engine.numbers.parse_number``), with the locale's decimal
    point as well as ".": "1,5" is 1.5 where the decimal point is a comma."""
    return numbers.parse_number(text, QLocale().decimalPoint())


def mix(a, b, t):
    """Opaque colour ``t`` of the way from ``a`` to ``b`` (0 → a, 1 → b)."""
    return QColor(*(round(x + (y - x) * t) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3])))


@dataclass(frozen=True)
class Theme:
    """One look of the whole app. The canvas and the plots draw on ``background`` with
    ``foreground``; the sign pair stays blue (+) / vermillion (−) in every theme, only lighter
    on dark backgrounds, so colour-blind viewers can tell them apart everywhere."""

    key: str          # what QSettings stores
    title: str        # the menu entry
    background: QColor
    foreground: QColor    # text, axes
    muted: QColor         # secondary text (∂L/∂w lines, δ notes)
    border: QColor        # neuron circles
    positive: QColor
    negative: QColor
    frozen: QColor
    selected: QColor
    panel: QColor | None = None  # Qt widgets' window colour; None keeps the platform's palette
    highlight: QColor | None = None       # Qt selection (lists, menus)
    highlight_text: QColor | None = None
    stroke: float = 1.0   # line widths are multiplied by this
    outlined: bool = False  # fields and check boxes framed in the text colour (OutlinedStyle)

    @property
    def dark(self):
        return self.background.lightnessF() < 0.5


LIGHT = Theme("light", "Light", QColor("#FFFFFF"), QColor("#111111"), QColor("#3B3B3B"),
              QColor("#333333"), POSITIVE, NEGATIVE, FROZEN, SELECTED)
# every colour at least 6:1 against the background (WCAG AA asks 4.5:1 for text)
DARK = Theme("dark", "Dark", QColor("#1B1D21"), QColor("#EDEDED"), QColor("#C4C4C4"),
             QColor("#C8C8C8"), QColor("#56B4E9"), QColor("#F5793A"), QColor("#9A9A9A"),
             QColor("#F0E442"), panel=QColor("#25272B"),
             highlight=QColor("#2F6EA5"), highlight_text=QColor("#FFFFFF"))
# white on black, at least 8:1 for every colour, thicker lines, yellow selection
HIGH_CONTRAST = Theme("high_contrast", "High contrast", QColor("#000000"), QColor("#FFFFFF"),
                      QColor("#FFFFFF"), QColor("#FFFFFF"), QColor("#4CC3FF"),
                      QColor("#FF8C3A"), QColor("#C0C0C0"), QColor("#FFFF00"),
                      panel=QColor("#000000"), highlight=QColor("#FFFF00"),
                      highlight_text=QColor("#000000"), stroke=1.6, outlined=True)
THEMES = {t.key: t for t in (LIGHT, DARK, HIGH_CONTRAST)}


def qt_palette(theme):
    """The Qt widgets' palette for ``theme`` (None: keep the platform's own)."""
    if theme.panel is None:
        return None
    fg, bg, panel = theme.foreground, theme.background, theme.panel
    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, panel), (roles.WindowText, fg), (roles.Base, bg),
        (roles.AlternateBase, mix(bg, fg, 0.06)), (roles.Text, fg), (roles.BrightText, fg),
        (roles.Button, mix(panel, fg, 0.08)), (roles.ButtonText, fg),
        (roles.ToolTipBase, panel), (roles.ToolTipText, fg),
        (roles.PlaceholderText, theme.muted), (roles.Highlight, theme.highlight),
        (roles.HighlightedText, theme.highlight_text), (roles.Link, theme.positive),
        (roles.LinkVisited, theme.positive),
        # Fusion draws frames and separators from these
        (roles.Light, mix(panel, fg, 0.3)), (roles.Midlight, mix(panel, fg, 0.2)),
        (roles.Mid, mix(panel, fg, 0.4)), (roles.Dark, mix(panel, fg, 0.5)),
        (roles.Shadow, QColor("#000000")),
    ):
        p.setColor(role, colour)
    disabled = mix(panel, fg, 0.45)
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p



class OutlinedStyle(QProxyStyle):
    """Fusion with a frame in the text colour round every check box, field and drop-down:
    Fusion frames them in a shade of the window colour, and no shade of black is visible on
    black (the high-contrast theme)."""

    FRAMED_PRIMITIVES = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                         QStyle.PrimitiveElement.PE_FrameLineEdit)
    FRAMED_CONTROLS = (QStyle.ComplexControl.CC_SpinBox, QStyle.ComplexControl.CC_ComboBox)

    def __init__(self):
        super().__init__(QStyleFactory.create("Fusion"))

    def drawPrimitive(self, element, option, painter, widget=None):
        super().drawPrimitive(element, option, painter, widget)
        if element in self.FRAMED_PRIMITIVES:
            self._frame(option, painter)

    def drawComplexControl(self, control, option, painter, widget=None):
        super().drawComplexControl(control, option, painter, widget)
        if control in self.FRAMED_CONTROLS:
            self._frame(option, painter)

    @staticmethod
    def _frame(option, painter):
        painter.save()
        painter.setPen(QPen(option.palette.color(QPalette.ColorRole.WindowText), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
        painter.restore()


def qt_style(theme):
    """A new QStyle for ``theme``, or None to keep the platform's: Fusion draws whatever palette
    it is given, where the Windows and macOS styles ignore much of a custom one."""
    if theme.panel is None:
        return None
    return OutlinedStyle() if theme.outlined else QStyleFactory.create("Fusion")
