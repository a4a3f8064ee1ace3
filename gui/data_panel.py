"""Data ▸ (Ctrl+Alt+D): the data set in a panel — every sample in a table (one row each: x1, x2,
ob5 …, and whether it trains or tests), Add row / Remove row, Paste from a spreadsheet, CSV
Import… / Export…, Generate… (XOR, circle, two Gaussians, spiral, a 1-D curve), the Playground's
input features (x1², x2², x1·x2, sin x1, sin x2), the train/test split and the shuffle seed, and
Train One Epoch (Ctrl+Shift+E).

Every change goes through the controller as one undo command (``set_dataset``, ``set_split``,
``set_shuffle``, ``set_features``; a generated set that needs another number of inputs or outputs
is one change of shape with its data, ``change_network``), so it settles a running training
first and Undo brings back exactly what was there. Text that cannot be read — a CSV file or a
paste with ragged rows, text in a number cell, the wrong number of columns, nothing, too much —
and generator settings out of range are refused with one line (the status bar, or the Generate
dialog's own line) and change nothing.

The panel reads the controller: it redraws when the data, the split or the features changed
(compared by identity: the controller replaces its arrays instead of writing into them), not on
every training frame."""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QLocale, QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGridLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from engine import architecture as arch
from engine import datasets
from engine.atomic import atomic_write, check_regular_target
from engine.csvdata import MAX_CSV_CHARS, CsvError, read_csv, write_csv
from engine.numbers import exact

from . import keyboard
from .file_actions import interactive
from .flow_layout import FlowLayout
from .panels import CellDelegate, describe
from .style import MISMATCH, fmt, parse_number

DOCK_SHORTCUT = "Ctrl+Alt+D"
EPOCH_SHORTCUT = "Ctrl+Shift+E"
GENERATE_SHORTCUT = "Ctrl+Alt+G"
IMPORT_SHORTCUT = "Ctrl+Alt+I"
EXPORT_SHORTCUT = "Ctrl+Alt+E"
PASTE_SHORTCUT = "Ctrl+Alt+V"
CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"
SHOWN_DECIMALS = 3
MAX_TEST_PERCENT = round(100 * datasets.MAX_TEST_RATIO)


def decimal_point():
    """The locale's decimal point: "." or ","."""
    return "," if QLocale().decimalPoint() == "," else "."


def read_samples(text, n_inputs, n_outputs):
    """(X, T) from a paste or a file's bytes, read with the locale's decimal point; where that is
    a comma, a plain comma-separated file with "." is read too. ``CsvError`` otherwise (the
    problem with the locale's reading)."""
    point = decimal_point()
    try:
        return read_csv(text, n_inputs, n_outputs, decimal_point=point)
    except CsvError as first:
        if point == ".":
            raise
        try:
            return read_csv(text, n_inputs, n_outputs, decimal_point=".")
        except CsvError:
            raise first from None


def samples(controller):
    """(X, T, names): every sample's raw inputs and targets in the data set's order, and the
    columns' names (x1, x2, ob5 …)."""
    c = controller
    X, T = c.all_data()
    names = c.input_names()[:c.n_raw] + [
        f"ob{k}" for k in c.network.layout.neurons(len(c.network.sizes) - 1)]
    return X[:, :c.n_raw], T, names


def ask_path(dialog, parent, title, suggested):
    """A path from ``dialog`` (QFileDialog.getOpenFileName or getSaveFileName), or None —
    at once where no one can answer (the off-screen platform: a dialog would wait forever)."""
    if not interactive():
        return None
    path, _ = dialog(parent, title, suggested, CSV_FILTER)
    return path or None


