"""The live plots, as real widgets driven through the controller: what they draw must be the
history and the network's numbers, never NaN/Inf, and never more points than the history holds."""
import warnings
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import (QCheckBox, QListWidget, QStyle, QStyleOptionViewItem,
                               QVBoxLayout, QWidget)

from engine.lesson import load_preset
from gui.controller import Controller
from engine.history import History
from gui.exports import export_plot_csv
from gui.plots import (DRAW_MAX, DRAW_MIN, LINE_WIDTH, MARKER_MAX_POINTS, SELECTED_WIDTH,
                       LossPlot, OutputPlot, ParameterPlot, drawable, history_points, set_curve)
from gui.style import fmt
from tests.gui.conftest import collect_garbage_now


@pytest.fixture
def controller():
    c = Controller()  # the notes' linear network, one sample
    yield c
    c.pause()


@pytest.fixture
def plots(qtbot, controller):
    """The three plots in one shown window: (loss, parameters, outputs)."""
    collect_garbage_now()
    window = QWidget()
    layout = QVBoxLayout(window)
    widgets = LossPlot(controller), ParameterPlot(controller), OutputPlot(controller)
    for w in widgets:
        layout.addWidget(w)
    qtbot.addWidget(window)
    window.resize(900, 1000)
    window.show()
    qtbot.waitExposed(window)
    yield widgets  # the window stays referenced until the test is over (qtbot keeps a weakref)
    window.close()


def data(item):
    """What a PlotDataItem was given (x, y)."""
    x, y = item.getOriginalDataset()
    return (np.zeros(0), np.zeros(0)) if x is None else (x, y)


def shown(item):
    """What it draws, after its log mapping (x, y)."""
    x, y = item.getData()
    return (np.zeros(0), np.zeros(0)) if x is None else (x, y)


def settled(qtbot, plots):
    """Until every throttled redraw the plots were asked for has run (a slow redraw puts the
    next one off for longer: ``Throttle.cost_factor``)."""
    qtbot.wait(150)
    qtbot.waitUntil(lambda: not any(p._throttle.pending or p._throttle.timer.isActive()
                                    for p in plots), timeout=5000)


def wait_drawn(qtbot, controller, plots):
    """Until the throttled loss and parameter plots show the history's last step."""
    loss_plot, parameter_plot = plots[0], plots[1]

    def last_x(item):
        x, _ = data(item)
        return x[-1] if len(x) else None

    def done():
        n = controller.history.n_steps
        start = controller.history.start
        shift = 1 if loss_plot.log_steps else 0  # on a log step axis the loss moves up one
        return (last_x(loss_plot.curve) == (start + n - 1 + shift if n else None)
                and all(last_x(c) == (start + n if n else None) for c in parameter_plot.curves))
    qtbot.waitUntil(done, timeout=5000)


def assert_all_finite(plots):
    loss_plot, parameter_plot, output_plot = plots
    for item in [loss_plot.curve, *parameter_plot.curves]:
        for arrays in (data(item), shown(item)):
            for a in arrays:
                assert np.isfinite(a).all()
    for bars in (output_plot.output_bars, output_plot.target_bars):
        assert np.isfinite(bars.opts["height"]).all()
        assert np.isfinite(bars.opts["x"]).all()


@contextmanager
def no_runtime_warnings():
    """Fails when pyqtgraph reports trouble: it turns an exception inside a paint into a
    RuntimeWarning ("Ignored exception"), and NumPy warns on an overflow."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    trouble = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not trouble, trouble[0]


def view_range(plot_widget):
    """((x0, x1), (y0, y1)) as the user sees it: pyqtgraph settles its auto-range when it paints,
    so paint first."""
    plot_widget.grab()
    return plot_widget.getPlotItem().vb.viewRange()


def assert_in_view(view, x, y):
    """The view range is finite and shows every point (x, y), both in view units (log10 of the
    data on a log axis)."""
    (x0, x1), (y0, y1) = view
    assert np.isfinite([x0, x1, y0, y1]).all()
    assert x0 < x1 and y0 < y1
    if len(x):
        assert x0 <= x.min() and x.max() <= x1
        assert y0 <= y.min() and y.max() <= y1, (view, y.min(), y.max())


def assert_curves_in_view(plot_widget, items, log=False, log_x=False):
    view = view_range(plot_widget)
    for item in items:
        x, y = data(item)
        assert_in_view(view, np.log10(x) if log_x else x, np.log10(y) if log else y)
    return view


def share_of_width(plot_widget, first, last, log_x=False):
    """How much of the plot's x range (as painted) steps ``first`` … ``last`` take."""
    (x0, x1), _ = view_range(plot_widget)
    lo, hi = (np.log10(first), np.log10(last)) if log_x else (first, last)
    return (min(hi, x1) - max(lo, x0)) / (x1 - x0)


