"""The gradient check: backprop's ∂L/∂θ beside central finite differences for every parameter,
on the batch the next Step will use; any parameter whose relative error is above TOLERANCE is a
red row that says so."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout,
)

from engine import gradient_check

from .math_panel import enlarge
from .style import MISMATCH, fmt, sci

TOLERANCE = 1e-4
AUTO_PARAMS = 500  # up to this many parameters the table follows every edit by itself
COLUMNS = ("Parameter", "Backprop ∂L/∂θ", "Numeric (central difference)", "Relative error",
           "Check")
DIGITS = 8  # decimals of the gradients: agreement shows in the last digits


class GradCheckDialog(QDialog):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.setObjectName("gradCheckDialog")
        self.setWindowTitle("Gradient check")
        self.controller = controller
        self.result = None
        self.summary = QLabel(objectName="gradCheckSummary", wordWrap=True)
        self.table = QTableWidget(0, len(COLUMNS), objectName="gradCheckTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Gradient check results")
        self.table.setAccessibleDescription("One row per parameter: backprop's gradient, the "
                                            "finite difference and their relative error")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        recheck = QPushButton("Recheck", objectName="gradCheckRecheck")
        recheck.clicked.connect(self.run)
        recheck.setAccessibleName("Recheck")
        recheck.setToolTip("Check every parameter again at the current state")
        recheck.setAccessibleDescription(recheck.toolTip())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(recheck, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        close.setAccessibleDescription("Close the gradient check")
        intro = QLabel("Backprop against (L(θ + ε) − L(θ − ε)) / 2ε with ε = 10⁻⁶, one "
                       "parameter at a time, on the batch the next Step uses.", wordWrap=True)
        self._texts = (intro, self.summary, self.table)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(840, 680)
        controller.changed.connect(self._follow)
        controller.trainingStateChanged.connect(self._follow)

    def _follow(self, *_):
        c = self.controller
        if self.isVisible() and not c.training and c.network.n_params <= AUTO_PARAMS:
            self.run()

    def run(self):
        """Check every parameter now and fill the table."""
        c = self.controller
        x, t = c.batch_for_step(c.step_count)
        self.result = r = gradient_check(c.network, x, t)
        bad = set(r.mismatches(TOLERANCE))
        self.table.setRowCount(len(r.labels))
        red = QColor(MISMATCH)
        red.setAlpha(90)  # a tint over the table's own background, light or dark theme
        for row, label in enumerate(r.labels):
            cells = (label, fmt(r.analytic[row], DIGITS), fmt(r.numeric[row], DIGITS),
                     sci(r.rel_error[row]), "MISMATCH" if label in bad else "ok")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment((Qt.AlignmentFlag.AlignHCenter if col == 4
                                           else Qt.AlignmentFlag.AlignRight)
                                          | Qt.AlignmentFlag.AlignVCenter)
                if label in bad:
                    item.setBackground(QBrush(red))
                self.table.setItem(row, col, item)
        if bad:
            names = ", ".join(lab for lab in r.labels if lab in bad)
            self.summary.setText(f"<b>{len(bad)} mismatch{'es' if len(bad) > 1 else ''}</b> "
                                 f"(relative error above {sci(TOLERANCE)}): {names}")
            self.summary.setStyleSheet(f"color: {MISMATCH.name()};")
        else:
            self.summary.setText(f"All {len(r.labels)} parameters agree: the largest relative "
                                 f"error is {sci(r.max_rel_error)} (≤ {sci(TOLERANCE)}).")
            self.summary.setStyleSheet("")
        return r

    def mismatched_rows(self):
        """Rows drawn as mismatches (for tests and the summary)."""
        return [row for row in range(self.table.rowCount())
                if self.table.item(row, 4).text() == "MISMATCH"]

    def showEvent(self, event):
        super().showEvent(event)
        enlarge(self, self._texts)
        self.run()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # Larger Text
            enlarge(self, self._texts)