# -- the table ---------------------------------------------------------------------------------------
class SampleModel(QAbstractTableModel):
    """Every sample, in the data set's order: the raw inputs, the targets, then "train"/"test".
    Editing a cell replaces the data set through ``Controller.set_dataset`` (one undo command)."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.X = np.zeros((0, 1))
        self.T = np.zeros((0, 1))
        self.test = np.zeros(0, dtype=bool)
        self.names = []

    def load(self):
        c = self.controller
        X, T, names = samples(c)
        test = np.zeros(len(X), dtype=bool)
        test[datasets.split(len(X), c.test_ratio, c.split_seed)[1]] = True
        if X.shape == self.X.shape and T.shape == self.T.shape and names == self.names:
            self.X, self.T, self.test = X, T, test
            if len(X):
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(X) - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.X, self.T, self.test, self.names = X, T, test, names
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.X)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.names) + 1

    def value(self, row, column):
        n_in = self.X.shape[1]
        return self.X[row, column] if column < n_in else self.T[row, column - n_in]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.FontRole:  # a test sample in italics, the whole row
            if self.test[row]:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if column == len(self.names):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return "test" if self.test[row] else "train"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt(self.value(row, column), SHOWN_DECIMALS)
        if role == Qt.ItemDataRole.EditRole:
            return exact(float(self.value(row, column)))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.names[column]} of sample {row + 1} = {exact(float(self.value(row, column)))}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.names[section] if section < len(self.names) else "set"
        return str(section + 1)

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() < len(self.names):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column = index.row(), index.column()
        c = self.controller
        try:
            v = parse_number(value) if isinstance(value, str) else float(value)
        except ValueError as e:
            c.message.emit(f"Not changed: {e}", True)
            return False
        if v == self.value(row, column):
            return True
        X, T = self.X.copy(), self.T.copy()
        n_in = X.shape[1]
        if column < n_in:
            X[row, column] = v
        else:
            T[row, column - n_in] = v
        return c.set_dataset(X, T, f"Set {self.names[column]} of sample {row + 1} = {exact(v)}")


class SampleTable(QTableView):
    """The samples; Insert adds a row after the current one, Delete removes the selected ones."""

    def __init__(self, panel):
        super().__init__(objectName="dataTable")
        self.panel = panel

    def sizeHint(self):
        """Its header and four rows: the panel asks no more room than that (it takes whatever
        room the dock has left), so the controls below stay in view."""
        hint = super().sizeHint()
        return QSize(hint.width(), self.horizontalHeader().sizeHint().height()
                     + 4 * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth())

    def keyPressEvent(self, event):
        if self.state() != QTableView.State.EditingState:
            if event.key() == Qt.Key.Key_Insert:
                self.panel.add_row()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.panel.remove_rows()
                return
        super().keyPressEvent(event)


# -- the panel -------------------------------------------------------------------------------------
class DataPanel(QWidget):
    def __init__(self, controller, parent=None):
        super().__init__(parent, objectName="dataPanel")
        self.controller = c = controller
        self._shown = None
        self.summary = QLabel(wordWrap=True, objectName="dataSummary")
        self.model = SampleModel(controller, self)
        self.table = SampleTable(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(CellDelegate(self.table))  # Space commits, then steps
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # "set": 200 rows tell
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self._fit_table_minimum()
        describe(self.table, "Data samples",
                 "Every sample: its inputs x, its targets ob, and whether it trains or tests. "
                 "Typing or F2 edits a cell (one undo step); Insert adds a row, Delete removes "
                 "the selected rows.")
        buttons = []

        def button(text, name, tip, slot):
            b = QPushButton(text, objectName=name)
            describe(b, text.replace("&", "").rstrip("…"), tip)
            b.clicked.connect(lambda *_: slot())
            buttons.append(b)
            return b

        self.generate_button = button("Generate…", "generateDataButton",
                                      f"XOR, circle, two Gaussians, spiral or a 1-D curve "
                                      f"({GENERATE_SHORTCUT})", lambda: self.generate())
        self.import_button = button("Import…", "importCsvButton",
                                    f"Read the samples from a CSV file ({IMPORT_SHORTCUT})",
                                    lambda: self.import_csv())
        self.export_button = button("Export…", "exportCsvButton",
                                    f"Write the samples to a CSV file ({EXPORT_SHORTCUT})",
                                    lambda: self.export_csv())
        self.add_button = button("Add row", "addRowButton",
                                 "A sample of zeros after the current one (Insert)", self.add_row)
        self.remove_button = button("Remove row", "removeRowButton",
                                    "Remove the selected samples (Delete)", self.remove_rows)
        self.paste_button = button("Paste", "pasteDataButton",
                                   "Replace the samples by cells copied from a spreadsheet: "
                                   f"tab-, semicolon- or comma-separated ({PASTE_SHORTCUT})",
                                   self.paste)
        self.feature_checks = {}
        for key, name in datasets.FEATURES.items():
            box = QCheckBox(name, objectName=f"feature_{key}")
            describe(box, f"Feature {name}",
                     f"{name} as an extra input neuron, computed from the raw inputs "
                     "(a change of shape: one undo step)")
            box.toggled.connect(lambda *_: self._features_toggled())
            self.feature_checks[key] = box
        self.test_spin = QSpinBox(objectName="testPercentSpin", minimum=0,
                                  maximum=MAX_TEST_PERCENT, suffix=" %", keyboardTracking=False)
        describe(self.test_spin, "Test set share",
                 f"The share of samples held out for testing (0 to {MAX_TEST_PERCENT} %); the "
                 "test loss and accuracy show in the Loss panel")
        self.split_seed_spin = QSpinBox(objectName="splitSeedSpin", minimum=0,
                                        maximum=2**31 - 1, keyboardTracking=False)
        describe(self.split_seed_spin, "Split seed", "Which samples are held out (seeded)")
        self.shuffle_check = QCheckBox("Shuffle each epoch", objectName="shuffleCheck")
        describe(self.shuffle_check, "Shuffle each epoch",
                 "Each epoch visits the training samples in its own seeded order; off: in order")
        self.shuffle_seed_spin = QSpinBox(objectName="shuffleSeedSpin", minimum=0,
                                          maximum=2**31 - 1, keyboardTracking=False)
        describe(self.shuffle_seed_spin, "Shuffle seed", "The seed of the epochs' orders")
        self.epoch_button = QPushButton("Train one epoch", objectName="epochButton")
        describe(self.epoch_button, "Train one epoch",
                 f"Train the steps that visit every training sample once ({EPOCH_SHORTCUT})")
        self.epoch_button.clicked.connect(lambda *_: controller.train_epoch())
        self.test_spin.valueChanged.connect(
            lambda v: controller.set_split(v / 100) if v != round(100 * c.test_ratio) else None)
        self.split_seed_spin.valueChanged.connect(
            lambda s: controller.set_split(c.test_ratio, s) if s != c.split_seed else None)
        self.shuffle_check.toggled.connect(self._shuffle_changed)
        self.shuffle_seed_spin.valueChanged.connect(lambda *_: self._shuffle_changed())

        top = FlowLayout(spacing=6)
        for b in (self.generate_button, self.import_button, self.export_button,
                  self.paste_button):
            top.addWidget(b)
        rows = FlowLayout(spacing=6)
        for b in (self.add_button, self.remove_button, self.epoch_button):
            rows.addWidget(b)
        features = FlowLayout(spacing=8)
        features.addWidget(QLabel("Features:"))
        for box in self.feature_checks.values():
            features.addWidget(box)
        settings = QGridLayout()
        settings.setHorizontalSpacing(6)
        settings.addWidget(QLabel("Test set"), 0, 0)
        settings.addWidget(self.test_spin, 0, 1)
        settings.addWidget(QLabel("seed"), 0, 2, Qt.AlignmentFlag.AlignRight)
        settings.addWidget(self.split_seed_spin, 0, 3)
        settings.addWidget(self.shuffle_check, 1, 0, 1, 2)
        settings.addWidget(QLabel("seed"), 1, 2, Qt.AlignmentFlag.AlignRight)
        settings.addWidget(self.shuffle_seed_spin, 1, 3)
        settings.setColumnStretch(1, 1)
        settings.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addLayout(features)
        layout.addLayout(settings)
        self.generate_dialog = None
        self.in_front = False  # its dock's tab is in front (the dock tells: set_in_front)
        controller.structureChanged.connect(self.refresh)
        controller.changed.connect(self.refresh)
        self.refresh()

    # -- showing the controller's data ---------------------------------------------------------------
    def _fit_table_minimum(self):
        """The table may shrink to its header and three rows (the panel's other controls stay
        in view; the table scrolls), however tall its own hint is."""
        t = self.table
        t.setMinimumHeight(t.horizontalHeader().sizeHint().height()
                           + 3 * t.verticalHeader().defaultSectionSize() + 2 * t.frameWidth())

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger text: taller rows
            self.table.verticalHeader().setDefaultSectionSize(
                self.table.fontMetrics().height() + 6)
            self._fit_table_minimum()

    def on_screen(self):
        """Shown, and not behind another tab (Qt keeps such a dock "visible", off-screen)."""
        return self.in_front and self.isVisible()

    def set_in_front(self, on):
        """Its dock's tab came to the front (True) or went behind another (False)."""
        self.in_front = bool(on)
        self.refresh()

    def refresh(self):
        """Show the controller's data — only while the panel is on screen: a panel behind a tab
        or closed catches up when it comes to the front."""
        if not self.on_screen():
            return
        c = self.controller
        shown = (c.inputs, c.targets, c.test_inputs, c.test_targets, c.features, c.test_ratio,
                 c.split_seed, c.shuffle_seed, c.generator, c.network)
        if self._shown is not None and len(shown) == len(self._shown) and all(
                a is b or (not isinstance(a, np.ndarray) and a == b)
                for a, b in zip(shown, self._shown)):
            return
        self._shown = shown
        self.model.load()
        last = self.model.columnCount() - 1  # "set": as wide as "train", the numbers share the rest
        self.table.horizontalHeader().setSectionResizeMode(
            last, QHeaderView.ResizeMode.ResizeToContents)
        n_train, n_test = len(c.inputs), len(c.test_inputs)
        made = ""
        if c.generator is not None:
            g = c.generator
            made = (f" · {datasets.GENERATORS[g.name].title}, noise {exact(g.noise)}, "
                    f"seed {g.seed}")
        total = n_train + n_test
        self.summary.setText(f"{total:,} sample{'' if total == 1 else 's'}: {n_train:,} train, "
                             f"{n_test:,} test{made}")
        for key, box in self.feature_checks.items():
            box.blockSignals(True)
            box.setChecked(key in c.features)
            ok = True
            try:
                datasets.check_features((key,), c.n_raw)
            except ValueError:
                ok = False
            box.setEnabled(ok or key in c.features)
            box.blockSignals(False)
        for spin, value in ((self.test_spin, round(100 * c.test_ratio)),
                            (self.split_seed_spin, min(c.split_seed, 2**31 - 1)),
                            (self.shuffle_seed_spin, min(c.shuffle_seed or 0, 2**31 - 1))):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.shuffle_check.blockSignals(True)
        self.shuffle_check.setChecked(c.shuffle_seed is not None)
        self.shuffle_check.blockSignals(False)
        self.shuffle_seed_spin.setEnabled(c.shuffle_seed is not None)
        self.remove_button.setEnabled(n_train + n_test > 1)

    # -- requests ---------------------------------------------------------------------------------
    def _raw(self):
        return samples(self.controller)[:2]

    def _features_toggled(self):
        keys = [k for k, box in self.feature_checks.items() if box.isChecked()]
        self.controller.set_features(keys)
        self._shown = None  # a refused change: the boxes show the features as they are
        self.refresh()

    def _shuffle_changed(self):
        seed = self.shuffle_seed_spin.value() if self.shuffle_check.isChecked() else None
        if seed != self.controller.shuffle_seed:
            self.controller.set_shuffle(seed)

    def selected_rows(self):
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        current = self.table.currentIndex()
        if not rows and current.isValid():
            rows = {current.row()}
        return sorted(rows)

    def add_row(self):
        """A sample of zeros after the current row (at the end without one): one undo step."""
        X, T = self._raw()
        current = self.table.currentIndex()
        at = current.row() + 1 if current.isValid() else len(X)
        X = np.insert(X, at, 0.0, axis=0)
        T = np.insert(T, at, 0.0, axis=0)
        if self.controller.set_dataset(X, T, f"Add sample {at + 1}"):
            self.table.setCurrentIndex(self.model.index(at, 0))

    def remove_rows(self):
        """Remove the selected samples (the current one without a selection): one undo step."""
        rows = self.selected_rows()
        X, T = self._raw()
        c = self.controller
        if not rows:
            c.message.emit("Not changed: select the samples to remove first", True)
            return False
        if len(rows) >= len(X):
            c.message.emit("Not changed: the data needs at least one sample", True)
            return False
        text = (f"Remove sample {rows[0] + 1}" if len(rows) == 1 else
                f"Remove {len(rows)} samples")
        ok = c.set_dataset(np.delete(X, rows, axis=0), np.delete(T, rows, axis=0), text)
        if ok:
            self.table.setCurrentIndex(self.model.index(min(rows[0], len(X) - len(rows) - 1), 0))
        return ok

    def paste(self, text=None):
        """Replace the samples by the clipboard's text (cells from a spreadsheet)."""
        if text is None:
            text = QGuiApplication.clipboard().text()
        return self._replace_from_text(text, "Paste", "Paste samples")

    def _replace_from_text(self, text, what, undo_text):
        c = self.controller
        try:
            X, T = read_samples(text, c.n_raw, c.network.sizes[-1])
        except CsvError as e:
            c.message.emit(f"{what}: nothing changed — {e}", True)
            return False
        return c.set_dataset(X, T, undo_text)

    def import_csv(self, path=None):
        if path is None:
            path = ask_path(QFileDialog.getOpenFileName, self.window(),
                            "Import Samples from CSV", "")
            if not path:
                return False
        name = os.path.basename(path)
        c = self.controller
        try:
            if not os.path.isfile(path):
                raise OSError("not a regular file")
            if os.path.getsize(path) > MAX_CSV_CHARS:
                raise CsvError(f"the file is larger than {MAX_CSV_CHARS // 1_000_000} MB; CSV "
                               "data is limited to that")
            with open(path, "rb") as f:
                data = f.read(MAX_CSV_CHARS + 1)
        except (OSError, CsvError) as e:
            c.message.emit(f"Import {name}: nothing changed — {e}", True)
            return False
        ok = self._replace_from_text(data, f"Import {name}", f"Import {name}")
        if ok:
            n = len(c.inputs) + len(c.test_inputs)
            c.message.emit(f"Imported {n:,} sample{'' if n == 1 else 's'} from {name}.", False)
        return ok

    def export_csv(self, path=None):
        c = self.controller
        if path is None:
            path = ask_path(QFileDialog.getSaveFileName, self.window(), "Export Samples as CSV",
                            "samples.csv")
            if not path:
                return False
            if not os.path.splitext(path)[1]:
                path += ".csv"
        X, T, names = samples(c)
        name = os.path.basename(path)
        try:
            text = write_csv(X, T, names[:X.shape[1]], names[X.shape[1]:])
            check_regular_target(path)
            atomic_write(path, text)
        except (OSError, CsvError) as e:
            c.message.emit(f"Export {name}: not written — {e}", True)
            return False
        c.message.emit(f"Exported {len(X):,} samples to {name}.", False)
        return True

    def generate(self):
        if self.generate_dialog is None:
            self.generate_dialog = GenerateDialog(self.controller, self.window())
        self.generate_dialog.reset_message()
        if self.controller.generator is not None:
            self.generate_dialog.show_settings(self.controller.generator)
        self.generate_dialog.show()
        self.generate_dialog.raise_()
        return self.generate_dialog