def train(qtbot, controller, steps, timeout=60_000):
    controller.start_training(steps=steps)
    qtbot.waitUntil(lambda: not controller.training, timeout=timeout)


def test_names_and_labels(plots):
    loss_plot, parameter_plot, output_plot = plots
    assert loss_plot.objectName() == "lossPlot"
    assert parameter_plot.objectName() == "weightPlot"
    assert output_plot.objectName() == "outputPlot"
    assert isinstance(loss_plot.findChild(QCheckBox, "logScaleCheck"), QCheckBox)
    assert isinstance(parameter_plot.findChild(QListWidget, "parameterList"), QListWidget)
    item = loss_plot.plot.getPlotItem()
    assert item.getAxis("bottom").labelText == "step"
    assert item.getAxis("left").labelText == "loss L"
    for axis in ("bottom", "left"):
        assert item.getAxis(axis).style["tickFont"].pointSizeF() >= 11
    assert loss_plot.log_check.font().pointSizeF() >= 11
    assert parameter_plot.list.font().pointSizeF() >= 11
    for curve in [loss_plot.curve, *parameter_plot.curves]:
        # the history is already decimated; pyqtgraph's own reduction only costs time here
        assert not curve.opts["autoDownsample"] and not curve.opts["clipToView"]
        assert curve.curveClickable() or curve is loss_plot.curve


def test_three_steps_plot_the_losses_and_the_parameters(qtbot, controller, plots):
    loss_plot, parameter_plot, _ = plots
    records = [controller.step() for _ in range(3)]
    wait_drawn(qtbot, controller, plots)
    x, y = data(loss_plot.curve)
    np.testing.assert_array_equal(x, [0, 1, 2])  # the loss before step s + 1 at s
    np.testing.assert_array_equal(y, [r.loss for r in records])
    np.testing.assert_array_equal(y, controller.history.curve(0)[1])
    theta = controller.network.theta
    assert len(parameter_plot.curves) == controller.network.n_params == 15
    for p, curve in enumerate(parameter_plot.curves):
        x, y = data(curve)
        np.testing.assert_array_equal(x, [1, 2, 3])  # the value after step s at s
        np.testing.assert_array_equal(y, [r.params_after[p] for r in records])
        assert y[-1] == theta[p]


def test_undo_takes_the_last_point_away(qtbot, controller, plots):
    loss_plot, parameter_plot, _ = plots
    for _ in range(3):
        controller.step()
    controller.undo_stack.undo()
    wait_drawn(qtbot, controller, plots)
    assert len(data(loss_plot.curve)[0]) == 2
    for p, curve in enumerate(parameter_plot.curves):
        assert len(data(curve)[0]) == 2
        assert data(curve)[1][-1] == controller.network.theta[p]


def test_redraws_are_throttled_but_end_with_the_latest_state(qtbot, controller, plots):
    loss_plot = plots[0]
    calls = []
    original = loss_plot._update
    loss_plot._update = lambda: (calls.append(1), original())
    for _ in range(20):
        controller.step()  # 20 historyChanged within a few milliseconds
    assert len(calls) <= 2
    wait_drawn(qtbot, controller, plots)
    assert len(calls) <= 3
    assert len(data(loss_plot.curve)[0]) == 20


def test_a_hidden_plot_catches_up_when_shown(qtbot, controller, plots):
    loss_plot = plots[0]
    loss_plot.hide()
    controller.step()
    qtbot.wait(60)
    assert len(data(loss_plot.curve)[0]) == 0
    loss_plot.show()
    assert len(data(loss_plot.curve)[0]) == 1


def test_unchecking_a_row_hides_its_curve(qtbot, controller, plots):
    parameter_plot = plots[1]
    index = controller.param_index(("w", 3, 5))
    row = parameter_plot.list.item(index)
    assert row.text() == "w35"
    assert row.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert parameter_plot.curves[index].isVisible()
    option = QStyleOptionViewItem()
    parameter_plot.list.initViewItemOption(option)
    option.rect = parameter_plot.list.visualItemRect(row)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = parameter_plot.list.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, parameter_plot.list)
    qtbot.mouseClick(parameter_plot.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=box.center())
    assert row.checkState() == Qt.CheckState.Unchecked
    assert not parameter_plot.curves[index].isVisible()
    assert not parameter_plot.is_parameter_visible(index)
    parameter_plot.set_parameter_visible(index, True)
    assert row.checkState() == Qt.CheckState.Checked
    assert parameter_plot.curves[index].isVisible()


