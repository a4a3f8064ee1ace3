"""The teaching tools around the canvas: the math panel (each derivative with the current
numbers), phase stepping, the gradient check, predict-then-reveal, freezing from the canvas, the
update order, and exporting a worked step."""


def install(window):
    """Add the teaching docks, actions and menus to ``window`` (a MainWindow)."""
