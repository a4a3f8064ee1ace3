"""The network canvas: build the controller, wrap it in the view, click and type, assert on both
the screen items and ``controller.network``."""
from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QApplication

from engine import Network
from engine.lesson import Lesson, load_preset
from gui.canvas import Z_EDGE, Z_LABEL, Z_NODE, layout
from gui.canvas.theme import EDGE_MAX_PX, EDGE_MIN_PX, ZERO
from gui.canvas.view import NetworkView
from gui.controller import Controller
from gui.style import FROZEN, NEGATIVE, POSITIVE, SELECTED, fmt
from tests.gui.canvas_helpers import at, double_click, edit_label, free_point_on_edge, wheel
from tests.gui.contract import assert_canvas_shows_one_state, fresh_pass

SIZES = ([2, 2, 3], [2, 2, 1], [2, 8, 8, 3])


def lesson_for(sizes, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(1, sizes[0]))
    t = rng.uniform(0, 1, size=(1, sizes[-1]))
    return Lesson(Network(sizes, seed=seed), x, t)


@pytest.fixture
def controller():
    return Controller()


@pytest.fixture
def view(qtbot, controller):
    v = NetworkView(controller)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    v.setFocus()
    return v


def rect_hits_circle(rect, circle, gap=0.0):
    c = circle.center()
    r = circle.width() / 2
    nx = min(max(c.x(), rect.left()), rect.right())
    ny = min(max(c.y(), rect.top()), rect.bottom())
    return math.hypot(c.x() - nx, c.y() - ny) < r + gap


def text_boxes(view):
    """Every box of text on the canvas: labels and visible δ notes."""
    boxes = [(key, label.sceneBoundingRect()) for key, label in view.labels.items()]
    boxes += [(("note", j), n.note.sceneBoundingRect()) for j, n in view.neurons.items()
              if n.note.isVisible()]
    return boxes


def assert_no_overlaps(view):
    boxes = text_boxes(view)
    for a, (ka, ra) in enumerate(boxes):
        for kb, rb in boxes[a + 1:]:
            assert not ra.intersects(rb), f"{ka} overlaps {kb}"
        for j, neuron in view.neurons.items():
            assert not rect_hits_circle(ra, neuron.scene_circle_rect()), f"{ka} overlaps neuron {j}"


# -- building ------------------------------------------------------------------------------------
def test_the_view_draws_every_neuron_edge_and_label_of_the_notes_net(view, controller):
    assert view.objectName() == "networkView"
    assert sorted(view.neurons) == [1, 2, 3, 4, 5, 6, 7]
    assert sorted(view.connections) == [(1, 3), (1, 4), (2, 3), (2, 4), (3, 5), (3, 6), (3, 7),
                                        (4, 5), (4, 6), (4, 7)]
    expected = ({("w", i, j) for i, j in view.connections} | {("b", j) for j in range(3, 8)}
                | {("x", 0, 1), ("x", 0, 2)} | {("ob", 0, k) for k in (5, 6, 7)})
    assert set(view.labels) == expected
    assert view.labels[("w", 3, 5)].text() == "w35 = 0.400"
    assert view.labels[("b", 3)].text() == "b3 = 0.100"
    assert view.labels[("x", 0, 2)].text() == "x2 = −0.400"
    assert view.labels[("ob", 0, 5)].text() == "ob5 = 0.500"
    assert view.neurons[1].name == "x1" and view.neurons[3].name == "y3"
    assert view.neurons[1].value_text() == "0.600"  # an input shows x_j


def test_neurons_show_the_outputs_of_the_shown_sample(view, controller):
    rec, s = controller.record, controller.record_sample
    for j in range(3, 8):
        assert view.neurons[j].value_text() == fmt(rec.out(j, s))


def test_layers_are_columns_left_to_right_with_neurons_centred(view):
    geo = view.net_layout
    xs = [geo.centres[j][0] for j in (1, 3, 5)]
    assert xs == sorted(xs) and len(set(xs)) == 3
    for column in ((1, 2), (3, 4), (5, 6, 7)):
        assert len({geo.centres[j][0] for j in column}) == 1
        assert sum(geo.centres[j][1] for j in column) == pytest.approx(0, abs=1e-9)
        ys = [view.neurons[j].scenePos().y() for j in column]
        assert ys == sorted(ys)


