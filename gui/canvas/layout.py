"""Where everything on the canvas goes: pure geometry, no Qt.

Layers are columns from left to right, each column's neurons centred on y = 0. Around every
neuron sit fixed boxes: its bias label above it (an input's value label, for an input), its δ
note below it, an output's target label to its right. Weight labels are the hard part: each sits on
its own edge (the edge passes through the label's centre, give or take a quarter of its height)
at a fraction ``t`` of the way along it, chosen so that no two labels overlap each other or
anything else. The search is greedy and most-constrained-first: the edge with the fewest free
spots left is placed next, at its cheapest free spot — few other edges running under or just
past the label (which would make it unclear which edge it names), near the middle of the edge;
no label may cover a point where two edges cross.
When some edge has no free spot the gap between the two columns is widened (then narrowed again
by bisection to the least width that works, plus up to 35 % if that frees every label of other
edges). A few vertical spacings are tried and the one whose drawing, fitted into a window of
the given aspect ratio, comes out largest wins; spare width then goes to the gaps.

Sizes come in from the caller (``boxes``: key → (width, height) of each label), measured with
the fonts the view will draw with; the layout never looks at text. Keys:

    ("w", i, j)  weight label        ("b", j)   bias label (above neuron j)
    ("x", j)     input value label   ("ob", k)  target label (right of output k)
    ("note", j)  δ note (below neuron j); optional — and a weight left out gets no label

Coordinates are scene units with y growing downwards.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

GAP = 6.0              # the least clearance between any two things, scene units
MIN_GAP_WIDTH = 140.0  # narrowest gap between two columns (between circle edges)
MAX_TRIES = 60         # times a gap may grow by half before giving up (it never needs to)
N_T = 41               # candidate positions along an edge
T_MIN, T_MAX = 0.04, 0.96
Y_SHIFTS = (0.0, -0.28, 0.28)  # candidate offsets across the edge, × label height
DEFAULT_ASPECT = 1.6   # width / height of the window the canvas usually fills (1280 × 800)
MARGIN = 16.0          # around the whole drawing (the view scales it with the text)
COMFORT = (1.1, 1.2, 1.35)  # how much wider a gap may get to keep labels off other edges
STRETCHES = (1.0, 1.15, 1.3, 1.5, 1.75)  # neuron spacings tried, × the tightest
AMBIGUITY_COST = 0.5   # every label lying on other edges would be worth half the drawing's size
CLEARANCE = 14.0       # other edges should pass at least this far from a weight label
CROSSING_CLEARANCE = 8.0  # and no crossing of two edges within this far of one
CELLS_PER_LABEL = 8       # the crossings' grid: this many cells to a label's height
TIE = 0.005            # layouts whose sizes differ by less than this count as equally large
QUICK_LABELS = 40      # with more weight labels than this, stop trying spacings early


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box: top-left corner and size."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def centred(cls, cx, cy, w, h):
        return cls(cx - w / 2, cy - h / 2, w, h)

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y + self.h

    @property
    def centre(self):
        return (self.x + self.w / 2, self.y + self.h / 2)

    def intersects(self, other, gap=0.0):
        """Closer than ``gap`` (touching counts when gap > 0)."""
        return (self.x < other.right + gap and other.x < self.right + gap
                and self.y < other.bottom + gap and other.y < self.bottom + gap)

    def hits_circle(self, cx, cy, r, gap=0.0):
        nx = min(max(cx, self.x), self.right)
        ny = min(max(cy, self.y), self.bottom)
        return math.hypot(cx - nx, cy - ny) < r + gap

    def united(self, other):
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Rect(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)


@dataclass
class NetLayout:
    """The result: neuron centres, the circle radius, one box per label, the scene bounds."""

    sizes: tuple
    radius: float
    centres: dict = field(default_factory=dict)  # j → (x, y)
    boxes: dict = field(default_factory=dict)    # key → Rect
    bounds: Rect = Rect(0, 0, 0, 0)
    ambiguous: int = 0  # weight labels that other edges run under

    def circle(self, j):
        """Neuron j's circle as its bounding Rect."""
        x, y = self.centres[j]
        r = self.radius
        return Rect(x - r, y - r, 2 * r, 2 * r)

    def overlaps(self, gap=0.0):
        """Every pair of boxes (or a box and a circle) closer than ``gap``; [] when all is well.
        Used by the tests and as the layout's own postcondition."""
        found = []
        items = list(self.boxes.items())
        for a in range(len(items)):
            ka, ra = items[a]
            for kb, rb in items[a + 1:]:
                if ra.intersects(rb, gap):
                    found.append((ka, kb))
            for j, (cx, cy) in self.centres.items():
                if ra.hits_circle(cx, cy, self.radius, gap):
                    found.append((ka, ("n", j)))
        return found


