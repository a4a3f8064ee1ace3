"""Tooltips that are written when the mouse arrives, not on every frame of training."""
from __future__ import annotations


class TooltipOnHover:
    """Mixin for canvas items: on hover, ask the view to (re)write this item's tooltip from the
    controller's current numbers. Items must call ``setAcceptHoverEvents(True)``."""

    def hoverEnterEvent(self, event):
        scene = self.scene()
        for view in scene.views() if scene is not None else ():
            refresh = getattr(view, "update_tooltip", None)
            if refresh is not None:
                refresh(self)
        super().hoverEnterEvent(event)
