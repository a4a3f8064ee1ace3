"""The decision boundary (issue 10): the network's output over the input plane, live.

**What it shows.** For a network whose raw inputs are (x1, x2), the dock "Decision boundary"
draws one neuron's output over the plane as a heatmap (``GRID`` × ``GRID`` points, one per
pixel centre) with the data over it: training points filled in the colour of their target and
outlined, test points (``controller.test_inputs``/``test_targets``, when the controller has
them) hollow. Which neuron:

- the neuron hovered on the canvas, else the neuron selected there (``("n", j)``), else
- the network's output: the output neuron for a single output; for softmax with two outputs the
  second one, P(class 2) (the first is 1 minus it); for several outputs the first.

The title says which: "y4 over (x1, x2)". **Classification** — one sigmoid output, or softmax
with two outputs, both in (0, 1) — also draws the output's 0.5 contour, the decision boundary,
over whatever map is shown (a hidden neuron's map with the line it helps to make). A network
with one raw input draws the shown neuron's curve over x1 with the points (x1, target) instead
(e.g. the ``curve`` regression set); any other shape says in the dock that the boundary needs two
inputs.

**The plane.** The data's bounding box (training and test points) with a margin of
``MARGIN`` of its span on each side (at least ``MIN_MARGIN``); data that spreads over at least
half of [−6, 6]² in both directions and stays inside it — the generated sets of
``engine.datasets`` — gets exactly [−6, 6]², as the Playground does.

**Colours.** One diverging map for every neuron: Okabe–Ito orange (low, class 0) ↔ white ↔
Okabe–Ito blue (high, class 1), as the Playground's orange and blue; the two ends differ in
lightness as well as hue (L* 73 against 46), so they stay apart for every kind of colour
blindness and in greyscale. On a dark theme the middle is the background. The levels: (0, 1)
for sigmoid and softmax, (−1, 1) for tanh, the targets' range for an output without a bounded
activation (so a point's fill matches the map where the network fits it), and ±max |y| over
the plane for anything else (inputs, ReLU and linear hidden neurons: 0 stays white).

**Inputs with features.** When the controller has ``expand_inputs(X_raw)`` (raw (N, 2) →
the network's (N, n_inputs): x1, x2 and the Playground's features), the grid goes through it
once, before any forward pass; without it the raw grid is the network's input.

**Live, and only when needed.** The map redraws on ``changed``, throttled to one redraw per
``REFRESH_MS`` (the plots' ``Throttle``) — one per training slice, 20 or more a second while
training (``benchmarks/bench_gui.py --case boundary``) — and only when the parameters, the data
or the neuron shown changed since the last one. A hidden dock (closed,
or behind another tab) draws nothing and catches up when shown. The grid and its expansion
are made once per data set and network; the forward pass writes into buffers made once
(``PlaneForward``), the colours into one RGBA buffer through a lookup table.

**Neuron maps on the canvas.** View ▸ Neuron Maps puts each neuron's own map, small and faint,
inside its circle behind the numbers (``NeuronItem.set_thumbnail``), as in the Playground; they
follow training at the same rate, whether or not the dock is open.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout

from engine.activations import get_activation
from engine.datasets import EXTENT

from . import keyboard, plots
from .canvas.neuron import NeuronItem
from .panels import describe
from .plots import _PlotBase, make_plot_widget, style_plot_widget

GRID = 100            # points per side of the map: one per pixel of the image, 10,000 in all
CURVE_POINTS = 400    # along x1, for a network with one raw input
THUMB_STEP = 4        # a neuron's thumbnail takes every 4th grid point: 25 × 25
REFRESH_MS = 20       # at most one redraw per 20 ms (50 a second): while training, one per
#                       slice of the trainer (a slice and the repaint after it take longer);
#                       a longer interval skipped every other slice when slices came ~30 ms apart
MARGIN = 0.15         # of the data's span, added on each side of its bounding box
MIN_MARGIN = 0.5      # at least this much (a single sample still gets a plane round it)
LUT_SIZE = 255        # an odd number of colours: the middle one is exactly the midpoint's
POINT_SIZE, FEW_POINT_SIZE, FEW = 7, 11, 30  # px; data sets of at most FEW points draw larger
TEST_PEN_WIDTH = 2
CONTOUR_WIDTH = 2

#: the map's ends: Okabe–Ito orange (class 0, low) and blue (class 1, high)
LOW = QColor("#E69F00")
HIGH = QColor("#0072B2")
MID_LIGHT = QColor("#FFFFFF")

NEEDS_TWO = ("The decision boundary needs two inputs (x1, x2), or one for a curve: this "
             "network has {n} inputs.")


# -- colours ---------------------------------------------------------------------------------------
def lightness(color):
    """CIE L* (0 black … 100 white) of an sRGB colour."""
    def linear(c):
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    y = (0.2126 * linear(color.red()) + 0.7152 * linear(color.green())
         + 0.0722 * linear(color.blue()))
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else 24389 / 27 * y


class ColourMap:
    """low ↔ mid ↔ high in ``LUT_SIZE`` steps (interpolated in sRGB), as RGBA bytes and, for
    one lookup per pixel, as one uint32 per colour."""

    def __init__(self, low=LOW, mid=MID_LIGHT, high=HIGH):
        self.low, self.mid, self.high = QColor(low), QColor(mid), QColor(high)
        half = (LUT_SIZE - 1) // 2
        t = np.linspace(0.0, 1.0, half + 1)[:, None]
        rgb = [np.array(c.getRgb()[:3], dtype=np.float64) for c in (low, mid, high)]
        lower = rgb[0] + (rgb[1] - rgb[0]) * t
        upper = rgb[1] + (rgb[2] - rgb[1]) * t
        table = np.vstack((lower, upper[1:]))
        self.rgba = np.empty((LUT_SIZE, 4), dtype=np.uint8)
        self.rgba[:, :3] = np.rint(table)
        self.rgba[:, 3] = 255
        self.words = self.rgba.view(np.uint32).ravel()

    @staticmethod
    def index(values, levels, out=None, scratch=None):
        """The colour index of each value: (v − lo) / (hi − lo) of the way from 0 to
        ``LUT_SIZE`` − 1, rounded half up and clamped; NaN takes the middle. ``out`` (intp) and
        ``scratch`` (float64), shaped like ``values``, are used when given."""
        lo, hi = levels
        scale = (LUT_SIZE - 1) / (hi - lo)
        f = np.subtract(values, lo, out=scratch)
        f *= scale
        f += 0.5
        np.clip(f, 0.0, LUT_SIZE - 0.5, out=f)
        if not np.isfinite(f).all():  # NaN survives clip: the middle colour
            f[np.isnan(f)] = (LUT_SIZE - 1) / 2 + 0.5
        if out is None:
            return f.astype(np.intp)
        np.copyto(out, f, casting="unsafe")  # truncation: the value was rounded by the + 0.5
        return out

    def colour(self, value, levels):
        """The QColor of one value."""
        r, g, b, a = self.rgba[int(self.index(np.array([float(value)]), levels)[0])]
        return QColor(int(r), int(g), int(b), int(a))

    def paint(self, values, levels, out_words, index=None, scratch=None):
        """Fill ``out_words`` (uint32, RGBA bytes) with the colours of ``values``."""
        idx = self.index(values, levels, index, scratch)
        np.take(self.words, idx, out=out_words)
        return out_words


def colour_map():
    """The map in the active plot look: white in the middle on light backgrounds, the
    background itself on dark ones."""
    bg = plots._look.background
    return ColourMap(mid=bg if lightness(bg) < 50 else MID_LIGHT)


# -- the plane -------------------------------------------------------------------------------------
def plane_extent(points):
    """((x0, x1), (y0, y1)): the bounding box of ``points`` (N, 2) with its margin, or
    [−6, 6]² for data spread over that square (see the module docstring)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return (-EXTENT, EXTENT), (-EXTENT, EXTENT)
    lo, hi = points.min(axis=0), points.max(axis=0)
    if (lo >= -EXTENT).all() and (hi <= EXTENT).all() and (hi - lo >= EXTENT).all():
        return (-EXTENT, EXTENT), (-EXTENT, EXTENT)
    return tuple(line_extent(a, b) for a, b in zip(lo, hi))


