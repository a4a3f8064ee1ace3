"""Training inside the window against headless ``Network.train``, measured in the same run.

Prints steps per second in the window (speed: max) and headless, their ratio, the worst
event-loop delay while training, and canvas repaints per second. Targets: ≥ 50 % of headless
speed, worst delay ≤ 50 ms, ≥ 30 repaints/s.

    uv run python benchmarks/bench_gui.py [--seconds 1] [--rounds 3] [--preset xor] [--check]

``--case boundary``: a 2-8-8-1 net (tanh, tanh, sigmoid; half_sse) on 500 spiral points
(``generate("spiral", 500, 0.1, 1)``) at full batch, with the Decision boundary dock in front
(100×100 map); the window takes turns with the dock in front, behind another tab, in front with
the Weights and biases dock closed, and headless. Also prints the map's redraws per second
(target ≥ 20), the time of one map redraw (forward pass over the grid, colours, image; target
≤ 2 ms) and where the window's time goes.

Runs off-screen unless a display is set (QT_QPA_PLATFORM decides).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import Network  # noqa: E402
from engine.datasets import generate  # noqa: E402
from engine.lesson import Lesson, load_preset  # noqa: E402
from gui.training import SPEEDS  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

PROBE_MS = 5  # the probe timer's interval: its lateness is the event loop's delay


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def headless_steps(lesson, seconds, chunk=1000):
    """Steps of ``Network.train`` in ``seconds``, in chunks as large as the window's slices."""
    net = lesson.network
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        net.train(lesson.inputs, lesson.targets, lesson.lr, chunk, lesson.batch_size)
        steps += chunk
    return steps, time.perf_counter() - t0


class DelayProbe:
    """A timer every PROBE_MS while started: ``worst`` is the most it fired late (ms), the
    event loop's worst delay over every time it ran."""

    def __init__(self):
        self.worst = 0.0
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=PROBE_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self):
        if self.clock.isValid():
            self.worst = max(self.worst, self.clock.nsecsElapsed() / 1e6 - PROBE_MS)
        self.clock.restart()

    def start(self):
        self.clock.invalidate()  # the time while stopped is not a delay
        self.timer.start()

    def stop(self):
        self.timer.stop()


def measure(preset, seconds, rounds):
    """Window and headless take turns, ``rounds`` times each, so a slow spell of this shared
    machine hits both: (window steps/s, headless steps/s, worst delay ms, repaints/s)."""
    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_preset(preset))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    probe = DelayProbe()
    c = window.controller
    c.set_speed(len(SPEEDS) - 1)
    headless = load_preset(preset)
    win_steps = win_time = head_steps = head_time = 0.0
    for _ in range(rounds):
        start_steps = c.step_count
        probe.start()
        c.start_training()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            app.processEvents()
        win_time += time.perf_counter() - t0
        c.pause()
        probe.stop()
        win_steps += c.step_count - start_steps
        n, t = headless_steps(headless, seconds)
        head_steps += n
        head_time += t
    return win_steps / win_time, head_steps / head_time, probe.worst, counter.count / win_time


def spiral_lesson():
    """The boundary case's lesson: 2-8-8-1, tanh hidden, sigmoid out, 500 spiral points, full
    batch."""
    X, T = generate("spiral", 500, 0.1, 1)
    net = Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "half_sse", seed=1)
    return Lesson(net, X, T, lr=0.05, batch_size=None)


