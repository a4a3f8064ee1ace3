"""The math panel: the derivation of the selected weight, bias or neuron in the notes' notation —
symbols, then the step's numbers substituted, then the result — and, during a phase walk, what
the current phase computes. Its numbers are the canvas's: the next Step at the parameters shown
(a walk's last phase shows the Step just taken, labelled so). Right after a Step, the selected
parameter's update in that Step comes first, labelled "just taken". It also says which update
order is in force. The text comes from ``engine.derivation``,
rendered by ``engine.render``.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QLabel, QSpinBox, QTextBrowser, QVBoxLayout, QWidget,
)

from engine.derivation import Explainer, Section
from engine.render import HTML_CSS, html_section

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
        self.concealed = False
        self._dirty = True

        self.phase_label = QLabel(objectName="mathPhaseLabel", wordWrap=True)
        self.source_label = QLabel(objectName="mathSourceLabel", wordWrap=True)
        self.order_label = QLabel(objectName="mathOrderLabel", wordWrap=True)
        self.decimals_spin = QSpinBox(objectName="decimalsSpin")
        self.decimals_spin.setRange(0, MAX_DECIMALS)
        self.decimals_spin.setValue(DEFAULT_DECIMALS)
        self.decimals_spin.setToolTip("How many decimals the derivations show")
        self.decimals_spin.setAccessibleName("Decimals")
        self.decimals_spin.setAccessibleDescription(self.decimals_spin.toolTip())
        self.decimals_spin.valueChanged.connect(self._decimals_changed)
        self.browser = QTextBrowser(objectName="mathBrowser")
        self.browser.setAccessibleName("Derivation")
        self.browser.setAccessibleDescription(
            "The selected element's derivation: symbols, the step's numbers, the result")
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
        controller.phaseChanged.connect(self.refresh)
        self.refresh()

    # -- settings ---------------------------------------------------------------------------------
    @property
    def decimals(self):
        return self.decimals_spin.value()

    def _decimals_changed(self, n):
        self.refresh()
        self.decimalsChanged.emit(n)

    def set_concealed(self, on):
        """Hide every derivation (a prediction is pending)."""
        if bool(on) != self.concealed:
            self.concealed = bool(on)
            self.refresh()

    # -- what it shows ----------------------------------------------------------------------------
    def shown_step(self):
        """(record, row, number, taken): the numbers shown — the phase walk's, else the next
        Step's at the current parameters — the number of their Step, and whether it has been
        taken (a walk's last phase)."""
        c = self.controller
        walk = c.walk
        if walk is not None:
            return walk.record, walk.row, c.step_count + (not walk.taken), walk.taken
        return c.record, c.record_sample, c.step_count + 1, False

    def refresh(self, *_):
        # while training the numbers change every frame: draw once it pauses; a hidden panel
        # draws when it is shown
        if self.controller.training or not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        c = self.controller
        rec, row, number, taken = self.shown_step()
        if taken:
            source = (f"Step {number}, just taken: the numbers from before it (the canvas "
                      "shows the updated parameters)")
        else:
            source = f"the next Step (step {number}) at the parameters shown"
        if len(rec.x) > 1:
            source += f"; sample {row + 1} of its batch"
            if c.walk is None and not c.sample_in_batch:
                source += f" (sample {c.sample + 1}, shown on the canvas, is not in it)"
        self.source_label.setText(f"Numbers of {source}")
        self.order_label.setText(order_text(c.network.update_order))
        walk = c.walk
        self.phase_label.setVisible(walk is not None)
        if walk is not None:
            k, n = walk.number
            self.phase_label.setText(f"Phase {k} of {n}: {walk.phase.text}")
        self.browser.setHtml(self._html(rec, row))

    def _html(self, rec, row):
        if self.concealed:
            return CONCEALED
        c = self.controller
        ex = Explainer(c.network, rec, row, self.decimals)
        if c.walk is not None:
            # only what this phase computes: the selection's whole derivation would give away
            # the phases still to come (the phase's name is the panel's header already)
            return html_section(ex.phase_section(c.walk.phase), title=False)
        parts = []
        key = c.selection
        if key is not None:
            if key[0] in ("w", "b") and c.last_step is not None:
                parts.append(self._just_taken(key))
            parts.append(html_section(ex.section(key)))
        return "\n".join(parts) or HINT

    def _just_taken(self, key):
        """The update the Step just taken made to ``key``, with that Step's numbers, labelled
        as such: the rest of the panel is about the next Step."""
        c = self.controller
        last = c.last_step
        row = min(c.record_sample, len(last.x) - 1)
        ex = Explainer(c.network, last, row, self.decimals)
        return (f"<p><i>Step {c.step_count}, just taken (numbers from before it):</i></p>"
                + html_section(Section("", (ex.update_eq(key),)), title=False) + "<hr/>")

    def text(self):
        """Everything the panel shows, as plain text (for tests and copying)."""
        order = re.sub(r"<[^>]+>", "", self.order_label.text())
        return "\n".join([self.phase_label.text() if self.controller.walk is not None else "",
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
