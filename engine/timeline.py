"""Every past step, exactly, in bounded memory: checkpoints plus deterministic replay.

A ``Timeline`` is the lesson's steps as *segments*: a segment starts from one state (the
parameters, frozen flags, update order, architecture, data, η, batch size and shuffle seed) at
step count ``start`` and holds the steps taken from it with nothing changed in between. An edit,
a data change or a change of shape starts a new segment at the step count it happened at, so a
step after an edit is replayed from the edited state.

Within a segment, the parameters after every ``spacing``-th step are kept (a *checkpoint*); the
state after any step k is the nearest checkpoint at or before k, then the engine's own training
from there (``Network.train`` with ``start`` = the checkpoint's step: the same batches, shuffle
order, update order and frozen flags), bit for bit what ran — ``train`` and ``step`` agree bit for
bit however a run is split. When more than ``capacity`` checkpoints are kept (all segments
together), every other one goes and the spacing doubles, so memory stays at about capacity ×
parameters floats (plus one state per segment) for any number of steps, and showing a step
replays fewer than ``spacing`` steps. By default the capacity is what 2 MB of checkpoints hold
for the first segment's network, at least 2,048: for the notes' net (15 parameters) 17,476
checkpoints, so at 10⁶ steps every 64th step is kept and a step replays at most 63 steps.

Step counts are the lesson's: the state at k is the one step k + 1 starts from, i.e. after step
k, or after the last edit made at step count k. Recording steps that start at step count s first
drops everything the timeline held from s on (after Undo, Reset or Randomize the old future is
gone; a ``mark`` taken before brings it back).

Undo without copies, as in ``engine.history``: ``mark()`` is small (references and counts),
``restore(mark)`` is exact whatever happened in between, because stored rows are never written
again once a mark may see them (a write after a restore to an earlier point copies first). NumPy
only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

CAPACITY = 2048  # checkpoints kept over all segments before the spacing doubles, at least
BUDGET = 2 * 2**20  # bytes of checkpoints the default capacity allows


@dataclass(frozen=True, eq=False)
class Segment:
    """The state a run of steps started from, and what those steps used: the architecture
    (``sizes``, ``activations``, ``loss``), ``frozen`` flags and ``update_order``, ``theta0``
    the parameters at step count ``start``, the data and settings; ``info`` is whatever the
    caller gave for it (the controller keeps its data set and a history mark there)."""

    start: int
    theta0: np.ndarray
    sizes: tuple
    activations: tuple
    loss: str
    update_order: str
    frozen: np.ndarray
    X: np.ndarray
    T: np.ndarray
    lr: float
    batch_size: int | None
    shuffle_seed: int | None
    info: object = None

    @classmethod
    def of(cls, start, network, X, T, lr, batch_size, shuffle_seed, info=None):
        return cls(int(start), network.theta.copy(), tuple(network.sizes),
                   tuple(network.activations), network.loss, network.update_order,
                   network.frozen.copy(), X, T, float(lr), batch_size, shuffle_seed, info)

    def continued_by(self, network):
        """Would ``network`` (its shape, frozen flags, update order) train as this segment?"""
        return (self.update_order == network.update_order
                and self.frozen.tobytes() == network.frozen.tobytes()
                and self.sizes == tuple(network.sizes)
                and self.activations == tuple(network.activations)
                and self.loss == network.loss)

    @property
    def network(self):
        """A scratch network of this segment's shape, frozen flags and update order (a few are
        kept, built again when needed: a segment itself holds only arrays)."""
        net = _SCRATCH.pop(self, None)
        if net is None:
            net = Network(list(self.sizes), list(self.activations), self.loss,
                          update_order=self.update_order)
            np.copyto(net.frozen, self.frozen)
        _SCRATCH[self] = net
        while len(_SCRATCH) > SCRATCH_NETWORKS:
            _SCRATCH.pop(next(iter(_SCRATCH)))
        return net

    def batch(self, step):
        """(x, ob) of step number ``step`` + 1."""
        idx = Network.batch_indices(len(self.X), self.batch_size, step, self.shuffle_seed)
        return self.X[idx], self.T[idx]

    def replay(self, theta, first, steps, params_out=None):
        """The parameters after ``steps`` steps from ``theta`` at step count ``first``; the
        losses before each (``params_out`` as in ``Network.train``)."""
        net = self.network
        np.copyto(net.theta, theta)
        losses = net.train(self.X, self.T, self.lr, int(steps), self.batch_size,
                           params_out=params_out, start=int(first),
                           shuffle_seed=self.shuffle_seed)
        return net.theta.copy(), losses


SCRATCH_NETWORKS = 4
_SCRATCH: dict = {}  # segment → its scratch network, least recently used first


class _Store:
    """Checkpoint rows; ``used`` have been written (by this timeline or a future of it)."""

    __slots__ = ("rows", "used")

    def __init__(self, n, n_params):
        self.rows = np.empty((n, n_params))
        self.used = 0

    def copy(self, n, keep):
        new = _Store(max(n, keep), self.rows.shape[1])
        new.rows[:keep] = self.rows[:keep]
        new.used = keep
        return new


@dataclass(frozen=True, eq=False)
class _Entry:
    """A segment with its checkpoints: ``store.rows[i]`` is the state after step
    ``segment.start + (i + 1) × spacing``; ``n_ck`` of them, ``n_steps`` steps."""

    segment: Segment
    store: _Store
    n_ck: int
    n_steps: int


@dataclass(frozen=True, eq=False)
class Mark:
    """A moment of a timeline (``Timeline.mark``)."""

    entries: list
    n_entries: int
    last: _Entry | None
    spacing: int
    total: int
    end: np.ndarray | None


@dataclass(frozen=True, eq=False)
class Shown:
    """The state after step ``step`` (``Timeline.state_at``): ``theta``, the ``segment`` it
    belongs to (frozen flags, update order, data, η, batch size) and ``last``, the StepRecord
    of step ``step`` itself (values before it; None at a segment's start)."""

    step: int
    theta: np.ndarray
    segment: Segment
    last: object = None


class Timeline:
    def __init__(self, capacity=None):
        """``capacity``: checkpoints kept before they thin out (an even number ≥ 2); None: what
        ``BUDGET`` bytes hold for the first network recorded, at least ``CAPACITY``."""
        if capacity is not None and (capacity < 2 or capacity % 2):
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self._entries = []   # sealed segments, then the last one (its counts are below)
        self._n = 0          # segments in this timeline (the list may hold a future beyond)
        self._last = None    # the last segment's entry with its live counts
        self.spacing = 1
        self._total = 0      # checkpoints over all segments
        self._end = None     # the parameters after the last step recorded

    # -- reading -----------------------------------------------------------------------------------
    def segments(self):
        """The segments, oldest first, with their step counts: [(segment, n_steps)]."""
        out = [(e.segment, e.n_steps) for e in self._entries[:self._n - 1]]
        if self._last is not None:
            out.append((self._last.segment, self._last.n_steps))
        return out

    def _all(self):
        return self._entries[:self._n - 1] + ([self._last] if self._last is not None else [])

    @property
    def first_step(self):
        """The earliest step count the timeline can show (None while it is empty)."""
        return self._entries[0].segment.start if self._n else None

    @property
    def last_step(self):
        """The step count after the last step recorded (None while empty)."""
        e = self._last
        return None if e is None else e.segment.start + e.n_steps

    def __len__(self):
        """Steps recorded."""
        return sum(e.n_steps for e in self._all())

    def checkpoints(self):
        return self._total

    def nbytes(self):
        """Memory held by checkpoints and segment starts (the data arrays are shared)."""
        return sum(e.store.rows.nbytes + e.segment.theta0.nbytes for e in self._all())

    def _get(self, i):
        return self._last if i == self._n - 1 else self._entries[i]

    def _entry_at(self, k):
        """The latest entry whose segment starts at or before step count k and reaches it."""
        lo, hi = 0, self._n
        while lo < hi:  # the last entry with start ≤ k
            mid = (lo + hi) // 2
            if self._get(mid).segment.start <= k:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            raise ValueError(f"step {k:,} is before the timeline's first step")
        e = self._get(lo - 1)
        if k > e.segment.start + e.n_steps:
            raise ValueError(f"step {k:,} is after the timeline's last step")
        return e

    def segment_at(self, k):
        return self._entry_at(int(k)).segment

    def _checkpoint(self, e, k):
        """(step count, parameters) of the last checkpoint of ``e`` at or before k."""
        i = min((k - e.segment.start) // self.spacing, e.n_ck)
        if i == 0:
            return e.segment.start, e.segment.theta0
        return e.segment.start + i * self.spacing, e.store.rows[i - 1]

    def state_at(self, k, with_last=True):
        """``Shown``: the exact state after step k (replayed from the nearest checkpoint)."""
        k = int(k)
        e = self._entry_at(k)
        seg = e.segment
        last = None
        if with_last and k > seg.start:
            at, theta = self._checkpoint(e, k - 1)
            if k - 1 > at:
                theta, _ = seg.replay(theta, at, k - 1 - at)
            net = seg.network
            np.copyto(net.theta, theta)
            x, t = seg.batch(k - 1)
            last = net.step(x, t, seg.lr)
            theta = net.theta.copy()
        else:
            at, theta = self._checkpoint(e, k)
            theta = seg.replay(theta, at, k - at)[0] if k > at else theta.copy()
        return Shown(k, theta, seg, last)

    def rows(self, a, b):
        """History rows of steps a + 1 … b: the loss each started from and the parameters
        after it, shape (b − a, 1 + n_params) — replayed, segment by segment."""
        out = []
        k = a
        while k < b:
            e = self._entry_at(k)
            seg = e.segment
            n = min(b, seg.start + e.n_steps) - k
            if n <= 0:
                raise ValueError(f"no steps recorded after step {k:,}")
            theta = self.state_at(k, with_last=False).theta
            params = np.empty((n, len(theta)))
            _, losses = seg.replay(theta, k, n, params)
            out.append(np.column_stack((losses, params)))
            k += n
        return np.concatenate(out) if out else np.empty((0, 0))

    # -- marks -------------------------------------------------------------------------------------
    def mark(self):
        return Mark(self._entries, self._n, self._last, self.spacing, self._total, self._end)

    def restore(self, mark):
        self._entries, self._n, self._last = mark.entries, mark.n_entries, mark.last
        self.spacing, self._total, self._end = mark.spacing, mark.total, mark.end

    # -- recording ---------------------------------------------------------------------------------
    def truncate(self, k):
        """Forget everything after step count k (the state at k stays)."""
        k = int(k)
        entries = self._all()
        keep = [e for e in entries if e.segment.start <= k]
        if not keep:
            self._set_entries([], None)
            return
        e = keep[-1]
        end_e = e.segment.start + e.n_steps
        if len(keep) == len(entries) and end_e <= k:
            return  # nothing after k
        if end_e > k:
            end = self.state_at(k, with_last=False).theta
            keep[-1] = _Entry(e.segment, e.store, min(e.n_ck, (k - e.segment.start)
                                                      // self.spacing), k - e.segment.start)
        else:
            end = self.state_at(end_e, with_last=False).theta
        self._set_entries(keep, end)

    def _set_entries(self, entries, end):
        """Make ``entries`` this timeline's, in a new list (marks keep the old one)."""
        self._entries = list(entries)
        self._n = len(entries)
        self._last = entries[-1] if entries else None
        self._total = sum(e.n_ck for e in entries)
        self._end = end

    def begin(self, network, X, T, lr, batch_size, shuffle_seed, step, info=None):
        """Steps from ``network``'s state at step count ``step`` with these settings come next:
        a new segment unless they continue the last one exactly. ``info`` (a callable, called
        only for a new segment) is kept with it."""
        step = int(step)
        last = self._last
        if last is not None and last.segment.start + last.n_steps == step:
            s = last.segment
            if (s.X is X and s.T is T and s.lr == lr and s.batch_size == batch_size
                    and s.shuffle_seed == shuffle_seed and self._end is not None
                    and self._end.tobytes() == network.theta.tobytes()
                    and s.continued_by(network)):
                return False
        if self._n and self.last_step != step:
            self.truncate(step)
        n = self._n
        empty = n and self._last.n_steps == 0  # an edit after an edit: the latest replaces it
        keep = n - 1 if empty else n
        # the list is shared with marks: append in place only where no mark sees beyond it
        entries = self._entries if len(self._entries) == keep else self._entries[:keep]
        if keep and not empty:
            entries[keep - 1] = self._last  # sealed (a mark with this many keeps its own)
        if self.capacity is None:
            self.capacity = max(CAPACITY, BUDGET // (8 * network.n_params) // 2 * 2)
        seg = Segment.of(step, network, X, T, lr, batch_size, shuffle_seed,
                         info() if callable(info) else info)
        self._last = _Entry(seg, _Store(0, network.n_params), 0, 0)
        entries.append(self._last)
        self._entries, self._n = entries, keep + 1
        self._end = network.theta.copy()
        return True

    def extend(self, params):
        """Record steps of the open segment: ``params`` (k, n_params), the parameters after
        each, in order (what ``Network.train``'s ``params_out`` holds)."""
        params = np.asarray(params, dtype=np.float64)
        if not len(params):
            return
        e = self._last
        if e is None:
            raise ValueError("begin() a segment before recording steps")
        m = self.spacing
        n0 = e.n_steps
        first = m - n0 % m  # rows[first - 1] ends step n0 + first, a multiple of m
        picks = params[first - 1::m]
        store, n_ck = e.store, e.n_ck
        if len(picks):
            if store.used > n_ck or n_ck + len(picks) > len(store.rows):
                store = store.copy(max(2 * len(store.rows), n_ck + len(picks), 4), n_ck)
            store.rows[n_ck:n_ck + len(picks)] = picks
            n_ck += len(picks)
            store.used = n_ck
        self._last = _Entry(e.segment, store, n_ck, n0 + len(params))
        self._total += n_ck - e.n_ck
        self._end = params[-1].copy()
        while self._total > self.capacity:
            self._thin()

    def _thin(self):
        """Every other checkpoint goes; the spacing doubles (new stores: marks keep theirs)."""
        entries = []
        for e in self._all():
            kept = e.store.rows[1:e.n_ck:2]
            store = _Store(len(kept), e.store.rows.shape[1])
            store.rows[:] = kept
            store.used = len(kept)
            entries.append(_Entry(e.segment, store, len(kept), e.n_steps))
        self.spacing *= 2
        self._set_entries(entries, self._end)


def history_at(history, step, timeline, base=None):
    """A ``engine.history.Mark`` of ``history`` as it stands at step count ``step`` (an earlier
    point of it than its end, e.g. to resume from there): its whole buckets up to that step kept
    as they are, the steps after them replayed from ``timeline``. ``base`` — (step count, history
    Mark) at the timeline's first step — serves when the timeline does not reach back to the last
    whole bucket (a history loaded from a file). The history itself is not changed."""
    from .history import History

    step = int(step)
    s = history.stride
    cut = (step - history.start) // s * s
    a = history.start + cut
    work = History(history.n_columns, history.capacity, history.start)
    first = timeline.first_step
    if first is not None and a >= first:
        nb = cut // s
        work._store = history._store.copy(max(nb, 1), nb)
        work.stride, work.n_buckets, work.n_steps = s, nb, cut
    elif base is not None:
        a, mark = base
        work.restore(mark)
    else:
        raise ValueError(f"step {step:,} cannot be rebuilt: the timeline starts at step "
                         f"{first}")
    if step > a:
        work.append(timeline.rows(a, step))
    return work.mark()
