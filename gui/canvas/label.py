"""``ValueLabel``: a number on the canvas (a weight, a bias, an input, a target) that can be
edited in place, and ``LabelEditor``, the text field that opens over it on double-click.

A label paints its own text rather than being a QGraphicsTextItem: it is refreshed every frame
while training, and drawing two strings is far cheaper than re-laying out a text document. The
editor is a real QGraphicsTextItem, made the first time the label is edited and then reused.

Editing: double-click opens the editor holding just the number, all selected, so typing replaces
it; Return commits through ``commit`` (the view passes it to ``controller.edit``), Escape
reverts, clicking elsewhere commits what was typed (as in a spreadsheet). Text left as it was
commits nothing, so a weight shown rounded is never rounded by accident. Whatever ``commit``
says, the label then shows the engine's value: a refused edit leaves the old number in place.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QTextCursor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem

from . import theme
from .hover import TooltipOnHover
from .marks import Marks


FROZEN_WASH_ALPHA = 60  # the frozen grey of the theme, this opaque


class ValueLabel(Marks, TooltipOnHover, QGraphicsItem):
    """One editable number. ``key`` is the controller's element key; ``commit(key, text)``
    returns whether the edit was accepted."""

    def __init__(self, key, commit=None, parent=None):
        super().__init__(parent)
        self.key = key
        self.commit = commit
        self._main = ""
        self._second = None
        self._edit_text = ""
        self._accent = theme.NEURON_BORDER
        self._frozen = False
        self.highlighted = False
        self._slot = QRectF(-40, -12, 80, 24)  # the space the layout reserved, centred on (0, 0)
        self._fonts = None
        self.editor = None
        self.setZValue(theme.Z_LABEL)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.IBeamCursor)

    # -- what it shows ----------------------------------------------------------------------------
    def set_fonts(self, fonts):
        self._fonts = fonts
        self.update()

    def set_slot(self, width, height):
        """The box the layout reserved; the label never draws outside it."""
        rect = QRectF(-width / 2, -height / 2, width, height)
        if rect != self._slot:
            self.prepareGeometryChange()
            self._slot = rect

    def set_content(self, main, second, edit_text, accent, frozen=False):
        """Update the text; repaints only when something changed (this runs every frame)."""
        new = (main, second, edit_text, accent.rgba(), frozen)
        if new == (self._main, self._second, self._edit_text, self._accent.rgba(), self._frozen):
            return
        self._main, self._second, self._edit_text = main, second, edit_text
        self._accent, self._frozen = accent, frozen
        self.update()

    def text(self):
        """The main line as drawn, e.g. "w35 = 0.400"."""
        return self._main

    def derivative_text(self):
        """The second line as drawn ("∂L/∂w = −0.012"), or None when it is hidden."""
        return self._second

    # -- QGraphicsItem ----------------------------------------------------------------------------
    def boundingRect(self):
        return QRectF(self._slot)

    def paint(self, painter, option, widget=None):
        if self._fonts is None or (self.editor is not None and self.editor.isVisible()):
            return  # the open editor covers the label
        f = self._fonts
        lines = [(self._main, "label", theme.TEXT)]
        if self._second is not None:
            lines.append((self._second, "derivative", theme.DERIVATIVE_TEXT))
        widths = [f.line_width(which, text) for text, which, _ in lines]
        heights = [f.height(which) for _, which, _ in lines]
        w = max(widths) + 2 * f.pad_x
        h = sum(heights) + 2 * f.pad_y
        slot = self._slot
        painter.save()
        # a number wider than the reserved room (say −1234.567) shrinks rather than overlap
        squeeze = min(1.0, slot.width() / w, slot.height() / h)
        painter.scale(squeeze, squeeze)
        box = QRectF(-w / 2, -h / 2, w, h)
        if self.highlighted:
            pen = QPen(theme.SELECTED, 3.0 * theme.STROKE)
            fill = theme.SELECTED_FILL
        else:
            pen = QPen(theme.FROZEN if self._frozen else self._accent, 1.6 * theme.STROKE)
            if self._frozen:
                pen.setStyle(Qt.PenStyle.DashLine)
            fill = theme.LABEL_FILL
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        m = pen.widthF() / 2  # the frame stays inside the box, and so inside the slot
        painter.drawRoundedRect(box.adjusted(m, m, -m, -m), 5, 5)
        if self._frozen and not self.highlighted:
            # a grey wash as well as the dashed frame: a frozen number stands out from a zero
            painter.setPen(Qt.PenStyle.NoPen)
            wash = QColor(theme.FROZEN)
            wash.setAlpha(FROZEN_WASH_ALPHA)
            painter.setBrush(QBrush(wash))
            painter.drawRoundedRect(box.adjusted(1.6, 1.6, -1.6, -1.6), 4, 4)
        y = box.top() + f.pad_y
        for (text, which, colour), lh in zip(lines, heights, strict=True):
            f.draw_line(painter, QRectF(box.left(), y, w, lh), which, text, colour,
                        theme.DERIVATIVE_TEXT)
            y += lh
        painter.restore()

    def mousePressEvent(self, event):
        # taking the press makes this label the scene's last mouse grabber, which is what lets
        # the double-click that may follow arrive here as a double-click (the view has already
        # turned the press into a selection)
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
        else:
            event.ignore()

    def mouseDoubleClickEvent(self, event):
        self.start_editing()
        event.accept()
        # the scene made this label the mouse grabber for the double-click; let go now, so the
        # next click (on another label, or away to commit) reaches whatever is under the mouse
        # even if no release arrives in between
        if self.scene() is not None and self.scene().mouseGrabberItem() is self:
            self.ungrabMouse()

    # -- editing ----------------------------------------------------------------------------------
    @property
    def editing(self):
        return self.editor is not None and self.editor.isVisible()

    def start_editing(self):
        if self.editor is None:
            self.editor = LabelEditor(self)
        ed = self.editor
        ed.setFont(self._fonts.label if self._fonts else ed.font())
        ed.setPlainText(self._edit_text)
        ed.original = self._edit_text
        # the field may be wider than the label: lift the label above its neighbours meanwhile
        self.setZValue(theme.Z_EDITOR)
        ed.show()
        ed.recentre()
        ed.setFocus(Qt.FocusReason.MouseFocusReason)
        cursor = ed.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        ed.setTextCursor(cursor)
        self.update()

    def finish_editing(self, accept):
        """Close the editor; with ``accept`` and a changed text, send it to ``commit``."""
        ed = self.editor
        if ed is None or not ed.isVisible():
            return
        text = ed.toPlainText().strip()
        ed.hide()  # first, so a refresh caused by the commit repaints the label itself
        ed.clearFocus()
        self.setZValue(theme.Z_LABEL)
        self.update()
        if accept and text != ed.original.strip() and self.commit is not None:
            self.commit(self.key, text)


class LabelEditor(QGraphicsTextItem):
    """The in-place text field of a ValueLabel: Return commits, Escape reverts."""

    def __init__(self, label):
        super().__init__(label)
        self.label = label
        self.original = ""
        self.setZValue(theme.Z_EDITOR)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setDefaultTextColor(theme.TEXT)
        self.hide()

    def paint(self, painter, option, widget=None):
        # a white field with a SELECTED frame, so it is obvious something is being edited
        painter.setPen(QPen(theme.SELECTED, 2.0))
        painter.setBrush(QBrush(theme.NEURON_FILL))
        painter.drawRect(super().boundingRect().adjusted(-2, -2, 2, 2))
        super().paint(painter, option, widget)

    def boundingRect(self):
        # room for the frame paint() draws around the text
        return super().boundingRect().adjusted(-3, -3, 3, 3)

    def keyPressEvent(self, event):
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.label.finish_editing(accept=True)
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self.label.finish_editing(accept=False)
            event.accept()
            return
        super().keyPressEvent(event)
        self.recentre()

    def recentre(self):
        """Keep the field centred on its label as the text grows or shrinks."""
        r = self.boundingRect()
        self.setPos(-r.center().x(), -r.center().y())

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        # clicking elsewhere keeps what was typed, as in a spreadsheet; switching to another
        # window or opening a menu only pauses the edit
        passing = (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason)
        if self.isVisible() and event.reason() not in passing:
            self.label.finish_editing(accept=True)
