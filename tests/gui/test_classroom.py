"""Classroom mode on the real window: font scale, themes, presentation mode, full screen, and
the settings that carry them (and the layout) from one window to the next (each test has its
own empty settings: tests/conftest.py)."""
import colorsys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QDockWidget, QMenu, QToolBar

from engine import Network
from engine.lesson import Lesson
from engine.numbers import fmt
from gui import classroom, plots, style
from gui.canvas import theme as canvas_theme
from gui.main_window import MainWindow
from tests.gui.canvas_helpers import digits_px, drag, wheel
from tests.gui.conftest import shown_window
from tests.gui.contract import assert_canvas_shows_one_state

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def open_window(qtbot):
    """Opens shown MainWindows; afterwards puts the application-wide look (font, palette,
    canvas and plot colours) back to the defaults the other tests expect."""
    windows = []

    def open_(lesson=None):
        w = shown_window(qtbot, lesson)
        windows.append(w)
        return w

    yield open_
    last = windows[-1]
    if last.isVisible():
        last.classroom.set_presentation(False)
    last.classroom.set_theme("light")
    last.classroom.set_font_scale(1.0)


def settle(qtbot, window):
    """Let the layout follow a change and the canvas re-lay itself out for its new shape."""
    qtbot.wait(20)
    window.view.adapt_to_window_shape()
    qtbot.wait(20)


def on_screen_text_px(view):
    """How tall a weight label's text is on screen, in pixels."""
    return view.fonts.height("label") * view.transform().m11()


def visible_docks(window):
    return {d.objectName() for d in window.findChildren(QDockWidget) if d.isVisible()}


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    window.view.setFocus()
    qtbot.keyClick(window.view, key, modifier)
    qtbot.wait(10)  # a new application font reaches the widgets through posted events


# -- actions -------------------------------------------------------------------------------------
def test_actions_have_their_shortcuts_and_sit_in_the_view_menu(open_window):
    w = open_window()
    expected = {"actionZoomIn": ["Ctrl+=", "Ctrl++"], "actionZoomOut": ["Ctrl+-"],
                "actionZoomReset": ["Ctrl+0"], "actionPresentation": ["F5"],
                "actionFullScreen": ["F11"]}
    view_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&View")
    in_menu = {a.objectName() for a in view_menu.actions()}
    for name, keys in expected.items():
        action = getattr(w.classroom, name)
        assert action.objectName() == name
        shortcuts = [s.toString() for s in action.shortcuts()]
        assert shortcuts[:len(keys)] == keys, name
        assert action in w.actions(), name  # window-wide shortcut
        assert name in in_menu, name
    theme_menu = view_menu.findChild(QMenu, "themeMenu")
    names = [a.objectName() for a in theme_menu.actions()]
    assert names == ["actionThemeLight", "actionThemeDark", "actionThemeHighContrast"]
    assert w.classroom.theme_actions["light"].isChecked()
    assert w.classroom.theme_actions["light"].actionGroup().isExclusive()


def test_window_and_application_carry_the_icon(open_window):
    w = open_window()
    assert not w.windowIcon().isNull()
    assert not QApplication.windowIcon().isNull()
    assert QApplication.desktopFileName() == classroom.DESKTOP_NAME


# -- font scale ----------------------------------------------------------------------------------
def test_ctrl_plus_and_minus_scale_the_fonts_in_steps_and_ctrl_0_resets(qtbot, open_window):
    w = open_window()
    base = QApplication.font().pointSizeF()
    tick_base = w.loss_plot.plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF()
    press(qtbot, w, Qt.Key.Key_Equal, CTRL)
    press(qtbot, w, Qt.Key.Key_Equal, CTRL)
    assert w.classroom.font_scale == 1.25
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.25)
    assert w.step_label.font().pointSizeF() == pytest.approx(base * 1.25)  # follows the app
    tick = w.loss_plot.plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF()
    assert tick == pytest.approx(tick_base * 1.25)
    assert classroom.settings().value(classroom.KEY_FONT_SCALE, type=float) == 1.25
    press(qtbot, w, Qt.Key.Key_Minus, CTRL)
    assert w.classroom.font_scale == 1.1
    for _ in range(4):  # bottoms out at the smallest step
        press(qtbot, w, Qt.Key.Key_Minus, CTRL)
    assert w.classroom.font_scale == classroom.FONT_SCALES[0]
    w.view.zoom_by(2.0)
    assert w.view.transform().m11() > w.view.fit_scale() * 1.5
    press(qtbot, w, Qt.Key.Key_0, CTRL)
    assert w.classroom.font_scale == 1.0
    assert QApplication.font().pointSizeF() == pytest.approx(base)
    assert w.view.transform().m11() == pytest.approx(w.view.fit_scale(), rel=0.01)