def neuron_numbers(sizes):
    """Per layer, its neurons' numbers (1-based across layers, inputs first)."""
    out, first = [], 1
    for n in sizes:
        out.append(list(range(first, first + n)))
        first += n
    return out


def compute_layout(sizes, radius, boxes, aspect=DEFAULT_ASPECT, gap=GAP, margin=MARGIN):
    """Lay the network out; see the module docstring. Tries a few neuron spacings and keeps the
    one that lets the whole drawing appear largest in a window of the given aspect ratio."""
    sizes = tuple(int(n) for n in sizes)
    layers = neuron_numbers(sizes)
    r = float(radius)
    # tightest vertical spacing: neuron below's bias label + circle + neuron above's δ note
    tallest_above = max([boxes[("b", j)][1] for ls in layers[1:] for j in ls]
                        + [boxes[("x", j)][1] for j in layers[0]])
    tallest_below = max([boxes.get(("note", j), (0, 0))[1] for ls in layers[1:] for j in ls]
                        + [0.0])
    tallest_side = max(boxes[("ob", k)][1] for k in layers[-1])
    dy_min = max(2 * r + tallest_above + tallest_below + 3 * gap, tallest_side + gap, 2 * r + gap)
    n_labels = max(1, sum(1 for key in boxes if key[0] == "w"))
    best, misses = None, 0
    for stretch in STRETCHES:
        lay = _layout_with_spacing(sizes, layers, r, boxes, dy_min * stretch, gap, aspect,
                                   margin)
        size = max(lay.bounds.w / aspect, lay.bounds.h)  # what must fit the window's height
        # labels with other edges running under them cost some size: which edge each names is
        # less obvious
        score = size * (1 + AMBIGUITY_COST * lay.ambiguous / n_labels)
        # at (almost) the same size, more space between neurons is more legible
        if best is None or score <= best[0] * (1 + TIE):
            best, misses = (score, lay), 0
        else:
            misses += 1
            # a big net's layouts take a while, and looser spacings only get worse from here
            if misses == 2 and n_labels > QUICK_LABELS:
                break
    return best[1]


def _layout_with_spacing(sizes, layers, r, boxes, dy, gap, aspect, margin):
    """One layout for a given vertical spacing: fixed boxes, then each gap's weight labels with
    the gap widened until they fit, then every gap widened evenly to fill the aspect ratio."""
    fits = [_fit_gap(layers, l, r, boxes, dy, gap) for l in range(len(sizes) - 1)]
    widths = [w for w, _ in fits]
    lay = _assemble(sizes, layers, r, boxes, dy, widths, gap, [p for _, p in fits], margin)
    # a drawing narrower than the window wastes its width: widen the gaps (more room for labels,
    # flatter edges) until it has the window's proportions
    extra = lay.bounds.h * aspect - lay.bounds.w
    if extra > 1 and widths:
        total = sum(widths)
        grown = [w + extra * w / total for w in widths]
        placements = [_place_gap(layers, l, r, boxes, dy, w, gap) for l, w in enumerate(grown)]
        if all(p is not None for p in placements):
            lay = _assemble(sizes, layers, r, boxes, dy, grown, gap, placements, margin)
    return lay


