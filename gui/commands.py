"""Undo commands: every edit, Step and training run is one QUndoCommand holding old and new."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand


class EditCommand(QUndoCommand):
    """Set one value (a parameter, an input, a target, η, a frozen flag, the batch size).

    ``key`` names it for ``Controller.value``/``Controller._set``; equal old and new never get
    here (the controller pushes nothing for them).
    """

    def __init__(self, controller, key, old, new, text):
        super().__init__(text)
        self.controller, self.key, self.old, self.new = controller, key, old, new

    def redo(self):
        self.controller._set(self.key, self.new)

    def undo(self):
        self.controller._set(self.key, self.old)


class StateCommand(QUndoCommand):
    """Move between two whole states (Step, a training run, Reset, Randomize).

    A state is the controller's ``_capture()``: parameters, frozen flags, data, η, step count
    and history length. Redo after undo replays ``replay`` (re-running a deterministic training
    run to refill the history) or, without one, jumps to the saved state.
    """

    def __init__(self, controller, before, after, text, replay=None, record=None):
        super().__init__(text)
        self.controller, self.before, self.after = controller, before, after
        self.replay, self.record = replay, record
        self._first = True  # push() calls redo(); the work is already done then

    def redo(self):
        if self._first:
            self._first = False
            return
        self.controller._restore(self.before)
        if self.replay is not None:
            self.replay()
        self.controller._restore(self.after, record=self.record)

    def undo(self):
        self.controller._restore(self.before)