def test_clicking_the_log_checkbox_switches_the_loss_axis(qtbot, controller, plots):
    loss_plot = plots[0]
    for _ in range(3):
        controller.step()
    wait_drawn(qtbot, controller, plots)
    box = loss_plot.findChild(QCheckBox, "logScaleCheck")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    item = loss_plot.plot.getPlotItem()
    assert item.getAxis("left").logMode
    assert loss_plot.curve.opts["logMode"] == [False, True]
    x, y = data(loss_plot.curve)
    np.testing.assert_allclose(shown(loss_plot.curve)[1], np.log10(y))
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not box.isChecked()
    assert not item.getAxis("left").logMode
    assert loss_plot.curve.opts["logMode"] == [False, False]


def test_a_loss_of_exactly_zero_draws_below_the_smallest_positive_one_on_a_log_axis(
        qtbot, controller, plots):
    loss_plot = plots[0]
    train(qtbot, controller, 20)
    # targets = the outputs the next step computes: from there on L = 0.0 exactly (δ = 0)
    outputs = [controller.record.out(k) for k in (5, 6, 7)]
    for k, y in zip((5, 6, 7), outputs):
        assert controller.edit(("ob", 0, k), y)
    train(qtbot, controller, 20)
    wait_drawn(qtbot, controller, plots)
    _, losses = controller.history.curve(0)
    zero = losses == 0
    assert zero.any() and (~zero).any()
    with no_runtime_warnings():
        loss_plot.set_log_scale(True)
        assert loss_plot.log_check.isChecked()
        x, y = data(loss_plot.curve)
        assert len(x) == controller.history.n_steps  # every step is drawn, the zeros too
        np.testing.assert_array_equal(y[~zero], losses[~zero])
        assert (0 < y[zero]).all() and (y[zero] < losses[~zero].min()).all()
        assert np.isfinite(shown(loss_plot.curve)[1]).all()
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log=True)
        controller.step()
        qtbot.wait(50)
        assert_all_finite(plots)
        loss_plot.set_log_scale(False)
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
    np.testing.assert_array_equal(data(loss_plot.curve)[1], controller.history.curve(0)[1])
    assert "0" in loss_plot.log_check.toolTip()


def test_a_loss_that_is_zero_from_the_start_still_draws_on_a_log_axis(qtbot, controller, plots):
    loss_plot = plots[0]
    rec = controller.record
    for k, j in enumerate((5, 6, 7)):  # targets equal to the outputs: L = 0 exactly
        assert controller.edit(("ob", 0, j), rec.out(j, 0))
    loss_plot.set_log_scale(True)
    for _ in range(3):
        controller.step()
    wait_drawn(qtbot, controller, plots)
    assert (controller.history.curve(0)[1] == 0).all()
    with no_runtime_warnings():
        x, y = data(loss_plot.curve)
        assert len(x) == 3 and (y > 0).all() and len(set(y)) == 1  # a flat line, not a blank
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log=True)


def test_selecting_a_weight_highlights_its_curve_and_row(qtbot, controller, plots):
    parameter_plot = plots[1]
    index = controller.param_index(("w", 3, 5))
    controller.select(("w", 3, 5))
    widths = [c.opts["pen"].widthF() for c in parameter_plot.curves]
    assert widths[index] == SELECTED_WIDTH
    assert all(w == LINE_WIDTH for i, w in enumerate(widths) if i != index)
    assert parameter_plot.curves[index].zValue() > parameter_plot.curves[0].zValue()
    assert parameter_plot.list.currentRow() == index
    assert [r.text() for r in parameter_plot.list.selectedItems()] == ["w35"]

    controller.select(("b", 5))
    b5 = controller.param_index(("b", 5))
    assert parameter_plot.curves[b5].opts["pen"].widthF() == SELECTED_WIDTH
    assert parameter_plot.curves[index].opts["pen"].widthF() == LINE_WIDTH
    assert [r.text() for r in parameter_plot.list.selectedItems()] == ["b5"]

    controller.select(("x", 0, 1))  # not a parameter: nothing highlighted
    assert all(c.opts["pen"].widthF() == LINE_WIDTH for c in parameter_plot.curves)
    assert parameter_plot.list.selectedItems() == []


def test_clicking_a_row_selects_the_parameter(qtbot, controller, plots):
    parameter_plot = plots[1]
    index = controller.param_index(("w", 4, 6))
    rect = parameter_plot.list.visualItemRect(parameter_plot.list.item(index))
    qtbot.mouseClick(parameter_plot.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center() + QPoint(30, 0))  # on the label, not the box
    assert controller.selection == ("w", 4, 6)
    assert parameter_plot.curves[index].opts["pen"].widthF() == SELECTED_WIDTH