def _fit_gap(layers, l, r, boxes, dy, gap):
    """(width, placement) for the narrowest gap (within a few per cent) whose labels fit: widen
    until they fit, then halve the interval between the last misfit and the first fit."""
    widest = max([boxes[("w", i, j)][0] for i in layers[l] for j in layers[l + 1]
                  if ("w", i, j) in boxes] + [0.0])
    lo, hi = 0.0, max(MIN_GAP_WIDTH, widest + 2 * gap)
    placed = _place_gap(layers, l, r, boxes, dy, hi, gap)
    tries = 0
    while placed is None:
        tries += 1
        if tries > MAX_TRIES:  # pragma: no cover - a gap twice as wide as its labels always fits
            raise RuntimeError("could not fit the weight labels")
        lo, hi = hi, hi * 1.5
        placed = _place_gap(layers, l, r, boxes, dy, hi, gap)
    while lo and hi / lo > 1.04:
        mid = (lo + hi) / 2
        attempt = _place_gap(layers, l, r, boxes, dy, mid, gap)
        if attempt is None:
            lo = mid
        else:
            hi, placed = mid, attempt
    # a little more room is worth it when it lets every label sit clear of the other edges
    # (typical of small nets, where a label on a crossing is the main source of confusion)
    if placed.ambiguous:
        for factor in COMFORT:
            attempt = _place_gap(layers, l, r, boxes, dy, hi * factor, gap)
            if attempt is not None and not attempt.ambiguous:
                return hi * factor, attempt
    return hi, placed


def _column_x(widths, r):
    xs = [0.0]
    for w in widths:
        xs.append(xs[-1] + 2 * r + w)
    return xs


def _fixed_boxes(columns, r, boxes, dy, xs, gap, inputs=True, outputs=True):
    """Neuron centres and the boxes that sit at fixed places around the neurons, for some
    consecutive columns; ``inputs``/``outputs``: whether the first/last of them is the network's
    input/output layer."""
    centres, fixed = {}, {}
    last = len(columns) - 1
    for l, ls in enumerate(columns):
        for c, j in enumerate(ls):
            x, y = xs[l], (c - (len(ls) - 1) / 2) * dy
            centres[j] = (x, y)
            if l == 0 and inputs:  # above the input, where other neurons have their bias
                w, h = boxes[("x", j)]
                fixed[("x", j)] = Rect(x - w / 2, y - r - gap - h, w, h)
                continue
            w, h = boxes[("b", j)]
            fixed[("b", j)] = Rect(x - w / 2, y - r - gap - h, w, h)
            if ("note", j) in boxes:
                w, h = boxes[("note", j)]
                fixed[("note", j)] = Rect(x - w / 2, y + r + gap, w, h)
            if l == last and outputs:
                w, h = boxes[("ob", j)]
                fixed[("ob", j)] = Rect(x + r + gap, y - h / 2, w, h)
    return centres, fixed


def _assemble(sizes, layers, r, boxes, dy, widths, gap, placements, margin):
    """The whole layout from each gap's width and its labels (placed with column l at x = 0)."""
    xs = _column_x(widths, r)
    centres, placed = _fixed_boxes(layers, r, boxes, dy, xs, gap)
    for l, labels in enumerate(placements):
        for key, rect in labels.items():
            placed[key] = Rect(rect.x + xs[l], rect.y, rect.w, rect.h)
    bounds = None
    for rect in list(placed.values()) + [Rect(x - r, y - r, 2 * r, 2 * r)
                                         for x, y in centres.values()]:
        bounds = rect if bounds is None else bounds.united(rect)
    bounds = Rect(bounds.x - margin, bounds.y - margin, bounds.w + 2 * margin,
                  bounds.h + 2 * margin)
    return NetLayout(tuple(sizes), r, centres, placed, bounds,
                     sum(p.ambiguous for p in placements))