def line_extent(lo, hi):
    """(lo, hi) with the margin added on each side."""
    m = max(MARGIN * (hi - lo), MIN_MARGIN)
    return float(lo - m), float(hi + m)


def pixel_centres(lo, hi, n):
    """n points at the centres of n equal pixels spanning [lo, hi]."""
    return lo + (np.arange(n) + 0.5) * ((hi - lo) / n)


def plane_grid(extent, n=GRID):
    """(n·n, 2) points: row r, column c is at index r·n + c, at (xs[c], ys[r]) — so the values
    reshaped to (n, n) are an image whose row 0 is the bottom (y0) edge."""
    (x0, x1), (y0, y1) = extent
    xs, ys = pixel_centres(x0, x1, n), pixel_centres(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack((gx.ravel(), gy.ravel()))


# -- the forward pass over fixed points ------------------------------------------------------------
class PlaneForward:
    """Every neuron's output over fixed points ``X`` (N, n_inputs) of ``network``, with buffers
    made once: ``run()`` fills ``ys[l]`` (n_l, N) for every layer l from the network's
    parameters at the time of the call. The same operations as ``Network.forward`` (each layer's
    weights and biases as one block, net = Waᵀ·[y; 1]), so the values are the same bits."""

    def __init__(self, network, X):
        sizes = network.sizes
        n = len(X)
        self.network, self.n = network, n
        acts = [None] + [get_activation(a) for a in network.activations]
        self.ya = [np.empty((k + 1, n)) for k in sizes[:-1]] + [np.empty((sizes[-1], n))]
        for a in self.ya[:-1]:
            a[-1] = 1.0
        self.ys = [a[:k] for a, k in zip(self.ya, sizes)]
        np.copyto(self.ys[0], np.asarray(X, dtype=np.float64).T)
        self.ops = []
        for l in range(1, len(sizes)):
            linear = acts[l].name == "linear"
            net = self.ys[l] if linear else np.empty((sizes[l], n))
            self.ops.append((network.Wa[l].T, self.ya[l - 1], net,
                             None if linear else acts[l].forward, self.ys[l]))

    def run(self):
        with np.errstate(all="ignore"):  # overflow shows as inf/NaN, as in Network.forward
            for wt, ya, net, f, y in self.ops:
                wt.dot(ya, out=net)
                if f is not None:
                    f(net, y)
        return self.ys

    def values(self, j):
        """Neuron j's outputs (a view of the buffer, (N,))."""
        layer, row = self.network.layout.locate(j)
        return self.ys[layer][row]


# -- the 0.5 line ----------------------------------------------------------------------------------
#: per marching-squares case (corner above the level: bit 1 bottom-left, 2 bottom-right,
#: 4 top-right, 8 top-left), its segments as pairs of cell edges (0 bottom, 1 right, 2 top,
#: 3 left); the saddles 5 and 10 are split by the cell centre's value (table B: centre above)
_SEGMENTS_A = {1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)], 5: [(3, 0), (1, 2)],
               6: [(0, 2)], 7: [(3, 2)], 8: [(2, 3)], 9: [(0, 2)], 10: [(0, 1), (2, 3)],
               11: [(1, 2)], 12: [(3, 1)], 13: [(0, 1)], 14: [(3, 0)]}