def test_clicking_a_curve_selects_its_parameter(qtbot, controller, plots):
    loss_plot, parameter_plot, _ = plots
    for _ in range(5):
        controller.step()
    wait_drawn(qtbot, controller, plots)
    index = controller.param_index(("w", 2, 4))
    for i in range(len(parameter_plot.curves)):  # alone on the plot, nothing lies over it
        parameter_plot.set_parameter_visible(i, i == index)
    view = parameter_plot.plot
    view.getPlotItem().vb.autoRange()
    qtbot.wait(50)
    x, y = data(parameter_plot.curves[index])
    point = QPointF(float(x[2]), float(y[2]))
    pos = view.mapFromScene(view.getPlotItem().vb.mapViewToScene(point))
    with qtbot.waitSignal(parameter_plot.curves[index].sigClicked, timeout=2000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert controller.selection == ("w", 2, 4)
    assert parameter_plot.curves[index].opts["pen"].widthF() == SELECTED_WIDTH


def test_a_curve_click_signal_selects_its_parameter(controller, plots):
    parameter_plot = plots[1]
    index = controller.param_index(("b", 7))
    curve = parameter_plot.curves[index]
    curve.sigClicked.emit(curve, None)
    assert controller.selection == ("b", 7)


def test_a_hundred_thousand_steps_stay_bounded(qtbot, controller, plots):
    loss_plot, parameter_plot, output_plot = plots
    train(qtbot, controller, 100_000)
    assert controller.history.n_steps == 100_000
    wait_drawn(qtbot, controller, plots)
    latest = controller.history.latest()
    x, y = data(loss_plot.curve)
    assert len(x) <= 4096
    assert x[-1] == 99_999 and y[-1] == latest[0]
    for p, curve in enumerate(parameter_plot.curves):
        x, y = data(curve)
        assert len(x) <= 4096
        assert x[-1] == 100_000 and y[-1] == latest[1 + p] == controller.network.theta[p]
    assert_all_finite(plots)


def test_history_points_end_at_the_latest_value_and_stay_bounded():
    h = History(2, capacity=8)
    rows = np.column_stack((np.arange(1000.0), -np.arange(1000.0)))
    for k in range(0, 1000, 7):
        h.append(rows[k:k + 7])
        for column in (0, 1):
            x, y = history_points(h, column)
            assert len(x) <= 2 * h.capacity + 1
            assert x[-1] == h.n_steps - 1 and y[-1] == rows[h.n_steps - 1, column]
            assert y.max() == rows[:h.n_steps, column].max()  # the extremes survive
            assert y.min() == rows[:h.n_steps, column].min()


def test_set_curve_drops_non_finite_points_and_lifts_non_positive_ones_on_a_log_axis(plots):
    item = plots[0].curve
    x = np.arange(6.0)
    y = np.array([1.0, np.nan, np.inf, -np.inf, 0.0, 2.0])
    set_curve(item, x, y)
    np.testing.assert_array_equal(data(item)[0], [0, 4, 5])
    np.testing.assert_array_equal(data(item)[1], [1, 0, 2])
    set_curve(item, x, y, log=True)
    np.testing.assert_array_equal(data(item)[0], [0, 4, 5])
    np.testing.assert_array_equal(data(item)[1], [1, 0.1, 2])  # 0: a decade below the least
    set_curve(item, x, np.full(6, np.nan))
    assert len(data(item)[0]) == 0


def test_drawable_values_stay_where_pyqtgraph_can_compute():
    y = np.array([1.7e308, -1.7e308, 1e300, 5e-324, -1e-310, 0.0, 0.25, -3.0])
    np.testing.assert_array_equal(
        drawable(y), [DRAW_MAX, -DRAW_MAX, 1e300, 0.0, 0.0, 0.0, 0.25, -3.0])
    lifted = drawable(y, log=True)
    assert (lifted >= DRAW_MIN / 10).all() and (lifted <= DRAW_MAX).all()
    np.testing.assert_array_equal(lifted[[0, 2, 3, 6]], [DRAW_MAX, 1e300, DRAW_MIN, 0.25])
    floor = lifted[[1, 4, 5, 7]]
    assert len(set(floor)) == 1 and floor[0] < DRAW_MIN  # below the least positive value
    assert (drawable(np.zeros(3), log=True) > 0).all()
    assert np.isfinite(np.log10(drawable(np.zeros(3), log=True))).all()


def test_a_diverging_learning_rate_plots_nothing_non_finite(qtbot, controller, plots):
    loss_plot, parameter_plot, output_plot = plots
    messages = []
    controller.message.connect(lambda text, error: messages.append((text, error)))
    assert controller.edit(("lr",), "1e6")
    train(qtbot, controller, 1000)
    assert any(error and "diverged" in text for text, error in messages)
    assert 0 < controller.history.n_steps < 1000
    wait_drawn(qtbot, controller, plots)
    output_plot.refresh()
    assert_all_finite(plots)
    loss_plot.set_log_scale(True)
    assert_all_finite(plots)
    x, _ = data(loss_plot.curve)
    assert len(x) == controller.history.n_steps  # the huge losses are finite, so all are drawn
    for p, curve in enumerate(parameter_plot.curves):
        assert data(curve)[1][-1] == controller.network.theta[p]


def test_output_bars_show_the_outputs_and_targets_of_the_shown_sample(qtbot, controller, plots):
    output_plot = plots[2]
    controller.load_lesson(load_preset("xor"))  # one output, four samples
    controller.set_sample(2)
    qtbot.waitUntil(lambda: output_plot.sample_label.text() == "sample 3 of 4", timeout=2000)
    rec = controller.record
    assert output_plot.neurons == [5]
    heights = output_plot.output_bars.opts["height"]
    np.testing.assert_array_equal(heights, [rec.out(5, controller.record_sample)])
    np.testing.assert_array_equal(output_plot.target_bars.opts["height"], controller.targets[2])
    ticks = output_plot.plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [t for _, t in ticks] == ["y5", "ob5"]
    assert output_plot.value_labels[1].toPlainText() == f"{controller.targets[2, 0]:.3f}"


def test_output_bars_follow_steps_and_target_edits(qtbot, controller, plots):
    output_plot = plots[2]
    ticks = output_plot.plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [t for _, t in ticks] == ["y5", "ob5", "y6", "ob6", "y7", "ob7"]
    before = output_plot.output_bars.opts["height"].copy()
    controller.step()
    # the plots redraw on their next frame: wait for it (50 ms was too short on a busy machine)
    qtbot.waitUntil(lambda: not np.array_equal(output_plot.output_bars.opts["height"], before),
                    timeout=2000)
    # the outputs at the parameters now shown (not the Step's pass through the old ones)
    np.testing.assert_array_equal(output_plot.output_bars.opts["height"],
                                  controller.network.forward(controller.inputs[0]))
    assert controller.edit(("ob", 0, 6), "0.75")
    qtbot.waitUntil(lambda: output_plot.target_bars.opts["height"][1] == 0.75, timeout=2000)
    assert output_plot.value_labels[4].toPlainText() == "0.750"


def test_value_labels_give_way_when_they_would_overlap(qtbot, controller, plots):
    output_plot = plots[2]
    window = output_plot.window()
    assert all(label.isVisible() for label in output_plot.value_labels)
    window.resize(250, 1000)  # six labels in ~150 px
    qtbot.waitUntil(lambda: not any(label.isVisible() for label in output_plot.value_labels),
                    timeout=2000)
    window.resize(900, 1000)
    qtbot.waitUntil(lambda: all(label.isVisible() for label in output_plot.value_labels),
                    timeout=2000)


def test_a_new_network_rebuilds_curves_rows_and_bars(qtbot, controller, plots):
    loss_plot, parameter_plot, output_plot = plots
    controller.step()
    controller.select(("w", 3, 5))
    controller.load_lesson(load_preset("xor"))
    labels = controller.network.labels
    assert len(parameter_plot.curves) == len(labels) == 9
    assert [parameter_plot.list.item(i).text() for i in range(parameter_plot.list.count())] \
        == labels
    items = parameter_plot.plot.getPlotItem().listDataItems()
    assert len(items) == 9 and all(c in items for c in parameter_plot.curves)
    assert parameter_plot.selected is None
    controller.step()
    wait_drawn(qtbot, controller, plots)
    for p, curve in enumerate(parameter_plot.curves):
        assert data(curve)[1][-1] == controller.network.theta[p]
    controller.select(("w", 3, 5))
    assert parameter_plot.curves[controller.param_index(("w", 3, 5))].opts["pen"].widthF() \
        == SELECTED_WIDTH
    assert len(output_plot.value_labels) == 2


# -- robust to any finite value, never a hang ------------------------------------------------------
def make_a_huge_range_then(qtbot, controller, plots, action):
    """Step, set ob5 = 1000, Step (the loss axis now reaches ~5e5), then ``action``."""
    loss_plot = plots[0]
    controller.step()
    assert controller.edit(("ob", 0, 5), "1000")
    controller.step()
    wait_drawn(qtbot, controller, plots)
    assert view_range(loss_plot.plot)[1][1] > 1e5
    action()


@pytest.mark.timeout(20, method="thread")  # a hang inside a paint cannot be interrupted
def test_log_scale_after_a_reset_from_a_huge_range_draws_at_once(qtbot, controller, plots):
    """The issue's recipe: Step; ob5 = 1000; Step; Reset; tick Log scale. The linear range
    −3e4 … 5e5 used to be read as decades, and pyqtgraph's log ticks (9 per decade) ate
    gigabytes."""
    loss_plot = plots[0]
    make_a_huge_range_then(qtbot, controller, plots, controller.reset)
    settled(qtbot, plots)
    with no_runtime_warnings():
        qtbot.mouseClick(loss_plot.log_check, Qt.MouseButton.LeftButton)
        assert loss_plot.log_check.isChecked()
        assert loss_plot.plot.getPlotItem().getAxis("left").logMode
        (x0, x1), (y0, y1) = view_range(loss_plot.plot)
        assert np.isfinite([x0, x1, y0, y1]).all() and y1 - y0 < 10  # decades
        rec = controller.step()
        wait_drawn(qtbot, controller, plots)
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log=True)
        assert data(loss_plot.curve)[1][-1] == rec.loss


