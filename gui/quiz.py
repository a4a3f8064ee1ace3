"""Predict, then reveal: the student picks a quantity of the next Step (a δ, a gradient, a weight
after the update), types a value, and Check says whether it is right, then shows the value and
its derivation.

**Right** means what a teacher marking by hand accepts:

* the answer agrees with the value *as shown* (rounded as everywhere, ``fmt``, to the math
  panel's decimals): within half a unit of its last shown digit — 0.266 shown, anything from
  0.2655 to 0.2665 is right ("within ±0.0005"); for a value shown as 1.20e−05, ±5e−08; or
* it is within 1 % of the value: a student who carries rounded numbers through several lines
  (δ from the canvas's three decimals, then w ← w + η δ y) can be a unit or two off in the last
  decimal, and that is arithmetic noise, not a wrong method. The message says when it is this
  rule that accepted the answer, and shows the value as shown, so the student sees the
  difference.

While a prediction is pending the panel is ``pending``; the teaching tools hide the backward
pass everywhere else meanwhile, so the answer cannot be read off the canvas.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from engine.derivation import Explainer
from engine.numbers import decimal_of, half_unit, shown
from engine.render import html_section

from .math_panel import enlarge, order_text, style_browser
from .panels import describe
from .style import DEFAULT_DECIMALS, MISMATCH, exact, parse_number

RELATIVE = 0.01  # a guess within 1 % is right too (rounding carried through the lines)

SHOWN, CLOSE = "shown", "close"  # why an answer is right


def judge(guess, truth, decimals):
    """Why ``guess`` is right for ``truth`` shown with ``decimals``: SHOWN (within half a unit
    of the last shown digit of the value as shown), CLOSE (within 1 % of the value), or None
    (wrong; also for NaN/Inf)."""
    if not (math.isfinite(guess) and math.isfinite(truth)):
        return None
    _, number, half = shown(truth, decimals)
    if abs(decimal_of(guess) - number) <= half:
        return SHOWN
    if abs(guess - truth) <= RELATIVE * abs(truth):
        return CLOSE
    return None


def within(guess, truth, decimals):
    """Is ``guess`` right for ``truth`` shown with ``decimals`` (``judge``)?"""
    return judge(guess, truth, decimals) is not None


def tolerance_text(truth, decimals):
    """("to 3 decimals", "±0.0005") for the value as shown: how it is rounded and how far a
    right answer may be from it."""
    text = shown(truth, decimals)[0]
    if "e" in text:
        digits = len(text.partition("e")[0].replace("−", "").replace(".", ""))
        return f"to {digits} significant digits", "±" + half_unit(truth, decimals)
    places = len(text.partition(".")[2])
    return f"to {places} decimal{'s' if places != 1 else ''}", "±" + half_unit(truth, decimals)


def quantities(network):
    """(text, kind, key) of everything that can be predicted: every δ, every ∂L/∂θ, every
    parameter after the update. ``key`` names the derivation that explains it."""
    lay = network.layout
    keys = [("w", p.i, p.j) if p.kind == "w" else ("b", p.j) for p in network.parameters()]
    out = [(f"δ{j}", "delta", ("n", j))
           for l in range(1, len(lay.sizes)) for j in lay.neurons(l)]
    out += [(f"∂L/∂{p.label}", "grad", k) for p, k in zip(network.parameters(), keys)]
    out += [(f"{p.label} after the next Step", "new", k)
            for p, k in zip(network.parameters(), keys)]
    return out


def truth(kind, key, record, row):
    """The value of a quantity in a step's record (δ of the shown sample; ∂L/∂θ batch-mean)."""
    if kind == "delta":
        return record.delta(key[1], row)
    lay = record.layout
    index = lay.weight_index(key[1], key[2]) if key[0] == "w" else lay.bias_index(key[1])
    return float((record.grad if kind == "grad" else record.params_after)[index])


