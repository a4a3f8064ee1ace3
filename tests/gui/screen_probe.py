"""The window on a screen of a given size, measured: ``python -m tests.gui.screen_probe WIDTHxHEIGHT
[--scale S] [--presentation] [--preset NAME] [--steps N] [--hide-derivatives]
[--screenshot FILE.png]`` prints one JSON
object — where the window is against the screen, the widgets whose text does not fit them, the
canvas labels that overlap, how tall the canvas's digits are on screen and whether the whole
network is in view.

Qt's off-screen platform is given a screen of that size (its ``configfile`` option), so this runs
in a process of its own: the tests start one per screen size (``measure``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measure(size, *args, timeout=120):
    """Run the probe for ``size`` ("1280x720") in a fresh process; its JSON as a dict."""
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # the probe sets its own, with the screen's size
    r = subprocess.run([sys.executable, "-m", "tests.gui.screen_probe", size, *map(str, args)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def _isolate():
    """Settings, autosaves and logs of this run in a folder of its own: a probe never reads or
    writes the user's (nor another probe's)."""
    home = tempfile.mkdtemp(prefix="screen-probe-")
    os.environ.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
                      XDG_DATA_HOME=os.path.join(home, "data"))


def _screen(width, height):
    config = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
              "screens": [{"name": "projector", "x": 0, "y": 0, "width": width,
                           "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                           "dpr": 1}]}
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(config, f)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"


def clipped_widgets(window):
    """(objectName or class, what) of the visible widgets whose text is wider or taller than
    the room they have."""
    from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QLabel, QLineEdit, QSpinBox,
                                   QToolButton, QWidget)

    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.visibleRegion().isEmpty():
            continue
        fm = w.fontMetrics() if hasattr(w, "fontMetrics") else None
        name = w.objectName() or type(w).__name__
        if isinstance(w, QLabel) and not w.wordWrap() and w.text() and "<" not in w.text():
            room = w.contentsRect().width()
            # a label that shrinks its text to fit is measured as drawn
            need = (w.drawn_text_width() if hasattr(w, "drawn_text_width")
                    else fm.horizontalAdvance(w.text()))
            if need > room + 1:
                out.append((name, f"label text {w.text()!r} needs {need:.0f} px, has {room}"))
        elif isinstance(w, (QCheckBox, QAbstractButton)) and not isinstance(w, QToolButton):
            if w.text() and w.sizeHint().width() > w.width() + 1:
                out.append((name, f"button {w.text()!r} needs {w.sizeHint().width()} px, "
                                  f"has {w.width()}"))
        if isinstance(w, (QLineEdit, QSpinBox)) and w.height() < fm.height():
            out.append((name, f"field is {w.height()} px tall for text {fm.height()} px tall"))
    return out


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("size")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--presentation", action="store_true")
    p.add_argument("--preset", default="notes_relu")
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--hide-derivatives", action="store_true",
                   help="press Show Err, δ, ∂L/∂w (Ctrl+D) to hide the backward numbers")
    p.add_argument("--screenshot")
    p.add_argument("--stages", help='several measurements in one window, e.g. "1,3,2p" '
                   '(scale, p: presenting); prints a JSON list')
    a = p.parse_args(argv)
    width, height = map(int, a.size.lower().split("x"))
    _isolate()
    _screen(width, height)

    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from engine.lesson import load_preset
    from gui.app import settle as settle_window
    from gui.main_window import MainWindow

    app = QApplication([])  # noqa: F841 (held while the window lives)
    window = MainWindow(load_preset(a.preset))
    window.show()

    def settle():
        settle_window(window)

    settle()
    if a.steps:
        window.controller.run_steps(a.steps)
    if a.hide_derivatives:
        window.actionDerivatives.trigger()
    stages = a.stages.split(",") if a.stages else [f"{a.scale}{'p' if a.presentation else ''}"]
    results = [stage(window, spec, settle) for spec in stages]
    if a.screenshot:
        window.grab().save(a.screenshot)
    print(json.dumps(results if a.stages else results[0]))
    return 0


def stage(window, spec, settle):
    """Bring the window to text scale and presentation ``spec`` ("2", "1.5p") through its
    actions, as a user would, and measure it."""
    from PySide6.QtGui import QFontMetricsF

    presenting = spec.endswith("p")
    scale = float(spec.rstrip("p"))
    classroom = window.classroom
    if classroom.presenting and not presenting:
        classroom.actionPresentation.trigger()
    for _ in range(20):  # Larger / Smaller Text, a step at a time
        if abs(classroom.font_scale - scale) < 1e-9:
            break
        action = classroom.actionZoomIn if classroom.font_scale < scale else (
            classroom.actionZoomOut)
        action.trigger()
    if presenting and not classroom.presenting:
        classroom.actionPresentation.trigger()
    settle()
    view = window.view
    zoom = view.transform().m11()
    digits = {which: QFontMetricsF(getattr(view.fonts, which)).tightBoundingRect("0123456789")
              .height() * zoom for which in ("label", "derivative", "neuron_value", "note")}
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    return {
        "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "inside": screen.contains(frame),
        "clipped": clipped_widgets(window),
        "overlaps": [list(map(str, pair)) for pair in view.net_layout.overlaps()],
        "digits_px": digits,
        "whole": view.shows_whole(),  # the whole network in view (presenting, maybe only part)
        "font_scale": classroom.font_scale,
        "presenting": classroom.presenting,
        "canvas": [view.width(), view.height()],
    }


if __name__ == "__main__":
    sys.exit(main())