class Timed:
    """Wraps ``fn``, adding up the seconds spent in it."""

    def __init__(self, fn):
        self.fn, self.seconds, self.calls = fn, 0.0, 0

    def __call__(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0
            self.calls += 1


def measure_boundary(seconds, rounds):
    """Window with the boundary dock in front, window with it behind the outputs' tab (same
    geometry, nothing drawn), and headless take turns. Returns a dict of figures (see
    ``main_boundary``)."""
    app = QApplication.instance() or QApplication([])
    window = MainWindow(spiral_lesson())
    window.resize(1600, 1000)
    window.show()
    feature, panel = window.boundary, window.boundary.panel
    feature.show()
    # the canvas lays the network out again for the window's shape once it has settled (250 ms
    # after the last resize; seconds for a 2-8-8-1 net): wait for that before measuring, and
    # never change the window's shape again (the "behind" turns raise another tab)
    settle_until = time.perf_counter() + 1.0
    while time.perf_counter() < settle_until or window.view.reshape_pending:
        app.processEvents()
    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    c = window.controller
    c.set_speed(len(SPEEDS) - 1)
    # where the time goes, in parts that never run inside one another: the engine's train(),
    # the canvas's refresh after every slice, the plots' and the boundary's redraws; the rest
    # is the slice's other work (history, record, panels, status bar), painting and the loop
    timers = {"train": Timed(c.network.train), "canvas": Timed(window.view.refresh),
              "boundary": Timed(panel._update)}
    c.network.train = timers["train"]
    c.changed.disconnect(window.view.refresh)
    c.changed.connect(timers["canvas"])
    panel._update = timers["boundary"]
    for name, plot in (("weights", window.weight_plot), ("loss", window.loss_plot),
                       ("outputs", window.output_plot)):
        plot.refresh = timers[name] = Timed(plot.refresh)
    headless = spiral_lesson()
    probe = DelayProbe()
    totals = {k: 0.0 for k in ("open_steps", "open_time", "closed_steps", "closed_time",
                               "lean_steps", "lean_time", "lean_redraws", "head_steps",
                               "head_time", "redraws", "paints", "slices")}
    spent = {name: 0.0 for name in timers}

    def settle(until=None):
        until = until or time.perf_counter() + 0.3
        while time.perf_counter() < until or window.view.reshape_pending:
            app.processEvents()

    weights_dock = window.docks["parameters"]
    for _ in range(rounds):
        for key in ("open", "closed", "lean"):
            # lean: the boundary in front and the Weights and biases dock closed (its 105
            # curves are the window's largest cost), to show what the boundary gets then
            weights_dock.setVisible(key != "lean")
            (window.docks["outputs"] if key == "closed" else feature.dock).raise_()
            settle()
            dock_open = key != "closed"
            assert panel.on_screen() == dock_open
            start_steps, redraws, paints = c.step_count, panel.redraws, counter.count
            before = {name: t.seconds for name, t in timers.items()}
            slices = timers["train"].calls
            if key == "open":
                probe.start()
            c.start_training()
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                app.processEvents()
            elapsed = time.perf_counter() - t0
            c.pause()
            probe.stop()
            totals[f"{key}_steps"] += c.step_count - start_steps
            totals[f"{key}_time"] += elapsed
            if key == "lean":
                totals["lean_redraws"] += panel.redraws - redraws
            if key == "open":
                totals["redraws"] += panel.redraws - redraws
                totals["paints"] += counter.count - paints
                totals["slices"] += timers["train"].calls - slices
                for name, t in timers.items():
                    spent[name] += t.seconds - before[name]
        n, t = headless_steps(headless, seconds, chunk=200)
        totals["head_steps"] += n
        totals["head_time"] += t
    # one map redraw on its own: a new parameter vector each time, so every call computes
    theta = c.network.theta
    draw, contour = [], []
    for k in range(300):
        theta[0] += 1e-6 * (1 if k % 2 else -1)
        t0 = time.perf_counter()
        panel._draw()
        draw.append(time.perf_counter() - t0)
        contour.append(draw[-1] - panel.last_seconds)
    just_map = []
    shape = panel._words.shape + (4,)
    for k in range(300):
        theta[0] += 1e-6 * (1 if k % 2 else -1)
        t0 = time.perf_counter()
        panel._forward.run()
        panel.cmap.paint(panel._forward.values(panel.neuron).reshape(panel._words.shape),
                         panel.levels, panel._words, panel._index, panel._scratch)
        panel.image.setImage(panel._words.view("uint8").reshape(shape), autoLevels=False)
        panel.image.render()
        just_map.append(time.perf_counter() - t0)
    thumbs = []
    panel.thumbnails = True
    for k in range(100):
        theta[0] += 1e-6 * (1 if k % 2 else -1)
        t0 = time.perf_counter()
        panel._draw_thumbnails()
        thumbs.append(time.perf_counter() - t0)
    panel.set_thumbnails(False)
    canvas_paint, window_paint = [], []
    for _ in range(20):
        t0 = time.perf_counter()
        window.view.grab()
        canvas_paint.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        window.grab()
        window_paint.append(time.perf_counter() - t0)
    open_time = totals["open_time"]
    return {
        "open": totals["open_steps"] / open_time,
        "closed": totals["closed_steps"] / totals["closed_time"],
        "lean": totals["lean_steps"] / totals["lean_time"],
        "lean_redraws": totals["lean_redraws"] / totals["lean_time"],
        "headless": totals["head_steps"] / totals["head_time"],
        "redraws": totals["redraws"] / open_time,
        "slices": totals["slices"] / open_time,
        "steps_per_slice": totals["open_steps"] / max(totals["slices"], 1),
        "worst_ms": probe.worst,
        "repaints": totals["paints"] / open_time,
        "shares": {name: spent[name] / open_time for name in timers},
        "map_ms": statistics.median(just_map) * 1e3,
        "map_p95_ms": sorted(just_map)[int(0.95 * len(just_map))] * 1e3,
        "draw_ms": statistics.median(draw) * 1e3,
        "contour_ms": statistics.median(contour) * 1e3,
        "thumbs_ms": statistics.median(thumbs) * 1e3,
        "canvas_paint_ms": statistics.median(canvas_paint) * 1e3,
        "window_paint_ms": statistics.median(window_paint) * 1e3,
        "grid": panel._words.shape,
    }


def main_boundary(a):
    f = measure_boundary(a.seconds, a.rounds)
    ratio, behind = f["open"] / f["headless"], f["closed"] / f["headless"]
    shares = f["shares"]
    rows = [
        ("steps/s, boundary dock in front", f"{f['open']:,.0f}", ""),
        ("steps/s, boundary dock behind a tab", f"{f['closed']:,.0f}", ""),
        ("steps/s headless train()", f"{f['headless']:,.0f}", ""),
        ("in front / headless", f"{ratio:.0%}", "PASS" if ratio >= 0.5 else "FAIL (≥ 50 %)"),
        ("behind a tab / headless", f"{behind:.0%}", ""),
        ("in front, Weights dock closed", f"{f['lean']:,.0f}",
         f"{f['lean'] / f['headless']:.0%} of headless, {f['lean_redraws']:.1f} redraws/s"),
        ("boundary redraws/s", f"{f['redraws']:.1f}", "PASS" if f["redraws"] >= 20 else
         "FAIL (≥ 20)"),
        ("training slices/s (steps each)", f"{f['slices']:.1f} ({f['steps_per_slice']:.0f})",
         ""),
        (f"one map, {f['grid'][0]}×{f['grid'][1]} (median)", f"{f['map_ms']:.2f} ms",
         "PASS" if f["map_ms"] <= 2 else "FAIL (≤ 2 ms)"),
        ("one map (95th percentile)", f"{f['map_p95_ms']:.2f} ms", ""),
        ("one redraw with the 0.5 line", f"{f['draw_ms']:.2f} ms", ""),
        ("  of which the 0.5 line", f"{f['contour_ms']:.2f} ms", ""),
        ("neuron maps, all 19 thumbnails", f"{f['thumbs_ms']:.2f} ms", ""),
        ("worst event-loop delay", f"{f['worst_ms']:.1f} ms", "PASS" if f["worst_ms"] <= 50
         else "FAIL (≤ 50 ms)"),
        ("canvas repaints/s", f"{f['repaints']:.0f}", ""),
        ("one canvas repaint (grab)", f"{f['canvas_paint_ms']:.1f} ms", ""),
        ("one whole-window repaint (grab)", f"{f['window_paint_ms']:.1f} ms",
         f"× repaints/s ≈ {f['window_paint_ms'] * f['repaints'] / 10:.0f} % of the time"),
        ("time in train()", f"{shares['train']:.0%}", ""),
        ("time in the canvas's refresh", f"{shares['canvas']:.0%}", ""),
        ("time in the weights plot's redraws", f"{shares['weights']:.0%}", ""),
        ("time in loss + outputs plots", f"{shares['loss'] + shares['outputs']:.0%}", ""),
        ("time in the boundary's redraws", f"{shares['boundary']:.0%}", ""),
        ("rest: painting, slice, event loop", f"{1 - sum(shares.values()):.0%}", ""),
    ]
    print(f"case boundary: 2-8-8-1 tanh on 500 spiral points, full batch; {a.rounds} turns of "
          f"{a.seconds:g} s each (dock in front, behind a tab, in front without the Weights dock, "
          f"headless), platform "
          f"{QApplication.platformName()}")
    for name, value, verdict in rows:
        print(f"  {name:<36} {value:>12}  {verdict}")
    return 1 if a.check and any(v.startswith("FAIL") for _, _, v in rows) else 0


def isolate_settings():
    """Settings in a temporary folder: the window starts in its default layout and theme, not
    in the one the user (or another run) saved, and nothing is saved over the user's."""
    folder = tempfile.mkdtemp(prefix="bench-gui-settings-")
    os.environ["XDG_CONFIG_HOME"] = folder
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)