_SEGMENTS_B = {**_SEGMENTS_A, 5: [(0, 1), (2, 3)], 10: [(3, 0), (1, 2)]}


def _table(segments):
    """(first, second) edge pairs per case and centre: arrays of shape (2, 16, 2, 2), −1 none."""
    t = np.full((16, 2, 2), -1, dtype=np.intp)
    for case, segs in segments.items():
        for s, pair in enumerate(segs):
            t[case, s] = pair
    return t


_TABLE = np.stack((_table(_SEGMENTS_A), _table(_SEGMENTS_B)))


def contour_segments(values, level, xs, ys):
    """The line ``values`` = ``level`` by marching squares over the grid (values[r, c] at
    (xs[c], ys[r])), linear along each cell edge: (x, y) arrays of segment end points, two per
    segment (draw with connect="pairs")."""
    v = np.asarray(values, dtype=np.float64)
    above = v > level
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]  # bl, br, tr, tl
    case = (above[:-1, :-1] * 1 + above[:-1, 1:] * 2 + above[1:, 1:] * 4
            + above[1:, :-1] * 8)
    rows, cols = np.nonzero((case > 0) & (case < 15))
    if not len(rows):
        return np.zeros(0), np.zeros(0)
    a, b, c, d = (m[rows, cols] for m in (a, b, c, d))
    k = case[rows, cols]
    centre = (a + b + c + d) / 4 > level
    with np.errstate(all="ignore"):  # an edge without a crossing divides by 0; never used

        def t(p, q):
            return np.clip((level - p) / (q - p), 0.0, 1.0)

        r, cc = rows.astype(np.float64), cols.astype(np.float64)
        ex = np.stack((cc + t(a, b), cc + 1, cc + t(d, c), cc))  # edges 0 … 3, per cell
        ey = np.stack((r, r + t(b, c), r + 1, r + t(a, d)))
    pairs = _TABLE[centre.astype(np.intp), k]  # (cells, 2 segments, 2 edges)
    cell = np.arange(len(k))
    xs_out, ys_out = [], []
    for s in (0, 1):
        has = pairs[:, s, 0] >= 0
        e = pairs[has, s]
        i = cell[has]
        px = np.column_stack((ex[e[:, 0], i], ex[e[:, 1], i])).ravel()
        py = np.column_stack((ey[e[:, 0], i], ey[e[:, 1], i])).ravel()
        xs_out.append(px)
        ys_out.append(py)
    gx, gy = np.concatenate(xs_out), np.concatenate(ys_out)
    ok = np.isfinite(gx) & np.isfinite(gy)  # values that overflowed to inf or NaN draw no line
    if not ok.all():
        ok = (ok[0::2] & ok[1::2]).repeat(2)
        gx, gy = gx[ok], gy[ok]
    dx = xs[1] - xs[0] if len(xs) > 1 else 1.0
    dy = ys[1] - ys[0] if len(ys) > 1 else 1.0
    return xs[0] + gx * dx, ys[0] + gy * dy


