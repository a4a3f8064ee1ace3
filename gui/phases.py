"""Phase stepping: one Step walked a phase at a time — the forward pass layer by layer, the
loss, the output δ, the hidden δ, the updates (``engine.explain.phases``).

The walk shows the record of the Step about to happen (``preview.next_step``); its last phase
takes that Step through ``controller.step()``, so walking every phase is exactly one Step. Any
other change — an edit, a Step, training, undo, another lesson — ends the walk: its numbers
would no longer be the ones the Step will compute.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine.explain import phases

from .preview import next_step


class PhaseStepper(QObject):
    #: (name, neurons, edges) of the phase now shown; ("", (), ()) when the walk ends
    phaseChanged = Signal(str, object, object)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.phases = []
        self.index = None  # of the phase shown; None: no walk
        self.record, self.row = None, 0
        self._stepping = False  # our own Step is not a change that ends the walk
        controller.changed.connect(self._changed)
        controller.structureChanged.connect(self.cancel)

    @property
    def phase(self):
        """The phase shown, or None."""
        return None if self.index is None else self.phases[self.index]

    @property
    def done(self):
        """The walk reached its last phase: that Step has been taken."""
        return self.index is not None and self.index == len(self.phases) - 1

    def advance(self):
        """Show the next phase; after the last one (or with no walk) start a new walk."""
        if self.index is None or self.done:
            self._start()
        else:
            self.index += 1
        if self.done:
            self._take_step()
            if self.index is None:  # the Step was refused (it would diverge)
                return
        self._announce()

    def cancel(self):
        if self.index is not None:
            self.index = None
            self.record = None
            self.phaseChanged.emit("", (), ())

    def _start(self):
        c = self.controller
        if c.training:
            c.pause()
        self.record, self.row = next_step(c)
        self.phases = phases(c.network.layout, c.network.update_order)
        self.index = 0

    def _take_step(self):
        self._stepping = True
        try:
            taken = self.controller.step()
        finally:
            self._stepping = False
        if taken is None:
            self.cancel()

    def _announce(self):
        p = self.phase
        self.phaseChanged.emit(p.text, p.neurons, p.edges)

    def _changed(self):
        if not self._stepping:
            self.cancel()