def _place_gap(layers, l, r, boxes, dy, width, gap):
    """Weight labels between column l (at x = 0) and column l + 1 (at x = 2r + width), as
    {key: Rect}; None if some label finds no free spot."""
    xa, xb = 0.0, 2 * r + width
    centres, fixed = _fixed_boxes([layers[l], layers[l + 1]], r, boxes, dy, [xa, xb], gap,
                                  inputs=l == 0, outputs=l + 2 == len(layers))
    edges = [(i, j) for i in layers[l] for j in layers[l + 1] if ("w", i, j) in boxes]
    n_e = len(edges)
    if not n_e:
        return GapPlacement()
    p0 = np.array([centres[i] for i, _ in edges])
    p1 = np.array([centres[j] for _, j in edges])
    d = p1 - p0
    length = np.hypot(d[:, 0], d[:, 1])
    u = d / length[:, None]
    s0, s1 = p0 + u * r, p1 - u * r  # the visible part of each edge, circle edge to circle edge
    sizes = np.array([boxes[("w", i, j)] for i, j in edges])  # (E, 2)
    half = sizes / 2 + gap / 2  # half-extents with each label's share of the clearance

    ts = np.linspace(T_MIN, T_MAX, N_T)
    shifts = np.array(Y_SHIFTS)
    # candidates (E, K): centres on the edge, optionally nudged up or down a little
    cx = s0[:, 0:1] + ts[None, :] * (s1 - s0)[:, 0:1]
    cy = s0[:, 1:2] + ts[None, :] * (s1 - s0)[:, 1:2]
    cx = np.repeat(cx, len(shifts), axis=1)
    cy = np.repeat(cy, len(shifts), axis=1) + np.tile(shifts, N_T)[None, :] * sizes[:, 1:2]
    t_of = np.repeat(ts, len(shifts))[None, :]
    shift_of = np.abs(np.tile(shifts, N_T))[None, :]
    x0, x1 = cx - half[:, 0:1], cx + half[:, 0:1]
    y0, y1 = cy - half[:, 1:2], cy + half[:, 1:2]

    # a label stays between the two columns' centre lines, so gaps never share a label
    free = (x0 >= xa + gap / 2) & (x1 <= xb - gap / 2)
    for cxn, cyn in centres.values():
        nx, ny = np.clip(cxn, x0, x1), np.clip(cyn, y0, y1)
        free &= np.hypot(nx - cxn, ny - cyn) >= r + gap / 2
    for rect in fixed.values():
        free &= ~((x0 < rect.right + gap / 2) & (x1 > rect.x - gap / 2)
                  & (y0 < rect.bottom + gap / 2) & (y1 > rect.y - gap / 2))

    # where two edges cross, a label on top would hide which edge goes where: never there
    points = edge_crossings(s0, s1)
    if len(points):
        free &= ~_cover_any(points, x0 - CROSSING_CLEARANCE, y0 - CROSSING_CLEARANCE,
                            x1 + CROSSING_CLEARANCE, y1 + CROSSING_CLEARANCE,
                            cell=float(sizes[:, 1].min()) / CELLS_PER_LABEL)
    if not free.any(axis=1).all():
        return None  # some label has nowhere to go, whatever the others do
    # soft cost: other edges running under the label make it ambiguous which edge it names;
    # worked out only for the edge being placed, over its still-free candidates
    preference = 0.8 * np.abs(t_of - 0.5) + 0.5 * shift_of  # (1, K): mid-edge, on the line
    others = np.ones(n_e, dtype=bool)

    placed = GapPlacement()
    remaining = list(range(n_e))
    while remaining:
        counts = free[remaining].sum(axis=1)
        if counts.min() == 0:
            return None
        e = remaining[int(np.argmin(counts))]  # most constrained first
        ks = np.flatnonzero(free[e])
        others[:] = True
        others[e] = False
        m = CLEARANCE - gap / 2  # an edge just grazing the label is as confusing as one under it
        crossings = _segments_hit_boxes(s0[others], s1[others], x0[e, ks] - m, y0[e, ks] - m,
                                        x1[e, ks] + m, y1[e, ks] + m).sum(axis=1)
        best = int(np.argmin(crossings + preference[0, ks]))
        k = int(ks[best])
        placed.ambiguous += bool(crossings[best])
        bx0, by0, bx1, by1 = x0[e, k], y0[e, k], x1[e, k], y1[e, k]
        free &= ~((x0 < bx1) & (x1 > bx0) & (y0 < by1) & (y1 > by0))
        remaining.remove(e)
        w, h = sizes[e]
        placed[("w",) + edges[e]] = Rect.centred(float(cx[e, k]), float(cy[e, k]), float(w),
                                                 float(h))
    return placed