# -- what the network is, for this view ------------------------------------------------------------
def raw_input_count(controller):
    """How many raw inputs (x1, x2 …) the network's inputs come from: 2 or 1, or None when the
    boundary cannot be drawn. With ``controller.expand_inputs``, the count whose expansion gives
    the network's inputs."""
    n_in = controller.network.sizes[0]
    expand = getattr(controller, "expand_inputs", None)
    if not callable(expand):
        return n_in if n_in in (1, 2) else None
    for n_raw in (2, 1):
        if controller.inputs.ndim != 2 or controller.inputs.shape[1] < n_raw:
            continue
        try:
            probe = np.asarray(expand(np.zeros((1, n_raw))))
        except (ValueError, TypeError, IndexError):
            continue
        if probe.shape == (1, n_in):
            return n_raw
    return None


def expanded(controller, raw):
    """The network's inputs for raw points (``controller.expand_inputs`` if it has one)."""
    expand = getattr(controller, "expand_inputs", None)
    X = expand(raw) if callable(expand) else raw
    return np.ascontiguousarray(X, dtype=np.float64)


def output_neuron(network):
    """The output neuron whose map is the network's output: the second of two softmax outputs
    (P(class 2)), else the first."""
    lay = network.layout
    outputs = list(lay.neurons(len(network.sizes) - 1))
    if network.activations[-1] == "softmax" and len(outputs) == 2:
        return outputs[1]
    return outputs[0]


def is_classifier(network):
    """One sigmoid output, or two softmax outputs: an output in (0, 1) with its 0.5 line."""
    act, n_out = network.activations[-1], network.sizes[-1]
    return (act == "sigmoid" and n_out == 1) or (act == "softmax" and n_out == 2)


