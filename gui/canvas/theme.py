"""The canvas's look in one place: stacking order, fonts (scaled for presentation mode), pens
and the text colours. Sizes are chosen for a projector: at scale 1 no text is smaller than 11 pt
and the numbers themselves are 13 pt."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from ..style import FROZEN, NEGATIVE, POSITIVE, SELECTED

# stacking order: edges under neurons under labels, so a label is never hidden by a line
Z_EDGE = 0
Z_NODE = 10
Z_LABEL = 20
Z_EDITOR = 30  # an open in-place editor sits on top of everything

LABEL_PT = 13.0        # a label's main line: "w35 = 0.400"
DERIVATIVE_PT = 11.0   # its second line: "∂L/∂w = −0.012"
NEURON_NAME_PT = 14.0  # "y3" in the circle
NEURON_VALUE_PT = 13.0  # y3's value under it
NOTE_PT = 11.5         # "δ3 = 0.123" under a neuron

TEXT = QColor("#111111")
DERIVATIVE_TEXT = QColor("#3B3B3B")  # dark enough to read, lighter than the values it explains
# all but opaque: an edge running under a label must not cross its text
LABEL_FILL = QColor(255, 255, 255, 245)


def _tint(colour, amount):
    """``colour`` mixed into white: an opaque pale version of it."""
    return QColor(*(round(255 + (c - 255) * amount) for c in colour.getRgb()[:3]))


SELECTED_FILL = _tint(SELECTED, 0.25)  # opaque, so the orange halo under it cannot show through
NEURON_FILL = QColor("#FFFFFF")
INPUT_FILL = QColor("#ECECEC")  # inputs are given, not computed: a quieter fill
NEURON_BORDER = QColor("#333333")
ZERO = QColor("#A8A8A8")  # an exactly-zero weight has no sign to show

EDGE_MIN_PX, EDGE_MAX_PX = 2.0, 8.0  # thinner lines wash out on a projector
EDGE_PX_PER_UNIT = 5.0  # |w| = 1 draws 7 px wide, |w| ≥ 1.2 the widest
EDGE_HIT_PX = 14.0      # clicking this close to an edge still hits it
PAD_X, PAD_Y = 7.0, 3.0  # inside a label's box around its text


def sign_colour(value, frozen=False):
    """The colour that shows a parameter's sign (grey for frozen ones and for exactly 0)."""
    if frozen:
        return FROZEN
    if value > 0:
        return POSITIVE
    if value < 0:
        return NEGATIVE
    return ZERO


def edge_width(value):
    """Pen width in scene units: grows with |w|, clamped so thin edges stay visible and thick
    ones do not swallow their neighbours. Non-finite values (never stored) draw thinnest."""
    try:
        w = EDGE_MIN_PX + EDGE_PX_PER_UNIT * abs(float(value))
    except (TypeError, ValueError):
        return EDGE_MIN_PX
    if w != w:
        return EDGE_MIN_PX
    return min(max(w, EDGE_MIN_PX), EDGE_MAX_PX)


def edge_pen(value, frozen=False):
    pen = QPen(sign_colour(value, frozen), edge_width(value))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if frozen:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _font(points, bold=False):
    f = QFont()
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


@dataclass
class Fonts:
    """Every canvas font at one scale factor, with their metrics (for measuring text)."""

    scale: float = 1.0

    def __post_init__(self):
        s = self.scale
        self.label = _font(LABEL_PT * s)
        self.derivative = _font(DERIVATIVE_PT * s)
        self.neuron_name = _font(NEURON_NAME_PT * s, bold=True)
        self.neuron_value = _font(NEURON_VALUE_PT * s)
        self.note = _font(NOTE_PT * s)
        self.metrics = {name: QFontMetricsF(getattr(self, name)) for name in
                        ("label", "derivative", "neuron_name", "neuron_value", "note")}

    def width(self, which, text):
        return self.metrics[which].horizontalAdvance(text)

    def height(self, which):
        return self.metrics[which].height()
