"""Lesson scripts in the window: play a prepared sequence of slides (``engine.script``), record
one from what is on screen, and the founding notes as a built-in tour.

**Play mode.** Each slide's state is built afresh and loaded through the controller
(``load_lesson``: the display contract holds, a training run in progress stops first), then its
visibility is applied (panels, Err/δ/∂L/∂w and net on the canvas, the math panel), then its
selection, its action (Step, phases of the phase walk, train to step k, explain an element) and
its question (the Predict panel, which hides the backward pass until Check). The Script panel
shows the slide's prompt (Markdown) and "3 / 14".

While playing, the keys presenter clickers send move through the slides: **PageDown, Space, →,
↓** next; **PageUp, ←, ↑** back; **B** (or .) a blank screen and back; **Esc** leaves. So in play
mode Space means Next slide, not Step: Step's Space is lent to Next and given back on leaving
(Step stays on its button and in the Network menu). While the screen is blank, Next and Back
only bring the slide back. After leaving, the window is the teacher's to try things in;
**Resume Script** (Shift+F5) comes back to the slide as it was — its recorded state loaded again.

**Record mode.** Add Slide from Current State (Ctrl+Alt+N) puts the lesson as it is now (its
parameters, data and step count), what is visible and the selection after the current slide;
Edit Slide… (Ctrl+Alt+M, ``gui.script_recorder``) edits its title, prompt, visibility, action
and question; Delete Slide (Ctrl+Alt+R); Save Script… (Ctrl+Alt+S) and Open Script… (Ctrl+Alt+O)
write and read the JSON file.

Everything sits in the Teach menu's Lesson Script submenu; Help ▸ Tour of the Notes (F1) plays
the built-in tour (``resources/scripts/notes_tour.json``).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from engine.script import (
    PANELS, Script, ScriptFileError, Show, Slide, SlideState, builtin_script, element_key,
    element_label, read_script, script_from_dict, script_to_dict, write_script,
)

from .file_actions import interactive, show_error
from .math_panel import panel_font
from .panels import describe

SCRIPT_FILTER = "Backprop Lab scripts (*.json);;All files (*)"
NEXT_KEYS = ("PgDown", "Space", "Right", "Down")
BACK_KEYS = ("PgUp", "Left", "Up")
BLANK_KEYS = ("B", ".")
LEAVE_KEYS = ("Esc",)


# -- dialogs (tests replace these) -----------------------------------------------------------------
def ask_open_script(parent, folder):
    if not interactive():
        return None
    path, _ = QFileDialog.getOpenFileName(parent, "Open Script", folder, SCRIPT_FILTER)
    return path or None


def ask_save_script(parent, suggested):
    if not interactive():
        return None
    path, _ = QFileDialog.getSaveFileName(parent, "Save Script", suggested, SCRIPT_FILTER)
    return path or None


# -- widgets ---------------------------------------------------------------------------------------
class ScriptPanel(QWidget):
    """The Script dock: the slide counter and title, the prompt, Back / Next / Leave."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("scriptPanel")
        self.counter = QLabel(objectName="scriptCounter")
        self.counter.setAccessibleName("Slide number")
        self.title = QLabel(objectName="scriptTitle", wordWrap=True)
        self.title.setAccessibleName("Slide title")
        self.prompt = QTextBrowser(objectName="scriptPrompt")
        self.prompt.setOpenExternalLinks(True)
        describe(self.prompt, "Slide prompt", "What this slide is about (the script's text)")
        self.back = QPushButton("◀ Back", objectName="scriptBack")
        describe(self.back, "Previous slide", "The previous slide (PageUp, ← or ↑ while playing)")
        self.next = QPushButton("Next ▶", objectName="scriptNext")
        describe(self.next, "Next slide",
                 "The next slide (PageDown, Space, → or ↓ while playing)")
        self.leave = QPushButton("Leave", objectName="scriptLeave")
        describe(self.leave, "Leave or resume the script",
                 "Leave the script to try something (Esc); Resume comes back to the slide as "
                 "it was (Shift+F5)")
        for b in (self.back, self.next, self.leave):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the canvas
        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addWidget(self.title, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        buttons.addStretch(1)
        buttons.addWidget(self.leave)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.prompt, 1)
        layout.addLayout(buttons)
        self._apply_look()

    def _apply_look(self):
        f = panel_font(self.font())
        self.prompt.document().setDefaultFont(f)
        bold = panel_font(self.font())
        bold.setBold(True)
        self.counter.setFont(bold)
        self.title.setFont(bold)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_look()

    def needed_height(self):
        """The dock height that shows the whole prompt at the prompt's present width."""
        doc = self.prompt.document()
        doc.setTextWidth(self.prompt.viewport().width())
        rest = self.height() - self.prompt.viewport().height()  # header, buttons, frames
        title_bar = 2 * self.fontMetrics().height()  # the dock's own title, roughly
        return round(doc.size().height()) + rest + title_bar

    def text(self):
        """What the panel shows, as plain text (tests, copying)."""
        return "\n".join((self.counter.text(), self.title.text(), self.prompt.toPlainText()))