def test_at_3x_text_the_plots_keep_room_for_their_curves_and_tick_labels_stay_apart(
        qtbot, open_window):
    w = open_window()
    axis = w.loss_plot.plot.getPlotItem().getAxis("bottom")
    tick_base = axis.style["tickFont"].pointSizeF()
    box_base = w.loss_plot.log_check.font().pointSizeF()
    app_base = QApplication.font().pointSizeF()
    while w.classroom.font_scale < 3.0:
        press(qtbot, w, Qt.Key.Key_Equal, CTRL)
    assert QApplication.font().pointSizeF() == pytest.approx(3 * app_base)  # the rest is at 3×
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(
        tick_base * classroom.PLOT_MAX_SCALE)
    assert w.loss_plot.log_check.font().pointSizeF() == pytest.approx(
        box_base * classroom.PLOT_MAX_SCALE, rel=0.05)
    # neighbouring major ticks' labels, at their font, never overlap however the axis is sized
    from PySide6.QtGui import QFontMetricsF
    metrics = QFontMetricsF(axis.style["tickFont"])
    for length in (120, 200, 400):
        for top in (1.0, 37.0, 0.002):
            spacing, ticks = axis.tickValues(0.0, top, length)[0]
            assert ticks  # at least one labelled tick
            widest = max(metrics.horizontalAdvance(t)
                         for t in axis.tickStrings(ticks, 1.0, spacing))
            assert spacing / top * length >= widest, (length, top, ticks)  # centre to centre


def test_saved_font_scale_snaps_to_a_step_and_nonsense_is_ignored(open_window):
    s = classroom.settings()
    s.setValue(classroom.KEY_FONT_SCALE, 1.7)
    s.setValue(classroom.KEY_THEME, "neon")
    s.setValue(classroom.KEY_GEOMETRY, "not a geometry")
    s.sync()
    w = open_window()
    assert w.classroom.font_scale == 1.75
    assert w.classroom.theme is style.LIGHT
    assert [classroom.nearest_font_scale(v) for v in ("big", "nan", None, "inf", -3, 99)] \
        == [1.0, 1.0, 1.0, 1.0, classroom.FONT_SCALES[0], classroom.FONT_SCALES[-1]]


# -- presentation and full screen ----------------------------------------------------------------
def test_presentation_mode_hides_the_docks_enlarges_canvas_text_and_comes_back(qtbot,
                                                                            open_window):
    w = open_window()
    w.docks["outputs"].hide()  # a dock the teacher had closed stays closed afterwards
    settle(qtbot, w)
    before_docks = visible_docks(w)
    before_px = on_screen_text_px(w.view)
    before_font = QApplication.font().pointSizeF()

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert w.classroom.presenting and w.classroom.actionPresentation.isChecked()
    assert visible_docks(w) == set()
    bars = {b.objectName() for b in w.findChildren(QToolBar)}
    assert {"mainToolBar", "timelineToolBar", "compareToolBar"} <= bars
    assert {b.objectName() for b in w.findChildren(QToolBar) if b.isVisible()} == {"mainToolBar"}
    assert QApplication.font().pointSizeF() == pytest.approx(
        before_font * classroom.PRESENTATION_SCALE)
    # what the class sees: the canvas's numbers drawn at least a fifth taller
    assert on_screen_text_px(w.view) > 1.2 * before_px

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert not w.classroom.presenting
    assert visible_docks(w) == before_docks
    assert {b.objectName() for b in w.findChildren(QToolBar) if b.isVisible()} == bars
    assert QApplication.font().pointSizeF() == pytest.approx(before_font)
    assert on_screen_text_px(w.view) == pytest.approx(before_px, rel=0.05)