def test_stacking_order_puts_labels_over_neurons_over_edges(view):
    assert Z_EDGE < Z_NODE < Z_LABEL
    assert view.connections[(3, 5)].zValue() == Z_EDGE
    assert view.neurons[3].zValue() == Z_NODE
    assert view.labels[("w", 3, 5)].zValue() == Z_LABEL


def test_text_is_big_enough_for_a_lecture_hall(view):
    f = view.fonts
    for font in (f.label, f.derivative, f.neuron_name, f.neuron_value, f.note):
        assert font.pointSizeF() >= 11
    # the notes' net at 1280 × 800 is drawn at least at its natural size
    assert view.transform().m11() >= 1.0
    # and a circle holds its name over its value
    n = view.neurons[3]
    assert n.radius * 2 >= f.width("neuron_value", "−888.888")


# -- editing in place ----------------------------------------------------------------------------
def test_double_click_type_and_return_sets_the_weight(qtbot, view, controller):
    label = edit_label(qtbot, view, ("w", 3, 5), "0.75")
    assert controller.network.weight(3, 5) == 0.75
    assert label.text() == "w35 = 0.750"
    assert not label.editing
    assert controller.undo_stack.count() == 1


def test_editing_accepts_the_minus_sign_the_canvas_prints(qtbot, view, controller):
    label = view.labels[("b", 4)]
    double_click(qtbot, view, at(view, label))
    # QTest cannot type "−" (U+2212); send the key event a keyboard layout would
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(view.viewport(), QKeyEvent(kind, Qt.Key.Key_unknown,
                                                          Qt.KeyboardModifier.NoModifier, "−"))
    qtbot.keyClicks(view.viewport(), "1.5")
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    assert controller.network.bias(4) == -1.5
    assert view.labels[("b", 4)].text() == "b4 = −1.500"


def test_editing_inputs_and_targets(qtbot, view, controller):
    edit_label(qtbot, view, ("x", 0, 1), "0.25")
    assert controller.inputs[0, 0] == 0.25
    assert view.neurons[1].value_text() == "0.250"
    edit_label(qtbot, view, ("ob", 0, 6), "0.9")
    assert controller.targets[0, 1] == 0.9
    assert view.labels[("ob", 0, 6)].text() == "ob6 = 0.900"


def test_escape_reverts(qtbot, view, controller):
    label = edit_label(qtbot, view, ("w", 3, 5), "9", final=Qt.Key.Key_Escape)
    assert controller.network.weight(3, 5) == 0.4
    assert label.text() == "w35 = 0.400"
    assert not label.editing
    assert controller.undo_stack.count() == 0


def test_return_without_a_change_changes_nothing(qtbot, view, controller):
    controller.edit(("w", 3, 5), 0.41234567)
    label = view.labels[("w", 3, 5)]
    double_click(qtbot, view, at(view, label))
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    # the editor held the rounded "0.412": committing it untouched must not round the weight
    assert controller.network.weight(3, 5) == 0.41234567


@pytest.mark.parametrize("bad", ["abc", "nan", "1e999", "inf", ""])
def test_bad_text_is_refused_with_a_message_and_the_label_reverts(qtbot, view, controller, bad):
    messages = []
    controller.message.connect(lambda text, error: messages.append((text, error)))
    label = edit_label(qtbot, view, ("w", 3, 5), "x" if bad == "" else bad)
    if bad == "":
        pass  # "x" is refused too
    assert controller.network.weight(3, 5) == 0.4
    assert label.text() == "w35 = 0.400"
    assert not label.editing
    assert messages and messages[-1][1] is True
    assert controller.undo_stack.count() == 0


def test_clicking_away_commits_what_was_typed(qtbot, view, controller):
    label = view.labels[("w", 3, 5)]
    double_click(qtbot, view, at(view, label))
    qtbot.keyClicks(view.viewport(), "0.5")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert controller.network.weight(3, 5) == 0.5
    assert not label.editing


