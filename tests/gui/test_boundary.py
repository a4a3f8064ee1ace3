"""The decision boundary dock and the neuron maps, through the real window: what the map holds
must be the network's own forward pass over its grid, drawn in the colour map's colours, with
the data where it is and the 0.5 line between the classes."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from engine import Network
from engine.datasets import generate, with_features
from engine.lesson import Lesson
from gui import boundary
from gui.boundary import (GRID, HIGH, LOW, ColourMap, contour_segments, lightness,
                          plane_extent, plane_grid)

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def load(window, sizes, acts, X, T, lr=0.5, loss="half_sse", seed=1, batch=None):
    net = Network(sizes, acts, loss, seed=seed)
    window.controller.load_lesson(Lesson(net, X, T, lr, batch))
    return net


def xor_lesson(window, sizes=(2, 4, 1), seed=3):
    X, T = generate("xor", 200, 0.0, 5)
    return load(window, list(sizes), ["tanh"] * (len(sizes) - 2) + ["sigmoid"], X, T, seed=seed)


def open_dock(qtbot, window):
    window.boundary.show()
    qtbot.waitUntil(window.boundary.panel.on_screen)
    return window.boundary.panel


def drawn(qtbot, panel, evaluations=None):
    """Until the panel's map has been drawn (after ``evaluations`` forward passes)."""
    if evaluations is not None:
        qtbot.waitUntil(lambda: panel.evaluations > evaluations, timeout=3000)
    qtbot.wait(boundary.REFRESH_MS + 20)  # a throttled request folds into one more redraw…
    # …which a slow redraw (a loaded machine) may put off for longer
    qtbot.waitUntil(lambda: not panel._throttle.pending, timeout=3000)
    return panel


# -- the dock and its actions ------------------------------------------------------------------------
def test_dock_toggle_and_neuron_maps_have_shortcuts_in_the_view_menu(qtbot, window):
    feature = window.boundary
    assert feature.dock.windowTitle() == "Decision boundary"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    for action, keys in ((feature.actionBoundary, "Ctrl+B"),
                         (feature.actionNeuronMaps, "Ctrl+Shift+B")):
        assert action.shortcut().toString() == keys
        assert action in view_menu.actions() and action in window.actions()
    # it starts one tab away from the outputs' bars: Ctrl+B brings it forward, then closes it
    assert not feature.panel.on_screen()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(feature.panel.on_screen)
    assert feature.actionBoundary.isChecked()
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(lambda: feature.dock.isHidden())
    assert not feature.actionBoundary.isChecked()
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(feature.panel.on_screen)


# -- the map -----------------------------------------------------------------------------------------
def test_the_map_is_the_networks_forward_pass_over_its_grid(qtbot, window):
    net = xor_lesson(window)
    window.controller.run_steps(50)
    panel = drawn(qtbot, open_dock(qtbot, window))
    assert panel.mode == "plane" and panel.grid.shape == (GRID * GRID, 2) and GRID >= 100
    assert panel.extent == ((-6.0, 6.0), (-6.0, 6.0))  # a generated set: the whole square
    np.testing.assert_array_equal(panel.grid, plane_grid(panel.extent))
    expected = net.forward(panel.grid)[:, 0].reshape(GRID, GRID)
    np.testing.assert_allclose(panel.values, expected, rtol=0, atol=1e-12)
    out = net.layout.n_neurons
    assert panel.neuron == out and panel.title.text().startswith(f"y{out} over (x1, x2)")
    # row 0 is the bottom edge, column 0 the left: (x0, y0) is the first grid point
    x, y = panel.grid[GRID + 2]
    assert x == panel.xs[2] and y == panel.ys[1] and panel.ys[0] < panel.ys[1]