@pytest.mark.timeout(20, method="thread")
def test_log_scale_after_a_reset_from_losses_near_the_float_limit(qtbot, controller, plots):
    loss_plot = plots[0]
    assert controller.edit(("lr",), "1e-300")  # so that the loss after the step stays finite
    assert controller.edit(("ob", 0, 5), "1.3e154")  # L ≈ 8.5e307: Err² just below overflow
    assert controller.step() is not None
    wait_drawn(qtbot, controller, plots)
    controller.reset()
    settled(qtbot, plots)
    with no_runtime_warnings():
        loss_plot.set_log_scale(True)
        (_, _), (y0, y1) = view_range(loss_plot.plot)
        assert np.isfinite([y0, y1]).all() and y1 - y0 < 10


@pytest.mark.parametrize("action", ["reset", "randomize", "undo", "lesson"])
def test_ranges_are_fitted_afresh_when_the_history_restarts_or_shrinks(
        qtbot, controller, plots, action):
    loss_plot, parameter_plot, _ = plots

    def act():
        if action == "reset":
            # even after the user zoomed somewhere else (which turns auto-range off)
            loss_plot.plot.getPlotItem().vb.setYRange(1e4, 2e4)
            controller.reset()
        elif action == "randomize":
            controller.randomize()
            assert controller.edit(("ob", 0, 5), "0.5")  # the target back: losses below 1
        elif action == "undo":
            controller.undo_stack.undo()  # the second Step
            controller.undo_stack.undo()  # ob5 = 1000
        else:
            controller.load_lesson(load_preset("xor"))
    make_a_huge_range_then(qtbot, controller, plots, act)
    if controller.history.n_steps == 0:
        controller.step()
    wait_drawn(qtbot, controller, plots)
    with no_runtime_warnings():
        (_, _), (y0, y1) = assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
        assert y1 < 10  # the losses are below 1: the ~5e5 range is gone
        assert_curves_in_view(parameter_plot.plot, parameter_plot.curves)