def test_f11_toggles_full_screen_and_the_check_mark_follows(qtbot, open_window):
    w = open_window()
    press(qtbot, w, Qt.Key.Key_F11)
    assert w.isFullScreen() and w.classroom.actionFullScreen.isChecked()
    press(qtbot, w, Qt.Key.Key_F11)
    assert not w.isFullScreen() and not w.classroom.actionFullScreen.isChecked()
    w.showFullScreen()  # from elsewhere (a window manager's own key): the mark follows
    assert w.classroom.actionFullScreen.isChecked()
    w.showNormal()


# -- themes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["dark", "high_contrast", "light"])
def test_a_theme_recolours_widgets_canvas_and_plots(qtbot, open_window, key):
    w = open_window()
    theme = style.THEMES[key]
    light_widths = {k: e.pen().widthF() for k, e in w.view.connections.items()}
    w.classroom.set_theme("dark" if key == "light" else "light")  # come from another theme
    w.classroom.theme_actions[key].trigger()
    qtbot.wait(20)
    assert w.classroom.theme is theme and w.classroom.theme_actions[key].isChecked()
    assert classroom.settings().value(classroom.KEY_THEME) == key
    # the canvas, as drawn
    image = w.view.grab().toImage()
    assert image.pixelColor(3, 3).name() == theme.background.name()
    pens = {round(e.weight, 9): e.pen().color().name() for e in w.view.connections.values()}
    assert pens[max(pens)] == theme.positive.name()
    assert pens[min(pens)] == theme.negative.name()
    for k, e in w.view.connections.items():  # high contrast draws thicker lines
        assert e.pen().widthF() == pytest.approx(light_widths[k] * theme.stroke)
    # the plots
    for plot in (w.loss_plot, w.weight_plot, w.output_plot):
        assert plot.plot.backgroundBrush().color().name() == theme.background.name()
    axis = w.loss_plot.plot.getPlotItem().getAxis("left")
    assert axis.pen().color().name() == theme.foreground.name()
    # the widgets
    window_colour = QApplication.palette().color(QPalette.ColorRole.Window)
    if theme.panel is not None:
        assert window_colour.name() == theme.panel.name()
        assert QApplication.palette().color(QPalette.ColorRole.Text).name() \
            == theme.foreground.name()
    else:
        assert window_colour.lightnessF() > 0.5  # the platform's own (light) palette


def test_light_theme_draws_the_shared_palette_exactly(open_window):
    w = open_window()
    w.classroom.set_theme("dark")
    w.classroom.set_theme("light")
    assert canvas_theme.sign_colour(1.0) == style.POSITIVE
    assert canvas_theme.sign_colour(-1.0) == style.NEGATIVE
    assert plots.param_color(0) == plots.PARAM_COLORS[0]


def test_high_contrast_frames_check_boxes_in_white(qtbot, open_window):
    w = open_window()
    w.classroom.set_theme("high_contrast")
    box = QCheckBox("Frozen", w)
    box.show()
    qtbot.wait(10)
    image = box.grab().toImage()
    indicator = [image.pixelColor(x, y) for x in range(min(20, image.width()))
                 for y in range(image.height())]
    # without the frame the box is black on black: Fusion outlines it in a shade of black
    assert sum(c.lightness() > 200 for c in indicator) >= 20


def contrast(a, b):
    """WCAG 2 contrast ratio of two colours."""
    def luminance(c):
        channels = [v / 255 for v in c.getRgb()[:3]]
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
                   for v in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", style.THEMES.values(), ids=list(style.THEMES))