def test_pixels_have_the_colour_maps_colours_of_their_values(qtbot, window):
    xor_lesson(window)
    window.controller.run_steps(2000)
    panel = drawn(qtbot, open_dock(qtbot, window))
    image = panel.image.qimage
    assert (image.width(), image.height()) == (GRID, GRID)
    # two cells near the right-hand corners, far from every point and from the line: the
    # upper one (x1, x2 > 0) is class 1, the lower one class 0
    high, low = (GRID - 3, GRID - 3), (2, GRID - 3)
    assert panel.values[high] > 0.9 and panel.values[low] < 0.1
    vb = panel.plot.getPlotItem().getViewBox()
    shot = panel.plot.grab().toImage()
    ratio = shot.devicePixelRatio()
    for (r, c), end in ((high, HIGH), (low, LOW)):
        want = panel.cmap.colour(panel.values[r, c], panel.levels)
        assert want == panel.cmap.colour(float(panel.values[r, c]), (0.0, 1.0))
        assert abs(lightness(want) - lightness(end)) < 10  # near its end of the map
        assert image.pixelColor(c, r) == want  # the QImage's row r is grid row r
        # and on screen: the cell's centre, mapped through the plot, shows that colour
        at = panel.plot.mapFromScene(vb.mapViewToScene(QPointF(panel.xs[c], panel.ys[r])))
        assert shot.pixelColor(round(at.x() * ratio), round(at.y() * ratio)) == want


def test_the_colour_map_runs_orange_white_blue_and_its_ends_differ_in_lightness():
    cmap = ColourMap()
    assert cmap.colour(0.0, (0, 1)) == LOW
    assert cmap.colour(1.0, (0, 1)) == HIGH
    assert cmap.colour(0.5, (0, 1)) == QColor("#FFFFFF")
    assert cmap.colour(-3.0, (0, 1)) == LOW and cmap.colour(7.0, (0, 1)) == HIGH  # clamped
    assert cmap.colour(float("nan"), (0, 1)) == QColor("#FFFFFF")
    # not hue alone: the ends stay apart in greyscale (and so for every colour blindness)
    assert abs(lightness(LOW) - lightness(HIGH)) >= 20
    assert lightness(QColor("#FFFFFF")) == pytest.approx(100, abs=0.01)
    # monotone lightness from each end to the white middle
    Ls = [lightness(cmap.colour(v, (0, 1))) for v in np.linspace(0, 0.5, 20)]
    assert Ls == sorted(Ls)
    Ls = [lightness(cmap.colour(v, (0, 1))) for v in np.linspace(0.5, 1, 20)]
    assert Ls == sorted(Ls, reverse=True)


def test_points_are_where_the_data_is_and_test_points_are_hollow(qtbot, window):
    net = xor_lesson(window)
    c = window.controller
    panel = drawn(qtbot, open_dock(qtbot, window))
    x, y = panel.points.getData()
    np.testing.assert_array_equal(x, c.inputs[:, 0])
    np.testing.assert_array_equal(y, c.inputs[:, 1])
    brushes = [s.brush().color() for s in panel.points.points()]
    want = [HIGH if t else LOW for t in c.targets[:, 0]]
    assert brushes == want
    assert not panel.test_points.isVisible()
    # a test set (a fifth of the samples, split off as the Data panel does) is drawn hollow in
    # its labels' colours, the training points filled
    assert c.set_split(0.2, 9)
    Xt, Tt = c.test_inputs, c.test_targets
    assert len(Xt) == 40
    qtbot.waitUntil(lambda: panel.test_points.isVisible())
    drawn(qtbot, panel)
    tx, ty = panel.test_points.getData()
    np.testing.assert_array_equal(tx, Xt[:, 0])
    np.testing.assert_array_equal(ty, Xt[:, 1])
    for spot, t in zip(panel.test_points.points(), Tt[:, 0]):
        assert spot.brush().style() == Qt.BrushStyle.NoBrush
        assert spot.pen().color() == (HIGH if t else LOW)
    x, _ = panel.points.getData()
    np.testing.assert_array_equal(x, c.inputs[:, 0])
    assert len(x) == 160
    assert net is c.network