def test_one_step_draws_markers_inside_a_range_around_them(qtbot, controller, plots):
    loss_plot, parameter_plot, _ = plots
    rec = controller.step()
    wait_drawn(qtbot, controller, plots)
    items = [loss_plot.curve, *parameter_plot.curves]
    for item in items:
        assert len(data(item)[0]) == 1
        assert item.opts["symbol"] is not None  # one point draws no line, but a marker
    with no_runtime_warnings():
        (x0, x1), (y0, y1) = assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
        assert y1 - y0 <= 2 * rec.loss  # around the loss, not ±0.5 around it
        assert -0.1 <= x0 and x1 <= 1.5  # from step 0 on: no negative steps
        assert_curves_in_view(parameter_plot.plot, parameter_plot.curves)
    controller.step()
    wait_drawn(qtbot, controller, plots)
    assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
    train(qtbot, controller, MARKER_MAX_POINTS)  # many points: a line alone
    wait_drawn(qtbot, controller, plots)
    assert all(item.opts["symbol"] is None for item in items)


def test_markers_take_the_colour_of_their_curve(qtbot, controller, plots):
    parameter_plot = plots[1]
    controller.step()
    wait_drawn(qtbot, controller, plots)
    controller.select(("w", 3, 5))  # the selected curve's pen is wider, its colour the same
    for curve in parameter_plot.curves:
        colour = curve.opts["pen"].color()
        assert pg.mkBrush(curve.opts["symbolBrush"]).color() == colour
        assert pg.mkPen(curve.opts["symbolPen"]).color() == colour