def test_every_theme_is_readable_on_a_projector(theme):
    bg = theme.background
    text_floor = 15 if theme is style.HIGH_CONTRAST else 7  # WCAG AAA for text is 7:1
    assert contrast(theme.foreground, bg) >= text_floor
    assert contrast(theme.muted, bg) >= 7
    # the sign colours are lines and label frames: WCAG asks 3:1 of graphics
    for colour in (theme.positive, theme.negative, theme.frozen):
        assert contrast(colour, bg) >= 3.5
    if theme.dark:
        assert contrast(theme.selected, bg) >= 7
    # blue against vermillion: hues ~180° apart, which every kind of colour blindness keeps
    hue = [colorsys.rgb_to_hsv(*(v / 255 for v in c.getRgb()[:3]))[0] * 360
           for c in (theme.positive, theme.negative)]
    assert 140 <= abs(hue[0] - hue[1]) <= 220


# -- persistence ---------------------------------------------------------------------------------
def test_layout_theme_and_font_scale_persist_from_one_window_to_the_next(qtbot, open_window):
    first = open_window()
    first.classroom.set_theme("dark")
    first.classroom.set_font_scale(0.9)
    first.docks["outputs"].hide()
    qtbot.wait(20)
    # restoring keeps a window on its screen (the off-screen one is 800 × 800) and no smaller
    # than its minimum (about 420 × 710 here)
    first.resize(780, 760)
    assert first.size().toTuple() == (780, 760)
    first.close()

    second = open_window()
    assert second.classroom.theme is style.DARK
    assert second.classroom.theme_actions["dark"].isChecked()
    assert second.view.backgroundBrush().color().name() == style.DARK.background.name()
    assert second.classroom.font_scale == 0.9
    assert not second.docks["outputs"].isVisible()
    assert second.docks["loss"].isVisible()
    assert second.size().toTuple() == (780, 760)


def test_a_window_never_shown_leaves_the_saved_layout_alone(qtbot, open_window):
    first = open_window()
    first.docks["outputs"].hide()
    first.close()
    hidden = MainWindow()  # e.g. made by a script: its default layout is not the user's
    qtbot.addWidget(hidden)
    hidden.close()
    assert not open_window().docks["outputs"].isVisible()


def test_closing_in_presentation_mode_remembers_the_docks_from_before(qtbot, open_window):
    first = open_window()
    font = QApplication.font().pointSizeF()
    docks = visible_docks(first)
    assert docks
    first.classroom.set_presentation(True)
    first.classroom.set_full_screen(True)
    first.close()

    second = open_window()
    assert not second.classroom.presenting and not second.isFullScreen()
    assert visible_docks(second) == docks
    assert QApplication.font().pointSizeF() == pytest.approx(font)


def _ink_rows(image, x0, x1, y0, y1):
    """The rows between y0 and y1 with text ink (a dark, grey pixel) between columns x0 and x1."""
    rows = []
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = image.pixelColor(x, y)
            if max(c.red(), c.green(), c.blue()) < 150 and c.hsvSaturation() < 60:
                rows.append(y)
                break
    return rows


