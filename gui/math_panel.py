"""The math panel: the derivation of the selected weight, bias or neuron in the notes' notation —
symbols, then the step's numbers substituted, then the result — and, during a phase walk, what
the current phase computes. It says which numbers it shows (the next Step's, or the Step just
taken) and which update order is in force. The text comes from ``engine.explain``.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QLabel, QSpinBox, QTextBrowser, QVBoxLayout, QWidget,
)

from engine.explain import HTML_CSS, Explainer, html_section

from .canvas.phase_mark import PHASE
from .style import DEFAULT_DECIMALS

MIN_PT = 12.0       # the panel's text is never smaller, whatever the application font
TEXT_SCALE = 1.15   # × the application font: formulas need a little more than menus
MAX_DECIMALS = 10

HINT = ("<p>Select a weight, bias or neuron on the canvas to see its derivation here.</p>"
        "<p>Press <b>N</b> to walk through the next Step phase by phase.</p>")
CONCEALED = ("<p><b>Hidden while you predict.</b> Type your value in the Predict panel and "
             "press Check; the derivation appears there and here.</p>")


def panel_font(base):
    """The browser's font: the application's, scaled up, at least MIN_PT."""
    f = QFont(base)
    if f.pointSizeF() > 0:
        f.setPointSizeF(max(MIN_PT, f.pointSizeF() * TEXT_SCALE))
    return f


def enlarge(parent, widgets):
    """Give ``widgets`` the panel font made from ``parent``'s inherited one. Call it again on
    the parent's FontChange: an explicitly set font no longer follows Larger Text by itself."""
    f = panel_font(parent.font())
    for w in widgets:
        w.setFont(f)


def style_browser(browser):
    """Fonts and colours of a browser showing derivations, from its palette and font (call
    again when either changes)."""
    browser.document().setDefaultFont(panel_font(browser.font()))
    # the application's palette: a child's own palette is still the old one while the theme's
    # PaletteChange events are being delivered
    dark = QApplication.palette().base().color().lightnessF() < 0.5
    numbers = "#8EC3FF" if dark else "#1F4E79"
    browser.document().setDefaultStyleSheet(
        HTML_CSS + f"tr.num td.rhs {{ color: {numbers}; }}\n"
        "h2 { font-size: large; margin-top: 6px; margin-bottom: 2px; }\n")


def order_text(order):
    if order == "output_first":
        return ("Update order: <b>output layer first</b> — each layer is updated before δ is "
                "passed down, so hidden δ use the updated weights (w<sup>new</sup>).")
    return ("Update order: <b>simultaneous</b> — every δ uses the weights from before the "
            "update.")