def main(argv=None):
    isolate_settings()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=1.0, help="length of each turn")
    p.add_argument("--rounds", type=int, default=3, help="turns each for window and headless")
    p.add_argument("--preset", default="xor",
                   help="xor keeps changing for thousands of steps, so every frame has news")
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    p.add_argument("--case", choices=("preset", "boundary"), default="preset",
                   help="boundary: the decision boundary dock on a 2-8-8-1 spiral net")
    a = p.parse_args(argv)
    if a.case == "boundary":
        return main_boundary(a)
    in_window, headless, worst_ms, repaints = measure(a.preset, a.seconds, a.rounds)
    ratio = in_window / headless
    rows = [
        ("steps/s in the window", f"{in_window:,.0f}", ""),
        ("steps/s headless train()", f"{headless:,.0f}", ""),
        ("window / headless", f"{ratio:.0%}", "PASS" if ratio >= 0.5 else "FAIL (≥ 50 %)"),
        ("worst event-loop delay", f"{worst_ms:.1f} ms", "PASS" if worst_ms <= 50 else
         "FAIL (≤ 50 ms)"),
        ("canvas repaints/s", f"{repaints:.0f}", "PASS" if repaints >= 30 else "FAIL (≥ 30)"),
    ]
    print(f"preset {a.preset}, {a.rounds} turns of {a.seconds:g} s each, "
          f"platform {QApplication.platformName()}")
    for name, value, verdict in rows:
        print(f"  {name:<28} {value:>12}  {verdict}")
    return 1 if a.check and any(v.startswith("FAIL") for _, _, v in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
