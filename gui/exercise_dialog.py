"""Teach ▸ Exercise Sheet…: seeded variants of the open lesson's network to work by hand, saved as
a sheet and, separately, its answer key (``engine.exercises``) in Markdown, HTML or LaTeX.

The dialog sets what ``engine.exercises.Settings`` holds — how many exercises, the seed, the
ranges of the weights, biases, inputs and targets, the decimals of the drawn numbers and of the
answers, the questions (a checkable list of every net, y, Err, L, δ, ∂L/∂w and update of the
network) and the format — and Save Sheet… / Save Answer Key… write the files atomically. The
same settings always give the same files, so the sheet and the key saved one after the other
belong together. A setting the engine refuses is one line in the dialog, and nothing is saved.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from engine.atomic import atomic_write
from engine.exercises import (
    ANSWER_DECIMALS, DRAWN_DECIMALS, MAX_ABS, MAX_COUNT, RANGE_NAMES, Settings, all_questions,
    default_questions, make_exercises,
)
from engine.render import plain_math, plain_prose, render

from .file_actions import interactive
from .panels import describe

FORMATS = {"md": "Markdown (*.md)", "html": "HTML page (*.html)", "tex": "LaTeX (*.tex)"}
FORMAT_NAMES = {"md": "Markdown", "html": "HTML", "tex": "LaTeX"}
MAX_SEED = 2 ** 31 - 1  # what a spin box holds
WHAT = {"net": "net input", "y": "output", "L": "loss", "err": "error", "delta": "delta",
        "grad": "gradient", "new": "after the update"}
ERROR_STYLE = "color: #CC3311; font-weight: bold;"


def ask_save_path(parent, title, suggested, fmt):
    """(path, format) to save to, or (None, None); never blocks where nobody can answer (tests
    replace ``QFileDialog.getSaveFileName``)."""
    if not interactive():
        return None, None
    path, chosen = QFileDialog.getSaveFileName(parent, title, suggested,
                                               ";;".join(FORMATS.values()), FORMATS[fmt])
    if not path:
        return None, None
    fmt = next((k for k, f in FORMATS.items() if f == chosen), fmt)
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:  # the name decides, as Export Worked Step does
        return path, suffix
    return f"{path}.{fmt}", fmt


class ExerciseDialog(QDialog):
    """The settings of an exercise sheet and the two Save buttons."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.setObjectName("exerciseDialog")
        self.setWindowTitle("Exercise sheet")
        self.last_saved = None  # (kind, path) of the last file written
        form = QFormLayout()

        def spin(name, lo, hi, value, label, tip):
            box = QSpinBox(objectName=name, minimum=lo, maximum=hi, value=value)
            describe(box, label.replace("&", ""), tip)
            form.addRow(QLabel(label, buddy=box), box)
            return box

        d = Settings()
        self.count = spin("exerciseCount", 1, MAX_COUNT, d.count, "&Exercises",
                          f"How many variants of the network (1 to {MAX_COUNT})")
        self.seed = spin("exerciseSeed", 0, MAX_SEED, d.seed, "S&eed",
                         "The same seed and settings give the same sheet, byte for byte")
        self.ranges = {}
        for name, mnemonic in zip(RANGE_NAMES, ("&Weights", "&Biases", "&Inputs", "&Targets")):
            lo, hi = getattr(d, name)
            row = QWidget(objectName=f"exercise{name.title()}Range")
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            pair = []
            for end, value in (("low", lo), ("high", hi)):
                box = QDoubleSpinBox(objectName=f"exercise{name.title()}{end.title()}",
                                     minimum=-MAX_ABS, maximum=MAX_ABS, decimals=2,
                                     singleStep=0.1, value=value)
                describe(box, f"{name.title()} {end}",
                         f"The {end}est value the {name} are drawn from")
                h.addWidget(box)
                if end == "low":
                    h.addWidget(QLabel("to"))
                pair.append(box)
            form.addRow(QLabel(mnemonic, buddy=pair[0]), row)
            self.ranges[name] = tuple(pair)
        self.decimals = spin("exerciseDecimals", *DRAWN_DECIMALS, d.decimals, "&Decimals drawn",
                             "Decimals of every drawn number: 1 (0.3) or 2 (0.25), to work "
                             "by hand")
        self.answer_decimals = spin("exerciseAnswerDecimals", *ANSWER_DECIMALS,
                                    d.answer_decimals, "&Answer decimals",
                                    "Decimals of the answers on the key")
        self.format = QComboBox(objectName="exerciseFormat")
        for key, name in FORMAT_NAMES.items():
            self.format.addItem(name, key)
        describe(self.format, "Format", "The file format of the sheet and the key")
        form.addRow(QLabel("&Format", buddy=self.format), self.format)

        self.questions = QListWidget(objectName="exerciseQuestions")
        describe(self.questions, "Questions",
                 "The values to find on every exercise: check or uncheck one with Space")
        self.questions.setMinimumHeight(160)
        defaults = QPushButton("Default &Questions", objectName="exerciseDefaultQuestions")
        describe(defaults, "Default questions", "Check the default questions only")
        defaults.clicked.connect(lambda: self._check(None))
        picked = QLabel("&Questions", buddy=self.questions)

        self.status = QLabel(objectName="exerciseStatus", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_sheet = QPushButton("Save &Sheet…", objectName="exerciseSaveSheet")
        describe(self.save_sheet, "Save sheet", "Write the exercise sheet (the questions)")
        self.save_key = QPushButton("Save Answer &Key…", objectName="exerciseSaveKey")
        describe(self.save_key, "Save answer key",
                 "Write the answer key: every answer and its worked derivation")
        self.save_sheet.clicked.connect(lambda: self.save("sheet"))
        self.save_key.clicked.connect(lambda: self.save("key"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_sheet, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_key, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        describe(close, "Close", "Close the exercise sheet dialog")

        top = QHBoxLayout()
        top.addLayout(form)
        right = QVBoxLayout()
        right.addWidget(picked)
        right.addWidget(self.questions, 1)
        right.addWidget(defaults)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Variants of the open lesson's network — same layers, "
                                "activations, loss and η — with numbers drawn from the ranges, "
                                "one training sample each. Variants with a layer of dead ReLUs "
                                "or a trivial answer are drawn again.", wordWrap=True))
        layout.addLayout(top, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._layout_key = None
        self.resize(760, 540)
        self.refresh()
        self.controller.structureChanged.connect(self.refresh)

    # -- the questions ----------------------------------------------------------------------------
    def refresh(self, *_):
        """The question list for the network as it is now, keeping the checks of questions that
        are still there (defaults for a new shape)."""
        lay = self.controller.network.layout
        if lay.sizes == self._layout_key:
            return
        kept = self.checked_questions() if self._layout_key is not None else None
        self._layout_key = lay.sizes
        self.questions.clear()
        for q in all_questions(lay):
            item = QListWidgetItem(f"{plain_math(q.symbol)}  ({WHAT[q.kind]})")
            item.setToolTip(f"{plain_prose(q.words)}; typed as {q.text} on the command line")
            item.setData(Qt.ItemDataRole.UserRole, q)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            self.questions.addItem(item)
        self._check(kept if kept else None)
        self.questions.setCurrentRow(0)

    def _items(self):
        return [self.questions.item(r) for r in range(self.questions.count())]

    def _check(self, questions):
        """Check exactly ``questions`` (None: the defaults)."""
        if questions is None:
            questions = default_questions(self.controller.network.layout)
        wanted = set(questions)
        for item in self._items():
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked_questions(self):
        return tuple(item.data(Qt.ItemDataRole.UserRole) for item in self._items()
                     if item.checkState() == Qt.CheckState.Checked)

    def set_questions(self, questions):
        self._check(tuple(questions))

    # -- settings and saving ----------------------------------------------------------------------
    def settings(self):
        questions = self.checked_questions()
        if not questions:
            raise ValueError("no questions: check at least one in the list")
        return Settings(count=self.count.value(), seed=self.seed.value(),
                        decimals=self.decimals.value(),
                        answer_decimals=self.answer_decimals.value(), questions=questions,
                        **{n: (lo.value(), hi.value()) for n, (lo, hi) in self.ranges.items()})

    def exercises(self):
        """The ``ExerciseSet`` of the settings shown, for the lesson as it is now."""
        self.refresh()
        return make_exercises(self.controller.to_lesson(), self.settings())

    def show_status(self, text, error=False):
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    def save(self, kind, path=None):
        """Write the sheet (``kind`` "sheet") or the key ("key") to ``path`` (asked for when
        None; its suffix picks the format, else the Format box). Returns the path written, or
        None (then the status line says why and nothing is written)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # 100 exercises: about 0.5 s
        try:
            es = self.exercises()
        except ValueError as e:
            self.show_status(f"Not saved: {e}", True)
            return None
        finally:
            QApplication.restoreOverrideCursor()
        fmt = self.format.currentData()
        if path is None:
            what = "Save exercise sheet" if kind == "sheet" else "Save answer key"
            name = f"exercises-seed{es.settings.seed}{'-key' if kind == 'key' else ''}.{fmt}"
            path, fmt = ask_save_path(self, what, name, fmt)
            if not path:
                return None
        else:
            suffix = Path(path).suffix.lower().lstrip(".")
            fmt = suffix if suffix in FORMATS else fmt
        doc = es.sheet() if kind == "sheet" else es.key()
        try:
            atomic_write(path, render(doc, fmt))
        except OSError as e:
            self.show_status(f"Not saved: {e.strerror or e} ({path})", True)
            return None
        what = "sheet" if kind == "sheet" else "answer key"
        n = len(es.variants)
        self.show_status(f"Saved the {what} ({n} exercise{'s' * (n != 1)}, seed "
                         f"{es.settings.seed}; {es.n_rejected} drawn variants rejected) to "
                         f"{path}")
        self.window.show_message(f"Saved the exercise {what} to {path}")
        self.last_saved = (kind, path)
        return path


def open_dialog(window):
    dialog = getattr(window, "exercise_dialog", None)
    if dialog is None:
        dialog = window.exercise_dialog = ExerciseDialog(window)
    dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.count.setFocus()
    return dialog


def install(window):
    """Teach ▸ Exercise Sheet… (Ctrl+Alt+X)."""
    window.exercise_dialog = None
    action = window.add_action(
        "actionExerciseSheet", "Exercise Sheet…", "Ctrl+Alt+X", lambda: open_dialog(window),
        "Seeded variants of this network to work by hand, saved as a sheet and an answer key")
    menu = window.menuBar().findChild(QMenu, "menuTeach")
    if menu is None:  # no Teach menu yet: make one
        menu = window.menuBar().addMenu("&Teach")
        menu.setObjectName("menuTeach")
    menu.addSeparator()
    menu.addAction(action)
    window.actionExerciseSheet = action
