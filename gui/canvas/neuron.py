"""``NeuronItem``: a neuron's circle with its name (x1, y3) and current value inside (a
bluish-green ring round it while the current phase works on it; optionally a faint thumbnail
behind the text), and ``NeuronNote``, the δ line under it."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import phase_mark, theme
from .hover import TooltipOnHover
from .marks import Marks

BORDER_PX = 2.5
SELECTED_BORDER_PX = 5.0
THUMBNAIL_OPACITY = 0.4  # faint enough that the name and value stay readable over it


class NeuronItem(Marks, TooltipOnHover, QGraphicsItem):
    """Neuron ``j``, centred on its position. An input shows x_j, any other neuron y_j."""

    def __init__(self, j, name, is_input=False, parent=None):
        super().__init__(parent)
        self.j = j
        self.key = ("n", j)
        self.name = name
        self.is_input = is_input
        self.radius = 40.0
        self.highlighted = False
        self.phase = False  # the current phase works on this neuron
        self.dead = False   # a ReLU that is inactive for every sample
        self._value = ""
        self._fonts = None
        self.thumbnail = None  # a QImage drawn faintly inside the circle, behind the text
        self.note = NeuronNote(self)
        self.setZValue(theme.Z_NODE)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_fonts(self, fonts):
        self._fonts = fonts
        self.note.set_fonts(fonts)
        self.update()

    def set_dead(self, on):
        """Mark a dead ReLU: grey hatching, and "dead" under its value."""
        if on != self.dead:
            self.dead = on
            self.update()

    def set_thumbnail(self, image):
        """A small picture (a QImage, e.g. the neuron's output over the input plane) drawn
        faintly inside the circle, behind the text; None removes it."""
        if image is not self.thumbnail:
            self.thumbnail = image
            self.update()

    def set_radius(self, r):
        if r != self.radius:
            self.prepareGeometryChange()
            self.radius = r

    def set_value_text(self, text):
        if text != self._value:
            self._value = text
            self.update()

    def value_text(self):
        """The value drawn in the circle, e.g. "0.412" (or "—")."""
        return self._value

    def circle_rect(self):
        """The circle in item coordinates (the bounding rect adds the border's width)."""
        r = self.radius
        return QRectF(-r, -r, 2 * r, 2 * r)

    def scene_circle_rect(self):
        return self.mapRectToScene(self.circle_rect())

    def boundingRect(self):
        m = max(SELECTED_BORDER_PX / 2,
                phase_mark.RING_GAP_PX + phase_mark.RING_PX) * theme.LINE_SCALE + 1
        return self.circle_rect().adjusted(-m, -m, m, m)

    def shape(self):
        path = QPainterPath()
        path.addEllipse(self.circle_rect())
        return path

    def paint(self, painter, option, widget=None):
        painter.setPen(QPen(theme.SELECTED if self.highlighted else theme.NEURON_BORDER,
                            SELECTED_BORDER_PX * theme.LINE_SCALE if self.highlighted
                            else BORDER_PX * theme.STROKE))
        painter.setBrush(QBrush(theme.INPUT_FILL if self.is_input else theme.NEURON_FILL))
        painter.drawEllipse(QPointF(0, 0), self.radius, self.radius)
        if self.thumbnail is not None:  # inside the border, under everything else
            painter.save()
            r = self.radius - BORDER_PX * theme.STROKE / 2
            clip = QPainterPath()
            clip.addEllipse(QPointF(0, 0), r, r)
            painter.setClipPath(clip, Qt.ClipOperation.IntersectClip)
            painter.setOpacity(painter.opacity() * THUMBNAIL_OPACITY)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(-r, -r, 2 * r, 2 * r), self.thumbnail)
            painter.restore()
        if self.dead:  # hatched grey: nothing flows through it, for any sample
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(theme.FROZEN, Qt.BrushStyle.BDiagPattern))
            painter.drawEllipse(QPointF(0, 0), self.radius, self.radius)
        if self.phase:
            k = theme.LINE_SCALE
            r = self.radius + (phase_mark.RING_GAP_PX + phase_mark.RING_PX / 2) * k
            painter.setPen(QPen(phase_mark.PHASE, phase_mark.RING_PX * k))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r, r)
        if self._fonts is None:
            return
        f = self._fonts
        h_name, h_value = f.height("neuron_name"), f.height("neuron_value")
        top = -(h_name + h_value) / 2
        # the widest text that fits at either line's height inside the circle
        inner = 2 * (self.radius - BORDER_PX) * 0.94
        painter.setPen(theme.TEXT)
        painter.setFont(f.neuron_name)
        painter.drawText(QRectF(-self.radius, top, 2 * self.radius, h_name),
                         Qt.AlignmentFlag.AlignCenter, self.name)
        painter.setFont(f.neuron_value)
        w = f.width("neuron_value", self._value)
        painter.save()
        painter.translate(0, top + h_name + h_value / 2)
        if w > inner:  # an unusually long number shrinks instead of leaving the circle
            painter.scale(inner / w, inner / w)
        painter.drawText(QRectF(-w / 2 - 2, -h_value / 2, w + 4, h_value),
                         Qt.AlignmentFlag.AlignCenter, self._value)
        painter.restore()


class NeuronNote(QGraphicsItem):
    """The δ line of a neuron ("δ3 = 0.123"), drawn in the box the layout reserved under it."""

    def __init__(self, neuron):
        super().__init__(neuron)
        self._text = None
        self._fonts = None
        self._slot = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the neuron behind

    def set_fonts(self, fonts):
        self._fonts = fonts
        self.update()

    def set_slot(self, rect):
        """``rect`` in the neuron's coordinates."""
        if rect != self._slot:
            self.prepareGeometryChange()
            self._slot = QRectF(rect)

    def set_text(self, text):
        """None hides the note."""
        self.setVisible(text is not None)
        if text != self._text:
            self._text = text
            self.update()

    def text(self):
        return self._text

    def boundingRect(self):
        return QRectF(self._slot)

    def paint(self, painter, option, widget=None):
        if not self._text or self._fonts is None:
            return
        lines = self._text.split("\n")
        w = max(self._fonts.line_width("note", t) for t in lines) + 2 * self._fonts.pad_x
        line_h = self._fonts.height("note")
        h = line_h * len(lines)
        slot = self._slot
        painter.save()
        painter.translate(slot.center())
        squeeze = min(1.0, slot.width() / w, slot.height() / h)
        painter.scale(squeeze, squeeze)
        box = QRectF(-w / 2, -h / 2, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(theme.LABEL_FILL))
        painter.drawRoundedRect(box, 4, 4)
        for k, text in enumerate(lines):
            self._fonts.draw_line(painter, QRectF(box.left(), box.top() + k * line_h, w, line_h),
                                  "note", text, theme.DERIVATIVE_TEXT)
        painter.restore()
