"""Undo commands: every edit, Step, training run, Reset and Randomize is one QUndoCommand holding
what it needs to go both ways — never a copy of the history (``engine.history.Mark`` is a
reference and one bucket)."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand


class EditCommand(QUndoCommand):
    """Set one value (a parameter, an input, a target, η, a frozen flag, the batch size, the
    update order). ``key`` names it for ``Controller.value``/``Controller._set``; equal old and
    new never get here (the controller pushes nothing for them)."""

    def __init__(self, controller, key, old, new, text):
        super().__init__(text)
        self.controller, self.key, self.old, self.new = controller, key, old, new

    def redo(self):
        self.controller._set(self.key, self.new)

    def undo(self):
        self.controller._set(self.key, self.old)


class StateCommand(QUndoCommand):
    """Move between two whole states (``Controller.State``: parameters, frozen flags, data, η,
    batch size, update order, seed, step count and a mark of the history). A Step or a run is
    redone by jumping to its recorded end, so redo shows exactly what ran; ``last_step`` is
    the record a Step leaves behind for "what changed" displays."""

    def __init__(self, controller, before, after, text, last_step=None):
        super().__init__(text)
        self.controller, self.before, self.after = controller, before, after
        self.last_step = last_step
        self._first = True  # push() calls redo(); the work is already done then

    def redo(self):
        if self._first:
            self._first = False
            return
        self.controller._apply(self.after, self.last_step)

    def undo(self):
        self.controller._apply(self.before)


class StructureCommand(QUndoCommand):
    """Swap in another network (``Controller.Structure``: the network object itself, its data,
    its history and the step count): a change of shape. Both sides keep their own network and
    history objects; every later command acts on whichever is current, and is undone before this
    one is, so each comes back as it was."""

    def __init__(self, controller, before, after, text):
        super().__init__(text)
        self.controller, self.before, self.after = controller, before, after
        self._first = True

    def redo(self):
        if self._first:
            self._first = False
            return
        self.controller._apply_structure(self.after)

    def undo(self):
        self.controller._apply_structure(self.before)