# -- selection -----------------------------------------------------------------------------------
def test_clicking_an_edge_selects_it_and_highlights_it(qtbot, view, controller):
    edge = view.connections[(4, 6)]
    p = free_point_on_edge(view, edge)
    with qtbot.waitSignal(controller.selectionChanged):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(p))
    assert controller.selection == ("w", 4, 6)
    assert edge.highlighted and view.labels[("w", 4, 6)].highlighted
    assert not view.connections[(3, 5)].highlighted


def test_clicking_a_weight_label_a_bias_and_a_neuron_selects_them(qtbot, view, controller):
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=at(view, view.labels[("w", 1, 3)]))
    assert controller.selection == ("w", 1, 3)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=at(view, view.labels[("b", 6)]))
    assert controller.selection == ("b", 6)
    assert view.labels[("b", 6)].highlighted
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at(view, view.neurons[5]))
    assert controller.selection == ("n", 5)
    assert view.neurons[5].highlighted and not view.labels[("b", 6)].highlighted
    # an input's value label selects the input neuron (where the inspector edits x_j)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=at(view, view.labels[("x", 0, 2)]))
    assert controller.selection == ("n", 2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert controller.selection is None
    assert not any(n.highlighted for n in view.neurons.values())


def test_selection_made_elsewhere_is_highlighted(view, controller):
    controller.select(("b", 7))
    assert view.labels[("b", 7)].highlighted
    controller.select(("w", 2, 4))
    assert view.connections[(2, 4)].highlighted and not view.labels[("b", 7)].highlighted
    assert view.labels[("w", 2, 4)].highlighted


def test_highlight_is_drawn_in_the_selected_colour(qtbot, view, controller):
    controller.select(("n", 3))
    qtbot.wait(10)
    image = view.grab().toImage()
    p = at(view, view.neurons[3], view.neurons[3].scenePos() + QPointF(view.neurons[3].radius, 0))
    near = [QColor(image.pixel(p.x() + dx, p.y())) for dx in range(-4, 2)]
    assert any(abs(c.red() - SELECTED.red()) < 30 and abs(c.green() - SELECTED.green()) < 30
               and abs(c.blue() - SELECTED.blue()) < 30 for c in near)


# -- colours and widths --------------------------------------------------------------------------
def test_edges_show_sign_by_colour_and_magnitude_by_width(view, controller):
    pos, neg = view.connections[(3, 5)].pen(), view.connections[(3, 6)].pen()  # 0.4, −0.5
    assert pos.color() == POSITIVE and neg.color() == NEGATIVE
    thin, thick = view.connections[(1, 3)].pen(), view.connections[(3, 7)].pen()  # 0.15, 0.6
    assert thin.widthF() < pos.widthF() < neg.widthF() < thick.widthF()
    assert pos.style() == Qt.PenStyle.SolidLine


def test_edge_width_is_clamped_and_follows_edits(view, controller):
    controller.edit(("w", 3, 5), 100.0)
    assert view.connections[(3, 5)].pen().widthF() == EDGE_MAX_PX
    controller.edit(("w", 3, 5), -100.0)
    assert view.connections[(3, 5)].pen().widthF() == EDGE_MAX_PX
    assert view.connections[(3, 5)].pen().color() == NEGATIVE
    controller.edit(("w", 3, 5), 0.0)
    pen = view.connections[(3, 5)].pen()
    assert pen.widthF() == EDGE_MIN_PX and pen.color() == ZERO


def test_frozen_parameters_are_dashed_grey(view, controller):
    controller.set_frozen(("w", 3, 5), True)
    pen = view.connections[(3, 5)].pen()
    assert pen.style() == Qt.PenStyle.DashLine and pen.color() == FROZEN
    assert "frozen" in view.connections[(3, 5)].toolTip()
    controller.set_frozen(("w", 3, 5), False)
    assert view.connections[(3, 5)].pen().style() == Qt.PenStyle.SolidLine


def test_the_drawing_really_uses_the_sign_colours(qtbot, view):
    image = view.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3)
               for y in range(0, image.height(), 3)}
    assert POSITIVE.rgb() in colours and NEGATIVE.rgb() in colours