class MathPanel(QWidget):
    decimalsChanged = Signal(int)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.setObjectName("mathPanel")
        self.controller = controller
        self.phase = None            # engine.explain.Phase shown, with its record and row
        self.phase_record, self.phase_row = None, 0
        self.phase_number = (0, 0)   # (k, of n) for the header
        self.phase_taken = False     # the walk's last phase has taken its Step
        self.concealed = False
        self._dirty = True

        self.phase_label = QLabel(objectName="mathPhaseLabel", wordWrap=True)
        self.source_label = QLabel(objectName="mathSourceLabel", wordWrap=True)
        self.order_label = QLabel(objectName="mathOrderLabel", wordWrap=True)
        self.decimals_spin = QSpinBox(objectName="decimalsSpin")
        self.decimals_spin.setRange(0, MAX_DECIMALS)
        self.decimals_spin.setValue(DEFAULT_DECIMALS)
        self.decimals_spin.setToolTip("How many decimals the derivations show")
        self.decimals_spin.valueChanged.connect(self._decimals_changed)
        self.browser = QTextBrowser(objectName="mathBrowser")
        self.browser.setOpenLinks(False)

        top = QHBoxLayout()
        top.addWidget(self.source_label, 1)
        top.addWidget(QLabel("Decimals"))
        top.addWidget(self.decimals_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.phase_label)
        layout.addLayout(top)
        layout.addWidget(self.order_label)
        layout.addWidget(self.browser, 1)
        self._style_phase_label()
        self.phase_label.hide()

        controller.selectionChanged.connect(self.refresh)
        controller.changed.connect(self.refresh)
        controller.structureChanged.connect(self.refresh)
        controller.trainingStateChanged.connect(self.refresh)
        self.refresh()

    # -- settings ---------------------------------------------------------------------------------
    @property
    def decimals(self):
        return self.decimals_spin.value()

    def _decimals_changed(self, n):
        self.refresh()
        self.decimalsChanged.emit(n)

    def set_phase(self, phase, record, row, number, taken=False):
        """Show ``phase`` (of the walk whose record is ``record``), numbered (k, n); ``taken``:
        its Step has been taken (the last phase)."""
        self.phase, self.phase_record, self.phase_row = phase, record, row
        self.phase_number, self.phase_taken = number, taken
        self.refresh()

    def clear_phase(self):
        self.phase, self.phase_record = None, None
        self.refresh()

    def set_concealed(self, on):
        """Hide every derivation (a prediction is pending)."""
        if bool(on) != self.concealed:
            self.concealed = bool(on)
            self.refresh()

    # -- what it shows ----------------------------------------------------------------------------
    def shown_step(self):
        """(record, row, number, taken): the numbers shown — the phase walk's, else the
        controller's — the number of their Step, and whether it has been taken."""
        c = self.controller
        if self.phase is not None:
            taken = self.phase_taken
            return self.phase_record, self.phase_row, c.step_count + (not taken), taken
        taken = c.last_step is not None
        return c.record, c.record_sample, c.step_count + (not taken), taken

    def refresh(self, *_):
        # while training the numbers change every frame: draw once it pauses; a hidden panel
        # draws when it is shown
        if self.controller.training or not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        c = self.controller
        rec, row, number, taken = self.shown_step()
        source = (f"Step {number}, just taken" if taken
                  else f"the next Step (step {number}); nothing has changed yet")
        if len(rec.x) > 1:
            source += f"; sample {row + 1} of its batch"
        self.source_label.setText(f"Numbers of {source}")
        self.order_label.setText(order_text(c.network.update_order))
        self.phase_label.setVisible(self.phase is not None)
        if self.phase is not None:
            k, n = self.phase_number
            self.phase_label.setText(f"Phase {k} of {n}: {self.phase.text}")
        self.browser.setHtml(self._html(rec, row))

    def _html(self, rec, row):
        if self.concealed:
            return CONCEALED
        ex = Explainer(self.controller.network, rec, row, self.decimals)
        parts = []
        if self.phase is not None:
            # the phase's name is the panel's header already
            parts.append(html_section(ex.phase_section(self.phase), title=False))
        key = self.controller.selection
        if key is not None:
            parts.append(html_section(ex.section(key)))
        return "\n".join(parts) or HINT

    def text(self):
        """Everything the panel shows, as plain text (for tests and copying)."""
        order = re.sub(r"<[^>]+>", "", self.order_label.text())
        return "\n".join([self.phase_label.text() if self.phase is not None else "",
                          self.source_label.text(), order, self.browser.toPlainText()])

    # -- look -------------------------------------------------------------------------------------
    def _style_phase_label(self):
        f = panel_font(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.2)
        f.setBold(True)
        self.phase_label.setFont(f)
        self.phase_label.setStyleSheet(f"color: white; background: {PHASE.name()}; "
                                       "padding: 4px 8px; border-radius: 4px;")

    def _apply_look(self):
        style_browser(self.browser)
        enlarge(self, (self.source_label, self.order_label))
        self._style_phase_label()

    def showEvent(self, event):
        super().showEvent(event)
        self._apply_look()
        if self._dirty:
            self.refresh()

    def changeEvent(self, event):
        super().changeEvent(event)
        # the application font (Larger Text) or the palette (a theme) changed
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._apply_look()
            self._dirty = True
            if self.isVisible():
                self.refresh()