# -- Generate… ----------------------------------------------------------------------------------------
def generate_into(controller, settings):
    """Replace the data by the set ``settings`` makes: one undo command. A network with another
    number of raw inputs or outputs is reshaped with it (surviving weights kept; a softmax
    output becomes sigmoid for one class output, a regression curve gets a linear output with
    ½ SSE). Returns True when it changed."""
    c = controller
    g = datasets.GENERATORS[settings.name]
    X, T = settings.generate()
    text = f"Generate {g.title} ({settings.count:,} samples)"
    net = c.network
    if net.sizes[0] - len(c.features) == g.n_inputs and net.sizes[-1] == g.n_outputs:
        return c.set_dataset(X, T, text, generator=settings)
    feats = []
    for k in c.features:
        try:
            datasets.check_features((k,), g.n_inputs)
            feats.append(k)
        except ValueError:
            pass
    feats = tuple(feats)
    old_raw, old_feats = c.n_raw, c.features

    def make(net):
        sizes = list(net.sizes)
        sizes[0], sizes[-1] = g.n_inputs + len(feats), g.n_outputs
        acts, loss = list(net.activations), net.loss
        if g.kind == "classification" and acts[-1] == "softmax":
            acts[-1] = "sigmoid"
        if g.kind == "regression" and acts[-1] in ("sigmoid", "softmax"):
            acts[-1], loss = "linear", "half_sse"
        last = len(sizes) - 1
        keep = {(l, k): (l, k) for l in range(1, last) for k in range(sizes[l])}
        keep.update({(last, k): (last, k) for k in range(min(sizes[-1], net.sizes[-1]))})
        keep.update({(0, k): (0, k) for k in range(min(g.n_inputs, old_raw))})
        for k in old_feats:
            if k in feats:
                keep[(0, old_raw + old_feats.index(k))] = (0, g.n_inputs + feats.index(k))
        return arch.rebuild(net, sizes, acts, loss, keep, init=c.init, seed=c.seed, a=c.init_a)

    try:
        data = c.split_data(datasets.with_features(X, feats), T, feats, c.test_ratio,
                            c.split_seed)
    except ValueError as e:
        c.message.emit(f"Not changed: {e}", True)
        return False
    data = replace(data, generator=settings)
    return c.change_network(make, text + f"; network {g.n_inputs} in, {g.n_outputs} out",
                            data=data)