# -- derivatives ---------------------------------------------------------------------------------
def test_after_a_step_every_number_belongs_to_the_new_parameters(view, controller):
    """The display contract: after Step the canvas shows the updated weights and the forward and
    backward pass at them (what the next Step will use), never the old pass beside new weights."""
    items_before = set(map(id, view.scene().items()))
    before = controller.network.theta.copy()
    controller.step()
    assert not np.array_equal(controller.network.theta, before)
    assert_canvas_shows_one_state(view, controller)
    # e.g. y5 is the forward pass through the w35 on screen
    assert view.labels[("w", 3, 5)].text() == f"w35 = {fmt(controller.network.weight(3, 5))}"
    assert view.neurons[5].value_text() == fmt(controller.network.forward(controller.inputs[0])[0])
    assert view.labels[("x", 0, 1)].derivative_text() is None
    assert not view.neurons[1].note.isVisible()  # inputs have no δ
    # numbers were updated in place: not one item was made or removed
    assert set(map(id, view.scene().items())) == items_before


def test_derivatives_can_be_hidden_and_shown_again(view, controller):
    controller.step()
    view.set_show_derivatives(False)
    assert all(label.derivative_text() is None for label in view.labels.values())
    assert not any(n.note.isVisible() for n in view.neurons.values())
    assert_no_overlaps(view)
    view.set_show_derivatives(True)
    assert view.labels[("w", 3, 5)].derivative_text().startswith("∂L/∂w = ")
    assert view.neurons[5].note.isVisible()
    assert_no_overlaps(view)


def test_training_refreshes_numbers_without_rebuilding(qtbot, view, controller):
    items_before = set(map(id, view.scene().items()))
    controller.start_training(steps=50)
    qtbot.waitUntil(lambda: not controller.training, timeout=5000)
    assert set(map(id, view.scene().items())) == items_before
    assert view.labels[("w", 3, 5)].text() == f"w35 = {fmt(controller.network.weight(3, 5))}"


def test_a_new_network_rebuilds_the_items(view, controller):
    controller.load_lesson(lesson_for([3, 4, 2]))
    assert sorted(view.neurons) == list(range(1, 10))
    assert len(view.connections) == 3 * 4 + 4 * 2
    assert ("ob", 0, 9) in view.labels and ("x", 0, 3) in view.labels
    assert all(item.scene() is view.scene() for item in view.labels.values())
    assert_no_overlaps(view)


def test_non_finite_values_are_never_drawn_as_numbers(view, controller):
    # weights this large make the next step's numbers overflow to Inf/NaN
    for key in (("w", 1, 3), ("w", 3, 5), ("w", 3, 6), ("w", 3, 7)):
        controller.edit(key, 1e200)
    drawn = [label.text() for label in view.labels.values()]
    drawn += [label.derivative_text() or "" for label in view.labels.values()]
    drawn += [n.value_text() for n in view.neurons.values()]
    drawn += [n.note.text() or "" for n in view.neurons.values()]
    drawn += [n.toolTip() for n in view.neurons.values()]
    assert any("—" in text for text in drawn)
    for text in drawn:
        assert "inf" not in text.lower() and "nan" not in text.lower(), text


# -- tooltips ------------------------------------------------------------------------------------
def test_neuron_tooltip_has_all_its_numbers(view, controller):
    controller.step()
    rec, _, s = fresh_pass(controller)
    tip = view.neurons[5].toolTip()
    for number in (rec.net(5, s), rec.out(5, s), rec.err(5, s), rec.delta(5, s),
                   controller.targets[0, 0]):
        assert fmt(number) in tip
    assert "f′(net5) = 1.000" in tip  # linear output
    hidden = view.neurons[3].toolTip()
    assert "relu" in hidden and "f′(net3) = 1.000" in hidden and "Err" not in hidden
    assert fmt(rec.delta(3, s)) in hidden