class BlankScreen(QWidget):
    """A black cover over the whole window (B while playing): the class looks at the teacher.
    It takes no focus, so the keys still reach the window's shortcuts."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("blankScreen")
        self.setAccessibleName("Blank screen")
        self.setAccessibleDescription("The screen is blanked; B brings the slide back")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.hide()
        window.installEventFilter(self)

    def cover(self):
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False


# -- the feature -----------------------------------------------------------------------------------
class ScriptPlayer(QObject):
    """Play, leave, resume and record lesson scripts in one MainWindow (``window.scripts``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.script = None       # engine.script.Script
        self.path = None         # the file it came from or was saved to
        self.index = 0           # the current slide
        self.playing = False
        self.recorder = None     # gui.script_recorder.SlideEditor, made when first asked
        self._loaded = None      # the Lesson the current slide loaded (the document is ours)
        self._step_shortcuts = []
        self._train_lesson = None  # the lesson a slide's train action is training
        self.controller.trainingStateChanged.connect(self._training_state)
        self.panel = ScriptPanel()
        self.dock = window.add_dock("script", "Script", self.panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        # in the inspector's place, below the math panel: the slide's text beside its numbers
        window.tabifyDockWidget(window.docks["inspector"], self.dock)
        window.docks["inspector"].raise_()
        self.dock.hide()
        self.dock.setProperty("closedAtStart", True)
        self.blank = BlankScreen(window)
        self.panel.back.clicked.connect(self.back)
        self.panel.next.clicked.connect(self.next)
        self.panel.leave.clicked.connect(lambda: self.leave() if self.playing else self.resume())
        self._make_actions()
        self._update_panel()

    # -- actions and menus -------------------------------------------------------------------------
    def _make_actions(self):
        w = self.window
        add = w.add_action
        self.actionPlay = add("actionPlayScript", "Play Script", "Ctrl+F5",
                              lambda: self.play(index=0),
                              "Play the script from its first slide (the notes' tour if no "
                              "script is open)")
        self.actionResume = add("actionResumeScript", "Resume Script", "Shift+F5", self.resume,
                                "Back to the current slide, as it was")
        self.actionOpen = add("actionOpenScript", "Open Script…", "Ctrl+Alt+O",
                              lambda: self.open_script(), "Open a lesson script and play it")
        self.actionSave = add("actionSaveScript", "Save Script…", "Ctrl+Alt+S",
                              lambda: self.save_script(), "Save the script as a JSON file")
        self.actionAddSlide = add("actionAddSlide", "Add Slide from Current State", "Ctrl+Alt+N",
                                  self.add_slide, "A new slide after the current one: the "
                                  "lesson as it is now, what is shown and the selection")
        self.actionEditSlide = add("actionEditSlide", "Edit Slide…", "Ctrl+Alt+M",
                                   self.edit_slide, "The current slide's title, prompt, "
                                   "visibility, action and question")
        self.actionDeleteSlide = add("actionDeleteSlide", "Delete Slide", "Ctrl+Alt+R",
                                     self.delete_slide, "Remove the current slide")
        self.actionTour = add("actionNotesTour", "Tour of the Notes", "F1", self.play_tour,
                              "The founding notes walked through slide by slide, with their "
                              "numbers and their slips")
        # play mode's keys: their shortcuts exist only while playing (see _set_play_keys)
        self.actionNext = add("actionScriptNext", "Next Slide", None, self.next,
                              "PageDown, Space, → or ↓ while playing")
        self.actionBack = add("actionScriptBack", "Previous Slide", None, self.back,
                              "PageUp, ← or ↑ while playing")
        self.actionBlank = add("actionScriptBlank", "Blank Screen", None, self.toggle_blank,
                               "B (or .) while playing: a black screen, and back")
        self.actionLeave = add("actionScriptLeave", "Leave Script", None, self.leave,
                               "Esc while playing: the window is yours; Shift+F5 comes back")

        menu = self._menu("Teach").addMenu("Lesson &Script")
        menu.setObjectName("menuScript")
        # Next, Back, Blank and Leave are play mode's keys (and the Script panel's buttons):
        # without their keys outside play mode, they stay out of the menu
        for a in (self.actionTour, None, self.actionPlay, self.actionResume, None, self.actionOpen,
                  self.actionSave, None, self.actionAddSlide, self.actionEditSlide,
                  self.actionDeleteSlide):
            menu.addSeparator() if a is None else menu.addAction(a)
        self.menu = menu
        self._menu("Help").addAction(self.actionTour)

    def _menu(self, title):
        """The menu bar's menu ``title`` ("Teach", "Help"), made when it is not there yet."""
        bar = self.window.menuBar()
        for a in bar.actions():
            if a.menu() is not None and a.text().replace("&", "") == title:
                return a.menu()
        menu = bar.addMenu(f"&{title}")
        menu.setObjectName(f"menu{title}")
        return menu

    def _set_play_keys(self, on):
        """Give the clicker keys to Next, Back, Blank and Leave while playing; Space goes back
        to Step afterwards."""
        step = self.window.actionStep
        if on:
            if not self._step_shortcuts:
                self._step_shortcuts = step.shortcuts()
                self._step_tip = step.toolTip()
            step.setShortcuts([s for s in self._step_shortcuts if s != QKeySequence("Space")])
            step.setToolTip("One forward pass, one backward pass, one update (Space is Next "
                            "slide while a script plays; Esc leaves it)")
        else:
            if self._step_shortcuts:
                step.setShortcuts(self._step_shortcuts)
                step.setToolTip(self._step_tip)
            self._step_shortcuts = []
        for action, keys in ((self.actionNext, NEXT_KEYS), (self.actionBack, BACK_KEYS),
                             (self.actionBlank, BLANK_KEYS), (self.actionLeave, LEAVE_KEYS)):
            action.setShortcuts([QKeySequence(k) for k in keys] if on else [])
            action.setEnabled(on)

    # -- playing ---------------------------------------------------------------------------------
    def play_tour(self):
        """Help ▸ Tour of the Notes: the built-in tour from its first slide."""
        return self.play(builtin_script(), 0, path=None)

    def play(self, script=None, index=0, path=None):
        """Play ``script`` (the one open, else the notes' tour) from slide ``index``. A lesson of
        the teacher's own with unsaved changes is asked about first (Save / Discard / Cancel).
        True when playing."""
        if not self._may_replace():
            return False
        if script is not None:
            self.script, self.path = script, path
        elif self.script is None:
            self.script, self.path = builtin_script(), None
        self.playing = True
        self._set_play_keys(True)
        self._show_dock()
        self.go(index)
        return True

    def _share_column(self):
        """The right column between the math panel (or Predict) and the Script panel: the
        prompt as much as it needs, from 30 % to 60 % of the column."""
        w = self.window
        above = [d for d in (w.teaching.math_dock, w.teaching.quiz_dock) if not d.isHidden()]
        if above and not self.dock.isHidden() and not self._presenting():
            column = above[0].height() + self.dock.height()
            need = self.panel.needed_height()
            mine = round(min(max(need, 0.3 * column), 0.6 * column))
            w.resizeDocks([above[0], self.dock], [column - mine, mine],
                          Qt.Orientation.Vertical)

    def resume(self):
        """Back to the current slide, as it was (its state loaded again), and playing."""
        if self.script is None:
            self.window.show_message("No script to resume: Help ▸ Tour of the Notes (F1) or "
                                     "Teach ▸ Lesson Script ▸ Open Script….", True)
            return False
        return self.play(index=self.index)

    def leave(self):
        """Stop playing: the keys are Step's and the canvas's again; the Script panel stays."""
        editing = [l for l in self.window.view.labels.values() if l.editing]
        if editing:  # Esc in a number being edited on the canvas reverts it, as always
            for label in editing:
                label.finish_editing(accept=False)
            return
        if not self.playing:
            return
        self.playing = False
        self.blank.hide()
        self._set_play_keys(False)
        self._update_panel()
        n = len(self.script.slides)
        self.window.show_message(f"Left the script at slide {self.index + 1} of {n}: the "
                                 "window is yours. Resume Script (Shift+F5) comes back to it.")

    def next(self):
        self._move(+1)

    def back(self):
        self._move(-1)

    def _move(self, delta):
        if self.script is None:
            return
        if self.blank.isVisible():  # the first key after a blank screen brings the slide back
            self.blank.hide()
            return
        index = self.index + delta
        if not 0 <= index < len(self.script.slides):
            self.window.show_message("The last slide: Esc leaves the script." if delta > 0
                                     else "The first slide.")
            return
        if not self.playing:
            self.play(index=index)
        else:
            self.go(index)

    def toggle_blank(self):
        if self.blank.isVisible():
            self.blank.hide()
        elif self.playing:
            self.blank.cover()

    def go(self, index):
        """Show slide ``index``: its state, visibility, selection, action and question."""
        slide = self.script.slides[index]
        self.index = index
        self.blank.hide()
        w, c = self.window, self.controller
        c.pause()  # a run in progress becomes an undo step of the lesson it belongs to
        w.clear_message()  # e.g. an earlier slide's "Phase 3 of 6": it is not about this one
        lesson, history, steps = slide.state.build()
        self._loaded = lesson
        c.load_lesson(lesson, history, steps)
        c.set_sample(slide.state.sample)
        teaching = w.teaching
        quiz = teaching.quiz_dock
        if slide.question is None and not quiz.isHidden():
            # an earlier slide's question hides nothing here; brought to the front first, so
            # that hiding it is an event its toggle (which conceals the backward pass) sees
            quiz.raise_()
            quiz.hide()
        self._apply_show(slide.show)
        if slide.select is not None:
            c.select(element_key(slide.select, c.network))
        hidden = [d for d in w.docks.values() if d.isHidden()]
        self._act(slide)
        if self._presenting():  # a phase walk opens the math panel: not while presenting
            for dock in hidden:
                dock.hide()
        if slide.question is not None:
            kind, target = slide.question.kind, slide.question.target
            teaching.quiz.ask(kind, element_key(target, c.network))
            if not self._presenting():
                quiz.show()
                quiz.raise_()
        self._update_panel()
        self._share_column()
        if self._presenting():  # no panels: the status bar says where the script is
            w.show_message(f"Slide {index + 1} / {len(self.script.slides)}: {slide.title}")
        w.view.setFocus(Qt.FocusReason.OtherFocusReason)  # the clicker's keys are not typed

    def _act(self, slide):
        a, c, w = slide.action, self.controller, self.window
        if a is None:
            return
        if a.kind == "step":
            for _ in range(a.count):
                if c.step() is None:
                    break
            c.undo_stack.setClean()  # what the slide did is not a change of the teacher's
        elif a.kind == "phase":
            for _ in range(a.count):
                c.advance_phase()
            c.undo_stack.setClean()
        elif a.kind == "train":
            c.start_training(a.to_step - c.step_count)
            self._train_lesson = c.lesson
        elif a.kind == "explain":
            key = element_key(a.target, c.network)
            if self._presenting():
                c.select(key)
            else:
                w.teaching.explain(key)

    def _training_state(self, running):
        """A slide's training run, once over, is the slide's state, not a change to save
        (unless the teacher changed something while it ran: then the run was split)."""
        if not running and self._train_lesson is not None:
            # the run becomes its undo command right after it says it stopped
            QTimer.singleShot(0, self, self._training_settled)

    def _training_settled(self):
        c, lesson, self._train_lesson = self.controller, self._train_lesson, None
        if not c.training and c.lesson is lesson and c.undo_stack.count() == 1:
            c.undo_stack.setClean()

    def _presenting(self):
        classroom = getattr(self.window, "classroom", None)
        return bool(classroom and classroom.presenting)

    def _apply_show(self, show):
        w = self.window
        w.actionDerivatives.setChecked(show.derivatives and w.actionDerivatives.isEnabled())
        w.view.set_show_derivatives(show.derivatives)
        w.actionShowNet.setChecked(show.net)
        w.view.set_show_net(show.net)
        if self._presenting():  # presentation mode keeps the screen to the network
            return
        if show.panels is not None:
            for name in PANELS:
                dock = w.docks.get(name)
                if dock is not None and dock.isHidden() == (name in show.panels):
                    dock.setVisible(name in show.panels)
        math = w.teaching.math_dock
        if show.math:
            math.show()
            math.raise_()
        else:
            math.hide()
        self._show_dock()

    def _show_dock(self):
        if not self._presenting():
            self.dock.show()
            self.dock.raise_()

    def _may_replace(self):
        """The document may be replaced: it is a slide's (the teacher's tries on it are
        scratch), or the window's replace guards agree (unsaved changes: Save / Discard)."""
        c = self.controller
        if self._loaded is not None and c.lesson is self._loaded:
            return True
        return all(guard() for guard in self.window.replace_guards)

    def _update_panel(self):
        p = self.panel
        if self.script is None:
            p.counter.setText("")
            p.title.setText("No script")
            p.prompt.setMarkdown("Help ▸ **Tour of the Notes** (F1) plays the built-in tour; "
                                 "Teach ▸ Lesson Script opens, records and saves scripts.")
        else:
            n = len(self.script.slides)
            slide = self.script.slides[self.index]
            p.counter.setText(f"{self.index + 1} / {n}")
            p.title.setText(slide.title or self.script.title)
            p.prompt.setMarkdown(slide.prompt)
        playing = self.playing
        p.back.setEnabled(self.script is not None and self.index > 0)
        p.next.setEnabled(self.script is not None
                          and self.index < len(self.script.slides) - 1)
        p.leave.setText("Leave (Esc)" if playing else "Resume (Shift+F5)")
        p.leave.setEnabled(self.script is not None)
        self.dock.setWindowTitle(f"Script{' — playing' if playing else ''}")
        self.actionResume.setEnabled(self.script is not None)
        self.actionSave.setEnabled(self.script is not None)
        self.actionEditSlide.setEnabled(self.script is not None)
        self.actionDeleteSlide.setEnabled(self.script is not None and
                                          len(self.script.slides) > 1)
        for a in (self.actionNext, self.actionBack, self.actionBlank, self.actionLeave):
            a.setEnabled(playing)

    # -- recording --------------------------------------------------------------------------------
    def current_slide(self):
        """A slide of what is on screen now: the lesson (parameters, data, step count), the
        sample shown, what is visible, and the selection."""
        w, c = self.window, self.controller
        c.pause()
        state = SlideState.of(c.to_lesson(), c.step_count, c.sample)
        panels = None if self._presenting() else tuple(
            name for name in PANELS if name in w.docks and not w.docks[name].isHidden())
        show = Show(panels, w.view.show_derivatives, w.view.show_net,
                    not w.teaching.math_dock.isHidden())
        key = c.selection
        select = element_label(key, c.network) if key is not None and key[0] in (
            "w", "b", "n") else None
        return Slide(state, "", "", show, select)

    def add_slide(self):
        """Add Slide from Current State: after the current slide, which it becomes."""
        slide = self.current_slide()
        if self.script is None:
            self.script, self.path, self.index = Script([], "Untitled script"), None, -1
        self.index += 1
        slide.title = f"Slide {self.index + 1}"
        self.script.slides.insert(self.index, slide)
        self._loaded = self.controller.lesson
        self._show_dock()
        self._update_panel()
        self.window.show_message(f"Added slide {self.index + 1} of "
                                 f"{len(self.script.slides)} (Edit Slide…, Ctrl+Alt+M, for its "
                                 "text and action).")
        return slide

    def replace_slide(self, index, slide):
        """Put ``slide`` at ``index`` if the script stays valid; the one-line reason otherwise
        (nothing changes then)."""
        slides = list(self.script.slides)
        slides[index] = slide
        try:
            checked = script_from_dict(script_to_dict(Script(slides, self.script.title,
                                                             self.script.description)))
        except ScriptFileError as e:
            return str(e)
        self.script.slides[index] = checked.slides[index]
        self._update_panel()
        return None

    def edit_slide(self):
        """Edit Slide…: the recorder's dialog for the current slide."""
        if self.script is None:
            self.window.show_message("No slide to edit: Add Slide from Current State "
                                     "(Ctrl+Alt+N) first.", True)
            return None
        from .script_recorder import SlideEditor
        if self.recorder is None:
            self.recorder = SlideEditor(self, self.window)
        self.recorder.load(self.index)
        self.recorder.show()
        self.recorder.raise_()
        return self.recorder

    def delete_slide(self):
        if self.script is None or len(self.script.slides) < 2:
            return
        del self.script.slides[self.index]
        self.index = min(self.index, len(self.script.slides) - 1)
        self._update_panel()

    # -- files ------------------------------------------------------------------------------------
    def _folder(self):
        if self.path:
            return os.path.dirname(self.path)
        files = getattr(self.window, "files", None)
        return files._folder() if files is not None else os.path.expanduser("~")

    def open_script(self, path=None):
        """Open a script file and play it from its first slide; a file that cannot be read is
        named with its problem and nothing changes. True when playing."""
        if path is None:
            path = ask_open_script(self.window, self._folder())
            if not path:
                return False
        name = os.path.basename(path) or path
        try:
            script = read_script(path)
        except ValueError as e:
            self._error("Cannot open script", f"{name}: {e}")
            return False
        return self.play(script, 0, os.path.abspath(path))

    def save_script(self, path=None):
        """Save the script (asking where when ``path`` is None), atomically. True when saved."""
        if self.script is None:
            self.window.show_message("No script to save: Add Slide from Current State "
                                     "(Ctrl+Alt+N) first.", True)
            return False
        if path is None:
            suggested = self.path or os.path.join(self._folder(), "script.json")
            path = ask_save_script(self.window, suggested)
            if not path:
                return False
            if not os.path.splitext(path)[1] and not os.path.lexists(path):
                path += ".json"
        name = os.path.basename(path) or path
        try:
            write_script(path, self.script)
        except ValueError as e:
            self._error("Cannot save script", f"{name}: {e}")
            return False
        self.path = os.path.abspath(path)
        self.window.show_message(f"Saved the script to {name}.")
        return True

    def _error(self, title, text):
        self.window.show_message(text, True)
        show_error(self.window, title, text)


def install(window):
    """Add lesson scripts (Teach ▸ Lesson Script, Help ▸ Tour of the Notes) to ``window``."""
    window.scripts = ScriptPlayer(window)