def _cover_any(points, x0, y0, x1, y1, cell):
    """Whether each box (x0, y0)–(x1, y1) (arrays of one shape) holds one of ``points`` (n, 2),
    counted on a grid of ``cell``-sized squares with a summed-area table: a box counts every
    cell it touches, so it may refuse a point up to a cell outside it, never miss one inside."""
    lo = points.min(axis=0)
    ix = ((points[:, 0] - lo[0]) // cell).astype(np.int64)
    iy = ((points[:, 1] - lo[1]) // cell).astype(np.int64)
    counts = np.zeros((iy.max() + 2, ix.max() + 2), dtype=np.int64)
    np.add.at(counts, (iy + 1, ix + 1), 1)
    table = counts.cumsum(axis=0).cumsum(axis=1)  # table[r, c]: points in cells < (r, c)
    h, w = table.shape

    def index(v, origin, size):
        return np.clip(np.floor((v - origin) / cell).astype(np.int64) + 1, 0, size - 1)

    c0, c1 = index(x0, lo[0], w) - 1, index(x1, lo[0], w)
    r0, r1 = index(y0, lo[1], h) - 1, index(y1, lo[1], h)
    c0, r0 = np.clip(c0, 0, w - 1), np.clip(r0, 0, h - 1)
    inside = table[r1, c1] - table[r0, c1] - table[r1, c0] + table[r0, c0]
    return inside > 0


def edge_crossings(p, q):
    """(n, 2): the points where two of the segments p[e] → q[e] cross (not where they only
    meet, at a shared neuron)."""
    d = q - p
    a, b = np.triu_indices(len(p), 1)
    d1, d2, e = d[a], d[b], p[b] - p[a]
    denom = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    ok = np.abs(denom) > 1e-12  # not parallel
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (e[:, 0] * d2[:, 1] - e[:, 1] * d2[:, 0]) / denom
        u = (e[:, 0] * d1[:, 1] - e[:, 1] * d1[:, 0]) / denom
    hit = ok & (t > 1e-6) & (t < 1 - 1e-6) & (u > 1e-6) & (u < 1 - 1e-6)
    return p[a[hit]] + t[hit, None] * d1[hit]


class GapPlacement(dict):
    """{key: Rect} of one gap's weight labels; ``ambiguous`` counts labels that other edges run
    under."""

    ambiguous = 0


def _segments_hit_boxes(p, q, x0, y0, x1, y1):
    """(N, F): whether segment f (p[f] → q[f]) passes through box n. Every edge runs left to
    right, so it is a function of x: clip it to the box's x-range and compare y-ranges."""
    px, py, qx, qy = p[:, 0], p[:, 1], q[:, 0], q[:, 1]
    slope = (qy - py) / (qx - px)
    x0, y0, x1, y1 = (a[:, None] for a in (x0, y0, x1, y1))
    lo = np.maximum(x0, px)
    hi = np.minimum(x1, qx)
    ya = py + slope * (lo - px)
    yb = py + slope * (hi - px)
    return (lo <= hi) & (np.minimum(ya, yb) <= y1) & (np.maximum(ya, yb) >= y0)
