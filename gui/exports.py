"""Exports: the network diagram as PNG or SVG, a plot as PNG or its data as CSV (pyqtgraph's
``ImageExporter`` and ``CSVExporter``), and the whole training history as CSV.

Every file is written atomically (``engine.atomic``): a failed export leaves an existing file as
it was. Numbers in the CSV files are written with the shortest text that reads back as the same
float64 (``repr``), so they equal the engine's values exactly. Failures raise ``ExportError`` with
a one-line message.
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np
from pyqtgraph.exporters import CSVExporter, ImageExporter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from engine.atomic import atomic_path, atomic_write

from .plots import real_data

SCALE = 2.0          # PNG pixels per screen pixel: crisp on a projector
MARGIN = 12.0        # scene units of background around the diagram
MAX_SIDE_PX = 16000  # a PNG side is never longer than this (the scale shrinks instead)


def number_text(v) -> str:
    """``v`` as the shortest text that reads back as the same float64: ``repr``, except that
    whole numbers have no ``.0`` (steps read ``12``, not ``12.0``)."""
    v = float(v)
    if v.is_integer() and abs(v) < 2**53:
        return str(int(v)) if v or math.copysign(1, v) > 0 else "-0"
    return repr(v)


class ExportError(OSError):
    """An export that could not be made or written; the message is one line."""


def _write(path, data):
    try:
        atomic_write(path, data)
    except OSError as e:
        raise ExportError(f"cannot write the file: {e.strerror or e}") from None


def _png_bytes(image: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise ExportError("the image could not be encoded as PNG")
    return bytes(buf.data())


# -- the diagram -----------------------------------------------------------------------------------
def diagram_rect(view) -> QRectF:
    """The part of the scene an export shows: the laid-out network and everything drawn around
    it, with a margin."""
    scene = view.scene()
    rect = scene.sceneRect().united(scene.itemsBoundingRect())
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _render(view, painter, target: QRectF, source: QRectF):
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    painter.fillRect(target, view.backgroundBrush())
    view.scene().render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)


def diagram_image(view, scale=SCALE) -> QImage:
    """The network diagram at ``scale`` image pixels per scene unit (the canvas draws one scene
    unit as about one screen pixel at its fitted size), on the canvas's background."""
    source = diagram_rect(view)
    if source.isEmpty():
        raise ExportError("there is no diagram to export")
    scale = min(float(scale), MAX_SIDE_PX / max(source.width(), source.height()))
    w, h = max(1, math.ceil(source.width() * scale)), max(1, math.ceil(source.height() * scale))
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(view.backgroundBrush().color())
    painter = QPainter(image)
    try:
        _render(view, painter, QRectF(0, 0, w, h), source)
    finally:
        painter.end()
    return image


def export_diagram_png(view, path, scale=SCALE):
    _write(path, _png_bytes(diagram_image(view, scale)))


def _svg(w, h, title, paint) -> bytes:
    """SVG of ``w`` × ``h`` units (one per CSS pixel) drawn by ``paint(painter)``."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRect(0, 0, w, h))
    gen.setResolution(96)  # one unit is one CSS pixel
    gen.setTitle(title)
    gen.setDescription("Exported from Backprop Lab")
    painter = QPainter(gen)
    try:
        paint(painter)
    finally:
        painter.end()
    buf.close()
    return bytes(data)


def diagram_svg(view, title="Backprop Lab network") -> bytes:
    """The network diagram as SVG (vector: text stays text), one unit per scene unit."""
    source = diagram_rect(view)
    if source.isEmpty():
        raise ExportError("there is no diagram to export")
    w, h = math.ceil(source.width()), math.ceil(source.height())
    return _svg(w, h, title, lambda painter: _render(view, painter, QRectF(0, 0, w, h), source))


def export_diagram_svg(view, path):
    _write(path, diagram_svg(view))


# -- plots -----------------------------------------------------------------------------------------
def plot_image(plot_widget, scale=SCALE) -> QImage:
    """A pyqtgraph PlotWidget as an image ``scale`` × its size on screen (ImageExporter)."""
    exporter = ImageExporter(plot_widget.getPlotItem())
    width = int(exporter.params["width"])
    if width < 2 or int(exporter.params["height"]) < 2:
        raise ExportError("the plot has no size yet: show its panel first")
    exporter.params["width"] = int(width * scale)  # the height follows (aspect kept)
    image = exporter.export(toBytes=True)
    if image is None or image.isNull():
        raise ExportError("the plot could not be drawn")
    return image


def export_plot_png(plot_widget, path, scale=SCALE):
    _write(path, _png_bytes(plot_image(plot_widget, scale)))


def plot_svg(plot_widget, title="Backprop Lab plot") -> bytes:
    """A pyqtgraph PlotWidget as SVG at its size on screen (vector: curves stay lines, text
    stays text). pyqtgraph's own SVGExporter fails on the paths this Qt writes."""
    w, h = plot_widget.viewport().width(), plot_widget.viewport().height()
    if w < 2 or h < 2:
        raise ExportError("the plot has no size yet: show its panel first")
    source = plot_widget.mapToScene(plot_widget.viewport().rect()).boundingRect()
    return _svg(w, h, title, lambda painter: _render(plot_widget, painter,
                                                     QRectF(0, 0, w, h), source))


