"""Classroom mode: font scale, themes, presentation mode, full screen, and the window state
that persists between runs (QSettings).

The theme belongs to the whole application (the Qt palette, the canvas's colours, the plots');
so does the font scale, except on the canvas: the view fits the whole network into its
window, so bigger canvas fonts only make a bigger drawing that is shrunk back (measured: ×1.5
fonts gave 6 % larger text on screen and 30 % thinner edges). Canvas text grows with the room
the canvas gets, which is what presentation mode (the docks hidden) and full screen give it, and
with the mouse-wheel zoom; presenting, it is never under PRESENTATION_DIGITS of the screen's
height, even if the view then shows only part of the network. Every setting is read and
written through ``settings()``, so a test can point it elsewhere with ``QSettings.setPath``."""
from __future__ import annotations

import functools
import math
from importlib import resources
from typing import NamedTuple

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt
from PySide6.QtGui import (QActionGroup, QBrush, QFont, QGuiApplication, QIcon, QKeySequence,
                           QPalette)
from PySide6.QtWidgets import QApplication, QDockWidget, QProxyStyle, QToolBar

from engine.numbers import fmt

from . import plots, style
from .settings import settings
from .canvas import theme as canvas_theme

DESKTOP_NAME = "backprop-lab"  # the .desktop entry and icon name (resources/, packaging/)
KEY_GEOMETRY, KEY_STATE = "window/geometry", "window/state"
KEY_FONT_SCALE, KEY_THEME = "view/fontScale", "view/theme"
STATE_VERSION = 1  # bump when the docks change so an old saved layout is ignored
DEFAULT_SIZE = (1600, 1000)  # a new window on screens at least this large; smaller ones filled

