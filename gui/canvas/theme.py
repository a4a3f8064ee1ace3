"""The canvas's look in one place: stacking order, fonts (scaled for presentation mode), pens
and the colours of the active theme. Sizes are chosen for a projector: at scale 1 no text is
smaller than 11 pt and the numbers themselves are 13 pt.

The colours and line widths below are module attributes that ``use(theme)`` reassigns; the
items read them when they paint, but cache their pens, so the view must ``rebuild()`` after a
theme change."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from .. import style

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
TAG_SHARE = 0.7        # compact text: a name ("w35", "∂L/∂w") this size of the number beside it

EDGE_MIN_PX, EDGE_MAX_PX = 2.0, 8.0  # at stroke 1; thinner lines wash out on a projector
EDGE_PX_PER_UNIT = 5.0  # |w| = 1 draws 7 px wide, |w| ≥ 1.2 the widest
EDGE_HIT_PX = 14.0      # clicking this close to an edge still hits it (× LINE_SCALE)
PAD_X, PAD_Y = 7.0, 3.0  # inside a label's box around its text
PAD_MIN_EM = 0.12        # and at least this share of the label's line height at either side
LABEL_ALPHA = 245  # labels are all but opaque: an edge running under one must not cross its text


LINE_SCALE = 1.0  # set_line_scale: × every line width (STROKE includes it)
_THEME_STROKE = 1.0


def use(theme):
    """Make ``theme`` (a ``style.Theme``) the canvas's colours and line widths."""
    global BACKGROUND, TEXT, DERIVATIVE_TEXT, LABEL_FILL, SELECTED_FILL, NEURON_FILL
    global INPUT_FILL, NEURON_BORDER, ZERO, POSITIVE, NEGATIVE, FROZEN, SELECTED, STROKE
    bg, fg = theme.background, theme.foreground
    BACKGROUND = QColor(bg)
    TEXT = QColor(fg)
    DERIVATIVE_TEXT = QColor(theme.muted)  # readable, lighter than the values it explains
    LABEL_FILL = QColor(bg.red(), bg.green(), bg.blue(), LABEL_ALPHA)
    # opaque, so the selection halo under a selected label cannot show through
    SELECTED_FILL = style.mix(bg, theme.selected, 0.25)
    NEURON_FILL = QColor(bg)
    INPUT_FILL = style.mix(bg, fg, 0.08)  # inputs are given, not computed: a quieter fill
    NEURON_BORDER = QColor(theme.border)
    ZERO = style.mix(bg, fg, 0.4)  # an exactly-zero weight has no sign to show
    POSITIVE, NEGATIVE = QColor(theme.positive), QColor(theme.negative)
    FROZEN, SELECTED = QColor(theme.frozen), QColor(theme.selected)
    global _THEME_STROKE
    _THEME_STROKE = theme.stroke
    STROKE = _THEME_STROKE * LINE_SCALE


def set_line_scale(scale):
    """Make every line width ``scale`` times its size: lines grow with the text, so a drawing
    laid out at a large text size and fitted into the window keeps lines as wide as at 1×."""
    global LINE_SCALE, STROKE
    LINE_SCALE = float(scale)
    STROKE = _THEME_STROKE * LINE_SCALE


use(style.LIGHT)


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
        w = EDGE_MIN_PX
    if w != w:
        w = EDGE_MIN_PX
    return min(max(w, EDGE_MIN_PX), EDGE_MAX_PX) * STROKE


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
    """Every canvas font at one scale factor, with their metrics (for measuring text).

    ``compact`` (presentation mode): every number is drawn at the label's size, second lines and
    δ notes included, and the name before it ("w35 = 0.400" → small "w35", large "0.400") at
    ``TAG_SHARE`` of that, with no "=": the numbers are what the back row must read, and the
    narrower labels let the whole drawing, and so every number, come out larger."""

    scale: float = 1.0
    compact: bool = False

    def __post_init__(self):
        s = self.scale
        self.label = _font(LABEL_PT * s)
        self.derivative = _font((LABEL_PT if self.compact else DERIVATIVE_PT) * s)
        self.neuron_name = _font(NEURON_NAME_PT * s, bold=True)
        self.neuron_value = _font(NEURON_VALUE_PT * s)
        self.note = _font((LABEL_PT if self.compact else NOTE_PT) * s)
        self.tag = _font(LABEL_PT * TAG_SHARE * s)
        self.metrics = {name: QFontMetricsF(getattr(self, name)) for name in
                        ("label", "derivative", "neuron_name", "neuron_value", "note", "tag")}
        # a box's side margins grow with large text: at presentation sizes a fixed one
        # vanishes and the text touches the frame (the line height leaves room above and below)
        self.pad_x = max(PAD_X, PAD_MIN_EM * self.metrics["label"].height())
        self.pad_y = PAD_Y

    def width(self, which, text):
        return self.metrics[which].horizontalAdvance(text)

    def height(self, which):
        return self.metrics[which].height()

    def digit_height(self, which):
        """How tall the digits 0–9 are drawn (what a reader sees of a number's size)."""
        return self.metrics[which].tightBoundingRect("0123456789").height()

    def _parts(self, text):
        """(name, number) of a "name = number" line drawn compact, else None."""
        if self.compact:
            name, sep, number = text.partition(" = ")
            if sep:
                return name + " ", number
        return None

    def line_width(self, which, text):
        """The width of one line of text as ``draw_line`` draws it in font ``which``."""
        parts = self._parts(text)
        if parts is None:
            return self.width(which, text)
        return self._parts_width(which, *parts)

    def _parts_width(self, which, name, number):
        return self.width("tag", name) + self.width(which, number)

    def draw_line(self, painter, rect, which, text, colour, name_colour=None):
        """Draw one line centred in ``rect``: as it reads, or compact (a small name, in
        ``name_colour``, then the number on the same baseline)."""
        parts = self._parts(text)
        painter.setPen(colour)
        painter.setFont(getattr(self, which))
        if parts is None:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            return
        name, number = parts
        m = self.metrics[which]
        x = rect.center().x() - self._parts_width(which, name, number) / 2
        baseline = rect.center().y() + (m.ascent() - m.descent()) / 2
        painter.drawText(QPointF(x + self.width("tag", name), baseline), number)
        painter.setFont(self.tag)
        painter.setPen(name_colour or colour)
        painter.drawText(QPointF(x, baseline), name)