def test_presenting_draws_every_number_at_one_size_and_the_names_small(qtbot, open_window):
    """What the back row must read are the numbers: presenting, the ∂L/∂w and δ values are as
    tall as the weights (not smaller, as at the desk), and the names before them ("w35",
    "∂L/∂w") are drawn small, without "=", which leaves room for everything to grow."""
    w = open_window()
    press(qtbot, w, Qt.Key.Key_Space)  # a Step: the backward numbers are there to be read
    view = w.view
    label = view.labels[("w", 3, 5)]
    main, second = label.text(), label.derivative_text()
    assert main.startswith("w35 = ") and second.startswith("∂L/∂w = ")
    desk = {k: view.fonts.digit_height(k) for k in ("label", "derivative", "note")}
    assert desk["derivative"] < desk["label"] and desk["note"] < desk["label"]

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    f = view.fonts
    assert f.compact
    assert f.digit_height("derivative") == f.digit_height("label") == f.digit_height("note")
    assert f.digit_height("tag") < 0.8 * f.digit_height("label")
    # the same numbers as before, and every label's box holds its text at full size
    assert (label.text(), label.derivative_text()) == (main, second)
    for lab in view.labels.values():
        lines = [("label", lab.text())] + ([("derivative", lab.derivative_text())]
                                           if lab.derivative_text() else [])
        need = max(f.line_width(which, text) for which, text in lines) + 2 * f.pad_x
        assert need <= lab.boundingRect().width() + 1e-6, lab.text()
    for neuron in view.neurons.values():  # and every δ note under a neuron
        note = neuron.note
        if note.isVisible() and note.text():
            need = max(f.line_width("note", t) for t in note.text().split("\n")) + 2 * f.pad_x
            assert need <= note.boundingRect().width() + 1e-6, note.text()
    # as drawn (the label painted on its own, 4× enlarged, so its ink can be measured): in the
    # first line the name's ink is shorter than the number's
    k, rect = 4, label.boundingRect()
    image = QImage(int(rect.width() * k), int(rect.height() * k), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.scale(k, k)
    painter.translate(-rect.topLeft())
    label.paint(painter, None)
    painter.end()
    name_w = int((f.pad_x + f.width("tag", "w35 ")) * k)
    mid = image.height() // 2
    name_rows = _ink_rows(image, 0, name_w, 0, mid)
    number_rows = _ink_rows(image, name_w + 1, image.width(), 0, mid)
    assert name_rows and number_rows
    name_span, number_span = max(name_rows) - min(name_rows), max(number_rows) - min(number_rows)
    assert name_span < 0.8 * number_span, (name_span, number_span)

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert not view.fonts.compact
    assert view.fonts.digit_height("derivative") < view.fonts.digit_height("label")


def test_a_number_edited_in_place_while_presenting_reads_back_compact(qtbot, open_window):
    """Presenting, a double-click on a weight still edits just the number; the engine takes it
    and the label shows it, drawn compact — and Undo (Ctrl+Z) brings the old one back."""
    from tests.gui.canvas_helpers import edit_label

    w = open_window()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    view = w.view
    old = w.controller.network.weight(3, 5)
    label = edit_label(qtbot, view, ("w", 3, 5), "0.5")
    assert w.controller.network.weight(3, 5) == 0.5
    assert label.text() == "w35 = 0.500" and view.fonts.compact
    press(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.controller.network.weight(3, 5) == old
    assert label.text() == f"w35 = {fmt(old, 3)}"


def test_presenting_while_training_and_after_undo_shows_the_held_state_compact(qtbot,
                                                                              open_window):
    """F5 pressed while Train (Ctrl+T) runs: the numbers go on changing, drawn compact; paused
    and undone (Ctrl+Z), every number on the canvas is the state the engine holds, still
    compact; F5 again, desk fonts."""
    from tests.gui.contract import assert_canvas_shows_one_state

    w = open_window()
    c = w.controller
    label = w.view.labels[("w", 3, 5)]
    before = label.text()
    press(qtbot, w, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: c.training and c.step_count > 0)
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    at_f5 = c.step_count
    qtbot.waitUntil(lambda: c.step_count > at_f5 + 50)
    assert w.classroom.presenting and w.view.fonts.compact
    qtbot.waitUntil(lambda: label.text() != before)  # the canvas follows the training
    press(qtbot, w, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: not c.training)
    assert_canvas_shows_one_state(w.view, c)
    press(qtbot, w, Qt.Key.Key_Z, CTRL)
    assert c.step_count == 0 and w.view.fonts.compact
    assert_canvas_shows_one_state(w.view, c)
    assert label.text() == before == f"w35 = {fmt(c.network.weight(3, 5), 3)}"
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert not w.view.fonts.compact
    assert_canvas_shows_one_state(w.view, c)


def _seen(view):
    """The scene rectangle the canvas shows."""
    return view.mapToScene(view.viewport().rect()).boundingRect()


def _middle_share(view):
    """Where the middle of the screen is in the drawing, as shares of its width and height."""
    seen, whole = _seen(view).center(), view.sceneRect()
    return ((seen.x() - whole.left()) / whole.width(), (seen.y() - whole.top()) / whole.height())


def test_presenting_keeps_every_number_3_percent_of_the_screen_tall_and_follows_the_phase(
        qtbot, open_window):
    """F5: the numbers are at least 3 % of the screen's height. The notes' net does not fit
    whole at that size, so part of it is in view, with scroll bars; each phase (N) is brought
    into view; Ctrl+0 shows the whole network (its numbers smaller) until the text changes
    (Ctrl+=: 3 % again), and Tab brings every number into view; F5 again: the whole network,
    no scroll bars."""
    w = open_window()
    view, screen_h = w.view, w.screen().geometry().height()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert digits_px(view) == pytest.approx(classroom.PRESENTATION_DIGITS * screen_h)
    assert not view.shows_whole()
    assert not _seen(view).contains(view.sceneRect())
    # the middle of the drawing in the middle of the screen
    middle, seen = view.sceneRect().center(), _seen(view)
    assert abs(seen.center().x() - middle.x()) < 0.02 * view.sceneRect().width()
    assert abs(seen.center().y() - middle.y()) < 0.02 * view.sceneRect().height()
    assert view.horizontalScrollBar().isVisible() or view.verticalScrollBar().isVisible()

    # each phase's neurons in view, or as many as fit from the first (the math panel opens
    # beside the canvas and takes part of its width)
    for phase in ("y3, y4", "y5, y6, y7"):
        press(qtbot, w, Qt.Key.Key_N)
        neurons, _ = view.phase_marked()
        assert [w.controller.neuron_name(j) for j in neurons] == phase.split(", ")
        assert _seen(view).contains(view.neurons[neurons[0]].sceneBoundingRect()), phase
        assert digits_px(view) == pytest.approx(classroom.PRESENTATION_DIGITS * screen_h)

    press(qtbot, w, Qt.Key.Key_0, CTRL)
    assert view.shows_whole() and _seen(view).contains(view.sceneRect())
    assert digits_px(view) < classroom.PRESENTATION_DIGITS * screen_h
    press(qtbot, w, Qt.Key.Key_Space)  # a Step keeps the whole network in view
    assert view.shows_whole()
    press(qtbot, w, Qt.Key.Key_Equal, CTRL)
    settle(qtbot, w)
    assert digits_px(view) == pytest.approx(classroom.PRESENTATION_DIGITS * screen_h)
    for key in view.tab_order():  # the keyboard reaches every number, each brought into view
        press(qtbot, w, Qt.Key.Key_Tab)
        assert view.focused == key
        assert _seen(view).contains(view.labels[key].sceneBoundingRect()), key

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert view.shows_whole() and _seen(view).contains(view.sceneRect())
    assert not view.horizontalScrollBar().isVisible()
    assert not view.verticalScrollBar().isVisible()


def test_presenting_in_part_the_view_stays_where_it_is_dragged_while_training_and_undo(
        qtbot, open_window):
    """Presenting the notes' net in part: dragging the background pans it, and larger text
    (Ctrl+=) keeps that part in view; Train (Ctrl+T) runs
    with the view held still and every number at 3 %; paused and undone (Ctrl+Z) the view has
    not moved and the canvas shows the state the engine holds; F5 pressed half-way through a
    phase walk brings the walk's phase into view."""
    w = open_window()
    view, c = w.view, w.controller
    screen_h = w.screen().geometry().height()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert not view.shows_whole()
    before = _seen(view)
    vp = view.viewport().rect()
    background = next(QPoint(x, y) for y in range(4, vp.height(), 10)
                      for x in range(4, vp.width(), 10) if view.itemAt(QPoint(x, y)) is None)
    drag(qtbot, view, background, background + QPoint(120, 90))
    dragged = _seen(view)
    assert dragged.center() != before.center()  # the drawing followed the hand
    where = _middle_share(view)
    press(qtbot, w, Qt.Key.Key_Equal, CTRL)  # larger text keeps the same part in view
    settle(qtbot, w)
    assert _middle_share(view) == pytest.approx(where, abs=0.01)
    press(qtbot, w, Qt.Key.Key_Minus, CTRL)
    settle(qtbot, w)
    dragged = _seen(view)
    press(qtbot, w, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: c.training and c.step_count > 20)
    assert _seen(view) == dragged
    assert digits_px(view) == pytest.approx(classroom.PRESENTATION_DIGITS * screen_h)
    press(qtbot, w, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: not c.training)
    press(qtbot, w, Qt.Key.Key_Z, CTRL)
    assert c.step_count == 0
    assert _seen(view) == dragged
    assert_canvas_shows_one_state(view, c)

    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    press(qtbot, w, Qt.Key.Key_N)
    press(qtbot, w, Qt.Key.Key_N)  # half-way: the forward pass into the outputs
    neurons, _ = view.phase_marked()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert c.walk is not None and view.phase_marked()[0] == neurons
    assert digits_px(view) == pytest.approx(classroom.PRESENTATION_DIGITS * screen_h)
    assert _seen(view).contains(view.neurons[neurons[0]].sceneBoundingRect())


def test_presenting_in_part_the_wheel_goes_from_3_percent_to_the_whole_network_and_back(
        qtbot, open_window):
    """Presenting the notes' net in part, the wheel zooms in from 3 %; out, it stops at 3 % (a
    trackpad's half notch too) and then shows the whole network, never a size between (numbers
    neither readable nor all in view); in from the whole network it comes back at 3 % or more
    and stays where it was turned to when the scroll bars come back."""
    w = open_window()
    view = w.view
    least = classroom.PRESENTATION_DIGITS * w.screen().geometry().height()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    centre = view.viewport().rect().center()

    def turn(notches):
        wheel(view, notches, centre)
        qtbot.wait(20)  # the scroll bars come or go

    turn(1)
    assert digits_px(view) == pytest.approx(1.2 * least)
    turn(-1)
    assert digits_px(view) == pytest.approx(least)
    turn(0.5)
    assert digits_px(view) == pytest.approx(1.2 ** 0.5 * least)
    turn(-1)  # would end under 3 %: stops there
    assert digits_px(view) == pytest.approx(least)
    turn(-1)
    assert view.shows_whole() and _seen(view).contains(view.sceneRect())
    whole = digits_px(view)
    assert whole < least
    turn(4)  # past 3 %, if the whole network is under it by less than 1.2⁴
    assert digits_px(view) == pytest.approx(max(least, 1.2 ** 4 * whole))
    assert not view.shows_whole()
    press(qtbot, w, Qt.Key.Key_D, CTRL)  # a new layout: the whole network is not asked for now
    assert not view.shows_whole() and digits_px(view) == pytest.approx(least)


def test_presenting_a_network_that_fits_the_wheel_asks_nothing_of_the_next_one(qtbot,
                                                                               open_window):
    """A 1-1 network (one input, one output) fits whole at 3 %: turning the wheel out there
    changes nothing, not even when net_j is shown too, and the notes' net loaded next (its
    preset from the menu) is drawn at 3 %, not shrunk to fit. Ctrl+0 there shows all of it;
    XOR, loaded next, is at 3 % again."""
    w = open_window(Lesson(Network([1, 1], seed=1), np.array([[0.5]]), np.array([[0.2]])))
    view = w.view
    least = classroom.PRESENTATION_DIGITS * w.screen().geometry().height()
    press(qtbot, w, Qt.Key.Key_F5)
    settle(qtbot, w)
    assert view.shows_whole() and digits_px(view) >= least
    wheel(view, -2, view.viewport().rect().center())
    qtbot.wait(20)
    assert view.shows_whole() and digits_px(view) >= least
    press(qtbot, w, Qt.Key.Key_D, CTRL | Qt.KeyboardModifier.ShiftModifier)  # net_j too
    assert digits_px(view) >= least * (1 - 1e-9)
    w.findChild(QAction, "actionPreset_notes_relu").trigger()
    settle(qtbot, w)
    assert len(view.neurons) == 7
    assert digits_px(view) == pytest.approx(least)
    press(qtbot, w, Qt.Key.Key_0, CTRL)  # all of it, its numbers smaller: asked for now
    assert view.shows_whole() and digits_px(view) < least
    w.findChild(QAction, "actionPreset_xor").trigger()  # asked of that network, not this
    settle(qtbot, w)
    assert digits_px(view) == pytest.approx(least)