def crossings(a, b, sx, sy):
    """How many of the segments (sx, sy pairs) the segment a → b crosses."""
    p, q = np.array(a), np.array(b)
    s0 = np.column_stack((sx[0::2], sy[0::2]))
    s1 = np.column_stack((sx[1::2], sy[1::2]))

    def side(o, u, v):
        return np.sign((u[..., 0] - o[..., 0]) * (v[..., 1] - o[..., 1])
                       - (u[..., 1] - o[..., 1]) * (v[..., 0] - o[..., 0]))

    hit = ((side(p, q, s0) != side(p, q, s1)) & (side(s0, s1, p) != side(s0, s1, q)))
    return int(hit.sum())


def test_the_half_line_separates_the_classes_of_a_trained_xor_net(qtbot, window):
    net = xor_lesson(window)
    c = window.controller
    c.run_steps(3000)
    predicted = net.forward(c.inputs)[:, 0] > 0.5
    assert (predicted == (c.targets[:, 0] > 0.5)).all()  # learned: every point on its side
    panel = drawn(qtbot, open_dock(qtbot, window))
    sx, sy = panel.contour.getData()
    assert panel.contour.isVisible() and len(sx) > 50 and len(sx) % 2 == 0
    # the line lies where the output is 0.5 (to within a cell's linear interpolation)
    on_line = net.forward(np.column_stack((sx, sy)))[:, 0]
    assert np.abs(on_line - 0.5).max() < 0.05
    # and every straight path from a class-0 point to a class-1 point crosses it an odd
    # number of times: the two classes are on different sides
    rng = np.random.default_rng(0)
    ones, zeros = c.inputs[c.targets[:, 0] > 0.5], c.inputs[c.targets[:, 0] < 0.5]
    for _ in range(100):
        a, b = ones[rng.integers(len(ones))], zeros[rng.integers(len(zeros))]
        assert crossings(a, b, sx, sy) % 2 == 1


def test_contour_segments_follow_a_ramp_and_split_saddles_by_the_centre():
    xs = ys = np.arange(5.0)
    ramp = np.tile(xs / 4, (5, 1))  # value x/4 at (x, y): the 0.4 line is x = 1.6
    sx, sy = contour_segments(ramp, 0.4, xs, ys)
    np.testing.assert_allclose(sx, 1.6)
    assert sorted(set(np.round(sy, 12))) == [0, 1, 2, 3, 4]
    saddle = np.array([[1.0, 0.0], [0.0, 1.0]])  # above at bottom-left and top-right

    def pairs(sx, sy):
        sx, sy = np.round(sx, 12), np.round(sy, 12)
        return {tuple(sorted(((sx[i], sy[i]), (sx[i + 1], sy[i + 1])))) for i in (0, 2)}

    # centre 0.5 above 0.4: the low corners (bottom-right, top-left) are cut off
    sx, sy = contour_segments(saddle, 0.4, np.arange(2.0), np.arange(2.0))
    assert pairs(sx, sy) == {((0.6, 0.0), (1.0, 0.4)), ((0.0, 0.6), (0.4, 1.0))}
    # centre 0.5 below 0.6: the high corners (bottom-left, top-right) are cut off
    sx, sy = contour_segments(saddle, 0.6, np.arange(2.0), np.arange(2.0))
    assert pairs(sx, sy) == {((0.0, 0.4), (0.4, 0.0)), ((0.6, 1.0), (1.0, 0.6))}
    assert len(contour_segments(np.zeros((3, 3)), 0.5, np.arange(3.0), np.arange(3.0))[0]) == 0
    # a value that overflowed draws no line through its cells, and nothing non-finite
    broken = np.tile(np.arange(4.0) / 3, (4, 1))
    broken[1, 1] = np.nan
    sx, sy = contour_segments(broken, 0.5, np.arange(4.0), np.arange(4.0))
    assert np.isfinite(sx).all() and np.isfinite(sy).all() and len(sx) % 2 == 0