class QuizPanel(QWidget):
    pendingChanged = Signal(bool)  # True: a prediction is being made, the answer is hidden

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.setObjectName("quizPanel")
        self.controller = controller
        self.decimals = DEFAULT_DECIMALS  # the math panel's setting (teaching keeps it in step)
        self.pending = True
        self.items = []
        self.quantity = QComboBox(objectName="quizQuantity")
        describe(self.quantity, "Quantity to predict",
                 "A δ, a gradient or a weight after the next Step (arrow keys choose)")
        self.quantity.currentIndexChanged.connect(lambda _: self.reset())
        self.guess = QLineEdit(objectName="quizGuess", placeholderText="your value")
        describe(self.guess, "Your value", "Your prediction; Return checks it")
        self.guess.returnPressed.connect(self.check)
        self.check_button = QPushButton("&Check", objectName="quizCheck")
        describe(self.check_button, "Check",
                 "Compare your value with the next Step's and show its derivation (Return in "
                 "the field, or Alt+C)")
        self.check_button.clicked.connect(self.check)
        self.result = QLabel(objectName="quizResult", wordWrap=True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.reveal = QTextBrowser(objectName="quizReveal")
        self.reveal.setAccessibleName("Derivation")
        self.reveal.setAccessibleDescription("After Check: the value and how it is computed")
        intro = QLabel("Work out a number of the next Step by hand, type it, then Check. The "
                       "backward pass is hidden until you do.", wordWrap=True)
        self._texts = (intro, self.quantity, self.guess, self.check_button, self.result)
        form = QFormLayout()
        form.addRow("Predict", self.quantity)
        form.addRow("Your value", self.guess)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.check_button)
        layout.addWidget(self.result)
        layout.addWidget(self.reveal, 1)
        controller.structureChanged.connect(self.rebuild)
        controller.changed.connect(self.reset)  # another state: the old answer no longer holds
        self.rebuild()

    def rebuild(self):
        self.items = quantities(self.controller.network)
        self.quantity.blockSignals(True)
        self.quantity.clear()
        self.quantity.addItems([text for text, _, _ in self.items])
        self.quantity.blockSignals(False)
        self.reset()

    def ask(self, kind, key):
        """Make (kind, key) the quantity to predict, ready for typing."""
        for index, (_, k, q) in enumerate(self.items):
            if (k, q) == (kind, key):
                self.quantity.setCurrentIndex(index)
        self.reset()
        self.guess.setFocus()

    def asked(self):
        """(kind, key) of the quantity chosen."""
        _, kind, key = self.items[self.quantity.currentIndex()]
        return kind, key

    def reset(self):
        """A new prediction: nothing revealed."""
        self.result.clear()
        self.reveal.clear()
        self.guess.clear()
        self._set_pending(True)

    def check(self):
        """Compare the typed value with the next Step's; reveal the value and its derivation."""
        try:
            guess = parse_number(self.guess.text())
        except ValueError as e:
            self.result.setText(f'<span style="color:{MISMATCH.name()}">{e}: type a number.</span>')
            return None
        kind, key = self.asked()
        record, row = self.controller.record, self.controller.record_sample
        value = truth(kind, key, record, row)
        how = judge(guess, value, self.decimals)
        text, _, _ = self.items[self.quantity.currentIndex()]
        rounded, plus_minus = tolerance_text(value, self.decimals)
        said = exact(guess)
        answer = f"{text} = {shown(value, self.decimals)[0]} ({rounded}); you said {said}"
        if how == SHOWN:
            same = decimal_of(guess) == shown(value, self.decimals)[1]
            self.result.setText(f"<b>✓ Right:</b> {answer}"
                                + ("." if same else f", within {plus_minus} of it."))
        elif how == CLOSE:
            self.result.setText(f"<b>✓ Right (within 1 %):</b> {answer}: close enough — the "
                                "rounding carried through your lines explains the rest.")
        else:
            self.result.setText(f'<b style="color:{MISMATCH.name()}">✗ Not quite:</b> {answer} '
                                f"(right is within {plus_minus} of it, or within 1 %).")
        ex = Explainer(self.controller.network, record, row, self.decimals)
        self.reveal.setHtml(f"<p>{order_text(record.update_order)}</p>"
                            + html_section(ex.section(key)))
        self._set_pending(False)
        return how is not None

    def _apply_look(self):
        enlarge(self, self._texts + tuple(self.findChildren(QLabel)))
        style_browser(self.reveal)

    def showEvent(self, event):
        super().showEvent(event)
        self._apply_look()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._apply_look()

    def _set_pending(self, on):
        if on != self.pending:
            self.pending = on
            self.pendingChanged.emit(on)
