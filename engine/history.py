"""Training history kept bounded for any number of steps, with exact marks for undo.

Every step appends one row (the loss before the step, then every parameter after it). Rows go into
buckets of ``stride`` steps that keep each column's min, max and last value; when ``capacity``
buckets are full, neighbours merge pairwise and the stride doubles. Memory stays at
3 × capacity × columns floats after 10^6 steps, and a spike survives as a bucket's min or max,
which the plots draw as a vertical stroke.

Steps are numbered from ``start`` (0 unless the lesson was saved without its history at step
``start``), so ``start + n_steps`` is always the lesson's step count.

Undo without copies: ``mark()`` returns a small ``Mark`` (a reference to the bucket arrays, the
counts and a copy of the one open bucket) and ``restore(mark)`` brings the history back to it
exactly, whatever happened in between — merges, a clear, appends after an earlier restore. This
works because closed buckets are never written again: merging, clearing and growing make new
arrays (the old ones live on while a mark holds them), and appending after a restore to an earlier
point copies the arrays first if a later future was written into them. NumPy only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_ROWS = 64  # the bucket arrays start this small and double up to the capacity


class _Store:
    """Bucket arrays; ``used`` rows have been written (by this history or a future of it)."""

    __slots__ = ("lo", "hi", "last", "used")

    def __init__(self, rows, n_columns):
        self.lo = np.empty((rows, n_columns))
        self.hi = np.empty((rows, n_columns))
        self.last = np.empty((rows, n_columns))
        self.used = 0

    def copy(self, rows, keep):
        """A new store of ``rows`` rows holding this one's first ``keep``."""
        new = _Store(rows, self.lo.shape[1])
        for name in ("lo", "hi", "last"):
            getattr(new, name)[:keep] = getattr(self, name)[:keep]
        new.used = keep
        return new


@dataclass(frozen=True, eq=False)
class Mark:
    """A point in a history's life (``History.mark``); ``tail`` is the open bucket's rows."""

    store: _Store
    n_buckets: int
    n_steps: int
    stride: int
    start: int
    tail: tuple | None

    @property
    def step_count(self):
        return self.start + self.n_steps