def test_weight_tooltip_has_value_gradient_next_update_and_the_last_change(view, controller):
    taken = controller.step()
    rec, _, s = fresh_pass(controller)
    tip = view.connections[(3, 5)].toolTip()
    now = controller.network.weight(3, 5)
    assert tip.startswith(f"w35 = {fmt(now)}")
    assert fmt(rec.grad_weight(3, 5)) in tip
    assert f"η·δ5·y3 = {fmt(rec.lr * rec.delta(5, s) * rec.out(3, s))}" in tip
    assert "not frozen" in tip
    # what the Step just taken did, labelled so: before → after, and the change
    old = taken.params_before[controller.param_index(("w", 3, 5))]
    assert (f"Step 1 (just taken) changed it: {fmt(old)} → {fmt(now)} (Δ = +{fmt(now - old)})"
            in tip)
    assert view.labels[("w", 3, 5)].toolTip().startswith(tip)
    bias = view.labels[("b", 5)].toolTip()
    assert fmt(rec.grad_bias(5)) in bias and f"η·δ5 = {fmt(rec.lr * rec.delta(5, s))}" in bias
    controller.edit(("lr",), "0.25")  # any other change: there is no "just taken" Step any more
    assert "just taken" not in view.connections[(3, 5)].toolTip()


def test_hovering_writes_the_tooltip(qtbot, view, controller):
    edge = view.connections[(4, 7)]
    edge.setToolTip("")
    qtbot.mouseMove(view.viewport(), QPoint(1, 1))  # the pointer may already rest on the edge
    qtbot.mouseMove(view.viewport(), view.mapFromScene(free_point_on_edge(view, edge)))
    qtbot.waitUntil(lambda: edge.toolTip() != "", timeout=2000)
    assert "w47 = 0.450" in edge.toolTip()


def test_softmax_outputs_say_f_prime_is_not_elementwise(qtbot):
    c = Controller(load_preset("notes_softmax"))
    v = NetworkView(c)
    qtbot.addWidget(v)
    assert "not element-wise" in v.neurons[5].toolTip()


# -- samples, scale, decimals --------------------------------------------------------------------
def test_data_labels_follow_the_shown_sample(qtbot):
    c = Controller(load_preset("xor"))
    v = NetworkView(c)
    qtbot.addWidget(v)
    c.set_sample(2)  # x = (1, 0), ob = 1
    assert ("x", 2, 1) in v.labels and ("x", 0, 1) not in v.labels
    assert v.labels[("x", 2, 1)].text() == "x1 = 1.000"
    assert v.labels[("ob", 2, 5)].text() == "ob5 = 1.000"
    assert v.neurons[1].value_text() == "1.000"
    c.edit(v.labels[("x", 2, 2)].key, 0.5)
    assert c.inputs[2, 1] == 0.5 and c.inputs[0, 1] == 0.0


def test_font_scale_multiplies_text_sizes_and_keeps_labels_apart(view):
    before = view.fonts.label.pointSizeF()
    view.set_font_scale(1.5)
    assert view.fonts.label.pointSizeF() == pytest.approx(1.5 * before)
    assert view.labels[("w", 3, 5)]._fonts is view.fonts
    assert_no_overlaps(view)
    with pytest.raises(ValueError):
        view.set_font_scale(0)


def test_decimals(view, controller):
    view.set_decimals(5)
    assert view.labels[("w", 3, 5)].text() == "w35 = 0.40000"
    assert view.neurons[1].value_text() == "0.60000"
    assert_no_overlaps(view)
    view.set_decimals(1)
    assert view.labels[("w", 1, 3)].text() == "w13 = 0.2"  # 0.15 rounds half up, as by hand


def test_the_scene_fits_the_window_keeping_its_aspect(qtbot, view):
    for w, h in ((1280, 800), (700, 900), (1600, 500)):
        view.resize(w, h)
        qtbot.wait(5)
        t = view.transform()
        assert t.m11() == pytest.approx(t.m22())
        shown = view.mapFromScene(view.sceneRect()).boundingRect()
        vp = view.viewport().rect()
        assert shown.width() <= vp.width() + 2 and shown.height() <= vp.height() + 2
        assert shown.width() >= vp.width() - 3 or shown.height() >= vp.height() - 3