class GenerateDialog(QDialog):
    """Generate… : the set, its count, noise and seed, typed (a setting out of range is said on
    the dialog's own line in red and nothing changes)."""

    def __init__(self, controller, parent=None):
        super().__init__(parent, objectName="generateDialog")
        self.setWindowTitle("Generate Data")
        self.controller = controller
        self.combo = QComboBox(objectName="generatorCombo")
        for g in datasets.GENERATORS.values():
            self.combo.addItem(g.title, g.name)
        describe(self.combo, "Data set", "Which data set to generate")
        self.count_edit = QLineEdit(objectName="generatorCount")
        self.noise_edit = QLineEdit(objectName="generatorNoise")
        self.seed_edit = QLineEdit("0", objectName="generatorSeed")
        describe(self.count_edit, "Count",
                 f"Samples: a whole number from {datasets.MIN_COUNT} to "
                 f"{datasets.MAX_COUNT:,}")
        describe(self.noise_edit, "Noise", "0 (clean) to 1")
        describe(self.seed_edit, "Seed", "The same seed makes the same samples")
        self.about = QLabel(wordWrap=True, objectName="generatorAbout")
        self.error = QLabel(wordWrap=True, objectName="generatorMessage")
        palette = self.error.palette()
        palette.setColor(self.error.foregroundRole(), MISMATCH)
        self.error.setPalette(palette)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Generate", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("generateButton")
        describe(self.ok, "Generate", "Replace the samples by the generated set (one undo step)")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        describe(cancel, "Cancel", "Close without generating")
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        self.combo.currentIndexChanged.connect(self._chosen)
        form = QFormLayout()
        form.addRow("Data set", self.combo)
        form.addRow("Count", self.count_edit)
        form.addRow("Noise", self.noise_edit)
        form.addRow("Seed", self.seed_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.about)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 48)
        self._chosen(0)

    def reset_message(self):
        self.error.clear()

    def show_settings(self, settings):
        """Fill the fields with ``settings`` (the data's own, when it was generated)."""
        self.combo.setCurrentIndex(self.combo.findData(settings.name))
        self.count_edit.setText(str(settings.count))
        self.noise_edit.setText(exact(settings.noise))
        self.seed_edit.setText(str(settings.seed))

    def _chosen(self, index):
        g = datasets.GENERATORS[self.combo.itemData(index)]
        self.count_edit.setText(str(g.default_count))
        self.noise_edit.setText(fmt(g.default_noise, 2).rstrip("0").rstrip(".,") or "0")
        what = "2 inputs, labels 0/1" if g.kind == "classification" else "1 input, a number"
        self.about.setText(f"{what}; noise: {g.noise_means}.")
        self.error.clear()

    def settings(self):
        """The GeneratorSettings typed; ValueError naming the setting otherwise."""
        name = self.combo.currentData()
        values = []
        for edit, what in ((self.count_edit, "count"), (self.noise_edit, "noise"),
                           (self.seed_edit, "seed")):
            try:
                values.append(parse_number(edit.text()))
            except ValueError as e:
                raise ValueError(f"{what}: {e}") from None
        count, noise, seed = values
        for value, what in ((count, "count"), (seed, "seed")):
            if value != int(value):
                raise ValueError(f"{what} must be a whole number, not {exact(value)}")
        return datasets.GeneratorSettings(name, int(count), noise, int(seed))

    def apply(self):
        try:
            settings = self.settings()
        except ValueError as e:
            self.error.setText(f"Not generated: {e}")
            return False
        if not generate_into(self.controller, settings):
            self.error.setText("Not generated: see the status bar")
            return False
        self.error.clear()
        self.accept()
        return True