class History:
    def __init__(self, n_columns, capacity=2048, start=0):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self.n_columns = n_columns
        self.start = int(start)
        self._store = _Store(0, n_columns)
        self.stride = 1
        self.n_buckets = 0
        self.n_steps = 0

    # the bucket arrays (rows beyond n_buckets hold nothing of this history)
    lo = property(lambda self: self._store.lo)
    hi = property(lambda self: self._store.hi)
    last = property(lambda self: self._store.last)

    @property
    def step_count(self):
        """The number of the last step recorded (``start`` + ``n_steps``)."""
        return self.start + self.n_steps

    def copy(self):
        other = History(self.n_columns, self.capacity, self.start)
        other._store = self._store.copy(max(self.n_buckets, 1), self.n_buckets)
        other.stride, other.n_buckets, other.n_steps = self.stride, self.n_buckets, self.n_steps
        return other

    # -- files ------------------------------------------------------------------------------------
    def to_dict(self):
        """The stored buckets as plain JSON data: ``capacity``, ``stride``, ``n_steps`` and
        ``last`` (one row per bucket), plus ``lo`` and ``hi`` once buckets hold several steps
        (while the stride is 1 they equal ``last``), and ``start`` when it is not 0.
        ``from_dict`` restores it exactly."""
        n = self.n_buckets
        d = {"capacity": self.capacity, "stride": self.stride, "n_steps": self.n_steps,
             "last": self.last[:n].tolist()}
        if self.start:
            d["start"] = self.start
        if self.stride > 1:
            d["lo"] = self.lo[:n].tolist()
            d["hi"] = self.hi[:n].tolist()
        return d

    @classmethod
    def from_dict(cls, d, n_columns=None):
        """A History from ``to_dict()``'s form (lists) or ``engine.lesson.parse_history``'s
        (arrays), checked: ``ValueError`` (``LessonFileError``) naming the field on anything
        inconsistent. ``n_columns`` defaults to the width of the rows (or of ``columns``)."""
        from .lesson import LessonFileError, parse_history

        if n_columns is None:
            if not isinstance(d, dict):
                raise LessonFileError("history must be an object")
            rows = d.get("last")
            if isinstance(d.get("columns"), list):
                n_columns = len(d["columns"])
            elif isinstance(rows, np.ndarray) and rows.ndim == 2:
                n_columns = rows.shape[1]
            elif isinstance(rows, list) and rows and isinstance(rows[0], list):
                n_columns = len(rows[0])
            else:
                raise LessonFileError("history.last is empty: give n_columns")
            if n_columns < 1:
                raise LessonFileError("history rows must not be empty")
        return cls.from_parsed(parse_history(d, n_columns), n_columns)

    @classmethod
    def from_parsed(cls, p, n_columns):
        """A History from ``engine.lesson.parse_history``'s checked dict."""
        h = cls(n_columns, p["capacity"], p.get("start") or 0)
        n = len(p["last"])
        h._store = _Store(max(n, 1), n_columns)
        for name in ("lo", "hi", "last"):
            getattr(h._store, name)[:n] = p[name]
        h._store.used = n
        h.stride, h.n_buckets, h.n_steps = p["stride"], n, p["n_steps"]
        return h

    # -- marks ------------------------------------------------------------------------------------
    def mark(self):
        """This moment of the history, for ``restore``."""
        b, s = self.n_buckets, self._store
        tail = (s.lo[b - 1].copy(), s.hi[b - 1].copy(), s.last[b - 1].copy()) if b else None
        return Mark(s, b, self.n_steps, self.stride, self.start, tail)

    def restore(self, mark):
        """Back (or forward) to exactly what ``mark`` saw."""
        store, b = mark.store, mark.n_buckets
        if b and not all(np.array_equal(getattr(store, name)[b - 1], row)
                         for name, row in zip(("lo", "hi", "last"), mark.tail)):
            # the open bucket has since taken more steps: a copy of the store with the bucket
            # as the mark saw it (the store itself still serves other marks)
            store = store.copy(len(store.lo), b - 1)
            store.lo[b - 1], store.hi[b - 1], store.last[b - 1] = mark.tail
            store.used = b
        self._store = store
        self.n_buckets, self.n_steps = b, mark.n_steps
        self.stride, self.start = mark.stride, mark.start

    # -- recording --------------------------------------------------------------------------------
    def clear(self, start=0):
        """No steps; the next one recorded is step ``start`` + 1."""
        self._store = _Store(0, self.n_columns)
        self.stride = 1
        self.n_buckets = 0
        self.n_steps = 0
        self.start = int(start)

    def _writable(self, rows):
        """Make the store ours to write up to ``rows`` buckets: copy it when a future this
        history was restored away from was written into it (a mark may hold that future),
        grow it when it is too small."""
        s = self._store
        size = len(s.lo)
        # never more than capacity: a merge (into a new store) comes before bucket capacity + 1,
        # and asking for more would copy the full store again for every bucket until then
        rows = min(rows, self.capacity)
        if s.used > self.n_buckets or rows > size:
            grown = size if rows <= size else min(self.capacity, max(rows, 2 * size, MIN_ROWS))
            self._store = s.copy(grown, self.n_buckets)

    def append(self, rows):
        """Add rows of shape (k, n_columns), one per step, in order."""
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, self.n_columns)
        i = 0
        while i < len(rows):
            fill = self.n_steps % self.stride  # steps already in the open bucket
            if fill == 0:
                if self.n_buckets == self.capacity:
                    self._merge()
                    continue
                take = min(self.stride, len(rows) - i)
                self._writable(self.n_buckets + 1 + (len(rows) - i - take) // self.stride)
                s, b = self._store, self.n_buckets
                chunk = rows[i:i + take]
                s.lo[b] = chunk.min(axis=0)
                s.hi[b] = chunk.max(axis=0)
                s.last[b] = chunk[-1]
                self.n_buckets += 1
            else:
                self._writable(self.n_buckets)
                s, b = self._store, self.n_buckets - 1
                take = min(self.stride - fill, len(rows) - i)
                chunk = rows[i:i + take]
                np.minimum(s.lo[b], chunk.min(axis=0), out=s.lo[b])
                np.maximum(s.hi[b], chunk.max(axis=0), out=s.hi[b])
                s.last[b] = chunk[-1]
            self._store.used = self.n_buckets
            i += take
            self.n_steps += take

    def _merge(self):
        h = self.capacity // 2
        old, new = self._store, _Store(self.capacity, self.n_columns)
        new.lo[:h] = np.minimum(old.lo[0::2], old.lo[1::2])
        new.hi[:h] = np.maximum(old.hi[0::2], old.hi[1::2])
        new.last[:h] = old.last[1::2]
        new.used = h
        self._store = new
        self.n_buckets = h
        self.stride *= 2

    # -- reading ----------------------------------------------------------------------------------
    def curve(self, column, max_points=None):
        """(x, y) to plot one column: step numbers counted from 0 at ``start`` (add ``start``
        for the lesson's numbering) and values, min then max per bucket (a single point per
        bucket while buckets hold one step). With ``max_points`` (about twice the plot's width in
        pixels), neighbouring buckets are joined until that many points suffice; each joined
        group still shows its min and max, so spikes stay visible."""
        n = self.n_buckets
        group = 1 if not max_points else max(1, -(-2 * n // max(max_points, 2)))
        if self.stride == 1 and (group == 1 or n <= max_points):
            return np.arange(n, dtype=np.float64), self.last[:n, column].copy()
        first = np.arange(0, n, group)
        lo = np.minimum.reduceat(self.lo[:n, column], first) if n else np.empty(0)
        hi = np.maximum.reduceat(self.hi[:n, column], first) if n else np.empty(0)
        x = np.repeat(first * float(self.stride), 2)
        x[1::2] += group * self.stride / 2
        y = np.empty(2 * len(first))
        y[0::2], y[1::2] = lo, hi
        return x, y

    def latest(self):
        """The most recent row, or None."""
        return self.last[self.n_buckets - 1].copy() if self.n_buckets else None

    def nbytes(self):
        """Memory held by the bucket arrays."""
        s = self._store
        return s.lo.nbytes + s.hi.nbytes + s.last.nbytes
