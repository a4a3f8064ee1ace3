"""Side panels: the lesson (samples x and ob, η, batch size, speed) and the inspector."""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemDelegate, QCheckBox, QFormLayout, QHeaderView, QLabel, QLineEdit, QSlider,
    QSpinBox, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from .keyboard import SpaceCommits
from .training import SPEEDS, speed_text
from .canvas import texts
from .style import DEFAULT_DECIMALS, fmt


def describe(widget, accessible_name, tip):
    """Give ``widget`` an accessible name, and ``tip`` as its tooltip and description."""
    widget.setAccessibleName(accessible_name)
    widget.setToolTip(tip)
    widget.setAccessibleDescription(tip)


class NumberEdit(QLineEdit):
    """A line edit bound to one element: Return, leaving the field or Space (which then steps:
    ``SpaceCommits``) commits through the controller; a refused value snaps back to what the
    engine holds."""

    committed = Signal(bool)

    def __init__(self, controller, key=None, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        self.controller, self.key = controller, key
        self.editingFinished.connect(self._commit)
        self.installEventFilter(SpaceCommits(lambda _: self._commit(), self))

    def set_key(self, key):
        self.key = key
        self.refresh()

    def refresh(self):
        if self.key is not None and not self.hasFocus():
            self.setText(self._text())

    def _text(self):
        v = self.controller.value(self.key)
        return repr(v) if isinstance(v, float) and self.key[0] == "lr" else fmt(v, 6)

    def _commit(self):
        if self.key is None or self.text() == self._text():
            return
        ok = self.controller.edit(self.key, self.text())
        self.setText(self._text())
        self.committed.emit(ok)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:
            self.setText(self._text())
            self.clearFocus()
            return
        super().keyPressEvent(event)


class CellDelegate(QStyledItemDelegate):
    """The sample table's cell editor: Space commits the cell (and then steps), as in every
    number field of the window."""

    def createEditor(self, parent, option, index):
        editor = super().createEditor(parent, option, index)
        editor.installEventFilter(SpaceCommits(self._commit, editor))
        return editor

    def _commit(self, editor):
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


class LessonPanel(QWidget):
    """The data being trained on (one row per sample: x…, ob…), η, the batch size and speed."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self._shown = None
        self.table = QTableWidget(objectName="sampleTable")
        self.table.setItemDelegate(CellDelegate(self.table))
        # Tab leaves the table (the arrow keys move between cells): the fields below are one
        # key away, not one per cell
        self.table.setTabKeyNavigation(False)
        describe(self.table, "Samples",
             "Inputs x and targets ob, one column per sample. Arrow keys move, F2 or typing "
             "edits a cell, Return commits; selecting a column shows that sample.")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(64)
        self.table.itemChanged.connect(self._cell_edited)
        self.table.currentCellChanged.connect(lambda row, col, *_: col >= 0 and
                                              self.controller.set_sample(col))
        self.lr_edit = NumberEdit(controller, ("lr",), objectName="learningRateEdit")
        describe(self.lr_edit, "Learning rate η",
             "Learning rate η: each step changes w by η·δ_j·y_i (Return or Space commits)")
        self.batch_spin = QSpinBox(objectName="batchSizeSpin")
        self.batch_spin.setSpecialValueText("all")
        describe(self.batch_spin, "Batch size",
             "Samples per step; “all” uses every sample in every step")
        self.batch_spin.valueChanged.connect(
            lambda v: self.controller.edit(("batch",), None if v == 0 else v))
        self.speed = QSlider(Qt.Orientation.Horizontal, objectName="speedSlider")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setPageStep(1)
        describe(self.speed, "Training speed",
             "Steps per second while training, from 1 to as fast as possible (arrow keys, or "
             "Ctrl+[ and Ctrl+] anywhere)")
        self.speed.valueChanged.connect(controller.set_speed)
        self.speed_label = QLabel(objectName="speedText")
        form = QFormLayout()
        form.addRow("η (learning rate)", self.lr_edit)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Speed", self.speed)
        form.addRow("", self.speed_label)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Inputs x and targets ob, one column per sample "
                                "(double-click to edit; click a sample to show it)",
                                wordWrap=True))
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addStretch(1)
        controller.structureChanged.connect(self.rebuild)
        controller.changed.connect(self.refresh)
        controller.speedChanged.connect(self._show_speed)
        self.rebuild()
        self._show_speed(controller.speed_index)

    def _rows(self):
        """(kind, neuron) per table row: the inputs x, then the targets ob."""
        lay = self.controller.network.layout
        L = len(lay.sizes) - 1
        return [("x", j) for j in lay.neurons(0)] + [("ob", k) for k in lay.neurons(L)]

    def rebuild(self):
        rows = self._rows()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([f"{kind}{j}" for kind, j in rows])
        self.table.blockSignals(False)
        self.refresh(force=True)

    def refresh(self, force=False):
        """One column per sample; rows x1, x2, …, ob5, … Training emits ``changed`` every frame
        without touching what this panel shows, so it only redraws when that changed."""
        c = self.controller
        shown = (c.inputs.tobytes(), c.targets.tobytes(), c.lr, c.batch_size)
        if shown == self._shown and not force:
            return
        self._shown = shown
        self.table.blockSignals(True)
        self.table.setColumnCount(len(c.inputs))
        # the columns are numbered 1, 2, … by Qt itself (labels set one by one took 0.4 s for
        # 5,000 samples, growing with the square of the count)
        editing = self.table.state() == QTableWidget.State.EditingState
        for row, (kind, j) in enumerate(self._rows()):
            for col in range(len(c.inputs)):
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
                if not (editing and self.table.currentItem() is item):
                    item.setText(fmt(c.value((kind, col, j)), 3))
        self.table.blockSignals(False)
        # as tall as its rows, so the form below stays in view
        t = self.table
        t.setFixedHeight(t.horizontalHeader().sizeHint().height() + t.verticalHeader().length()
                         + 2 * t.frameWidth() + t.horizontalScrollBar().sizeHint().height())
        self.lr_edit.refresh()
        self.batch_spin.blockSignals(True)
        self.batch_spin.setRange(0, len(c.inputs))
        self.batch_spin.setValue(c.batch_size or 0)
        self.batch_spin.blockSignals(False)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger text: the table's height follows
            self.refresh(force=True)

    def _cell_edited(self, item):
        kind, j = self._rows()[item.row()]
        key = (kind, item.column(), j)
        self.controller.edit(key, item.text())
        self.refresh(force=True)  # the engine's value: the new one, or the old after a refusal
        # refresh leaves the cell being edited alone, and this is that cell (its editor commits
        # before it closes): it shows the engine's value too, not the text typed
        self.table.blockSignals(True)
        item.setText(fmt(self.controller.value(key), 3))
        self.table.blockSignals(False)

    def _show_speed(self, index):
        self.speed.blockSignals(True)
        self.speed.setValue(index)
        self.speed.blockSignals(False)
        text = speed_text(SPEEDS[index])
        self.speed_label.setText(text)
        self.speed.setAccessibleDescription(f"{text}. Steps per second while training (arrow "
                                            "keys, or Ctrl+[ and Ctrl+] anywhere)")


class InspectorPanel(QWidget):
    """The selected weight, bias or neuron: its numbers, its value to edit, its frozen flag."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.title = QLabel("Select a weight, bias or neuron on the canvas", wordWrap=True)
        self.value_edit = NumberEdit(controller, objectName="inspectorValueEdit")
        describe(self.value_edit, "Value of the selected element",
             "The selected weight's, bias's or input's value: type a number, Return or Space "
             "commits")
        self.frozen_check = QCheckBox("Fro&zen (never updated)", objectName="inspectorFrozenCheck")
        describe(self.frozen_check, "Frozen",
             "A frozen weight or bias is never updated (Ctrl+L, or Alt+Z here)")
        self.frozen_check.toggled.connect(self._freeze)
        self.details = QLabel(wordWrap=True, objectName="inspectorDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Value", self.value_edit)
        form.addRow("", self.frozen_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.details)
        layout.addStretch(1)
        controller.selectionChanged.connect(self.refresh)
        controller.changed.connect(self.refresh)
        controller.revealChanged.connect(self.refresh)
        self.refresh()

    def set_concealed(self, on):
        """Hide the backward pass's numbers (∂L/∂w, δ) while a prediction is pending."""
        self.details.setVisible(not on)

    def _param_key(self):
        key = self.controller.selection
        return key if key and key[0] in ("w", "b") else None

    def _freeze(self, on):
        if self._param_key() is not None:
            self.controller.set_frozen(self._param_key(), on)

    def refresh(self, *_):
        c = self.controller
        key = c.selection
        pkey = self._param_key()
        editable = key is not None and key[0] in ("w", "b") or (
            key is not None and key[0] == "n" and c.network.layout.locate(key[1])[0] == 0)
        edit_key = pkey if pkey else (("x", c.sample, key[1]) if editable else None)
        self.value_edit.setEnabled(edit_key is not None)
        self.frozen_check.setEnabled(pkey is not None)
        if edit_key is not None:
            self.value_edit.set_key(edit_key)
        else:
            self.value_edit.key = None
            self.value_edit.clear()
        self.frozen_check.blockSignals(True)
        self.frozen_check.setChecked(pkey is not None and c.value(("frozen", c.param_index(pkey))))
        self.frozen_check.blockSignals(False)
        self.title.setText(self._title(key))
        self.details.setText(self._details(key))

    def _title(self, key):
        if key is None:
            return "Select a weight, bias or neuron on the canvas"
        if key[0] == "n":
            return f"Neuron {self.controller.neuron_name(key[1])}"
        return f"Parameter {self.controller.label(key)}"

    def _details(self, key):
        """The selected element's numbers, worded as on the canvas (its tooltip's lines come
        from the same place): the next Step's at the parameters shown, what the Step just taken
        changed (labelled), and "?" for what a phase walk has not computed yet."""
        if key is None:
            return ""
        c = self.controller
        if key[0] in ("w", "b"):
            text = texts.parameter_tooltip(c, key, DEFAULT_DECIMALS)
        else:
            text = texts.neuron_tooltip(c, key[1], DEFAULT_DECIMALS)
        return html.escape(text, quote=False).replace("\n", "<br>")
