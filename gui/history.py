"""Training history kept bounded for any number of steps: min/max buckets that merge as they fill.

Every step appends one row (the loss before the step, then every parameter after it). Rows go into
buckets of ``stride`` steps that keep each column's min, max and last value; when ``capacity``
buckets are full, neighbours merge pairwise and the stride doubles. Memory stays at
3 × capacity × columns floats after 10^6 steps, and a spike survives as a bucket's min or max,
which the plots draw as a vertical stroke. NumPy only (no Qt), like the engine.
"""
from __future__ import annotations

import numpy as np


class History:
    def __init__(self, n_columns, capacity=2048):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self.n_columns = n_columns
        self.lo = np.empty((capacity, n_columns))
        self.hi = np.empty((capacity, n_columns))
        self.last = np.empty((capacity, n_columns))
        self.stride = 1
        self.n_buckets = 0
        self.n_steps = 0

    def copy(self):
        other = History(self.n_columns, self.capacity)
        for name in ("lo", "hi", "last"):
            getattr(other, name)[:] = getattr(self, name)
        other.stride, other.n_buckets, other.n_steps = self.stride, self.n_buckets, self.n_steps
        return other

    def to_dict(self):
        """The stored buckets as plain JSON data: ``capacity``, ``stride``, ``n_steps`` and
        ``last`` (one row per bucket), plus ``lo`` and ``hi`` once buckets hold several steps
        (while the stride is 1 they equal ``last``). ``from_dict`` restores it exactly."""
        n = self.n_buckets
        d = {"capacity": self.capacity, "stride": self.stride, "n_steps": self.n_steps,
             "last": self.last[:n].tolist()}
        if self.stride > 1:
            d["lo"] = self.lo[:n].tolist()
            d["hi"] = self.hi[:n].tolist()
        return d

    @classmethod
    def from_dict(cls, d, n_columns=None):
        """A History from ``to_dict()``'s form (lists) or ``engine.lesson.parse_history``'s
        (arrays), checked: ``ValueError`` (``LessonFileError``) naming the field on anything
        inconsistent. ``n_columns`` defaults to the width of the rows (or of ``columns``)."""
        from engine.lesson import LessonFileError, parse_history

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
        p = parse_history(d, n_columns)
        h = cls(n_columns, p["capacity"])
        n = len(p["last"])
        for name in ("lo", "hi", "last"):
            getattr(h, name)[:n] = p[name]
        h.stride, h.n_buckets, h.n_steps = p["stride"], n, p["n_steps"]
        return h

    def clear(self):
        self.stride = 1
        self.n_buckets = 0
        self.n_steps = 0

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
                b = self.n_buckets
                take = min(self.stride, len(rows) - i)
                chunk = rows[i:i + take]
                self.lo[b] = chunk.min(axis=0)
                self.hi[b] = chunk.max(axis=0)
                self.last[b] = chunk[-1]
                self.n_buckets += 1
            else:
                b = self.n_buckets - 1
                take = min(self.stride - fill, len(rows) - i)
                chunk = rows[i:i + take]
                np.minimum(self.lo[b], chunk.min(axis=0), out=self.lo[b])
                np.maximum(self.hi[b], chunk.max(axis=0), out=self.hi[b])
                self.last[b] = chunk[-1]
            i += take
            self.n_steps += take

    def _merge(self):
        h = self.capacity // 2
        self.lo[:h] = np.minimum(self.lo[0::2], self.lo[1::2])
        self.hi[:h] = np.maximum(self.hi[0::2], self.hi[1::2])
        self.last[:h] = self.last[1::2]
        self.n_buckets = h
        self.stride *= 2

    def truncate(self, n_steps):
        """Forget the steps from ``n_steps`` on (for undo). Exact while the stride is 1; with
        merged buckets, the bucket holding step ``n_steps`` goes whole (bucket b holds steps
        b·stride … (b + 1)·stride − 1)."""
        if n_steps < self.n_steps:
            self.n_buckets = n_steps // self.stride
            self.n_steps = self.n_buckets * self.stride

    def curve(self, column, max_points=None):
        """(x, y) to plot one column: step numbers and values, min then max per bucket (a
        single point per bucket while buckets hold one step). With ``max_points`` (about twice
        the plot's width in pixels), neighbouring buckets are joined until that many points
        suffice; each joined group still shows its min and max, so spikes stay visible."""
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