@pytest.mark.parametrize("edits", [
    {("lr",): "1e-300", ("ob", 0, 5): "1e150"},    # L ≈ 5e299 (a tiny η keeps the next finite)
    {("lr",): "1e-300", ("ob", 0, 5): "1.3e154"},  # L ≈ 8.5e307: Err² just below overflow
    {("b", 5): "1.7e308", ("ob", 0, 5): "1.7e308",  # parameters near the limit, a small loss
     ("b", 6): "-1e300", ("ob", 0, 6): "-1e300"},
], ids=["loss 5e299", "loss 8.5e307", "parameters 1.7e308"])
def test_huge_finite_values_in_the_history_draw_in_view(qtbot, controller, plots, edits):
    loss_plot, parameter_plot, _ = plots
    controller.step()
    for key, text in edits.items():
        assert controller.edit(key, text)
    for _ in range(2):
        assert controller.step() is not None
    wait_drawn(qtbot, controller, plots)
    items = [loss_plot.curve, *parameter_plot.curves]
    assert max(abs(controller.history.curve(c)[1]).max() for c in range(len(items))) > 1e299
    with no_runtime_warnings():
        assert_all_finite(plots)
        for column, item in enumerate(items):
            np.testing.assert_array_equal(
                data(item)[1], np.clip(controller.history.curve(column)[1], -DRAW_MAX, DRAW_MAX))
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
        assert_curves_in_view(parameter_plot.plot, parameter_plot.curves)
        loss_plot.set_log_scale(True)
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log=True)
        loss_plot.set_log_scale(False)
        assert_curves_in_view(loss_plot.plot, [loss_plot.curve])


@pytest.mark.parametrize("target", ["1e300", "1.7e308", "-1.7e308"])
def test_huge_targets_and_outputs_draw_with_their_real_numbers(qtbot, controller, plots, target):
    output_plot = plots[2]
    assert controller.edit(("w", 3, 5), "1e308")  # y5 ≈ 2.7e307: huge, finite
    assert controller.edit(("ob", 0, 6), target)
    with no_runtime_warnings():
        output_plot.refresh()
        settled(qtbot, plots)  # the throttled refreshes of the edits above, too
        y5 = controller.record.out(5, controller.record_sample)
        assert output_plot.value_labels[0].toPlainText() == fmt(y5)
        assert output_plot.value_labels[4].toPlainText() == fmt(float(target))
        (_, _), (y0, y1) = view_range(output_plot.plot)
        assert np.isfinite([y0, y1]).all()
        for bars in (output_plot.output_bars, output_plot.target_bars):
            heights = bars.opts["height"]
            assert np.isfinite(heights).all()
            assert y0 <= heights.min() and heights.max() <= y1
        assert output_plot.target_bars.opts["height"][1] == np.sign(float(target)) * min(
            abs(float(target)), DRAW_MAX)


def test_the_csv_export_writes_the_real_values_not_the_clipped_ones(qtbot, controller, plots,
                                                                    tmp_path):
    assert controller.edit(("b", 5), "1.7e308")
    assert controller.edit(("ob", 0, 5), "1.7e308")  # y5 = ob5: a small loss
    controller.step()
    wait_drawn(qtbot, controller, plots)
    parameter_plot = plots[1]
    b5 = controller.param_index(("b", 5))
    assert data(parameter_plot.curves[b5])[1][-1] == DRAW_MAX  # drawn clipped
    path = tmp_path / "parameters.csv"
    export_plot_csv(parameter_plot.plot, str(path), dict(zip(parameter_plot.curves,
                                                             controller.network.labels)))
    rows = path.read_text().splitlines()
    assert rows[0].split(",")[1 + b5] == "b5"
    assert float(rows[1].split(",")[1 + b5]) == 1.7e308


def test_a_lesson_saved_without_its_history_draws_from_its_step_count_on(qtbot, controller,
                                                                         plots):
    lesson = load_preset("notes_linear")
    controller.load_lesson(lesson, None, 200)  # as a file saved without the history opens
    controller.step()
    controller.step()
    wait_drawn(qtbot, controller, plots)
    x, _ = data(plots[0].curve)
    np.testing.assert_array_equal(x, [200, 201])  # the loss before steps 201 and 202
    x, _ = data(plots[1].curves[0])
    np.testing.assert_array_equal(x, [201, 202])  # w13 after them


