"""Record mode's editor: one slide's title, prompt (Markdown), visibility, selection, action and
question (Teach ▸ Lesson Script ▸ Edit Slide…, Ctrl+Alt+M). Apply checks the whole script as
a file would be checked (``engine.script``); a slide that would not load is refused with the
one-line reason in the dialog, and nothing changes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QVBoxLayout,
)

from engine.script import MAX_TRAIN_TO, PANELS, Action, Question, Show, Slide

from .panels import describe
from .style import MISMATCH

PANEL_TITLES = {"lesson": "Lesson", "inspector": "Inspector", "loss": "Loss",
                "parameters": "Weights and biases", "outputs": "Outputs", "boundary":
                "Decision boundary"}
ACTION_TEXTS = (("", "None"), ("step", "Step"), ("phase", "Next phases"),
                ("train", "Train to step"), ("explain", "Explain"))
QUESTION_TEXTS = (("", "None"), ("delta", "δ of a neuron"), ("grad", "∂L/∂ of a weight or bias"),
                  ("new", "a weight or bias after the Step"))


class SlideEditor(QDialog):
    """Edits ``player.script.slides[index]`` through ``player.replace_slide``."""

    def __init__(self, player, parent=None):
        super().__init__(parent)
        self.setObjectName("slideEditor")
        self.setWindowTitle("Edit Slide")
        self.player = player
        self.index = 0
        self.title = QLineEdit(objectName="slideTitle")
        describe(self.title, "Slide title", "A short name, shown beside the slide number")
        self.prompt = QPlainTextEdit(objectName="slidePrompt")
        describe(self.prompt, "Prompt", "The slide's text, in Markdown (**bold**, lists, ###)")
        self.derivatives = QCheckBox("Err, δ, ∂L/∂w on the canvas", objectName="slideDerivatives")
        self.net = QCheckBox("net under every neuron", objectName="slideNet")
        self.math = QCheckBox("Math panel", objectName="slideMath")
        self.keep_panels = QCheckBox("Leave the other panels as they are",
                                     objectName="slideKeepPanels")
        for box, tip in ((self.derivatives, "Show the backward pass's numbers on the canvas"),
                         (self.net, "Show net_j under every neuron"),
                         (self.math, "Open the math panel"),
                         (self.keep_panels, "The slide opens or closes no other panel")):
            describe(box, box.text(), tip)
        self.panels = {}
        grid = QGridLayout()
        for k, name in enumerate(PANELS):
            box = QCheckBox(PANEL_TITLES.get(name, name), objectName=f"slidePanel_{name}")
            describe(box, f"{box.text()} panel", f"Open the {box.text()} panel on this slide")
            self.panels[name] = box
            grid.addWidget(box, k // 3, k % 3)
        self.keep_panels.toggled.connect(lambda on: [b.setEnabled(not on)
                                                     for b in self.panels.values()])
        shown = QGroupBox("Shown")
        box_layout = QVBoxLayout(shown)
        for w in (self.derivatives, self.net, self.math, self.keep_panels):
            box_layout.addWidget(w)
        box_layout.addLayout(grid)

        self.select = QLineEdit(objectName="slideSelect", placeholderText="w35, b5, y5 or empty")
        describe(self.select, "Selected", "The weight, bias or neuron selected on this slide")
        self.action = QComboBox(objectName="slideAction")
        for _, text in ACTION_TEXTS:
            self.action.addItem(text)
        describe(self.action, "Action", "What the slide does once its state is loaded")
        self.count = QSpinBox(objectName="slideActionCount")
        self.count.setRange(1, MAX_TRAIN_TO)
        describe(self.count, "How many", "Steps, phases, or the step to train to")
        self.target = QLineEdit(objectName="slideActionTarget", placeholderText="w35")
        describe(self.target, "Explain what", "The weight, bias or neuron Explain shows")
        action_row = QHBoxLayout()
        for w in (self.action, self.count, self.target):
            action_row.addWidget(w)
        self.question = QComboBox(objectName="slideQuestion")
        for _, text in QUESTION_TEXTS:
            self.question.addItem(text)
        describe(self.question, "Question", "Predict, then reveal: what the class works out")
        self.question_target = QLineEdit(objectName="slideQuestionTarget", placeholderText="w13")
        describe(self.question_target, "Question about", "The neuron, weight or bias asked about")
        question_row = QHBoxLayout()
        question_row.addWidget(self.question)
        question_row.addWidget(self.question_target)
        self.action.currentIndexChanged.connect(self._sync)
        self.question.currentIndexChanged.connect(self._sync)

        self.state_label = QLabel(objectName="slideState", wordWrap=True)
        self.error = QLabel(objectName="slideError", wordWrap=True)
        self.error.setStyleSheet(f"color: {MISMATCH.name()}; font-weight: bold;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Close)
        self.buttons = buttons
        for role, text in ((QDialogButtonBox.StandardButton.Ok, "Apply and close"),
                           (QDialogButtonBox.StandardButton.Apply, "Apply the changes"),
                           (QDialogButtonBox.StandardButton.Close, "Close without applying")):
            b = buttons.button(role)
            describe(b, b.text().replace("&", ""), text)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        buttons.accepted.connect(lambda: self.apply() and self.accept())
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("State", self.state_label)
        form.addRow("Prompt", self.prompt)
        form.addRow(shown)
        form.addRow("Selected", self.select)
        form.addRow("Action", action_row)
        form.addRow("Question", question_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 620)

    def load(self, index):
        """Fill the fields from slide ``index``."""
        self.index = index
        slide = self.player.script.slides[index]
        self.setWindowTitle(f"Edit Slide {index + 1} of {len(self.player.script.slides)}")
        self.title.setText(slide.title)
        self.state_label.setText(slide.state.describe())
        self.prompt.setPlainText(slide.prompt)
        s = slide.show
        self.derivatives.setChecked(s.derivatives)
        self.net.setChecked(s.net)
        self.math.setChecked(s.math)
        self.keep_panels.setChecked(s.panels is None)
        for name, box in self.panels.items():
            box.setChecked(s.panels is not None and name in s.panels)
            box.setEnabled(s.panels is not None)
        self.select.setText(slide.select or "")
        a = slide.action
        kinds = [k for k, _ in ACTION_TEXTS]
        self.action.setCurrentIndex(kinds.index(a.kind) if a else 0)
        self.count.setValue(a.to_step if a and a.kind == "train" else a.count if a else 1)
        self.target.setText(a.target if a and a.kind == "explain" else "")
        q = slide.question
        self.question.setCurrentIndex([k for k, _ in QUESTION_TEXTS].index(q.kind) if q else 0)
        self.question_target.setText(q.target if q else "")
        self.error.clear()
        self._sync()

    def _sync(self, *_):
        kind = ACTION_TEXTS[self.action.currentIndex()][0]
        self.count.setEnabled(kind in ("step", "phase", "train"))
        self.target.setEnabled(kind == "explain")
        self.question_target.setEnabled(self.question.currentIndex() > 0)

    def slide(self):
        """The slide the fields describe (not yet checked)."""
        old = self.player.script.slides[self.index]
        panels = None if self.keep_panels.isChecked() else tuple(
            name for name, box in self.panels.items() if box.isChecked())
        show = Show(panels, self.derivatives.isChecked(), self.net.isChecked(),
                    self.math.isChecked())
        kind = ACTION_TEXTS[self.action.currentIndex()][0]
        action = None
        if kind == "train":
            action = Action(kind, to_step=self.count.value())
        elif kind in ("step", "phase"):
            action = Action(kind, count=self.count.value())
        elif kind == "explain":
            action = Action(kind, target=self.target.text().strip())
        qkind = QUESTION_TEXTS[self.question.currentIndex()][0]
        question = Question(qkind, self.question_target.text().strip()) if qkind else None
        return Slide(old.state, self.prompt.toPlainText(), self.title.text(), show,
                     self.select.text().strip() or None, action, question)

    def apply(self):
        """Put the edited slide into the script; False (the reason shown, nothing changed)
        when it would not load."""
        problem = self.player.replace_slide(self.index, self.slide())
        if problem:
            self.error.setText(f"Not applied: {problem}")
            return False
        self.error.clear()
        self.player.window.show_message(f"Slide {self.index + 1} changed.")
        return True

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(event)
