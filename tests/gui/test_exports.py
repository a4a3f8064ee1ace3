"""Exports: the diagram as PNG and SVG, the plots as PNG and their data as CSV, the history as
CSV — valid files whose numbers are the engine's, exactly; written atomically."""
import csv
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from engine import atomic
from engine.lesson import load_preset
from gui import exports
from tests.gui.files_helpers import (  # noqa: F401 (fixtures)
    dialogs,
    isolated_settings,
    make_window,
    window,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def reference_run(lesson, steps):
    """The engine's own losses and parameters for ``steps`` steps of ``lesson`` (a fresh copy),
    computed without the GUI."""
    net = lesson.network.copy()
    params = np.empty((steps, net.n_params))
    losses = net.train(lesson.inputs, lesson.targets, lesson.lr, steps, lesson.batch_size,
                       params_out=params)
    return losses, params


def read_csv(path):
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    return rows[0], rows[1:]


def assert_png(path, min_size=None):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    image = QImage()
    assert image.loadFromData(data, "PNG") and not image.isNull()
    if min_size:
        assert image.width() >= min_size[0] and image.height() >= min_size[1]
    return image


def test_diagram_png_is_twice_the_scene_and_not_blank(window, tmp_path):
    path = tmp_path / "diagram.png"
    assert window.files.export("diagram_png", str(path))
    rect = exports.diagram_rect(window.view)
    image = assert_png(path, (2 * rect.width() - 1, 2 * rect.height() - 1))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 10  # drawn, not an empty canvas
    assert image.pixel(0, 0) == window.view.backgroundBrush().color().rgba()


def test_diagram_svg_parses_and_holds_the_labels(window, tmp_path):
    path = tmp_path / "diagram.svg"
    assert window.files.export("diagram_svg", str(path))
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    for label in ("x1", "y5", "w35", "b3"):
        assert label in text, label


def test_loss_plot_png_and_csv_equal_the_engine(window, tmp_path):
    c = window.controller
    losses, _ = reference_run(load_preset("notes_linear"), 25)
    c.run_steps(25)
    png = tmp_path / "loss.png"
    assert window.files.export("loss_png", str(png))
    width = window.loss_plot.plot.getPlotItem().sceneBoundingRect().width()
    assert_png(png, (2 * width - 2, 10))
    path = tmp_path / "loss.csv"
    assert window.files.export("loss_csv", str(path))
    header, rows = read_csv(path)
    assert header == ["step", "loss"]
    assert [float(r[0]) for r in rows] == list(range(25))
    assert np.array_equal([float(r[1]) for r in rows], losses)  # exactly, not rounded


def test_parameter_plot_csv_equals_the_engine_trajectory(window, tmp_path):
    c = window.controller
    _, params = reference_run(load_preset("notes_linear"), 40)
    c.run_steps(40)
    path = tmp_path / "parameters.csv"
    assert window.files.export("parameters_csv", str(path))
    header, rows = read_csv(path)
    assert header == ["step", *c.network.labels]
    table = np.array([[float(v) for v in r] for r in rows])
    assert np.array_equal(table[:, 0], np.arange(1, 41))
    assert np.array_equal(table[:, 1:], params)
    png = tmp_path / "parameters.png"
    assert window.files.export("parameters_png", str(png))
    assert_png(png)
    assert window.files.export("outputs_png", str(tmp_path / "outputs.png"))
    assert_png(tmp_path / "outputs.png")


def test_history_csv_equals_the_engine_every_step(window, tmp_path):
    c = window.controller
    c.edit(("w", 3, 5), "0.123456789012345678")
    lesson = c.to_lesson()
    losses, params = reference_run(lesson, 30)
    c.run_steps(30)
    path = tmp_path / "history.csv"
    assert window.files.export("history_csv", str(path))
    header, rows = read_csv(path)
    assert header == ["step", "loss", *c.network.labels]
    assert [int(r[0]) for r in rows] == list(range(1, 31))
    table = np.array([[float(v) for v in r[1:]] for r in rows])
    assert np.array_equal(table[:, 0], losses)
    assert np.array_equal(table[:, 1:], params)


def test_history_csv_once_thinned_holds_every_stride_th_step(make_window, tmp_path):
    w = make_window(load_preset("xor"))
    losses, params = reference_run(load_preset("xor"), 5000)
    w.controller.run_steps(5000)
    h = w.controller.history
    assert h.stride > 1
    path = tmp_path / "long.csv"
    assert w.files.export("history_csv", str(path))
    header, rows = read_csv(path)
    steps = np.array([int(r[0]) for r in rows])
    assert len(rows) == h.n_buckets and steps[-1] == 5000
    assert np.array_equal(np.diff(steps), np.full(len(steps) - 1, h.stride))
    table = np.array([[float(v) for v in r[1:]] for r in rows])
    assert np.array_equal(table[:, 0], losses[steps - 1])
    assert np.array_equal(table[:, 1:], params[steps - 1])


def test_labels_with_commas_are_quoted():
    from engine.history import History
    h = History(2)
    h.append([[0.5, 0.25]])
    text = exports.history_csv(h, ["w3,12"])
    assert text.splitlines() == ['step,loss,"w3,12"', "1,0.5,0.25"]


def test_exports_through_the_menu_ask_where(window, dialogs, tmp_path):
    window.controller.step()
    for kind in ("diagram_png", "diagram_svg", "loss_png", "loss_csv", "parameters_png",
                 "parameters_csv", "history_csv"):
        dialogs.save_paths.append(tmp_path / kind)  # no suffix: the right one is added
        window.files.export_actions[kind].trigger()
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert names == sorted(["diagram_png.png", "diagram_svg.svg", "loss_png.png", "loss_csv.csv",
                            "parameters_png.png", "parameters_csv.csv", "history_csv.csv"])
    assert dialogs.errors == []


def test_an_empty_history_cannot_be_exported(window, dialogs, tmp_path):
    assert not window.files.export("history_csv", str(tmp_path / "h.csv"))
    assert "no history yet" in dialogs.errors[0][1]


def test_a_failed_export_leaves_the_old_file(window, dialogs, tmp_path, monkeypatch):
    window.controller.step()
    path = tmp_path / "old.out"
    path.write_bytes(b"old")
    monkeypatch.setattr(atomic.os, "replace", lambda *a: (_ for _ in ()).throw(
        OSError(28, "No space left on device")))
    kinds = ["diagram_png", "diagram_svg", "loss_png", "loss_csv", "parameters_csv",
             "history_csv"]
    for kind in kinds:
        assert not window.files.export(kind, str(path))
        assert path.read_bytes() == b"old"
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["old.out"]
    assert len(dialogs.errors) == len(kinds)
    assert all("old.out: cannot write the file: No space left on device" == text
               for _, text in dialogs.errors)


@pytest.mark.parametrize("v", [0.0, -0.0, 1.0, -3.0, 0.1, 1 / 3, 5e-324, 1e300,
                               -1.7976931348623157e308,
                               2.0**53, 2.0**60, 123456789.5])
def test_numbers_read_back_exactly(v):
    text = exports.number_text(v)
    assert float(text) == v and np.signbit(float(text)) == np.signbit(v)
    assert not text.endswith(".0") or abs(v) >= 2**53
