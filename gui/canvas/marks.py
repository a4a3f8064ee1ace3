"""Marks an item can carry: the selection highlight and the current phase's mark."""
from __future__ import annotations


class Marks:
    """Mixin for canvas items: ``highlighted`` (selected) and ``phase`` (the phase being shown
    works on it); setting either repaints the item only when it changes."""

    highlighted = False
    phase = False

    def set_highlighted(self, on):
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def set_phase(self, on):
        if on != self.phase:
            self.phase = on
            self.update()
