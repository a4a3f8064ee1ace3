"""Live plots: the loss per step, every parameter per step, and the outputs against the targets.

Each plot makes its pyqtgraph items once (again only on ``structureChanged``) and feeds them with
``setData``. Training emits ``historyChanged`` every frame, so a plot redraws at most once per
``REFRESH_MS``: the first request redraws at once, the requests of the next ``REFRESH_MS`` are
folded into one redraw when it ends. A hidden plot (a closed dock) only notes that it is stale
and redraws when shown.

The x axis counts steps taken: the loss before step s + 1 is drawn at s (0 for the starting
loss), a parameter after step s + 1 at s + 1. Once the history's buckets hold several steps each,
every curve also ends in the latest value at the latest step, so the line ends where training is.
With "Log steps" (``logStepsCheck``, on the loss and the parameter plot) the x axis is
logarithmic, so the first hundred steps of a million-step run still take a third of its width;
step 0 has no logarithm, so there every value is drawn at the step it belongs to, counted from 1:
the loss step k started from at k (the history CSV's row k), a parameter after step k at k. The
first buckets are wide on that axis, so every bucket is drawn (none joined) and each one's
(min, max) pair in the order the curve goes there (``follow_trend``).

Data never reaches pyqtgraph with a NaN/Inf in it: points are filtered first, which lets
``setData`` skip pyqtgraph's own check. Any finite value draws (``drawable``): magnitudes beyond
``DRAW_MAX`` draw at ±``DRAW_MAX`` and non-zero ones below ``DRAW_MIN`` at 0, where pyqtgraph's
range, padding, tick and pixel-size arithmetic stays finite (its ViewBox stops at ±1e307, and
1.7e308 − (−1.7e308) is already Inf; a span of 1e-310 gives NaN pixel positions); on the log axis
values ≤ 0 draw a decade below the smallest positive one. The numbers shown as text (value labels,
CSV exports: ``real_data``) stay the real ones. A curve of a few points also marks each point, so
that one step, which draws no line, shows. ``History.curve`` returns at most 2 × capacity points
per column (min/max per bucket), few enough for 15 curves to redraw in a frame, so pyqtgraph's
downsampling and clip-to-view stay off (both were slower here while the x axis auto-ranges).
Measured costs that set the constants below: a curve pen wider than 1 px draws ~8× slower, and
minor grid lines add ~3 ms per axis per repaint.

The loss and parameter plots follow the data with pyqtgraph's auto-range (until the user pans or
zooms), helped by ``fit_view`` where it falls short (no data, a single value, data far outside
the view), and fit it afresh, auto-range back on, whenever the history restarts or shrinks
(Reset, Randomize, Undo, another lesson or file) or the loss axis switches between linear and
log.

Colours and font sizes come from the active ``Look`` (a theme and a font scale): ``use_look``
sets it and ``restyle_plots`` re-applies it to the plots already made.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QApplication, QCheckBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QVBoxLayout, QWidget)

from . import style
from .flow_layout import FlowLayout
from .style import fmt

REFRESH_MS = 100      # at most one redraw per this many milliseconds (10 per second)
COST_FACTOR = 20      # …and at most one per 20 times what the last one took
MAX_REFRESH_MS = 500  # …but at least two per second
MIN_POINTS = 400      # per curve, however narrow the plot
STAGGER_MS = 25       # plots redraw at least this far apart, so one frame paints one plot
FONT_PT = 11          # tick labels, list, checkbox, value labels
LABEL_PT = 12         # axis titles
LINE_WIDTH = 1        # every curve (cosmetic): wider pens cost ~8× the drawing time
SELECTED_WIDTH = 3    # the selected parameter's curve, the only wide one
Z_CURVE, Z_SELECTED = 0, 10
MAX_TICK_LEVEL = 0    # major ticks and grid lines only
CLICK_TOLERANCE_PX = 8
MARKER_MAX_POINTS = 30  # a curve of at most this many points also marks each point
MARKER_SIZE = 6
#: drawn values stay within these magnitudes (or are 0): 7 decades inside float64's ±1.8e308 and
#: ±2.2e-308, room for pyqtgraph's padding and zoom arithmetic; on a log axis 10^±300 also stays
#: inside the ±307.6 decades that its ViewBox allows there
DRAW_MAX = 1e300
DRAW_MIN = 1e-300
LOG_FLOOR_IF_NONE = 1e-16  # on a log axis, where a curve has no positive value to go below
FAR_VIEWS = 1e3  # data this many view spans outside the view is set in view at once
STEP_AXIS_MIN = -0.05  # the step axes show no negative steps (there are none): one step's view
#                        starts here rather than centring step 0 in −0.5 … 0.5
LOG_STEPS_TIP = ("Steps on a logarithmic axis (1, 10, 100, …): the first steps keep their room "
                 "however long training runs. Step 0 has no logarithm, so each value is drawn at "
                 "the step it belongs to, counted from 1: the loss step k started from at k, a "
                 "weight after step k at k.")

#: parameter curve colours, from Okabe–Ito and Paul Tol's muted set, all readable on white and
#: without the orange that marks the selection elsewhere; weights draw solid, biases dashed
PARAM_COLORS = tuple(QColor(c) for c in (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#999933", "#56B4E9", "#882255",
    "#44AA99", "#AA4499", "#117733", "#CC6677", "#000000", "#661100", "#B8860B"))
#: the same idea on dark backgrounds: light tints, none darker than 5:1 against black, and
#: no yellow (the dark themes' selection colour)
PARAM_COLORS_ON_DARK = tuple(QColor(c) for c in (
    "#56B4E9", "#F5793A", "#3FD0A4", "#E69ADB", "#A99CFF", "#C8C864", "#9FD8FF", "#FF7FA8",
    "#66D9C8", "#D58CFF", "#7EDB6A", "#FFA8A0", "#FFFFFF", "#C9A27E", "#B0B0B0"))


@dataclass(frozen=True)
class Look:
    """What every plot draws with: the colours of a ``style.Theme`` and a font scale."""

    background: QColor
    foreground: QColor   # axes, ticks, text, the loss curve, bar outlines
    output: QColor       # y_k bars
    target: QColor       # ob_k bars
    param_colors: tuple
    grid_alpha: float
    font_scale: float
    app_scale: float     # the application font's scale, which may be larger than the plots'

    @classmethod
    def of(cls, theme, font_scale=1.0, app_scale=None):
        dark = theme.dark
        return cls(background=theme.background, foreground=theme.foreground,
                   output=theme.positive,
                   target=QColor("#3FD0A4" if dark else "#009E73"),  # Okabe–Ito bluish green
                   param_colors=PARAM_COLORS_ON_DARK if dark else PARAM_COLORS,
                   # grid lines are drawn in the foreground colour; light on dark glares more
                   grid_alpha=0.2 if dark else 0.25, font_scale=font_scale,
                   app_scale=font_scale if app_scale is None else app_scale)


_look = Look.of(style.LIGHT)


def use_look(theme, font_scale=1.0, app_scale=None):
    """Make ``theme``'s colours at ``font_scale`` the plots' look (new plots use it; call
    ``restyle_plots`` for the ones already made); ``app_scale``: the scale the application
    font is at, when the plots' text is kept smaller than the rest."""
    global _look
    _look = Look.of(theme, font_scale, app_scale)