def test_extent_is_the_datas_box_with_a_margin_or_the_generated_square():
    assert plane_extent(np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])) == ((-0.5, 1.5),
                                                                          (-0.5, 1.5))
    (x0, x1), (y0, y1) = plane_extent(np.array([[0, -10], [100, 10.0]]))
    assert (x0, x1) == (-15, 115) and (y0, y1) == (-13, 13)
    assert plane_extent(generate("spiral", 500, 0.1, 1)[0]) == ((-6, 6), (-6, 6))
    assert plane_extent(np.zeros((0, 2))) == ((-6, 6), (-6, 6))


# -- a neuron's own map ------------------------------------------------------------------------------
def test_a_selected_hidden_neuron_shows_its_own_output(qtbot, window):
    net = xor_lesson(window)
    c = window.controller
    c.run_steps(200)
    panel = drawn(qtbot, open_dock(qtbot, window))
    c.select(("n", 4))
    qtbot.waitUntil(lambda: panel.neuron == 4)
    assert panel.title.text().startswith("y4 over (x1, x2)")
    assert panel.levels == (-1.0, 1.0)  # tanh
    rec = net.step(panel.grid, np.zeros((GRID * GRID, 1)), 0.1, apply=False)
    k = np.arange(0, GRID * GRID, 37)
    np.testing.assert_allclose(panel.values.ravel()[k], [rec.out(4, int(i)) for i in k],
                               rtol=0, atol=1e-12)
    W1, b1 = net.W[1], net.b[1]
    own = np.tanh(panel.grid @ W1 + b1)[:, 1].reshape(GRID, GRID)  # y4: the 2nd hidden neuron
    np.testing.assert_allclose(panel.values, own, rtol=0, atol=1e-12)
    # the output's 0.5 line stays drawn over it, and says so
    assert panel.contour.isVisible() and "line: y7 = 0.5" in panel.title.text()
    c.select(None)
    qtbot.waitUntil(lambda: panel.neuron == 7)


def test_hovering_a_neuron_shows_its_map_until_the_mouse_leaves(qtbot, window):
    xor_lesson(window)
    panel = drawn(qtbot, open_dock(qtbot, window))
    view = window.view

    def hover_y5():
        # aimed again at every look: the canvas re-lays itself out for the dock that just
        # opened once resizing stops, which moves y5 (on a loaded machine, after the first aim)
        qtbot.mouseMove(view.viewport(), view.mapFromScene(view.neurons[5].scenePos()))
        return panel.neuron == 5

    qtbot.waitUntil(hover_y5)
    assert panel.title.text().startswith("y5 over (x1, x2)")
    panel.eventFilter(view.viewport(), _leave_event())
    qtbot.waitUntil(lambda: panel.neuron == 7)


def _leave_event():
    from PySide6.QtCore import QEvent
    return QEvent(QEvent.Type.Leave)


# -- live, and only when shown -------------------------------------------------------------------------
def test_the_map_follows_training_and_rests_while_the_dock_is_hidden(qtbot, window):
    xor_lesson(window)
    c = window.controller
    panel = drawn(qtbot, open_dock(qtbot, window))
    before = panel.values.copy()
    n = panel.evaluations
    c.start_training()
    try:
        qtbot.waitUntil(lambda: panel.evaluations >= n + 2, timeout=3000)
        first = panel.values.copy()
        qtbot.waitUntil(lambda: panel.evaluations >= n + 4, timeout=3000)
        assert not np.array_equal(first, panel.values)
        assert not np.array_equal(before, panel.values)
        # a second of training redraws it many times (≥ 20/s measured by bench_gui.py; here
        # a loose bound, for a busy test machine)
        m, t0 = panel.redraws, c.step_count
        qtbot.wait(1000)
        assert panel.redraws - m >= 8 and c.step_count > t0
        # closed: nothing more
        window.boundary.toggle_dock()
        qtbot.waitUntil(lambda: window.boundary.dock.isHidden())
        n = panel.evaluations
        steps = c.step_count
        qtbot.wait(400)
        assert c.step_count > steps and panel.evaluations == n
        # behind another tab: nothing either
        window.boundary.show()
        qtbot.waitUntil(panel.on_screen)
        window.docks["outputs"].raise_()
        qtbot.waitUntil(lambda: not panel.on_screen())
        n = panel.evaluations
        qtbot.wait(400)
        assert panel.evaluations == n
    finally:
        c.pause()
    # in front again: it catches up with the network as it is now
    window.boundary.show()
    qtbot.waitUntil(lambda: panel.evaluations > n)
    drawn(qtbot, panel)
    expected = c.network.forward(panel.grid)[:, 0].reshape(GRID, GRID)
    np.testing.assert_allclose(panel.values, expected, rtol=0, atol=1e-12)