def export_plot_svg(plot_widget, path):
    _write(path, plot_svg(plot_widget))


class _NamedCSVExporter(CSVExporter):
    """pyqtgraph's CSVExporter with the app's column names: ``x_name`` for the x column and
    each curve's name from ``names`` (curve → name); the numbers are the real ones
    (``gui.plots.real_data``, not the values clipped to draw), written by ``number_text`` (the
    exporter writes text cells as they are), so they read back exactly."""

    def __init__(self, item, names, x_name):
        super().__init__(item)
        self.names = {id(k): v for k, v in names.items()}
        self.x_name = x_name

    def _exportPlotDataItem(self, plotDataItem):
        before = len(self.header)
        n_data = len(self.data)
        super()._exportPlotDataItem(plotDataItem)
        if len(self.data) > n_data:
            real = real_data(plotDataItem)  # what the plot drew, before clipping it to draw
            if real is not None:
                self.data[-1] = list(real) if len(self.data[-1]) == 2 else [real[1]]
            self.data[-1] = [[number_text(v) for v in column] for column in self.data[-1]]
        added = len(self.header) - before
        name = self.names.get(id(plotDataItem))
        if added == 2:
            self.header[-2] = self.x_name
        if added and name is not None:
            self.header[-1] = name


def export_plot_csv(plot_widget, path, names=None, x_name="step"):
    """The data of every curve in a PlotWidget as CSV (CSVExporter): one x column shared by all
    curves when their x values are the same, else an x column before each curve."""
    item = plot_widget.getPlotItem()
    curves = [c for c in item.listDataItems() if c.getData()[0] is not None]
    if not curves:
        raise ExportError("the plot has no data to export")
    xs = [c.getOriginalDataset()[0] for c in curves]
    shared = all(len(x) == len(xs[0]) and np.array_equal(x, xs[0]) for x in xs)
    exporter = _NamedCSVExporter(item, names or {}, x_name)
    exporter.params["columnMode"] = "(x,y,y,y) for all plots" if shared else "(x,y) per plot"
    try:
        with atomic_path(path) as tmp:
            exporter.export(tmp)
    except OSError as e:
        raise ExportError(f"cannot write the file: {e.strerror or e}") from None


# -- the history -----------------------------------------------------------------------------------
def history_rows(history):
    """(step numbers, values): one row per stored bucket, its last step and the values at that
    step — the loss the step started from, then every parameter after it. While every bucket
    holds one step (stride 1) that is every step; once the history has been thinned, every
    ``stride``-th step."""
    n = history.n_buckets
    steps = np.minimum(np.arange(1, n + 1, dtype=np.int64) * history.stride, history.n_steps)
    return steps, history.last[:n]


def history_csv(history, labels) -> str:
    """The history as CSV text: ``step,loss,<labels…>`` then one row per stored step."""
    steps, values = history_rows(history)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["step", "loss", *labels])
    for step, row in zip(steps.tolist(), values.tolist()):
        w.writerow([step, *map(number_text, row)])
    return out.getvalue()


def export_history_csv(history, labels, path):
    if history.n_buckets == 0:
        raise ExportError("there is no history yet: take a step first")
    _write(path, history_csv(history, labels))


def compared_loss_csv(histories) -> str:
    """Several runs' loss as CSV text: ``step`` then one column per run (``histories``: column
    name → History), one row per step any of them stored (as ``history_csv``: row k is the loss
    step k started from, counted from each history's start); a run without that step leaves
    its cell empty."""
    columns = {}
    for name, history in histories.items():
        steps, values = history_rows(history)
        columns[name] = dict(zip((steps + history.start).tolist(), values[:, 0].tolist()))
    all_steps = sorted(set().union(*(c.keys() for c in columns.values())))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["step", *(f"L ({name})" for name in columns)])
    for step in all_steps:
        w.writerow([step, *(number_text(c[step]) if step in c else "" for c in columns.values())])
    return out.getvalue()


def export_compared_loss_csv(histories, path):
    if not any(h.n_buckets for h in histories.values()):
        raise ExportError("there is no history yet: take a step first")
    _write(path, compared_loss_csv(histories))