def restyle_plots(root):
    """Re-apply the active look to every plot inside the widget ``root``."""
    for plot in root.findChildren(_PlotBase):
        plot.restyle()


def param_color(index):
    """Parameter ``index``'s curve colour (the palette repeats after 15)."""
    colors = _look.param_colors
    return colors[index % len(colors)]


def param_pen(index, kind, selected=False):
    """The pen of parameter ``index``: its colour, dashed for a bias (``kind`` "b")."""
    pen = pg.mkPen(param_color(index), width=SELECTED_WIDTH if selected else LINE_WIDTH)
    if kind == "b":
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def finite_points(x, y):
    """(x, y) without the points where x or y is NaN/±Inf."""
    keep = np.isfinite(y) & np.isfinite(x)
    if keep.all():
        return x, y
    return x[keep], y[keep]


def drawable(y, log=False):
    """Finite values ``y`` as they are drawn: magnitudes above ``DRAW_MAX`` at ±``DRAW_MAX``,
    non-zero ones below ``DRAW_MIN`` at 0. For a log axis (``log``) positive values within
    [``DRAW_MIN``, ``DRAW_MAX``], and values ≤ 0, which have no logarithm, at a floor: the power
    of ten a decade or more below the smallest positive value (``LOG_FLOOR_IF_NONE`` if there is
    none)."""
    y = np.asarray(y, dtype=np.float64)
    if log:
        positive = y > 0
        y = np.clip(y, DRAW_MIN, DRAW_MAX)
        if not positive.all():
            y[~positive] = (10.0 ** (math.floor(math.log10(y[positive].min())) - 1)
                            if positive.any() else LOG_FLOOR_IF_NONE)
        return y
    y = np.clip(y, -DRAW_MAX, DRAW_MAX)
    y[np.abs(y) < DRAW_MIN] = 0.0
    return y