def test_nothing_is_computed_again_when_nothing_changed(qtbot, window):
    xor_lesson(window)
    panel = drawn(qtbot, open_dock(qtbot, window))
    n, r = panel.evaluations, panel.redraws
    window.controller.changed.emit()
    qtbot.wait(boundary.REFRESH_MS * 3)
    assert (panel.evaluations, panel.redraws) == (n, r)


# -- thumbnails in the neurons -----------------------------------------------------------------------
def test_neuron_maps_appear_in_every_neuron_and_go_again(qtbot, window):
    net = xor_lesson(window)
    view = window.view
    assert all(item.thumbnail is None for item in view.neurons.values())
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL | SHIFT)
    assert window.boundary.actionNeuronMaps.isChecked()
    qtbot.waitUntil(lambda: all(item.thumbnail is not None for item in view.neurons.values()))
    side = GRID // boundary.THUMB_STEP
    for j, item in view.neurons.items():
        assert (item.thumbnail.width(), item.thumbnail.height()) == (side, side)
    # y4's thumbnail: its top-left pixel is the value at the grid's top-left corner
    panel = window.boundary.panel
    y4 = np.tanh(panel.grid @ net.W[1] + net.b[1])[:, 1].reshape(GRID, GRID)
    want = panel.cmap.colour(y4[-1, 0], (-1, 1))  # the last row is the top one
    assert view.neurons[4].thumbnail.pixelColor(0, 0) == want
    # they follow training although the dock is closed
    old = view.neurons[7].thumbnail
    window.controller.run_steps(500)
    qtbot.waitUntil(lambda: view.neurons[7].thumbnail is not old)
    # the canvas draws them (a painted neuron differs from one without)
    shot_with = view.grab().toImage()
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL | SHIFT)
    assert all(item.thumbnail is None for item in view.neurons.values())
    assert view.grab().toImage() != shot_with


def test_neuron_maps_survive_a_new_network_and_a_theme(qtbot, window):
    xor_lesson(window)
    window.boundary.actionNeuronMaps.trigger()
    view = window.view
    qtbot.waitUntil(lambda: all(i.thumbnail is not None for i in view.neurons.values()))
    xor_lesson(window, sizes=(2, 3, 3, 1))
    qtbot.waitUntil(lambda: len(view.neurons) == 9
                    and all(i.thumbnail is not None for i in view.neurons.values()))
    try:
        window.classroom.set_theme("dark")
        assert all(i.thumbnail is not None for i in view.neurons.values())
        assert window.boundary.panel.cmap.mid != QColor("#FFFFFF")  # the dark background
    finally:
        window.classroom.set_theme("light")