# -- installing it -------------------------------------------------------------------------------------
class DataFeature(QObject):
    """The Data dock (beside the Lesson panel), the Data menu and its shortcuts."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        c = window.controller
        self.panel = DataPanel(c)
        self.dock = window.add_dock("data", "Data", self.panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea, scroll=True)
        # one tab away from the lesson; the panel in front (the math panel) stays in front
        window.tabifyDockWidget(window.docks["lesson"], self.dock)
        window.docks.get("math", window.docks["lesson"]).raise_()
        self.dock.visibilityChanged.connect(self.panel.set_in_front)
        p = self.panel
        add = window.add_action
        self.actionData = add("actionDataPanel", "Data Panel", DOCK_SHORTCUT, self.toggle_dock,
                              "The samples, generated sets, CSV, features and the split")
        self.actionGenerate = add("actionGenerateData", "Generate…", GENERATE_SHORTCUT,
                                  p.generate, "XOR, circle, two Gaussians, spiral, 1-D curve")
        self.actionImport = add("actionImportCsv", "Import CSV…", IMPORT_SHORTCUT, p.import_csv,
                                "Read the samples from a CSV file")
        self.actionExport = add("actionExportCsv", "Export CSV…", EXPORT_SHORTCUT, p.export_csv,
                                "Write the samples to a CSV file")
        self.actionPaste = add("actionPasteData", "Paste Samples", PASTE_SHORTCUT, p.paste,
                               "Replace the samples by cells copied from a spreadsheet")
        self.actionEpoch = add("actionEpoch", "Train One Epoch", EPOCH_SHORTCUT, c.train_epoch,
                               "Train the steps that visit every training sample once")
        menu = window.menuBar().addMenu("&Data")
        for a in (self.actionData, self.actionGenerate, self.actionImport, self.actionExport,
                  self.actionPaste, None, self.actionEpoch):
            menu.addSeparator() if a is None else menu.addAction(a)

    def toggle_dock(self):
        """Closed: open it in front. Behind another tab: bring it to the front. In front:
        close it."""
        keyboard.toggle_dock(self.dock, self.panel.on_screen())

    def show(self):
        self.dock.show()
        self.dock.raise_()


def install(window):
    """The Data panel and menu: ``window.data_panel``."""
    window.data_panel = DataFeature(window)