# -- the dock's widget -----------------------------------------------------------------------------
class BoundaryPanel(_PlotBase):
    """The map (or curve) and the data; see the module docstring. Public for the tests:
    ``grid`` (the raw points of the map, (GRID², 2)), ``values`` (the shown neuron's values,
    (GRID, GRID), row 0 at the bottom), ``neuron`` (its number), ``levels``, ``mode`` ("plane",
    "curve" or "none"), ``evaluations`` (forward passes so far), ``last_seconds`` (the last
    map redraw: forward pass, colours and image)."""

    def __init__(self, controller, view, parent=None):
        super().__init__(controller, parent)
        self.setObjectName("boundaryPanel")
        self._throttle.interval_ms = REFRESH_MS
        # the map is what the class watches while training: it may take a tenth of the time
        # (a redraw is ≈ 1 ms), where a plot keeps to a twentieth
        self._throttle.cost_factor = 10
        self.view = view
        self.cmap = colour_map()
        self.thumbnails = False
        self.in_front = True       # False while its dock sits behind another tab
        self.hovered = None        # the neuron under the mouse on the canvas
        self.mode = "none"
        self.neuron = None
        self.levels = (0.0, 1.0)
        self.grid = np.zeros((0, 2))
        self.values = np.zeros((0, 0))
        self.evaluations = 0
        self.redraws = 0
        self.last_seconds = 0.0
        self._data = None          # (network, inputs, targets, test inputs, test targets)
        self._forward = None       # PlaneForward over the grid (or the curve's points)
        self._theta = None         # the parameters of the last forward pass (a copy)
        self._drawn = None         # (neuron, parameters' bytes, mode) the map shows
        self._thumbs_drawn = None  # (parameters' bytes, neuron items) the thumbnails show
        self._axes = (None, None)

        self.plot = make_plot_widget("x1", "x2")
        self.plot.setObjectName("boundaryPlot")
        describe(self.plot, "Decision boundary plot",
                 "The network's output over the input plane (x1, x2), with the data over it")
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=False)
        item.getViewBox().setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.contour = pg.PlotCurveItem(connect="pairs")
        self.curve = pg.PlotCurveItem()
        self.points = pg.ScatterPlotItem(pxMode=True)
        self.test_points = pg.ScatterPlotItem(pxMode=True)
        # stacked bottom to top: the map, the curve, the 0.5 line, the points, the test points
        for z, it in enumerate((self.image, self.curve, self.contour, self.points,
                                self.test_points)):
            it.setZValue(z)
            item.addItem(it)
        self.title = QLabel(objectName="boundaryTitle")
        self.message = QLabel(objectName="boundaryMessage", wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        controller.changed.connect(self.request_refresh)
        controller.selectionChanged.connect(self.request_refresh)
        controller.structureChanged.connect(self._structure_changed)
        view.viewport().installEventFilter(self)
        self.restyle()  # and draws

    # -- look -------------------------------------------------------------------------------------
    def _style_items(self):
        look = plots._look
        self.cmap = colour_map()
        self.contour.setPen(pg.mkPen(look.foreground, width=CONTOUR_WIDTH))
        self.curve.setPen(pg.mkPen(look.foreground, width=CONTOUR_WIDTH))
        self._data = None  # the points' colours, and every map, again
        self._drawn = self._thumbs_drawn = None
        self.refresh()

    # -- what to show -------------------------------------------------------------------------------
    def shown_neuron(self):
        """The hovered neuron, else the selected one, else the network's output."""
        net = self.controller.network
        sel = self.controller.selection
        for j in (self.hovered, sel[1] if sel is not None and sel[0] == "n" else None):
            if j is not None and 1 <= j <= net.layout.n_neurons:
                return j
        return output_neuron(net)

    def neuron_levels(self, j, values):
        """The colour map's (lo, hi) for neuron j (see the module docstring)."""
        net = self.controller.network
        layer, row = net.layout.locate(j)
        act = net.activations[layer - 1] if layer > 0 else None
        if act in ("sigmoid", "softmax"):
            return 0.0, 1.0
        if act == "tanh":
            return -1.0, 1.0
        if layer == len(net.sizes) - 1:
            t = self.controller.targets[:, row]
            t = t[np.isfinite(t)]
            if len(t) and t.max() > t.min():
                return float(t.min()), float(t.max())
            centre = float(t[0]) if len(t) else 0.0
            return centre - 1.0, centre + 1.0
        finite = values[np.isfinite(values)]
        m = float(np.abs(finite).max()) if len(finite) else 0.0
        m = m if m > 1e-12 else 1.0
        return -m, m

    def on_screen(self):
        """Shown, and not behind another tab (Qt keeps such a dock "visible", off-screen)."""
        return self.in_front and self.isVisible()

    def set_in_front(self, on):
        """Its dock's tab came to the front (True) or went behind another (False)."""
        self.in_front = bool(on)
        if self.in_front and self._stale:
            self.refresh()

    def set_hovered(self, j):
        if j != self.hovered:
            self.hovered = j
            self.request_refresh()

    def set_thumbnails(self, on):
        on = bool(on)
        if on != self.thumbnails:
            self.thumbnails = on
            self._thumbs_drawn = None
            if not on:
                self._clear_thumbnails()
            self.refresh()

    def eventFilter(self, obj, event):
        """The canvas's viewport: the neuron under the mouse, if any."""
        t = event.type()
        if t == QEvent.Type.MouseMove:
            item = self.view.itemAt(event.position().toPoint())
            while item is not None and not isinstance(item, NeuronItem):
                item = item.parentItem()
            self.set_hovered(None if item is None else item.j)
        elif t == QEvent.Type.Leave:
            self.set_hovered(None)
        return False

    # -- refreshing ---------------------------------------------------------------------------------
    def _structure_changed(self, *_):
        self._data = None
        self.hovered = None
        self.request_refresh()

    def _refresh_if_shown(self):
        if not (self.on_screen() or self.thumbnails):
            self._stale = True
            return
        self.refresh()

    def _update(self):
        self._prepare()
        if self.mode == "none":
            self._clear_thumbnails()
            return
        if self.on_screen():
            self._draw()
        else:
            self._stale = True
        if self.thumbnails and self.mode == "plane":
            self._draw_thumbnails()

    def _prepare(self):
        """The grid, its expansion and the forward pass's buffers, made again only when the
        network or the data changed; the points drawn again with them."""
        c = self.controller
        test_x, test_t = getattr(c, "test_inputs", None), getattr(c, "test_targets", None)
        key = (c.network, c.inputs, c.targets, test_x, test_t)
        if self._data is not None and all(a is b for a, b in zip(key, self._data)):
            return
        self._data = key
        self._forward = self._theta = self._drawn = self._thumbs_drawn = None
        n_raw = raw_input_count(c)
        self.mode = {2: "plane", 1: "curve"}.get(n_raw, "none")
        if self.mode == "none":
            self.message.setText(NEEDS_TWO.format(n=c.network.sizes[0]))
            self.title.setText("Decision boundary: needs two inputs")
            self.stack.setCurrentWidget(self.message)
            self.grid = np.zeros((0, 2))
            self.values = np.zeros((0, 0))
            return
        self.stack.setCurrentWidget(self.plot)
        raw = [np.asarray(c.inputs, dtype=np.float64)[:, :n_raw]]
        if test_x is not None and test_t is not None and len(test_x):
            raw.append(np.asarray(test_x, dtype=np.float64)[:, :n_raw])
        data = np.vstack(raw)
        item = self.plot.getPlotItem()
        if self.mode == "plane":
            self.extent = plane_extent(data)
            self.grid = plane_grid(self.extent)
            (x0, x1), (y0, y1) = self.extent
            self.xs, self.ys = pixel_centres(x0, x1, GRID), pixel_centres(y0, y1, GRID)
            self.image.setRect(x0, y0, x1 - x0, y1 - y0)
            self._words = np.zeros((GRID, GRID), dtype=np.uint32)
            self._index = np.zeros((GRID, GRID), dtype=np.intp)
            self._scratch = np.zeros((GRID, GRID))
            self._set_axes("x1", "x2")
            item.setRange(xRange=self.extent[0], yRange=self.extent[1], padding=0)
            item.getViewBox().disableAutoRange()
        else:
            x0, x1 = line_extent(float(data[:, 0].min()), float(data[:, 0].max()))
            self.extent = ((x0, x1), None)
            self.grid = np.linspace(x0, x1, CURVE_POINTS)[:, None]
            self._set_axes("x1", "y")
            item.setXRange(x0, x1, padding=0)
            item.getViewBox().enableAutoRange(y=True)
        self.image.setVisible(self.mode == "plane")
        self.contour.setVisible(False)
        self.curve.setVisible(self.mode == "curve")
        self._forward = PlaneForward(c.network, expanded(c, self.grid))
        self._draw_points(n_raw, test_x, test_t)
        if self.mode != "plane":
            self._clear_thumbnails()

    def _set_axes(self, bottom, left):
        if self._axes != (bottom, left):
            self._axes = (bottom, left)
            item = self.plot.getPlotItem()
            item.getAxis("bottom").setLabel(bottom)
            item.getAxis("left").setLabel(left)
            style_plot_widget(self.plot)

    def _point_colours(self, targets, row, levels):
        return [pg.mkBrush(self.cmap.colour(t, levels)) for t in targets[:, row]]

    def _draw_points(self, n_raw, test_x, test_t):
        c = self.controller
        net = c.network
        out = output_neuron(net)
        row = net.layout.locate(out)[1]
        levels = self.neuron_levels(out, np.zeros(0))
        look = plots._look
        size = FEW_POINT_SIZE if len(c.inputs) <= FEW else POINT_SIZE
        x = c.inputs[:, 0]
        y = c.inputs[:, 1] if n_raw == 2 else c.targets[:, row]
        self.points.setData(x=x, y=y, size=size, pen=pg.mkPen(look.foreground, width=1),
                            brush=self._point_colours(c.targets, row, levels))
        if test_x is not None and test_t is not None and len(test_x):
            test_x, test_t = np.asarray(test_x), np.asarray(test_t)
            ty = test_x[:, 1] if n_raw == 2 else test_t[:, row]
            pens = [pg.mkPen(b.color(), width=TEST_PEN_WIDTH)
                    for b in self._point_colours(test_t, row, levels)]
            self.test_points.setData(x=test_x[:, 0], y=ty, size=size + 2, pen=pens,
                                     brush=pg.mkBrush(None))
            self.test_points.setVisible(True)
        else:
            self.test_points.setData(x=[], y=[])
            self.test_points.setVisible(False)

    def _evaluate(self):
        """The forward pass over the grid, unless the parameters are those of the last one.
        Returns whether it ran."""
        theta = self.controller.network.theta
        if self._theta is not None and np.array_equal(self._theta, theta):
            return False
        self._forward.run()
        self._theta = theta.copy()
        self.evaluations += 1
        return True

    def _draw(self):
        """The shown neuron's map (or curve) and the 0.5 line, when something changed."""
        t0 = time.perf_counter()
        self._evaluate()
        j = self.shown_neuron()
        state = (j, self._theta.tobytes(), self.mode)
        if state == self._drawn:
            return
        net = self.controller.network
        values = self._forward.values(j)
        self.neuron = j
        self.levels = self.neuron_levels(j, values)
        name = net.layout.neuron_label(j)
        if self.mode == "plane":
            self.values = values.reshape(GRID, GRID)
            self.cmap.paint(self.values, self.levels, self._words, self._index, self._scratch)
            self.image.setImage(self._words.view(np.uint8).reshape(GRID, GRID, 4),
                                autoLevels=False)
            self.image.render()  # the QImage now, so the time measured includes it
            self.last_seconds = time.perf_counter() - t0
            text = f"{name} over (x1, x2)"
            if is_classifier(net):
                out = output_neuron(net)
                cx, cy = contour_segments(self._forward.values(out).reshape(GRID, GRID), 0.5,
                                          self.xs, self.ys)
                self.contour.setData(cx, cy, connect="pairs")
                self.contour.setVisible(True)
                text += f"; line: {net.layout.neuron_label(out)} = 0.5"
        else:
            self.values = values.copy()
            self.curve.setData(self.grid[:, 0], np.nan_to_num(values, nan=0.0, posinf=1e300,
                                                              neginf=-1e300))
            self.last_seconds = time.perf_counter() - t0
            text = f"{name} over x1"
        self.title.setText(text)
        self.redraws += 1
        self._drawn = state

    # -- thumbnails ---------------------------------------------------------------------------------
    def _draw_thumbnails(self):
        self._evaluate()
        state = (self._theta.tobytes(), tuple(self.view.neurons.values()))
        if state == self._thumbs_drawn:
            return
        for j, item in self.view.neurons.items():
            values = self._forward.values(j).reshape(GRID, GRID)
            item.set_thumbnail(self.thumbnail(values, self.neuron_levels(j, values)))
        self._thumbs_drawn = state

    def thumbnail(self, values, levels):
        """A small QImage of ``values`` (GRID, GRID; row 0 at the bottom), top row first."""
        small = np.ascontiguousarray(values[::-THUMB_STEP, ::THUMB_STEP])
        words = self.cmap.paint(small, levels, np.empty(small.shape, dtype=np.uint32))
        h, w = small.shape
        return QImage(words.view(np.uint8).tobytes(), w, h, 4 * w,
                      QImage.Format.Format_RGBA8888).copy()

    def _clear_thumbnails(self):
        for item in self.view.neurons.values():
            item.set_thumbnail(None)
        self._thumbs_drawn = None


# -- installing it ---------------------------------------------------------------------------------
class DecisionBoundary(QObject):
    """The dock, its View menu toggle (Ctrl+B) and Neuron Maps (Ctrl+Shift+B) of one window."""

    DOCK_SHORTCUT = "Ctrl+B"
    MAPS_SHORTCUT = "Ctrl+Shift+B"

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel = BoundaryPanel(window.controller, window.view)
        self.dock = window.add_dock("boundary", "Decision boundary", self.panel,
                                    Qt.DockWidgetArea.BottomDockWidgetArea)
        # beside the outputs' bars, one tab away (the plot band keeps its three columns)
        window.tabifyDockWidget(window.docks["outputs"], self.dock)
        window.docks["outputs"].raise_()
        self.actionBoundary = window.add_action(
            "actionDecisionBoundary", "Decision Boundary", self.DOCK_SHORTCUT, self.toggle_dock,
            "The output over the input plane (x1, x2) with the data and the 0.5 line",
            checkable=True)
        self.actionNeuronMaps = window.add_action(
            "actionNeuronMaps", "Neuron Maps", self.MAPS_SHORTCUT, self.panel.set_thumbnails,
            "Each neuron's output over the input plane, faintly inside its circle",
            checkable=True)
        self.actionBoundary.setChecked(not self.dock.isHidden())
        self.dock.visibilityChanged.connect(self._visibility_changed)
        menu = self._view_menu()
        menu.addAction(self.actionBoundary)
        menu.addAction(self.actionNeuronMaps)

    def _view_menu(self):
        for a in self.window.menuBar().actions():
            if a.menu() is not None and a.text().replace("&", "") == "View":
                return a.menu()
        return self.window.menuBar().addMenu("&View")

    def _visibility_changed(self, visible):
        self.panel.set_in_front(visible)
        self.actionBoundary.setChecked(not self.dock.isHidden())

    def toggle_dock(self, *_):
        """Closed: open it in front. Open behind another tab: bring it to the front. In
        front: close it."""
        keyboard.toggle_dock(self.dock, self.panel.on_screen())
        self.actionBoundary.setChecked(not self.dock.isHidden())

    def show(self):
        """Open the dock in front."""
        self.dock.show()
        self.dock.raise_()


def install(window):
    """Add the decision boundary dock and Neuron Maps to ``window`` (a MainWindow)."""
    window.boundary = DecisionBoundary(window)