#: the steps Larger/Smaller Text go through (fixed steps: in and out again lands on 1 exactly)
FONT_SCALES = (0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
#: presentation mode multiplies the font scale by this (the canvas's text grows further, as large
#: as its room allows, up to MAX_CANVAS_SCALE)
PRESENTATION_SCALE = 1.5
MAX_CANVAS_SCALE = 12.0
#: presenting, the canvas's digits are at least this share of the screen's height (read from the
#: back row); a network too big to show whole at that size is shown in part, and panned
PRESENTATION_DIGITS = 0.03
#: the plots' text (ticks, axis titles, their check boxes) grows with the text scale up to this:
#: beyond it, a plot docked at the bottom of a 1280×720 screen had no room left for its curves
PLOT_MAX_SCALE = 1.75
#: the canvas's text scale is the app's to this power: the canvas is mostly text and always shows
#: the whole network, so its numbers grow less than their font; and larger text elsewhere leaves
#: it less room — squared, each Larger Text still shows its numbers larger
CANVAS_EXPONENT = 2.0


def icon_path():
    """The application icon (an SVG) as a file path: ``resources`` is an ordinary folder in
    the source tree, an installed wheel and the PyInstaller bundle alike, and QIcon loads an
    SVG lazily, so it needs a path that stays valid."""
    return str(resources.files("resources") / "icons" / f"{DESKTOP_NAME}.svg")


class PlatformLook(NamedTuple):
    style: str
    palette: QPalette
    font: QFont


@functools.cache
def platform_look():
    """The style, palette and font the application started with (the Light theme's widgets,
    at scale 1), captured once, before any theme or scale changes them."""
    app = QApplication.instance()
    return PlatformLook(app.style().name(), QPalette(app.palette()), QFont(app.font()))


def _scaled_font(font, scale):
    f = QFont(font)
    if f.pointSizeF() > 0:
        f.setPointSizeF(f.pointSizeF() * scale)
    else:  # a font given in pixels
        f.setPixelSize(max(1, round(f.pixelSize() * scale)))
    return f


def nearest_font_scale(value):
    """The step of FONT_SCALES closest to ``value`` (1 for anything that is not a number)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(value):
        return 1.0
    return min(FONT_SCALES, key=lambda s: abs(s - value))


def default_geometry(available):
    """Where a new window goes on a screen whose free area is ``available`` (a QRect): the
    whole of it on a projector-sized screen (1024×768, 1280×720), else DEFAULT_SIZE centred."""
    width = min(DEFAULT_SIZE[0], available.width())
    height = min(DEFAULT_SIZE[1], available.height())
    x = available.x() + (available.width() - width) // 2
    y = available.y() + (available.height() - height) // 2
    return QRect(x, y, width, height)


def fit_on_screen(window):
    """Keep ``window`` (not full screen or maximized) inside its screen's free area: larger
    text or a layout saved on a bigger screen never leave part of it out of reach."""
    if window.windowState() & (Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMaximized):
        return
    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    frame = window.frameGeometry()
    if free.contains(frame):
        return
    extra_w = frame.width() - window.width()  # the window manager's frame
    extra_h = frame.height() - window.height()
    width = min(window.width(), free.width() - extra_w)
    height = min(window.height(), free.height() - extra_h)
    x = min(max(frame.x(), free.x()), free.right() + 1 - (width + extra_w))
    y = min(max(frame.y(), free.y()), free.bottom() + 1 - (height + extra_h))
    window.resize(width, height)
    window.move(x, y)


class Classroom(QObject):
    """The classroom actions of one MainWindow and the state behind them."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.font_scale = 1.0
        self.theme = style.LIGHT
        self.presenting = False
        self._layout_before_presentation = None  # saveState() bytes while presenting
        self._full_screen_before_presentation = False
        self._layout_restored = False
        self._default_state = window.saveState(STATE_VERSION)  # for Reset Layout
        self._make_actions()
        # the first Show restores the saved layout; a window state change keeps the Full
        # Screen check mark true
        window.installEventFilter(self)
        window.close_hooks.append(self.save_layout)

    # -- actions ----------------------------------------------------------------------------------
    def _make_actions(self):
        w = self.window
        self.actionZoomIn = w.add_action("actionZoomIn", "Larger Text", "Ctrl+=",
                                      lambda: self.step_font_scale(+1),
                                      "Larger text in the panels, plots, menus and toolbar")
        # Ctrl++ is what the keypad's plus and non-US keyboards type
        self.actionZoomIn.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.actionZoomOut = w.add_action("actionZoomOut", "Smaller Text", "Ctrl+-",
                                       lambda: self.step_font_scale(-1),
                                       "Smaller text in the panels, plots, menus and toolbar")
        self.actionZoomReset = w.add_action("actionZoomReset", "Actual Size", "Ctrl+0",
                                         self.reset_zoom,
                                         "Text at its normal size, the whole network in view "
                                         "(presenting too, its numbers then smaller)")
        self.actionPresentation = w.add_action(
            "actionPresentation", "Presentation Mode", "F5", self.set_presentation,
            "Hide the panels and plots, leaving the window to the network; enlarge the text, "
            f"every number at least {fmt(100 * PRESENTATION_DIGITS, 0)} % of the screen tall "
            "(a network too big for that is shown in part: drag it; Ctrl+0 shows all of it)",
            checkable=True)
        self.actionFullScreen = w.add_action("actionFullScreen", "Full Screen", "F11",
                                          self.set_full_screen, checkable=True)
        self.actionResetLayout = w.add_action(
            "actionResetLayout", "Reset Layout", "Ctrl+Shift+0", self.reset_layout,
            "The window's default size for this screen and every panel in its place")
        native = QKeySequence(QKeySequence.StandardKey.FullScreen)  # Ctrl+Cmd+F on macOS
        if not native.isEmpty() and native != QKeySequence("F11"):
            self.actionFullScreen.setShortcuts([QKeySequence("F11"), native])
        self.theme_actions = {}
        group = QActionGroup(self, exclusive=True)
        for number, t in enumerate(style.THEMES.values(), start=1):
            name = "actionTheme" + "".join(part.title() for part in t.key.split("_"))
            # in an exclusive group a click can only check an action, never uncheck it
            a = w.add_action(name, t.title, f"Ctrl+Shift+{number}",
                          lambda _=True, key=t.key: self.set_theme(key),
                          f"{t.title} colours for the whole window", checkable=True)
            group.addAction(a)
            self.theme_actions[t.key] = a

        menu = self._view_menu()
        menu.addSeparator()
        for a in (self.actionZoomIn, self.actionZoomOut, self.actionZoomReset):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.actionPresentation)
        menu.addAction(self.actionFullScreen)
        menu.addAction(self.actionResetLayout)
        themes = menu.addMenu("&Theme")
        themes.setObjectName("themeMenu")
        for a in self.theme_actions.values():
            themes.addAction(a)

    def _view_menu(self):
        bar = self.window.menuBar()
        for a in bar.actions():
            if a.menu() is not None and a.text().replace("&", "") == "View":
                return a.menu()
        return bar.addMenu("&View")

    # -- font scale -------------------------------------------------------------------------------
    @property
    def effective_font_scale(self):
        """The scale the text is drawn at: the font scale, enlarged in presentation mode."""
        return self.font_scale * (PRESENTATION_SCALE if self.presenting else 1.0)

    def set_font_scale(self, scale):
        """Scale every text of the application by ``scale`` (snapped to FONT_SCALES) and
        remember it."""
        scale = nearest_font_scale(scale)
        if scale != self.font_scale:
            self.font_scale = scale
            settings().setValue(KEY_FONT_SCALE, scale)
            self._apply_font_scale()

    def step_font_scale(self, steps):
        i = FONT_SCALES.index(self.font_scale) + steps
        self.set_font_scale(FONT_SCALES[min(max(i, 0), len(FONT_SCALES) - 1)])

    def reset_zoom(self):
        """Text at scale 1 and the canvas zoomed out to show the whole network (presenting, even
        if its numbers are then smaller than PRESENTATION_DIGITS)."""
        self.set_font_scale(1.0)
        self.window.view.show_whole()

    def _apply_font_scale(self):
        QApplication.setFont(_scaled_font(platform_look().font, self.effective_font_scale))
        self._restyle_plots()
        # the canvas: its text at the same scale; presenting, as large as the canvas allows
        view = self.window.view
        if self.presenting:
            view.set_font_scale(self.effective_font_scale, largest_up_to=MAX_CANVAS_SCALE,
                                compact=True)
            screen = self.window.screen()
            view.set_least_digits(PRESENTATION_DIGITS * screen.geometry().height()
                                  if screen is not None else None)
        else:
            view.set_font_scale(self.font_scale ** CANVAS_EXPONENT)
            view.set_least_digits(None)
        fit_on_screen(self.window)

    def _restyle_plots(self):
        scale = self.effective_font_scale
        plots.use_look(self.theme, min(scale, PLOT_MAX_SCALE), scale)
        plots.restyle_plots(self.window)

    # -- themes -----------------------------------------------------------------------------------
    def set_theme(self, key):
        """Switch the whole window to theme ``key`` (a key of ``style.THEMES``) and remember it."""
        theme = style.THEMES[key]
        if theme is not self.theme:
            self.theme = theme
            settings().setValue(KEY_THEME, key)
            self._apply_theme()

    def _apply_theme(self):
        t = self.theme
        app = QApplication.instance()
        platform = platform_look()
        qt_style = style.qt_style(t)
        if qt_style is not None:
            app.setStyle(qt_style)
            app.setPalette(style.qt_palette(t))
        else:
            # the high-contrast style wraps Fusion and so carries its name
            if isinstance(app.style(), QProxyStyle) or app.style().name() != platform.style:
                app.setStyle(platform.style)
            app.setPalette(platform.palette)
        canvas_theme.use(t)
        view = self.window.view
        view.setBackgroundBrush(QBrush(canvas_theme.BACKGROUND))
        view.rebuild()  # the items cache their pens
        self._restyle_plots()
        self.theme_actions[t.key].setChecked(True)

    # -- presentation and full screen -------------------------------------------------------------
    def set_presentation(self, on):
        """The network on the whole screen: full screen, no docks, no menu bar and no toolbar but
        the main one (every action keeps its shortcut; the status bar stays), the text enlarged
        and the canvas's as large as it can be. Leaving brings everything back as it was."""
        on = bool(on)
        if on == self.presenting:
            return
        w = self.window
        if on:
            self._layout_before_presentation = w.saveState(STATE_VERSION)
            self._full_screen_before_presentation = w.isFullScreen()
            for dock in w.findChildren(QDockWidget):
                dock.hide()
            # the main toolbar stays; the others (timeline, comparison) are only shortcuts now
            for bar in w.findChildren(QToolBar):
                if bar.objectName() != "mainToolBar":
                    bar.hide()
            w.menuBar().hide()
            self.set_full_screen(True)
        else:
            w.restoreState(self._layout_before_presentation, STATE_VERSION)
            self._layout_before_presentation = None
            w.menuBar().show()
            self.set_full_screen(self._full_screen_before_presentation)
        self.presenting = on
        self.actionPresentation.setChecked(on)
        self._apply_font_scale()

    def set_full_screen(self, on):
        full = Qt.WindowState.WindowFullScreen
        state = self.window.windowState()
        # toggling only the flag keeps "maximized" for when full screen ends
        self.window.setWindowState(state | full if on else state & ~full)

    def eventFilter(self, obj, event):
        if obj is self.window:
            if event.type() == QEvent.Type.Show and not self._layout_restored:
                self.restore_layout()
            elif event.type() == QEvent.Type.WindowStateChange:
                self.actionFullScreen.setChecked(self.window.isFullScreen())
        return False

    # -- persistence ------------------------------------------------------------------------------
    def restore_look(self):
        """Apply the saved theme and font scale (the defaults when nothing is saved)."""
        s = settings()
        self.theme = style.THEMES.get(str(s.value(KEY_THEME, style.LIGHT.key)), style.LIGHT)
        self.font_scale = nearest_font_scale(s.value(KEY_FONT_SCALE, 1.0))
        # always applied: the application's font and palette outlive a window
        self._apply_theme()
        self._apply_font_scale()

    def restore_layout(self):
        """Apply the saved geometry and docks. It runs on the window's first Show event, which
        comes after MainWindow has set its default sizes (those follow the features it installs)
        and before the window reaches the screen."""
        self._layout_restored = True
        s, w = settings(), self.window
        geometry, state = s.value(KEY_GEOMETRY), s.value(KEY_STATE)
        if isinstance(geometry, QByteArray):
            w.restoreGeometry(geometry)
            # a window closed in full screen comes back in its normal size
            w.setWindowState(w.windowState() & ~Qt.WindowState.WindowFullScreen)
        if isinstance(state, QByteArray):
            w.restoreState(state, STATE_VERSION)
        for dock in w.findChildren(QDockWidget):  # e.g. Predict, which hides the backward pass
            if dock.property("closedAtStart"):
                dock.hide()
        fit_on_screen(w)  # the screen may be smaller than the one it was saved on

    def reset_layout(self):
        """The window's default size for this screen and the docks where they start; the saved
        layout is forgotten."""
        if self.presenting:
            self.set_presentation(False)
        w = self.window
        w.setWindowState(w.windowState() & ~(Qt.WindowState.WindowFullScreen
                                             | Qt.WindowState.WindowMaximized))
        w.restoreState(self._default_state, STATE_VERSION)
        w.setGeometry(default_geometry(w.screen().availableGeometry()))
        w.size_docks()
        s = settings()
        s.remove(KEY_GEOMETRY)
        s.remove(KEY_STATE)
        w.show_message("The window and its panels are back in their default places.")

    def save_layout(self):
        """Remember the window's geometry and docks (the layout from before presentation mode,
        which hides the docks only for a while). A window that was never shown has only the
        default layout, which must not replace the saved one."""
        if not self._layout_restored:
            return
        s, w = settings(), self.window
        s.setValue(KEY_GEOMETRY, w.saveGeometry())
        s.setValue(KEY_STATE, self._layout_before_presentation if self.presenting
                   else w.saveState(STATE_VERSION))


def install(window):
    """Add the classroom actions to ``window`` (a MainWindow), apply the saved theme and font
    scale now and the saved layout when the window is first shown."""
    icon = QIcon(icon_path())
    window.setWindowIcon(icon)
    QApplication.setWindowIcon(icon)
    # on Wayland the desktop finds the .desktop entry (and its icon) by this name
    QGuiApplication.setDesktopFileName(DESKTOP_NAME)
    window.classroom = Classroom(window)
    window.classroom.restore_look()