# -- no overlaps ---------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
def test_no_label_overlaps_another_or_a_neuron(qtbot, controller, sizes):
    controller.load_lesson(lesson_for(sizes))
    v = NetworkView(controller)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    controller.step()
    assert_no_overlaps(v)
    # and the layout itself agrees, circles and δ notes included
    assert v.net_layout.overlaps() == []
    # every weight label sits on its own edge
    for (i, j), edge in v.connections.items():
        c = v.labels[("w", i, j)].sceneBoundingRect().center()
        line = edge.line
        d = abs((line.dx()) * (line.y1() - c.y()) - (line.x1() - c.x()) * line.dy()) / line.length()
        assert d <= v.labels[("w", i, j)].sceneBoundingRect().height() / 2


def crossings(lines):
    """Where two of the drawn edges (QLineF) cross, away from their ends."""
    out = []
    for a, la in enumerate(lines):
        for lb in lines[a + 1:]:
            kind, p = la.intersects(lb)
            if kind == type(kind).BoundedIntersection and p not in (la.p1(), la.p2(), lb.p1(),
                                                                     lb.p2()):
                out.append(p)
    return out


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_no_label_covers_a_crossing_of_two_edges(qtbot, controller, sizes, scale):
    """Where edges cross, a label on top would hide which edge is which (w14 and w23 on the
    notes' net used to sit on their crossing)."""
    controller.load_lesson(lesson_for(sizes))
    v = NetworkView(controller)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    v.set_font_scale(scale)
    points = crossings([edge.line for edge in v.connections.values()])
    assert points  # these nets do have crossing edges
    for key, label in v.labels.items():
        box = label.sceneBoundingRect()
        for p in points:
            assert not box.contains(p), f"{key} covers the crossing at ({p.x():.0f}, {p.y():.0f})"


def test_long_numbers_shrink_inside_their_box_instead_of_overlapping(qtbot, view, controller):
    controller.edit(("w", 3, 5), -123456.789)
    label = view.labels[("w", 3, 5)]
    assert label.text() == "w35 = −123456.789"
    slot = label.boundingRect()
    assert label.sceneBoundingRect() == label.mapRectToScene(slot)
    assert_no_overlaps(view)
    view.grab()  # paints without error


# -- the geometry on its own ---------------------------------------------------------------------
def fake_boxes(sizes, two_lines=True):
    layers = layout.neuron_numbers(sizes)
    boxes = {}
    for l in range(len(sizes) - 1):
        for i in layers[l]:
            for j in layers[l + 1]:
                boxes[("w", i, j)] = (150 if max(i, j) >= 10 else 140, 44 if two_lines else 24)
    for j in layers[0]:
        boxes[("x", j)] = (110, 24)
    for ls in layers[1:]:
        for j in ls:
            boxes[("b", j)] = (130, 44 if two_lines else 24)
            if two_lines:
                boxes[("note", j)] = (110, 22)
    for k in layers[-1]:
        boxes[("ob", k)] = (140, 44 if two_lines else 24)
    return boxes