def set_curve(item, x, y, log=False):
    """Feed ``item`` (a PlotDataItem) with the finite part of (x, y), ``drawable`` (on a log
    axis with ``log``), marking each point when there are few. ``real_data(item)`` gives back
    the real values."""
    x, y = finite_points(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    item.real_data = (x, y)
    item.setSymbol("o" if len(x) <= MARKER_MAX_POINTS else None)
    item.setData(x, drawable(y, log), connect="all", skipFiniteCheck=True)


def real_data(item):
    """(x, y) that ``set_curve`` last gave ``item``, before ``drawable``: the real numbers."""
    return getattr(item, "real_data", None)


def style_curve(item, pen):
    """Draw ``item`` with ``pen``, and its markers (when it has some) in the pen's colour."""
    item.setPen(pen)
    color = QColor(pen.color())
    item.setSymbolPen(pg.mkPen(color))
    item.setSymbolBrush(pg.mkBrush(color))
    item.setSymbolSize(MARKER_SIZE)


def data_extent(items, log=False, log_x=False):
    """((x0, x1), (y0, y1)) spanned by the data of ``items`` (PlotDataItems; hidden ones do not
    count) in view units (log10 of y on a log axis, ``log``; log10 of x with ``log_x``), or None
    when they hold none."""
    xs, ys = [], []
    for item in items:
        x, y = item.getOriginalDataset()
        if item.isVisible() and x is not None and len(x):
            xs += [x.min(), x.max()]
            ys += [y.min(), y.max()]
    if not xs:
        return None
    y0, y1 = float(min(ys)), float(max(ys))
    if log:
        y0, y1 = math.log10(y0), math.log10(y1)
    x0, x1 = float(min(xs)), float(max(xs))
    if log_x:
        x0, x1 = math.log10(x0), math.log10(x1)
    return (x0, x1), (y0, y1)


def fit_view(plot_item, items, log=False, refit=False, log_x=False):
    """Keep the data of ``items`` in view on the axes of ``plot_item`` that follow the data
    (pyqtgraph's auto-range, on until the user pans or zooms); with ``refit``, set a range that
    fits the data now and turn auto-range back on. ``log``: the y axis is logarithmic; ``log_x``:
    the x axis (the data's x are then ≥ 1).

    pyqtgraph's auto-range falls short in three cases, and only there is the range set here:
    with no data it keeps the old range (which a log axis then reads as decades); around a
    single value it keeps the old span; and since it measures the data as drawn, which pyqtgraph
    limits to 1e6 view heights around the view, it approaches a value far outside by a factor
    of 1e6 per repaint. Elsewhere it is left alone (two auto-ranges would take turns)."""
    vb = plot_item.getViewBox()
    if refit:
        vb.enableAutoRange(x=True, y=True)
    extent = data_extent(items, log, log_x)
    ranges = {}
    for name, auto, view, axis in zip(("xRange", "yRange"), vb.autoRangeEnabled(),
                                      vb.viewRange(), (0, 1)):
        if auto is False:
            continue
        if extent is None:  # 0…1 steps (1…10 on a log axis); 0…1 (10^-1…10^0 on a log axis)
            ranges[name] = (-1.0, 0.0) if log and axis else (0.0, 1.0)
            continue
        lo, hi = extent[axis]
        far = FAR_VIEWS * (view[1] - view[0])
        if lo == hi:  # a step either side; half the value, or half a decade, either side
            half = 0.5 if axis == 0 or log or lo == 0 else abs(lo) / 2
            ranges[name] = (lo - half, hi + half)
        elif refit or lo < view[0] - far or hi > view[1] + far:
            ranges[name] = (lo, hi)
    if ranges:
        vb.setRange(**ranges, disableAutoRange=False)


def follow_trend(y):
    """``y`` of (min, max) pairs, each pair put in the order the curve goes there: (max, min)
    where the next pair lies lower, (min, max) elsewhere. On a linear step axis a pair is a
    pixel wide and its order does not show; on a log axis the first buckets are wide, and a
    falling loss drawn min-then-max would rise at the start of every bucket."""
    y = np.array(y, dtype=np.float64)
    lo, hi = y[0::2].copy(), y[1::2].copy()
    if len(lo) < 2:
        return y
    mid = (lo + hi) / 2
    falling = np.empty(len(mid), dtype=bool)
    falling[:-1] = mid[1:] < mid[:-1]
    falling[-1] = falling[-2]
    y[0::2] = np.where(falling, hi, lo)
    y[1::2] = np.where(falling, lo, hi)
    return y


def history_points(history, column, latest=None, x_offset=0.0, max_points=None, log_x=False):
    """(x, y) of one history column as drawn: ``History.curve`` (at most ``max_points``
    points) shifted by ``x_offset`` and numbered from the history's ``start`` (a lesson saved
    at step 200 without its history draws from 200 on), plus, once buckets hold several steps,
    the latest value (``latest``, the row from ``history.latest()``) at the latest step. At
    most 2 × capacity + 1 points. For a log step axis (``log_x``) every bucket is drawn
    (joining them evenly would blur the first steps, which take most of a log axis), each
    (min, max) pair in the order the curve goes (``follow_trend``)."""
    x, y = history.curve(column, None if log_x else max_points)
    if log_x and history.stride > 1:
        y = follow_trend(y)
    if history.stride > 1 and len(x):
        if latest is None:
            latest = history.latest()
        x = np.append(x, history.n_steps - 1)
        y = np.append(y, latest[column])
    if x_offset or history.start:
        x += x_offset + history.start
    return x, y


class Throttle(QObject):
    """Calls ``callback`` at most once per ``interval_ms``.

    ``request()`` calls it at once when it has not run in the last interval; the requests made
    within the interval are folded into one call when it ends, so the last state is drawn.
    """

    def __init__(self, callback, interval_ms=REFRESH_MS, parent=None):
        super().__init__(parent)
        self.callback = callback
        self.interval_ms = interval_ms
        self.cost_factor = COST_FACTOR
        self.pending = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._interval_over)

    def request(self, *_):
        # an interval that is over but whose timeout Qt has not delivered yet (a training slice
        # ran first) counts as over: waiting for it skipped every other slice
        if self.timer.isActive() and self.timer.remainingTime() > 0:
            self.pending = True
            return
        self.timer.stop()
        self.pending = False
        self._call()

    def _call(self):
        """Run the callback; the next may come after the interval, or after ``cost_factor``
        (COST_FACTOR) times what this one took: a plot of a hundred curves then redraws less often rather than
        taking the training's time (each plot keeps to about 1/COST_FACTOR of the time)."""
        t0 = time.perf_counter()
        self.timer.start(self.interval_ms)
        self.callback()
        took_ms = (time.perf_counter() - t0) * 1000
        if took_ms * self.cost_factor > self.interval_ms:
            self.timer.start(min(round(took_ms * self.cost_factor), MAX_REFRESH_MS))

    def retry_in(self, ms):
        """The callback could not run now: run it ``ms`` from now instead."""
        self.pending = True
        self.timer.start(ms)

    def _interval_over(self):
        if self.pending:
            self.pending = False
            self._call()


def plot_font(size=FONT_PT, bold=False):
    """A font of ``size`` points at the active font scale."""
    f = QFont()
    f.setPointSizeF(size * _look.font_scale)
    f.setBold(bold)
    return f