# -- other shapes ------------------------------------------------------------------------------------
def test_three_inputs_say_that_the_boundary_needs_two(qtbot, window):
    X = np.random.default_rng(0).normal(size=(20, 3))
    load(window, [3, 4, 1], ["tanh", "sigmoid"], X, (X[:, :1] > 0) * 1.0)
    window.boundary.actionNeuronMaps.trigger()
    panel = open_dock(qtbot, window)
    qtbot.waitUntil(lambda: panel.mode == "none")
    assert panel.stack.currentWidget() is panel.message and panel.message.isVisible()
    assert "needs two inputs" in panel.message.text()
    assert "3 inputs" in panel.message.text()
    assert all(i.thumbnail is None for i in window.view.neurons.values())


def test_one_input_draws_the_curve_over_x1_with_the_points(qtbot, window):
    X, T = generate("curve", 100, 0.2, 1)
    net = load(window, [1, 6, 1], ["tanh", "linear"], X, T, lr=0.1)
    window.controller.run_steps(300)
    panel = drawn(qtbot, open_dock(qtbot, window))
    assert panel.mode == "curve" and panel.title.text() == "y8 over x1"
    x, y = panel.curve.getData()
    np.testing.assert_allclose(y, net.forward(x[:, None])[:, 0], rtol=0, atol=1e-12)
    px, py = panel.points.getData()
    np.testing.assert_array_equal(px, X[:, 0])
    np.testing.assert_array_equal(py, T[:, 0])
    assert x[0] < X.min() and x[-1] > X.max()


def test_inputs_with_features_go_through_the_controllers_expand_inputs(qtbot, window):
    c = window.controller
    keys = ["x1sq", "x2sq", "x1x2"]
    c.expand_inputs = lambda raw: with_features(raw, keys)
    try:
        X, T = generate("circle", 200, 0.0, 2)
        net = load(window, [5, 3, 1], ["tanh", "sigmoid"], with_features(X, keys), T)
        c.run_steps(500)
        panel = drawn(qtbot, open_dock(qtbot, window))
        assert panel.mode == "plane" and panel.grid.shape == (GRID * GRID, 2)
        expected = net.forward(with_features(panel.grid, keys))[:, 0].reshape(GRID, GRID)
        np.testing.assert_allclose(panel.values, expected, rtol=0, atol=1e-12)
        x, y = panel.points.getData()
        np.testing.assert_array_equal(np.column_stack((x, y)), X)  # the raw (x1, x2)
        c.select(("n", 3))  # the feature x1²: its own map
        qtbot.waitUntil(lambda: panel.neuron == 3)
        np.testing.assert_array_equal(panel.values.ravel(), panel.grid[:, 0] ** 2)
    finally:
        del c.expand_inputs


def test_two_softmax_outputs_map_the_second_class_with_its_line(qtbot, window):
    X, T = generate("gaussians", 100, 0.2, 3)
    T2 = np.column_stack((1 - T[:, 0], T[:, 0]))
    net = load(window, [2, 3, 2], ["tanh", "softmax"], X, T2, loss="cross_entropy")
    window.controller.run_steps(300)
    panel = drawn(qtbot, open_dock(qtbot, window))
    assert panel.neuron == 7 and panel.levels == (0.0, 1.0)
    np.testing.assert_allclose(panel.values.ravel(), net.forward(panel.grid)[:, 1], atol=1e-12)
    assert panel.contour.isVisible() and len(panel.contour.getData()[0]) > 0
    brushes = [s.brush().color() for s in panel.points.points()]
    assert brushes == [HIGH if t else LOW for t in T[:, 0]]


def test_a_regression_net_with_two_inputs_maps_its_output_between_the_targets(qtbot, window):
    window.preset_actions["notes_linear"].trigger()  # 2 inputs, 3 linear outputs, one sample
    panel = drawn(qtbot, open_dock(qtbot, window))
    c = window.controller
    assert panel.mode == "plane" and panel.neuron == 5 and not panel.contour.isVisible()
    t = c.targets[0, 0]
    assert panel.levels == (t - 1.0, t + 1.0)  # a single target: ±1 round it
    np.testing.assert_allclose(panel.values.ravel(), c.network.forward(panel.grid)[:, 0],
                               atol=1e-12)