@pytest.mark.parametrize("sizes", SIZES + ([1, 1], [4, 1, 4], [3, 5, 2]),
                         ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("two_lines", [True, False])
def test_layout_places_every_box_apart(sizes, two_lines):
    geo = layout.compute_layout(sizes, 45, fake_boxes(sizes, two_lines))
    assert geo.overlaps(gap=layout.GAP - 1e-6) == []
    assert set(geo.boxes) == set(fake_boxes(sizes, two_lines))
    for rect in geo.boxes.values():  # everything inside the scene bounds
        b = geo.bounds
        assert b.x <= rect.x and rect.right <= b.right and b.y <= rect.y and rect.bottom <= b.bottom


def test_layout_is_pure_geometry():
    source = pathlib.Path(layout.__file__).read_text()
    assert "PySide6" not in source and "Qt" not in source.replace("no Qt", "")


def test_the_wheel_zooms_in_around_the_mouse_and_back_out_to_the_whole_net(qtbot, view):
    fitted = view.transform().m11()
    target = view.labels[("w", 3, 5)]
    pos = at(view, target)
    wheel(view, 3, pos)
    assert view.transform().m11() == pytest.approx(fitted * 1.2 ** 3)
    assert view.items(pos)[0] is target  # what was under the mouse stays there
    wheel(view, 50, pos)
    assert view.transform().m11() == pytest.approx(fitted * 6.0)
    wheel(view, -60, pos)
    assert view.transform().m11() == pytest.approx(fitted)
    wheel(view, 2, pos)
    view.resize(1000, 700)  # a resize shows the whole network again
    qtbot.wait(5)
    assert view.transform().m11() == pytest.approx(view.fit_scale())


def test_a_gap_with_too_many_edges_shows_edges_without_labels(qtbot, controller):
    controller.load_lesson(lesson_for([2, 13, 13, 1]))  # 169 weights between the hidden layers
    v = NetworkView(controller)
    qtbot.addWidget(v)
    assert len(v.connections) == 26 + 169 + 13
    assert ("w", 1, 3) in v.labels and ("w", 3, 16) not in v.labels and ("w", 16, 29) in v.labels
    assert "w3,16 = " in v.connections[(3, 16)].toolTip()
    assert_no_overlaps(v)


def test_toggling_a_setting_back_reuses_the_layout(view):
    first = view.net_layout
    view.set_show_derivatives(False)
    assert view.net_layout is not first
    view.set_show_derivatives(True)
    assert view.net_layout is first


def test_a_wide_window_gets_a_wider_drawing(qtbot, view):
    before = view.net_layout
    view.resize(1600, 620)  # the canvas's shape in the main window with its docks
    qtbot.waitUntil(lambda: view.net_layout is not before, timeout=3000)
    b = view.net_layout.bounds
    assert b.w / b.h > before.bounds.w / before.bounds.h
    assert view.transform().m11() == pytest.approx(view.fit_scale())
    # the drawing now fills a wide window better than the 1.6 layout would
    old = min((1600 - 4) / before.bounds.w, (620 - 4) / before.bounds.h)
    assert view.fit_scale() > old
    assert_no_overlaps(view)
    view.resize(1280, 800)
    qtbot.waitUntil(lambda: view.net_layout is before, timeout=3000)  # and back, from the cache


def dark_pixels(image, rect):
    r = rect.toRect()
    return sum(1 for x in range(r.left(), r.right()) for y in range(r.top(), r.bottom())
               if QColor(image.pixel(x, y)).lightness() < 90)


def test_labels_and_notes_paint_their_text(qtbot, view, controller):
    controller.step()
    image = view.grab().toImage()
    label = view.labels[("w", 3, 5)]
    note = view.neurons[5].note
    for item in (label, note, view.neurons[5]):
        box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert dark_pixels(image, QRectF(box)) > 20, item
    view.set_show_derivatives(False)
    assert not note.isVisible()


def test_tab_walks_the_numbers_in_the_notes_order_and_return_edits(qtbot, view, controller):
    """Keyboard only: Tab goes x1, x2, w13, w14, w23, w24, b3, b4, w35, …, ob5, ob6, ob7;
    Return edits the number reached, as a double-click does; Shift+Tab goes back."""
    expected = ([("x", 0, 1), ("x", 0, 2)]
                + [("w", p.i, p.j) if p.kind == "w" else ("b", p.j)
                   for p in controller.network.parameters()]
                + [("ob", 0, 5), ("ob", 0, 6), ("ob", 0, 7)])
    assert expected[2:8] == [("w", 1, 3), ("w", 1, 4), ("w", 2, 3), ("w", 2, 4), ("b", 3),
                             ("b", 4)]
    view.setFocus()
    reached = []
    for _ in expected:
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        reached.append(view.focused)
        # the selection follows (an input or target selects its neuron, for the inspector)
        assert controller.selection == view.selection_key(view.labels[view.focused])
    assert reached == expected
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert view.focused == ("ob", 0, 6)
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert view.focused == ("b", 7)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    label = view.labels[("b", 7)]
    assert label.editing
    qtbot.keyClicks(view.viewport(), "0.25")
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    assert not label.editing and controller.network.bias(7) == 0.25
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.focused == ("ob", 0, 5)