def nice_step(least):
    """The smallest 1, 2 or 5 × 10^k that is at least ``least`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(least))
    for factor in (1, 2, 5, 10):
        if factor * power >= least * (1 - 1e-12):
            return factor * power
    return 10 * power


class ReadableAxis(pg.AxisItem):
    """An axis whose tick labels never run into each other. pyqtgraph always draws every
    major tick's label and picks the spacing from the axis length alone, so large text (3×
    on a projector) wrote "0.20.40.60.8" over itself; here the spacing also leaves each label
    room for its own text (a "−0.888"'s width across, two text lines up). A ``whole`` axis
    (steps) never ticks between whole numbers on a linear scale: there is no step 0.5."""

    def __init__(self, orientation, whole=False, **kwargs):
        super().__init__(orientation, **kwargs)
        self.whole = whole

    def tickSpacing(self, minVal, maxVal, size):
        levels = self._spacing(minVal, maxVal, size)
        if self.whole and not self.logMode and levels:
            levels = [(sp, off) for sp, off in levels if sp >= 1] or [(1.0, 0)]
        return levels

    def _spacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        dif = abs(maxVal - minVal)
        if not levels or not math.isfinite(dif) or dif == 0 or size <= 0:
            return levels
        metrics = QFontMetricsF(self.style["tickFont"] or plot_font())
        room = (metrics.horizontalAdvance("−0.888") * 1.3 if self.orientation in ("top", "bottom")
                else metrics.height() * 2)
        least = nice_step(dif / max(size / room, 1.0))
        if levels[0][0] >= least:
            return levels
        return [(least, 0)]


def make_plot_widget(x_label, y_label, whole_x=False):
    """A PlotWidget with readable axes and a light grid at the major ticks. pyqtgraph's
    plot-options menu is off (it could switch downsampling, clip-to-view or a log axis behind
    the app's back); the view menu ("View All", export) stays."""
    w = pg.PlotWidget(axisItems={"bottom": ReadableAxis("bottom", whole=whole_x),
                                 "left": ReadableAxis("left")})
    item = w.getPlotItem()
    item.setMenuEnabled(False, enableViewBoxMenu=True)
    item.showGrid(x=True, y=True)
    for name, text in (("bottom", x_label), ("left", y_label)):
        axis = item.getAxis(name)
        axis.setStyle(maxTickLevel=MAX_TICK_LEVEL)
        axis.enableAutoSIPrefix(False)  # "value (x0.001)" reads badly; the ticks say it all
        if text:
            axis.setLabel(text)
    style_plot_widget(w)
    return w


def axis_label_style():
    """An axis title's colour and size in the active look."""
    return {"color": _look.foreground.name(), "font-size": f"{LABEL_PT * _look.font_scale:g}pt"}


def name_plot(w, name, description):
    """Give a PlotWidget its accessible name and description (no tooltip: one popping up over
    the curves whenever the pointer rests there would hide them from the class)."""
    w.setAccessibleName(name)
    w.setAccessibleDescription(description)


def style_plot_widget(w):
    """Give ``w`` (a PlotWidget) the active look: background, axes, grid, fonts."""
    look = _look
    w.setBackground(look.background)
    item = w.getPlotItem()
    label_style = axis_label_style()
    for name in ("bottom", "left"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(look.foreground))
        axis.setTextPen(pg.mkPen(look.foreground))
        axis.setStyle(tickFont=plot_font())
        if axis.grid is not False:  # the grid takes the axis pen's colour at this opacity
            axis.setGrid(round(look.grid_alpha * 255))
        if axis.labelText:
            axis.setLabel(axis.labelText, **label_style)


class _PlotBase(QWidget):
    """Shared plumbing: ``request_refresh`` (throttled, and deferred while hidden) and
    ``refresh`` (now)."""

    _last_refresh = 0.0  # when any plot last redrew (perf_counter seconds)
    logStepsChanged = Signal(bool)  # the step plots' "Log steps" box was switched

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self._stale = True
        self._refit = True  # fit the view afresh at the next redraw
        self._seen = (None, 0)  # (the history, its n_steps) at the last historyChanged
        self._throttle = Throttle(self._refresh_if_shown, REFRESH_MS, self)
        self.log_steps_check = None  # the step plots make one (``_make_log_steps_check``)
        self._log_steps = False  # the step axis is logarithmic (the box's state, once applied)

    def request_refresh(self, *_):
        self._throttle.request()

    def _history_changed(self, *_):
        """Redraw, and fit the view afresh when the history restarted or shrank (Reset,
        Randomize, Undo, another lesson): noted now, since more steps may come before the
        throttled redraw."""
        history = self.controller.history
        seen, n_steps = self._seen
        if history is not seen or history.n_steps < n_steps:
            self._refit = True
        self._seen = (history, history.n_steps)
        self.request_refresh()

    def _structure_changed(self, *_):
        self._refit = True
        self.request_refresh()

    def _fit(self, items, log=False):
        fit_view(self.plot.getPlotItem(), items, log, refit=self._refit, log_x=self.log_steps)
        self._refit = False

    # -- "Log steps": a logarithmic step axis (the loss and parameter plots) ----------------------
    def _make_log_steps_check(self, text):
        """The "Log steps" check box; ``text`` with its own Alt+letter (the two plots' boxes
        are one setting, kept in step by the window)."""
        box = QCheckBox(text, objectName="logStepsCheck")
        box.setAccessibleName("Log steps")
        box.setToolTip(LOG_STEPS_TIP)
        box.setAccessibleDescription(LOG_STEPS_TIP)
        box.toggled.connect(self.set_log_steps)
        self.log_steps_check = box
        return box

    @property
    def log_steps(self):
        """Is the step axis logarithmic?"""
        return self._log_steps

    def set_log_steps(self, on):
        """Make the step axis logarithmic (``on``) or linear; emits ``logStepsChanged`` when
        that is a change."""
        on = bool(on)
        if self.log_steps_check.isChecked() != on:
            self.log_steps_check.setChecked(on)  # comes back here through ``toggled``
            return
        if on == self._log_steps:
            return
        self._log_steps = on
        # as for the log scale (LossPlot.set_log_scale): data and a range valid in both units
        # before the axis turns log (a linear 0 … 2e6 read as decades would hang pyqtgraph)
        self._refit = True
        item = self.plot.getPlotItem()
        if on:
            self._update()
            item.setLogMode(x=True, y=None)
        else:
            item.setLogMode(x=False, y=None)
            self._update()
        self._label_step_axis()
        self.logStepsChanged.emit(on)

    def _label_step_axis(self):
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setLabel(self.STEP_LABELS[self.log_steps], **axis_label_style())

    def _stack(self, top):
        """Lay out a row of controls (``top``) above the plot, which takes the rest."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)

    def max_points(self):
        """Points per curve worth drawing: two per pixel of plot width (a min and a max), more
        would only cost drawing time."""
        return max(2 * self.width(), MIN_POINTS)

    def _refresh_if_shown(self):
        if not self.isVisible():
            self._stale = True
            return
        # one plot per frame: the window paints all dirty widgets in one go, and three plots
        # redrawn together would hold the event loop for longer than a frame
        now = time.perf_counter()
        if now - _PlotBase._last_refresh < STAGGER_MS / 1000:
            self._throttle.retry_in(STAGGER_MS)
            return
        _PlotBase._last_refresh = now
        self.refresh()

    def refresh(self):
        """Redraw from the controller now."""
        self._stale = False
        self._update()

    def restyle(self):
        """Apply the active look (after ``use_look``): colours and font sizes."""
        # the list, the check box and the legend: the platform's font size, at least FONT_PT,
        # at the plots' scale (the application font is at its own)
        platform_pt = QApplication.font().pointSizeF() / _look.app_scale
        self.setFont(plot_font(max(platform_pt, FONT_PT)))
        style_plot_widget(self.plot)
        self._style_items()

    def _style_items(self):
        """Colour this plot's own items from the active look."""
        raise NotImplementedError

    def _update(self):
        raise NotImplementedError

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.refresh()


MAX_TEST_POINTS = 4096  # the test loss curve keeps at most this many points (thinned)
ACCURACY_TIP = ("The share of samples classified right at the parameters shown (one output: "
                "y ≥ 0.5 means class 1; several: the largest output), training and test samples")


def holdout_colour():
    """The test loss curve's colour: Okabe–Ito vermillion (lighter on dark themes); it is also
    dashed, so it differs from the training loss without colour."""
    return QColor("#F5793A" if _look.background.lightnessF() < 0.5 else "#D55E00")


def accuracy_text(controller):
    """"accuracy 97.5 % (test 95.0 %)", training samples and test samples, for a classifier (sigmoid or softmax outputs, 0/1
    targets), "" otherwise."""
    c = controller
    if c.network.activations[-1] not in ("sigmoid", "softmax"):
        return ""
    train = c.accuracy()
    if train is None:
        return ""
    text = f"accuracy {fmt(100 * train, 1)} %"
    test = c.accuracy(test=True)
    return text + (f" (test {fmt(100 * test, 1)} %)" if test is not None else "")


class HoldoutTrack:
    """The test loss, sampled when the loss plot redraws (at most ten times a second while
    training, never per step): ``steps`` (the steps taken when sampled) and ``losses`` (L over
    the test samples there). Sampling step s drops the points at s and after it, so Undo,
    Reset and Randomize leave no points from another past; another network or test set starts
    afresh."""

    def __init__(self):
        self.key = None
        self.steps = np.zeros(0, dtype=np.int64)
        self.losses = np.zeros(0)

    def clear(self):
        self.steps, self.losses = self.steps[:0], self.losses[:0]

    def record(self, controller):
        c = controller
        key = (c.network, c.test_inputs, c.test_targets)
        if self.key is None or any(a is not b for a, b in zip(key, self.key)):
            self.clear()
        self.key = key
        if not len(c.test_inputs):
            return
        with np.errstate(all="ignore"):
            loss = c.test_loss()
        s = c.step_count
        keep = self.steps < s
        self.steps = np.append(self.steps[keep], s)
        self.losses = np.append(self.losses[keep], loss)
        if len(self.steps) > MAX_TEST_POINTS:  # every other point, the newest kept
            self.steps, self.losses = self.steps[::-2][::-1], self.losses[::-2][::-1]


class LossPlot(_PlotBase):
    """The loss before each step against the step number, with a log-scale switch
    (``logScaleCheck``) and a log-steps switch (``logStepsCheck``)."""

    #: the step axis' title, linear and logarithmic
    STEP_LABELS = ("step", "step k (log), L before it")

    def __init__(self, controller, parent=None):
        super().__init__(controller, parent)
        self.setObjectName("lossPlot")
        self.plot = make_plot_widget("step", "loss L", whole_x=True)
        self.plot.setObjectName("lossPlotView")
        name_plot(self.plot, "Loss plot", "The loss L before each step against the step number")
        self.plot.getPlotItem().getViewBox().setLimits(xMin=STEP_AXIS_MIN)
        self.curve = self.plot.plot()
        self.log_check = QCheckBox("&Log scale")
        self.log_check.setObjectName("logScaleCheck")
        self.log_check.setAccessibleName("Log scale")
        tip = ("Show the loss on a logarithmic axis (a loss of exactly 0 has no logarithm: it is "
               "drawn a decade below the smallest positive loss shown)")
        self.log_check.setToolTip(tip)
        self.log_check.setAccessibleDescription(tip)
        self.log_check.toggled.connect(self.set_log_scale)
        self._make_log_steps_check("Log &steps")

        # the test loss beside the training loss, and the accuracy of a classifier
        self.test_curve = self.plot.plot()
        self.test_track = HoldoutTrack()
        self.legend = QLabel(objectName="lossLegend")
        self.accuracy_label = QLabel(objectName="accuracyLabel")
        self.accuracy_label.setAccessibleName("Accuracy")
        self.accuracy_label.setToolTip(ACCURACY_TIP)

        top = FlowLayout(align_right=True)  # wraps at large text rather than cutting off
        top.addWidget(self.legend)
        top.addWidget(self.log_check)
        top.addWidget(self.log_steps_check)
        top.addWidget(self.accuracy_label)  # last: it wraps onto a row of its own first
        self._stack(top)

        controller.historyChanged.connect(self._history_changed)
        controller.structureChanged.connect(self._structure_changed)
        controller.changed.connect(self.request_refresh)  # an edit moves the test loss too
        self.restyle()
        self.refresh()

    logScaleChanged = Signal(bool)

    def _style_items(self):
        style_curve(self.curve, pg.mkPen(_look.foreground, width=LINE_WIDTH))
        colour = holdout_colour()
        pen = pg.mkPen(colour, width=LINE_WIDTH)
        pen.setStyle(Qt.PenStyle.DashLine)
        style_curve(self.test_curve, pen)
        self.legend.setText(
            f'<span style="color:{_look.foreground.name()}">━</span> train L&nbsp;&nbsp;'
            f'<span style="color:{colour.name()}">╍</span> test L')

    @property
    def log_scale(self):
        return self.log_check.isChecked()

    def set_log_scale(self, on):
        on = bool(on)
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # comes back here through ``toggled``
            return
        item = self.plot.getPlotItem()
        # pyqtgraph's switch keeps the view range as it was, in the old axis' units, until its
        # auto-range finds data to replace it: a linear −3e4 … 5e5 read as decades 10^−3e4 …
        # 10^5e5 made its log axis list 9 ticks per decade, millions, and hang. So the data and a
        # range that is valid in both units are set before the axis turns log, and again after
        # it turns back.
        self._refit = True
        if on:
            self._update()
            item.setLogMode(x=None, y=True)
        else:
            item.setLogMode(x=None, y=False)
            self._update()
        self.logScaleChanged.emit(on)

    def _update(self):
        # on a log step axis the loss step k started from is drawn at k (step 0 has no log)
        x, y = history_points(self.controller.history, 0, x_offset=float(self.log_steps),
                              max_points=self.max_points(), log_x=self.log_steps)
        set_curve(self.curve, x, y, log=self.log_scale)
        c = self.controller
        track = self.test_track
        track.record(c)
        has_test = len(track.steps) > 0
        if has_test:
            set_curve(self.test_curve, track.steps + float(self.log_steps), track.losses,
                      log=self.log_scale)
        elif self.test_curve.getData()[0] is not None:
            self.test_curve.clear()
        self.legend.setVisible(has_test)
        self._fit([self.curve, self.test_curve] if has_test else [self.curve],
                  log=self.log_scale)
        text = accuracy_text(c)
        self.accuracy_label.setVisible(bool(text))
        if self.accuracy_label.text() != text:
            self.accuracy_label.setText(text)


class CurveList(QListWidget):
    """The parameter plot's list of curves: Return (or Enter) ticks or unticks the current row,
    since Space, which does that in a plain list, steps everywhere in the window."""

    def keyPressEvent(self, event):
        row = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and row is not None:
            row.setCheckState(Qt.CheckState.Unchecked if row.checkState() == Qt.CheckState.Checked
                              else Qt.CheckState.Checked)
            return
        super().keyPressEvent(event)


class ParameterPlot(_PlotBase):
    """Every weight and bias against the step number. The list (``parameterList``) has a
    checkable row per parameter that shows or hides its curve; clicking a curve or a row selects
    that parameter, and the controller's selection highlights its curve and row."""

    STEP_LABELS = ("step", "step k (log)")

    def __init__(self, controller, parent=None):
        super().__init__(controller, parent)
        self.setObjectName("weightPlot")
        self.plot = make_plot_widget("step", "value", whole_x=True)
        self.plot.setObjectName("weightPlotView")
        name_plot(self.plot, "Weights and biases plot",
                  "Every weight (solid) and bias (dashed) after each step against the step "
                  "number")
        self.plot.getPlotItem().getViewBox().setLimits(xMin=STEP_AXIS_MIN)
        self.list = CurveList()
        self.list.setObjectName("parameterList")
        self.list.setAccessibleName("Curves shown")
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        tip = ("Tick a parameter to show its curve (keyboard: Return ticks or unticks the current "
               "row); click a row or a curve to select the parameter")
        self.list.setToolTip(tip)
        self.list.setAccessibleDescription(tip)
        self.list.setIconSize(QSize(22, 10))
        self.list.setMaximumWidth(130)
        self.list.itemChanged.connect(self._row_changed)
        self.list.itemSelectionChanged.connect(self._row_selected)
        self.curves = []      # PlotDataItem per parameter index
        self.keys = []        # ("w", i, j) / ("b", j) per parameter index
        self.selected = None  # index of the highlighted parameter
        self._make_log_steps_check("L&og steps")

        side = QVBoxLayout()
        side.addWidget(self.list, 1)
        side.addWidget(self.log_steps_check)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addLayout(side)

        controller.structureChanged.connect(self.rebuild)
        controller.historyChanged.connect(self._history_changed)
        controller.selectionChanged.connect(self.show_selection)
        self.restyle()
        self.rebuild()

    def _style_items(self):
        for index, (curve, key) in enumerate(zip(self.curves, self.keys)):
            style_curve(curve, param_pen(index, key[0], selected=index == self.selected))
            self.list.item(index).setIcon(self._swatch(index, key[0]))

    # -- building ---------------------------------------------------------------------------------
    def rebuild(self):
        """One curve and one list row per parameter of the controller's current network."""
        item = self.plot.getPlotItem()
        for curve in self.curves:
            item.removeItem(curve)
        self.list.blockSignals(True)
        self.list.clear()
        self.curves, self.keys, self.selected = [], [], None
        for p in self.controller.network.parameters():
            curve = item.plot()
            style_curve(curve, param_pen(p.index, p.kind))
            curve.setZValue(Z_CURVE)
            curve.setCurveClickable(True, width=CLICK_TOLERANCE_PX)
            curve.sigClicked.connect(lambda *_, index=p.index: self._curve_clicked(index))
            self.curves.append(curve)
            self.keys.append(self.controller.key_of_param(p.index))
            row = QListWidgetItem(self._swatch(p.index, p.kind), p.label)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            row.setData(Qt.ItemDataRole.UserRole, p.index)
            self.list.addItem(row)
        self.list.blockSignals(False)
        self._refit = True
        self.refresh()
        self.show_selection(self.controller.selection)

    @staticmethod
    def _swatch(index, kind):
        """The list row's icon: a short stroke of the curve's pen."""
        pix = QPixmap(22, 10)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        pen = QPen(param_pen(index, kind))
        pen.setWidthF(3)
        painter.setPen(pen)
        painter.drawLine(1, 5, 21, 5)
        painter.end()
        return QIcon(pix)

    # -- data ---------------------------------------------------------------------------------------
    def _update(self):
        history = self.controller.history
        latest = history.latest()
        max_points = self.max_points()
        for p, curve in enumerate(self.curves):  # after step s + 1 at s + 1, on either axis
            x, y = history_points(history, 1 + p, latest, x_offset=1.0, max_points=max_points,
                                  log_x=self.log_steps)
            set_curve(curve, x, y)
        self._fit(self.curves)

    # -- showing and hiding ---------------------------------------------------------------------
    def set_parameter_visible(self, index, visible):
        self.list.item(index).setCheckState(Qt.CheckState.Checked if visible
                                            else Qt.CheckState.Unchecked)

    def is_parameter_visible(self, index):
        return self.curves[index].isVisible()

    def _row_changed(self, row):
        index = row.data(Qt.ItemDataRole.UserRole)
        self.curves[index].setVisible(row.checkState() == Qt.CheckState.Checked)
        self._fit(self.curves)  # the view follows the curves shown


    # -- selection ----------------------------------------------------------------------------------
    def _curve_clicked(self, index):
        self.controller.select(self.keys[index])

    def _row_selected(self):
        rows = self.list.selectedItems()
        if rows:
            self.controller.select(self.keys[rows[0].data(Qt.ItemDataRole.UserRole)])

    def show_selection(self, key):
        """Highlight the curve of ``key`` (a weight or bias key) and select its row; any other
        key, or None, clears the highlight."""
        index = self.keys.index(key) if key in self.keys else None
        if self.selected is not None:
            old = self.selected
            style_curve(self.curves[old], param_pen(old, self.keys[old][0]))
            self.curves[old].setZValue(Z_CURVE)
        self.selected = index
        self.list.blockSignals(True)
        if index is None:
            self.list.clearSelection()
        else:
            style_curve(self.curves[index], param_pen(index, key[0], selected=True))
            self.curves[index].setZValue(Z_SELECTED)
            self.list.setCurrentRow(index)
            self.list.scrollToItem(self.list.item(index))
        self.list.blockSignals(False)


class OutputPlot(_PlotBase):
    """The shown sample's outputs y_k beside their targets ob_k: a pair of bars per output
    neuron, ticked y5 / ob5 …, each bar labelled with its value."""

    BAR_WIDTH = 0.38
    OFFSET = 0.21  # y_k's bar at c − OFFSET, ob_k's at c + OFFSET (c: output position 0, 1, …)

    def __init__(self, controller, parent=None):
        super().__init__(controller, parent)
        self.setObjectName("outputPlot")
        self.plot = make_plot_widget("", "value")
        self.plot.setObjectName("outputPlotView")
        name_plot(self.plot, "Outputs and targets plot",
                  "The shown sample's outputs y beside their targets ob, one pair of bars per "
                  "output neuron")
        self.plot.setMouseEnabled(x=False, y=False)
        view = self.plot.getPlotItem()
        view.hideButtons()
        view.showGrid(x=False, y=True)
        self.zero_line = pg.InfiniteLine(pos=0, angle=0)
        view.addItem(self.zero_line)
        self.output_bars = pg.BarGraphItem(x=[], height=[], width=self.BAR_WIDTH)
        self.target_bars = pg.BarGraphItem(x=[], height=[], width=self.BAR_WIDTH)
        view.addItem(self.output_bars)
        view.addItem(self.target_bars)
        self.value_labels = []  # a TextItem per bar: the outputs', then the targets'
        self.neurons = []       # output neuron numbers
        self.outputs = np.zeros(0)
        self.targets = np.zeros(0)

        self.sample_label = QLabel()
        self.sample_label.setObjectName("outputSampleLabel")
        # the legend sits above the plot, where it never covers a bar
        self.legend = QLabel()
        self.legend.setObjectName("outputLegend")
        top = FlowLayout()
        top.addWidget(self.sample_label)
        top.addWidget(self.legend)
        self._stack(top)

        view.vb.sigResized.connect(self._fit_value_labels)
        controller.structureChanged.connect(self.rebuild)
        controller.changed.connect(self.request_refresh)
        self.restyle()
        self.rebuild()

    def _style_items(self):
        look = _look
        self.zero_line.setPen(pg.mkPen(look.foreground, width=1))
        for bars, colour in ((self.output_bars, look.output), (self.target_bars, look.target)):
            bars.setOpts(brush=colour, pen=pg.mkPen(look.foreground))
        for label in self.value_labels:
            label.setColor(look.foreground)
            label.setFont(plot_font())
        self.legend.setText(
            f'<span style="color:{look.output.name()}">■</span> y output&nbsp;&nbsp;&nbsp;'
            f'<span style="color:{look.target.name()}">■</span> ob target')
        self._fit_value_labels()  # the labels' widths changed with their font

    def rebuild(self):
        """Ticks and value labels for the current network's output neurons."""
        view = self.plot.getPlotItem()
        for label in self.value_labels:
            view.removeItem(label)
        lay = self.controller.network.layout
        self.neurons = list(lay.neurons(len(lay.sizes) - 1))
        n = len(self.neurons)
        self.value_labels = []
        for _ in range(2 * n):
            label = pg.TextItem(color=_look.foreground)
            label.setFont(plot_font())
            view.addItem(label)
            self.value_labels.append(label)
        ticks = []
        for c, j in enumerate(self.neurons):
            ticks += [(c - self.OFFSET, f"y{j}"), (c + self.OFFSET, f"ob{j}")]
        view.getAxis("bottom").setTicks([ticks, []])
        view.setXRange(-0.6, n - 0.4, padding=0)
        self.refresh()

    def _update(self):
        c = self.controller
        rec, s = c.sample_record, c.sample_row
        self.outputs = np.array([rec.out(j, s) for j in self.neurons], dtype=np.float64)
        self.targets = np.array(c.targets[c.sample], dtype=np.float64)
        pos = np.arange(len(self.neurons), dtype=np.float64)
        xs = np.concatenate((pos - self.OFFSET, pos + self.OFFSET))
        values = np.concatenate((self.outputs, self.targets))
        finite = np.isfinite(values)
        drawn = drawable(np.where(finite, values, 0.0))  # a non-finite value at 0
        self._set_bars(self.output_bars, pos - self.OFFSET, self.outputs)
        self._set_bars(self.target_bars, pos + self.OFFSET, self.targets)
        for label, x, v, d in zip(self.value_labels, xs, values, drawn):
            label.setText(fmt(v))  # the real number; "—" for a non-finite value
            label.setAnchor((0.5, 1.0) if d >= 0 else (0.5, 0.0))  # beyond the bar's end
            label.setPos(x, float(d))
        shown = drawn[finite]
        lo = min(0.0, float(shown.min())) if len(shown) else 0.0
        hi = max(0.0, float(shown.max())) if len(shown) else 1.0
        if hi - lo < 1e-12:
            hi = lo + 1.0
        room = 0.18 * (hi - lo)  # for the value labels beyond the bars' ends
        self.plot.getPlotItem().setYRange(lo - (room if lo < 0 else 0.04 * (hi - lo)),
                                          hi + (room if hi > 0 else 0.04 * (hi - lo)),
                                          padding=0)
        n = len(c.inputs)
        self.sample_label.setText(f"sample {c.sample + 1} of {n}" if n > 1 else "")
        self._fit_value_labels()

    def _fit_value_labels(self, *_):
        """Show the value labels only when no two neighbours overlap (many outputs in a narrow
        plot leave no room; the canvas shows the numbers too)."""
        if not self.value_labels:
            return
        vb = self.plot.getPlotItem().vb
        (x0, x1), _ = vb.viewRange()
        gap = 2 * self.OFFSET * vb.width() / max(x1 - x0, 1e-9)  # px between neighbours
        n = len(self.neurons)
        in_x_order = [label for c in range(n) for label in (self.value_labels[c],
                                                             self.value_labels[n + c])]
        widths = [label.textItem.boundingRect().width()
                  - 2 * label.textItem.document().documentMargin() for label in in_x_order]
        fits = all((a + b) / 2 + 2 <= gap for a, b in zip(widths, widths[1:]))
        for label in self.value_labels:
            label.setVisible(fits)

    def _set_bars(self, bars, x, heights):
        keep = np.isfinite(heights)
        bars.setOpts(x=x[keep], height=drawable(heights[keep]), width=self.BAR_WIDTH)