# -- Log steps: the step axis on a log scale ------------------------------------------------------
def test_log_steps_keep_the_first_hundred_steps_readable_after_a_long_run(qtbot, controller,
                                                                          plots):
    loss_plot, parameter_plot, _ = plots
    first_loss = controller.record.loss
    controller.run_steps(100_000)
    wait_drawn(qtbot, controller, plots)
    # a linear step axis squeezes them into a sliver: the "spike at step 0"
    assert share_of_width(loss_plot.plot, 0, 100) < 0.01
    box = loss_plot.findChild(QCheckBox, "logStepsCheck")
    assert box.text().replace("&", "") == "Log steps" and box.toolTip()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked() and loss_plot.log_steps
    item = loss_plot.plot.getPlotItem()
    assert item.getAxis("bottom").logMode and loss_plot.curve.opts["logMode"] == [True, False]
    assert "L before it" in item.getAxis("bottom").labelText  # says where the loss is drawn
    # step 0 has no logarithm: the loss step k started from is drawn at k; 100,000 steps are
    # kept in buckets of 64, each drawn as its highest then its lowest loss, as the loss falls
    x, y = data(loss_plot.curve)
    h = controller.history
    assert h.stride == 64
    assert x[0] == 1 and y[0] == h.hi[0, 0] == first_loss and y[1] == h.lo[0, 0]
    assert x[-1] == 100_000
    assert len(x) == 2 * h.n_buckets + 1  # every bucket: the first steps are not joined
    np.testing.assert_allclose(shown(loss_plot.curve)[0], np.log10(x))
    assert share_of_width(loss_plot.plot, 1, 100, log_x=True) > 0.35
    assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log_x=True)
    # the plot keeps following training on the log axis
    controller.run_steps(10)
    wait_drawn(qtbot, controller, plots)
    assert data(loss_plot.curve)[0][-1] == 100_010
    # and back
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not item.getAxis("bottom").logMode and item.getAxis("bottom").labelText == "step"
    wait_drawn(qtbot, controller, plots)
    assert data(loss_plot.curve)[0][0] == 0
    assert_curves_in_view(loss_plot.plot, [loss_plot.curve])
    assert_all_finite(plots)


def test_log_steps_on_the_parameter_plot_and_with_a_log_loss_axis(qtbot, controller, plots):
    loss_plot, parameter_plot, _ = plots
    controller.run_steps(3000)
    wait_drawn(qtbot, controller, plots)
    box = parameter_plot.findChild(QCheckBox, "logStepsCheck")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert parameter_plot.log_steps and not loss_plot.log_steps  # the window keeps them in step
    assert parameter_plot.plot.getPlotItem().getAxis("bottom").logMode
    for p, curve in enumerate(parameter_plot.curves):
        x, y = data(curve)
        assert x[0] == 1 and x[-1] == 3000 and y[-1] == controller.network.theta[p]
        assert curve.opts["logMode"] == [True, False]
    assert share_of_width(parameter_plot.plot, 1, 100, log_x=True) > 0.5
    assert_curves_in_view(parameter_plot.plot, parameter_plot.curves, log_x=True)
    # both axes of the loss plot logarithmic: the loss reaches 0 here, drawn below the rest
    loss_plot.set_log_scale(True)
    loss_plot.set_log_steps(True)
    assert loss_plot.curve.opts["logMode"] == [True, True]
    assert_curves_in_view(loss_plot.plot, [loss_plot.curve], log=True, log_x=True)
    # a new network keeps the log step axis (new curves are made in log mode)
    controller.load_lesson(load_preset("xor"))
    controller.run_steps(50)
    wait_drawn(qtbot, controller, plots)
    assert all(c.opts["logMode"] == [True, False] for c in parameter_plot.curves)
    assert_curves_in_view(parameter_plot.plot, parameter_plot.curves, log_x=True)
    assert_all_finite(plots)


def test_on_a_log_step_axis_a_falling_loss_falls_from_the_first_step(qtbot, controller, plots):
    """A thinned history keeps each bucket's min and max; on a log axis the first buckets are
    wide, so each pair is drawn in the order the curve goes (a falling loss drawn min-then-max
    would rise at the start of every bucket)."""
    loss_plot = plots[0]
    controller.load_lesson(load_preset("xor"))
    losses = controller.network.copy().train(controller.inputs, controller.targets,
                                             controller.lr, 6000)
    assert (np.diff(losses) <= 0).all()  # XOR's loss falls at every step
    controller.run_steps(6000)
    assert controller.history.stride == 4
    loss_plot.set_log_steps(True)
    wait_drawn(qtbot, controller, plots)
    x, y = data(loss_plot.curve)
    assert (np.diff(x) > 0).all()
    assert (np.diff(y) <= 0).all()  # it never goes up
    assert y[0] == losses[0] and y[-1] == losses[-1]
    np.testing.assert_array_equal(np.sort(y[:-1]), np.sort(controller.history.curve(0)[1]))


def test_step_axes_tick_whole_steps_only(qtbot, controller, plots):
    """One step in: the loss and parameter plots' step axes read 0 and 1, never 0.5."""
    controller.step()
    wait_drawn(qtbot, controller, plots)
    for plot in plots[:2]:
        axis = plot.plot.getPlotItem().getAxis("bottom")
        (x0, x1), _ = view_range(plot.plot)
        assert x1 - x0 < 3  # a short range, where pyqtgraph would tick every 0.2 or 0.5
        ticks = [v for _, values in axis.tickValues(x0, x1, axis.width()) for v in values]
        assert ticks and all(float(v).is_integer() for v in ticks), ticks
