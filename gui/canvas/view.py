"""``NetworkView``: the network drawn as circles, edges and numbers, live.

It listens to the controller: ``structureChanged`` rebuilds every item, ``changed`` only
rewrites their numbers (it arrives every frame while training, so nothing is created or laid out
then), ``selectionChanged`` moves the orange highlight. It talks back only through requests:
``controller.select(key)`` on a click, ``controller.edit(key, text)`` when a label is edited,
``controller.set_frozen`` from the context menu; the menu's Explain and Predict are announced as
``explainRequested(key)`` and ``predictRequested(key)`` for the teaching tools to act on.
``highlight_phase(neurons, edges)`` marks what the current phase works on; ``set_concealed(True)``
hides every backward-pass number (δ, Err, ∂L/∂w) while a student predicts one.

Public attributes, for the window and the tests: ``neurons`` (j → NeuronItem), ``connections``
((i, j) → ConnectionItem), ``labels`` (key → ValueLabel: ("w", i, j), ("b", j),
("x", sample, j), ("ob", sample, k) for the shown sample), ``net_layout`` (the geometry).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QMenu

from engine import architecture as arch
from engine.activations import ACTIVATIONS

from ..style import DEFAULT_DECIMALS
from . import texts, theme
from .connection import ConnectionItem
from .label import LabelEditor, ValueLabel
from .layout import DEFAULT_ASPECT, MARGIN, compute_layout
from .neuron import BORDER_PX, NeuronItem

BACKGROUND = QColor("#FFFFFF")
ZOOM_STEP = 1.2  # per wheel notch
MAX_ZOOM = 6.0   # × the fitted scale
MAX_GAP_LABELS = 160  # weight labels between two layers, at most (8 × 8 = 64 is typical)
LAYOUT_CACHE = 24  # geometries remembered: toggling a setting back, weighing text sizes
RESHAPE_MS = 250  # after the window stops changing shape for this long, re-lay the network out
ASPECT_STEP = 1.1  # window shapes are rounded to steps of 10 %, so small resizes change nothing
MIN_ASPECT, MAX_ASPECT = 0.8, 3.0
TEXT_STEP = 1.25  # presentation mode weighs font scales this far apart


class NetworkView(QGraphicsView):
    explainRequested = Signal(object)  # element key: show its derivation
    predictRequested = Signal(object)  # element key: predict its next value

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.setObjectName("networkView")
        self.controller = controller
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(QBrush(BACKGROUND))
        self.setFrameShape(QFrame.Shape.NoFrame)
        # the whole network is fitted into the window, so scroll bars would only flicker; they
        # show only while a least size of the numbers leaves part of it out (set_least_digits)
        self.least_digits = None
        self.overview = False  # the whole network asked for (Ctrl+0, the wheel): fit() keeps it
        self._room_seen = None  # the room (scroll bars aside) at the last resize
        self._set_scroll_bars(False)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMinimumSize(200, 150)
        # zoomed in, dragging the background pans; resizing the window fits it again (fit())
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # shown in part, a resized view keeps the point in its middle (not its top left corner)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)

        self.decimals = DEFAULT_DECIMALS
        self.font_scale = 1.0
        self._text_range = (1.0, None)  # (scale, largest scale to weigh, or None)
        self.compact = False  # names small beside large numbers (theme.Fonts), presenting
        self.show_derivatives = True
        self.show_net = False
        self.concealed = False  # backward-pass numbers hidden while a prediction is pending
        self._phase = (frozenset(), frozenset())  # (neurons, edges) the current phase marks
        self.fonts = theme.Fonts(self.font_scale)
        theme.set_line_scale(self.font_scale)
        self.neurons: dict[int, NeuronItem] = {}
        self.connections: dict[tuple[int, int], ConnectionItem] = {}
        self.labels: dict[tuple, ValueLabel] = {}
        self.net_layout = None
        self._layouts = {}  # cache: (sizes, radius, boxes, aspect) → NetLayout
        # the network is laid out for the window's shape (wide windows get wider drawings);
        # a resize refits at once and re-lays out once the resizing has stopped
        self._aspect = DEFAULT_ASPECT
        self._reshape_timer = QTimer(self, singleShot=True, interval=RESHAPE_MS)
        self._reshape_timer.timeout.connect(self.adapt_to_window_shape)
        self._sample = None  # the sample the input/target labels are keyed by
        self.focused = None  # the label key Tab reached (Return edits it)

        controller.structureChanged.connect(self._new_structure)
        controller.changed.connect(self.refresh)
        controller.revealChanged.connect(self.refresh)
        controller.selectionChanged.connect(self.show_selection)
        self.rebuild()

    # -- public settings --------------------------------------------------------------------------
    def set_show_derivatives(self, on):
        """Show or hide the second lines (∂L/∂w, ∂L/∂b, Err) and the δ lines."""
        on = bool(on)
        if on != self.show_derivatives:
            self.show_derivatives = on
            self.relayout()

    def set_show_net(self, on):
        """Show or hide net_j under every neuron (beside δ_j)."""
        on = bool(on)
        if on != self.show_net:
            self.show_net = on
            self.relayout()

    def set_font_scale(self, factor, largest_up_to=None, compact=False):
        """Multiply every canvas text size by ``factor`` (the app's text scale). With
        ``largest_up_to`` (presentation mode), use the factor up to that one that shows the
        numbers largest on screen, chosen again whenever the canvas changes size. ``compact``:
        draw every number at the label's size with its name small before it (theme.Fonts).

        The layout grows with the text and the view fits the whole network in, so on
        screen the text grows less than the factor: the drawing is mostly text already. A
        larger factor whose layout would come out smaller on screen than the one in use (the
        layout's choices are not smooth) keeps the one in use: larger text never makes the
        canvas's numbers smaller, smaller text never makes them larger."""
        for f in (factor, largest_up_to):
            if f is not None and (not math.isfinite(f) or f <= 0):
                raise ValueError(f"font scale must be a positive number, not {f}")
        previous = self._text_range[0]
        self._text_range = (float(factor), largest_up_to and max(float(largest_up_to), factor))
        self.compact = bool(compact)
        self._apply_font_scale(self._chosen_font_scale(previous))

    def _apply_font_scale(self, factor):
        if factor != self.font_scale or self.compact != self.fonts.compact:
            self.font_scale = factor
            self.fonts = theme.Fonts(factor, self.compact)
            theme.set_line_scale(factor)
            for item in self._text_items():
                item.set_fonts(self.fonts)
            for (i, j), edge in self.connections.items():  # they cache their pens
                edge.set_weight(edge.weight, edge.frozen, force=True)
            self.relayout()

    def _chosen_font_scale(self, previous=None):
        lo, hi = self._text_range
        if hi is not None:
            # presenting: on screen the text grows with the factor, ever more slowly, so the
            # largest is near the top: from there down until two steps bring nothing better
            best, misses, f = None, 0, hi
            while f >= lo * (1 - 1e-9) and misses < 2:
                size = self.on_screen_text(f)
                if best is None or size > best[0]:
                    best, misses = (size, f), 0
                else:
                    misses += 1
                f /= TEXT_STEP
            return best[1]
        current = self.font_scale
        if previous is None or lo == previous or lo == current or self.net_layout is None:
            return lo
        now, new = self.on_screen_text(current), self.on_screen_text(lo)
        if (lo > previous and new < now) or (lo < previous and new > now):
            return current
        return lo

    def set_least_digits(self, px):
        """Draw the numbers at least ``px`` pixels tall on screen (presentation mode: a share of
        the screen's height), or with None as large as the whole network fits. A network too
        big to show whole at that size is shown in part: scroll bars say so, dragging and the
        wheel pan and zoom (out to the whole network: ``show_whole``), and a phase walk or Tab
        brings what it reaches into view."""
        if px is not None and (not math.isfinite(px) or px <= 0):
            raise ValueError(f"a least digit height must be a positive number, not {px}")
        share = self._centre_share()  # larger text while presenting: the same part in view
        self.least_digits = px
        self.overview = False
        self._set_scroll_bars(px is not None)
        self.fit(share)

    def _set_scroll_bars(self, as_needed):
        policy = (Qt.ScrollBarPolicy.ScrollBarAsNeeded if as_needed
                  else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def readable_scale(self):
        """The view's scale that draws the digits ``least_digits`` tall (0 without one)."""
        if self.least_digits is None:
            return 0.0
        return self.least_digits / self.fonts.digit_height("label")

    def on_screen_text(self, factor=None):
        """The height on screen of a label's digits at font scale ``factor`` (default: the one
        in use), with the whole network fitted into the canvas as it is now."""
        factor = self.font_scale if factor is None else factor
        fonts = (self.fonts if (factor, self.compact) == (self.font_scale, self.fonts.compact)
                 else theme.Fonts(factor, self.compact))
        geo = self._layout_for(fonts)
        vp = self._room()
        b = geo.bounds
        if vp.isEmpty() or b.w <= 0:
            return 0.0
        return fonts.digit_height("label") * min(vp.width() / b.w, vp.height() / b.h)

    def set_concealed(self, on):
        """Hide (True) or show again every δ, Err and ∂L/∂θ, on the canvas and in its tooltips;
        the layout keeps their room, so nothing moves."""
        on = bool(on)
        if on != self.concealed:
            self.concealed = on
            self.refresh()

    def highlight_phase(self, neurons=(), edges=()):
        """Mark the neurons j and edges (i, j) the current phase works on (nothing: unmark),
        and bring them into view if the view shows only part of the network."""
        self._phase = (frozenset(neurons), frozenset(edges))
        for j, item in self.neurons.items():
            item.set_phase(j in self._phase[0])
        for e, edge in self.connections.items():
            edge.set_phase(e in self._phase[1])
        if not self.shows_whole():
            self._follow()

    def phase_marked(self):
        """(neurons, edges) drawn with the phase mark, sorted."""
        return (sorted(j for j, n in self.neurons.items() if n.phase),
                sorted(e for e, c in self.connections.items() if c.phase))

    def set_decimals(self, n):
        """How many decimals every number shows."""
        n = int(n)
        if not 0 <= n <= 12:
            raise ValueError(f"decimals must be from 0 to 12, not {n}")
        if n != self.decimals:
            self.decimals = n
            self.relayout()

    # -- building ---------------------------------------------------------------------------------
    def _new_structure(self):
        self.overview = False  # asked of the network before; this one is shown by the rule
        self.rebuild()

    def rebuild(self):
        """New items for the controller's current network (after ``structureChanged``)."""
        c = self.controller
        lay = c.network.layout
        scene = self.scene()
        scene.clear()
        self.neurons, self.connections, self.labels = {}, {}, {}
        self._sample = c.sample
        layers = [list(lay.neurons(l)) for l in range(len(lay.sizes))]
        for l, ls in enumerate(layers):
            for j in ls:
                item = NeuronItem(j, c.neuron_name(j), is_input=l == 0)
                scene.addItem(item)
                self.neurons[j] = item
                if l == 0:
                    self._add_label(("x", c.sample, j))
                else:
                    self._add_label(("b", j))
                if l == len(layers) - 1:
                    self._add_label(("ob", c.sample, j))
        for l in range(len(layers) - 1):
            # past a few hundred numbers in one gap nobody can read them, and placing them
            # would take seconds: such a gap shows edges only (their tooltips keep the numbers)
            labelled = len(layers[l]) * len(layers[l + 1]) <= MAX_GAP_LABELS
            for i in layers[l]:
                for j in layers[l + 1]:
                    edge = ConnectionItem(i, j)
                    scene.addItem(edge)
                    self.connections[(i, j)] = edge
                    if labelled:
                        self._add_label(("w", i, j))
        for item in self._text_items():
            item.set_fonts(self.fonts)
        self.relayout()
        self.show_selection(c.selection)
        self.highlight_phase(*self._phase)  # a theme change rebuilds in the middle of a phase

    def _add_label(self, key):
        label = ValueLabel(key, commit=self._commit)
        self.scene().addItem(label)
        self.labels[key] = label

    def _text_items(self):
        return list(self.neurons.values()) + list(self.labels.values())

    def _layout_key(self, key):
        """The layout's name for a label's box (the layout knows nothing of samples)."""
        return (key[0], key[-1]) if key[0] in ("x", "ob") else key

    def _measure(self, fonts=None):
        """(radius, boxes): the room every circle and label needs at ``fonts`` (the current
        ones by default), decimals and derivative setting, with room for the widest number."""
        f, c = fonts or self.fonts, self.controller
        num = texts.widest_number(self.decimals)
        pad_w, pad_h = 2 * f.pad_x, 2 * f.pad_y
        lay = c.network.layout
        boxes = {}
        for key in self.labels:
            main = f"{texts.label_name(c, key)} = {num}"
            w = f.line_width("label", main)
            h = f.height("label")
            dname = texts.derivative_name(key)
            if self.show_derivatives and dname is not None:
                w = max(w, f.line_width("derivative", f"{dname} = {num}"))
                h += f.height("derivative")
            boxes[self._layout_key(key)] = (math.ceil(w + pad_w), math.ceil(h + pad_h))
        for j in self.neurons:
            lines = ([f"net{j} = {num}"] if self.show_net else []) + (
                [f"δ{j} = {num}"] if self.show_derivatives else [])
            if lay.locate(j)[0] > 0 and lines:
                widest = max(f.line_width("note", t) for t in lines)
                boxes[("note", j)] = (math.ceil(widest + pad_w),
                                      math.ceil(f.height("note") * len(lines)))
        widest_name = max(f.width("neuron_name", c.neuron_name(j)) for j in self.neurons)
        half_w = max(widest_name, f.width("neuron_value", num)) / 2
        half_h = (f.height("neuron_name") + f.height("neuron_value")) / 2
        radius = math.ceil(math.hypot(half_w, half_h) + (BORDER_PX + 3) * f.scale)
        return radius, boxes

    def _layout_for(self, fonts):
        """The geometry at ``fonts`` for the current network, settings and window shape
        (remembered: toggling a setting back, or weighing font scales, is instant)."""
        radius, boxes = self._measure(fonts)
        sizes = tuple(self.controller.network.sizes)
        cache_key = (sizes, radius, tuple(sorted(boxes.items())), self._aspect, fonts.scale,
                     fonts.compact)
        geo = self._layouts.pop(cache_key, None)
        if geo is None:
            geo = compute_layout(sizes, radius, boxes, aspect=self._aspect,
                                 margin=MARGIN * fonts.scale)
        self._layouts[cache_key] = geo  # most recently used last
        while len(self._layouts) > LAYOUT_CACHE:
            self._layouts.pop(next(iter(self._layouts)))
        return geo

    def relayout(self):
        """Recompute the geometry and move every item (sizes, fonts or the derivative setting
        changed); then rewrite the numbers."""
        geo = self.net_layout = self._layout_for(self.fonts)
        radius = geo.radius
        for j, item in self.neurons.items():
            x, y = geo.centres[j]
            item.setPos(x, y)
            item.set_radius(radius)
            note = geo.boxes.get(("note", j))
            if note is not None:
                item.note.set_slot(QRectF(note.x - x, note.y - y, note.w, note.h))
        for (i, j), edge in self.connections.items():
            (xa, ya), (xb, yb) = geo.centres[i], geo.centres[j]
            length = math.hypot(xb - xa, yb - ya)
            ux, uy = (xb - xa) / length, (yb - ya) / length
            edge.set_line((xa + ux * radius, ya + uy * radius),
                          (xb - ux * radius, yb - uy * radius))
        for key, label in self.labels.items():
            rect = geo.boxes[self._layout_key(key)]
            cx, cy = rect.centre
            label.setPos(cx, cy)
            label.set_slot(rect.w, rect.h)
        b = geo.bounds
        share = self._centre_share()
        self.scene().setSceneRect(QRectF(b.x, b.y, b.w, b.h))
        self.refresh()
        self.fit(share)

    # -- numbers ----------------------------------------------------------------------------------
    def refresh(self):
        """Rewrite every number from the controller (after ``changed``; every training frame)."""
        c = self.controller
        if c.sample != self._sample:
            self._rekey_data_labels(c.sample)
        d = self.decimals
        net = c.network
        backward = self.show_derivatives and not self.concealed
        for j, item in self.neurons.items():
            item.set_value_text(texts.neuron_value_text(c, j, d))
            item.note.set_text(texts.neuron_note(c, j, d, net=self.show_net, delta=backward))
            item.set_dead(j in c.dead)
        for (i, j), edge in self.connections.items():
            edge.set_weight(texts.shown_parameter(c, ("w", i, j))[0], net.is_weight_frozen(i, j))
        for key, label in self.labels.items():
            main, second, edit = texts.label_lines(c, key, d)
            if not backward and not (second or "").startswith("Δ"):
                second = None
            frozen = False
            if key[0] in ("w", "b"):
                frozen = bool(net.frozen[c.param_index(key)])
                accent = theme.sign_colour(texts.shown_parameter(c, key)[0], frozen)
            else:
                accent = theme.NEURON_BORDER
            label.set_content(main, second, edit, accent, frozen)
        if not c.training:  # tooltips are rebuilt on hover anyway; keep training frames cheap
            for item in self._tooltip_items():
                self.update_tooltip(item)

    def _rekey_data_labels(self, sample):
        """Input and target labels edit the shown sample: re-key them when it changes."""
        relabelled = {}
        for key, label in self.labels.items():
            if key[0] in ("x", "ob"):
                key = (key[0], sample, key[2])
                label.key = key
            relabelled[key] = label
        self.labels = relabelled
        self._sample = sample

    def _tooltip_items(self):
        return (list(self.neurons.values()) + list(self.connections.values())
                + list(self.labels.values()))

    def update_tooltip(self, item):
        """Write ``item``'s tooltip from the current numbers (called on hover, and on every
        refresh while not training)."""
        c, d, backward = self.controller, self.decimals, not self.concealed
        if isinstance(item, NeuronItem):
            tip = texts.neuron_tooltip(c, item.j, d, backward)
            item.note.setToolTip(tip)  # the δ under the circle explains itself too
        elif isinstance(item, ConnectionItem):
            tip = texts.parameter_tooltip(c, item.key, d, backward)
        elif isinstance(item, ValueLabel):
            tip = texts.label_tooltip(c, item.key, d, backward)
        else:
            return
        item.setToolTip(tip)

    # -- selection and editing --------------------------------------------------------------------
    @staticmethod
    def selection_key(item):
        """What clicking ``item`` selects: a weight or bias by its key, a neuron as ("n", j);
        an input or target label selects its neuron (that is where the inspector edits it)."""
        while item is not None and not hasattr(item, "key"):
            item = item.parentItem()
        if item is None:
            return None
        key = item.key
        if key[0] in ("x", "ob"):
            return ("n", key[-1])
        return key

    def show_selection(self, key):
        for item in self._tooltip_items():
            sel = self.selection_key(item)
            item.set_highlighted(key is not None and sel == key
                                 and not (isinstance(item, ValueLabel) and sel[0] == "n"))

    def _commit(self, key, text):
        accepted = self.controller.edit(key, text)
        if not accepted:
            self.refresh()  # the label shows the engine's value again
        return accepted

    def context_menu(self, key):
        """The menu for the element ``key``: Freeze/Unfreeze (weights and biases), Explain, and
        Predict (everything but an input)."""
        c = self.controller
        menu = QMenu(self)
        if key[0] in ("w", "b"):
            frozen = c.value(("frozen", c.param_index(key)))
            name = c.label(key)
            a = menu.addAction(f"Unfreeze {name}" if frozen else f"Freeze {name} (never updated)")
            a.setObjectName("contextFreeze")
            a.triggered.connect(lambda: c.set_frozen(key, not frozen))
        a = menu.addAction("Explain (math panel)")
        a.setObjectName("contextExplain")
        a.triggered.connect(lambda: self.explainRequested.emit(key))
        if key[0] == "n":
            self._structure_entries(menu, key[1])
        if key[0] != "n" or c.network.layout.locate(key[1])[0] > 0:
            a = menu.addAction("Predict this value…")
            a.setObjectName("contextPredict")
            a.triggered.connect(lambda: self.predictRequested.emit(key))
        return menu

    def _structure_entries(self, menu, j):
        """Right-click on a neuron: grow or shrink its layer or the network; its layer's
        activation. Entries past a limit are there but disabled, saying why."""
        c = self.controller
        net = c.network
        layer, _ = net.layout.locate(j)
        last = len(net.sizes) - 1
        name = c.neuron_name(j)
        menu.addSeparator()
        entries = [
            ("contextAddNeuron", "Add a neuron to this layer", lambda: c.add_neuron(layer),
             net.sizes[layer] < arch.MAX_NEURONS, f"at most {arch.MAX_NEURONS} neurons a layer"),
            ("contextRemoveNeuron", f"Remove {name}", lambda: c.remove_neuron(j),
             net.sizes[layer] > 1, "the last neuron of a layer stays"),
        ]
        if layer < last:
            entries.append(("contextAddLayer", "Add a hidden layer after this one",
                            lambda: c.add_layer(layer + 1),
                            len(net.sizes) - 2 < arch.MAX_HIDDEN_LAYERS,
                            f"at most {arch.MAX_HIDDEN_LAYERS} hidden layers"))
        if 0 < layer < last:
            entries.append(("contextRemoveLayer", "Remove this hidden layer",
                            lambda: c.remove_layer(layer), True, ""))
        for object_name, text, act, enabled, why in entries:
            a = menu.addAction(text if enabled else f"{text} ({why})")
            a.setObjectName(object_name)
            a.setEnabled(enabled)
            a.triggered.connect(act)
        if layer > 0:
            sub = menu.addMenu("Activation of this layer")
            sub.setObjectName("contextActivation")
            for act_name in sorted(ACTIVATIONS):
                if layer < last and not ACTIVATIONS[act_name].elementwise:
                    continue
                a = sub.addAction(act_name)
                a.setCheckable(True)
                a.setChecked(act_name == net.activations[layer - 1])
                a.triggered.connect(lambda _=False, n=act_name: c.set_activation(layer, n))

    def contextMenuEvent(self, event):
        key = self.selection_key(self.itemAt(event.pos()))
        if key is None:
            event.ignore()
            return
        self.controller.select(key)
        menu = self.context_menu(key)
        menu.exec(event.globalPos())
        menu.deleteLater()
        event.accept()

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            if not isinstance(item, LabelEditor):  # clicks inside an open editor move its cursor
                self.controller.select(self.selection_key(item))
                self.focused = item.key if isinstance(item, ValueLabel) else None
        super().mousePressEvent(event)

    # -- the keyboard -----------------------------------------------------------------------------
    def tab_order(self):
        """The editable numbers in the notes' order: the inputs x, the parameters layer by layer
        (w13, w14, w23, w24, b3, b4, w35, …), then the targets ob."""
        c = self.controller
        keys = [("x", c.sample, j) for j in c.network.layout.neurons(0)]
        keys += [c.key_of_param(p.index) for p in c.network.parameters()]
        keys += [("ob", c.sample, k) for k in c.network.layout.neurons(len(c.network.sizes) - 1)]
        return [k for k in keys if k in self.labels]

    def focus_number(self, key):
        """Make ``key``'s label the one the keyboard works on: selected, and in view."""
        self.focused = key
        self.controller.select(self.selection_key(self.labels[key]))
        self.bring_into_view(self.labels[key].sceneBoundingRect())

    def focusNextPrevChild(self, forward):
        # Tab walks the numbers; past the last (or before the first) it leaves the canvas
        order = self.tab_order()
        if not order or any(label.editing for label in self.labels.values()):
            return super().focusNextPrevChild(forward)
        if self.focused in order:
            k = order.index(self.focused) + (1 if forward else -1)
        else:
            k = 0 if forward else len(order) - 1
        if not 0 <= k < len(order):
            self.focused = None
            return super().focusNextPrevChild(forward)
        self.focus_number(order[k])
        return True

    def event(self, event):
        # Tab is ours before the scene's: once an editor has had the focus, the scene would
        # otherwise keep Tab for its own (hidden) editors
        if (event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
                and not any(label.editing for label in self.labels.values())):
            self.focusNextPrevChild(event.key() == Qt.Key.Key_Tab)
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        editing = any(label.editing for label in self.labels.values())
        if (not editing and self.focused in self.labels and event.key() in
                (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)):
            self.labels[self.focused].start_editing()  # as a double-click does
            event.accept()
            return
        super().keyPressEvent(event)

    # -- fitting and zooming ----------------------------------------------------------------------
    def fit(self, share=None):
        """Show the whole network as large as the window allows, keeping its proportions; or,
        if that draws its numbers smaller than ``least_digits``, at that size, centred on the
        point at ``share`` (fractions of the width and height: ``_centre_share``) or on the
        middle, and then on what is in use (the current phase, the number the keyboard is on,
        the selection)."""
        rect = self.sceneRect()
        if rect.isEmpty() or self.viewport().width() < 2:
            return
        readable = self.readable_scale()
        if self.overview or readable <= self.fit_scale():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            return
        self.setTransform(QTransform.fromScale(readable, readable))
        if share is None:
            self.centerOn(rect.center())
        else:
            self.centerOn(rect.left() + share[0] * rect.width(),
                          rect.top() + share[1] * rect.height())
        self._follow()

    def _centre_share(self):
        """Where the view's centre is in the drawing, as fractions of its width and height
        (None when the whole drawing is in view): a new layout, a theme or a resize keeps the
        part the teacher had in view."""
        rect = self.sceneRect()
        if rect.isEmpty() or self.shows_whole():
            return None
        c = self.mapToScene(self.viewport().rect().center())
        return ((c.x() - rect.left()) / rect.width(), (c.y() - rect.top()) / rect.height())

    def show_whole(self):
        """The whole network, as large as the window allows, even below ``least_digits`` (the
        view keeps it so until it is zoomed in, a least size is set again or the network's
        structure changes)."""
        self.overview = True
        self.fit()

    def shows_whole(self):
        """Whether the view shows the whole network (not zoomed in, nor held at readable size)."""
        return self.transform().m11() <= self.fit_scale() * 1.001

    def fit_scale(self):
        """The scale at which the whole network just fits the window."""
        rect, vp = self.sceneRect(), self._room()
        if rect.isEmpty() or vp.isEmpty():
            return 1.0
        return min(vp.width() / rect.width(), vp.height() / rect.height())

    def _room(self):
        """The viewport's area without scroll bars, less the 2-pixel margin fitInView leaves
        all round: the scroll bars come and go with the view's scale and must not change it."""
        size = self.maximumViewportSize()
        return QRect(0, 0, size.width(), size.height()).adjusted(2, 2, -2, -2)

    def _in_use(self):
        """(core, whole) scene rectangles of what the class is looking at, or None if nothing
        is: the current phase's neurons with their biases, and with its edges and their
        weights; else the number the keyboard is on, else the selected element (both alike)."""
        neurons, edges = self._phase
        core = [self.neurons[j] for j in neurons if j in self.neurons]
        core += [self.labels[("b", j)] for j in neurons if ("b", j) in self.labels]
        rest = [self.connections[e] for e in edges if e in self.connections]
        rest += [self.labels[("w", *e)] for e in edges if ("w", *e) in self.labels]
        if not core + rest:
            key = self.focused if self.focused in self.labels else self.controller.selection
            if key in self.labels:
                core = [self.labels[key]]
            elif key is not None and key[0] == "n" and key[1] in self.neurons:
                core = [self.neurons[key[1]]]
            else:
                return None
        core_rect = _scene_rect(core or rest)
        return core_rect, core_rect.united(_scene_rect(rest)) if rest else core_rect

    def _follow(self):
        """Bring what is in use into view (``_in_use``), if anything is."""
        in_use = self._in_use()
        if in_use is not None:
            self.bring_into_view(*in_use)

    def bring_into_view(self, core, whole=None):
        """Pan the least that shows scene rectangle ``whole`` (default: ``core``); if it is
        larger than the view, show as much of it as fits around ``core``, and of a ``core``
        larger than the view its top left first (where the notes' numbering starts)."""
        whole = core if whole is None else whole
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        if seen.contains(whole):
            return
        margin = 16 / self.transform().m11()  # ensureVisible's 8 pixels each side, in the scene
        room_w, room_h = seen.width() - margin, seen.height() - margin
        if whole.width() <= room_w and whole.height() <= room_h:
            self.ensureVisible(whole, 8, 8)
            return
        if core.width() <= room_w and core.height() <= room_h:
            self.centerOn(whole.center())
            self.ensureVisible(core, 8, 8)
            return
        x = core.center().x() if core.width() <= room_w else core.left() + room_w / 2
        y = core.center().y() if core.height() <= room_h else core.top() + room_h / 2
        self.centerOn(x, y)

    def zoom_by(self, factor, at=None):
        """Zoom by ``factor`` keeping the scene point under viewport position ``at`` in place
        (a big net's numbers are small when all of it is fitted in); never smaller than the
        fitted view, at most MAX_ZOOM times larger, and never between the whole network and
        the scale that draws the numbers ``least_digits`` tall (it jumps to one or the other)."""
        current = self.transform().m11()
        fitted, readable = self.fit_scale(), self.readable_scale()
        new = min(max(current * factor, fitted), max(fitted * MAX_ZOOM, readable))
        if new < readable:  # never between: the numbers readable, or the whole network
            new = readable if factor > 1 or current > readable * 1.001 else fitted
        if new <= fitted * 1.001:
            if readable > fitted:
                self.show_whole()  # asked for: kept below least_digits until zoomed in again
            else:
                self.fit()
            return
        if math.isclose(new, current):
            return
        self.overview = False
        at = self.viewport().rect().center() if at is None else at
        before = self.mapToScene(at)
        self.scale(new / current, new / current)
        centre = self.mapToScene(self.viewport().rect().center())
        self.centerOn(centre - (self.mapToScene(at) - before))

    def wheelEvent(self, event):
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps, event.position().toPoint())
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        # scroll bars coming or going resize the viewport, not the room: keep the zoom then
        room = self.maximumViewportSize()
        if room != self._room_seen:
            self._room_seen = room
            self.fit(self._centre_share())
            self._reshape_timer.start()

    @staticmethod
    def rounded_aspect(width, height):
        """A window's width/height rounded to the steps layouts are made for (1.6 is one)."""
        if width <= 0 or height <= 0:
            return DEFAULT_ASPECT
        k = round(math.log(width / height / DEFAULT_ASPECT, ASPECT_STEP))
        return min(max(DEFAULT_ASPECT * ASPECT_STEP ** k, MIN_ASPECT), MAX_ASPECT)

    @property
    def reshape_pending(self):
        """A resize was seen and the network is not laid out for the new shape yet."""
        return self._reshape_timer.isActive()

    def adapt_to_window_shape(self):
        """Re-lay the network out for the window's current proportions, if they changed (and,
        in presentation mode, choose its text size for the new room)."""
        room = self.maximumViewportSize()
        aspect = self.rounded_aspect(room.width(), room.height())
        changed = not math.isclose(aspect, self._aspect)
        self._aspect = aspect
        factor = self._chosen_font_scale()
        if factor != self.font_scale:
            self._apply_font_scale(factor)
        elif changed:
            self.relayout()

    def showEvent(self, event):
        super().showEvent(event)
        self.adapt_to_window_shape()  # the first real size is known now
        self.fit()


def _scene_rect(items):
    """The scene rectangle ``items`` (and their children) cover."""
    rect = QRectF()
    for item in items:
        rect = rect.united(item.mapRectToScene(item.boundingRect() | item.childrenBoundingRect()))
    return rect
