"""The timeline: any past step, bit for bit, from checkpoints and replay, in bounded memory."""
import numpy as np
import pytest

from engine import Network
from engine.lesson import load_preset, preset_names
from engine.timeline import Timeline


class Run:
    """Drives a network as the controller does (Step, Train in chunks, edits) and keeps what
    really happened: the state at every step count (the latest, after edits made at it), the
    loss each step started from, and the parameters after it."""

    def __init__(self, lesson, batch_size, shuffle_seed, capacity):
        self.net = lesson.network.copy()
        self.X, self.T = lesson.inputs, lesson.targets
        self.lr, self.b, self.q = lesson.lr, batch_size, shuffle_seed
        self.step_count = 0
        self.timeline = Timeline(capacity)
        self.states = {0: self.net.theta.copy()}
        self.rows = {}

    def _begin(self):
        self.timeline.begin(self.net, self.X, self.T, self.lr, self.b, self.q, self.step_count)

    def step(self):
        self._begin()
        idx = Network.batch_indices(len(self.X), self.b, self.step_count, self.q)
        rec = self.net.step(self.X[idx], self.T[idx], self.lr)
        self.timeline.extend(self.net.theta[None])
        self.step_count += 1
        self._keep(np.array([rec.loss]), self.net.theta[None])

    def train(self, k):
        self._begin()
        params = np.empty((k, self.net.n_params))
        losses = self.net.train(self.X, self.T, self.lr, k, self.b, params_out=params,
                                start=self.step_count, shuffle_seed=self.q)
        self.timeline.extend(params)
        self.step_count += k
        self._keep(losses, params)

    def _keep(self, losses, params):
        for i, (loss, p) in enumerate(zip(losses, params)):
            s = self.step_count - len(losses) + i + 1
            self.states[s] = p.copy()
            self.rows[s] = np.concatenate(([loss], p))

    def edited(self):
        self.states[self.step_count] = self.net.theta.copy()


def check_every_step(run, rng, n=None):
    steps = sorted(run.states)
    chosen = steps if n is None else rng.choice(steps, size=min(n, len(steps)), replace=False)
    for k in chosen:
        shown = run.timeline.state_at(int(k))
        assert shown.theta.tobytes() == run.states[k].tobytes(), f"step {k}"
        if shown.last is not None:  # the record of step k itself ends at the state after it
            assert shown.last.params_after.tobytes() == run.rows[k][1:].tobytes()
            assert shown.last.loss == run.rows[k][0]


def scripted(run):
    """Steps, runs in odd chunks, and every kind of edit between them."""
    run.step(); run.train(13); run.step(); run.train(40)
    run.net.set_params(run.net.theta * 0.5); run.edited()               # parameters typed
    run.train(21)
    run.net.frozen[1] = True; run.net.frozen[-1] = True; run.edited()  # frozen
    run.step(); run.train(17)
    run.net.update_order = "output_first"; run.edited()                 # update order
    run.train(30); run.step()
    run.lr *= 1.5; run.edited()                                         # η
    run.train(9)
    T = run.T.copy(); T[0] = T[0] * 0.5 + 0.1; run.T = T; run.edited()  # a data change
    run.train(25); run.step(); run.step()


@pytest.mark.parametrize("name", preset_names())
@pytest.mark.parametrize("batch, shuffle", [(None, None), (1, None), (2, 7)])
def test_every_step_of_every_preset_is_the_step_that_ran(name, batch, shuffle):
    lesson = load_preset(name)
    if batch is not None and batch >= len(lesson.inputs):
        batch = None
    run = Run(lesson, batch, shuffle, capacity=8)
    scripted(run)
    assert run.timeline.checkpoints() <= 8 and run.timeline.spacing > 1
    check_every_step(run, np.random.default_rng(0))
    # history rows across segment boundaries come back as they were recorded
    rows = run.timeline.rows(5, run.step_count)
    expected = np.array([run.rows[s] for s in range(6, run.step_count + 1)])
    assert rows.tobytes() == expected.tobytes()


def test_a_step_after_an_edit_replays_from_the_edited_state():
    run = Run(load_preset("notes_linear"), None, None, capacity=4)
    run.train(10)
    before = run.net.theta.copy()
    run.net.set_weight(3, 5, 2.0); run.edited()
    run.train(10)
    shown = run.timeline.state_at(10)
    assert shown.theta.tobytes() == run.states[10].tobytes()
    assert shown.theta.tobytes() != before.tobytes()  # the edited state, not step 10's result
    assert run.timeline.state_at(11).last.params_before[run.net.layout.weight_index(3, 5)] == 2.0
    assert len(run.timeline.segments()) == 2


def test_an_architecture_change_is_a_segment_with_its_own_network():
    from engine import architecture as arch
    run = Run(load_preset("xor"), None, None, capacity=4)
    run.train(12)
    old = run.states[12]
    run.net = arch.add_neuron(run.net, 1, seed=3)
    run.edited()
    run.train(12)
    assert run.timeline.segment_at(5).network.sizes != run.timeline.segment_at(20).network.sizes
    assert run.timeline.state_at(6).theta.tobytes() == run.states[6].tobytes()
    assert run.timeline.state_at(12).theta.tobytes() == run.states[12].tobytes() != old.tobytes()
    check_every_step(run, np.random.default_rng(1))


def test_marks_bring_back_exactly_what_was_recorded_after_truncating():
    run = Run(load_preset("notes_relu"), None, None, capacity=4)
    run.train(30)
    mark30 = run.timeline.mark()
    saved = dict(run.states)
    run.train(50)
    mark80 = run.timeline.mark()
    late = run.timeline.state_at(77).theta
    # back to step 30 (as Undo does), then a different future from step 20 (after an undo to it)
    run.timeline.restore(mark30)
    assert run.timeline.last_step == 30
    run.timeline.truncate(20)
    run.net.set_params(saved[20]); run.step_count = 20
    run.lr = run.lr * 2
    run.train(15)
    assert run.timeline.last_step == 35
    assert run.timeline.state_at(33).theta.tobytes() == run.states[33].tobytes()
    run.timeline.restore(mark80)  # Redo of the old future: every checkpoint as it was
    assert run.timeline.last_step == 80
    assert run.timeline.state_at(77).theta.tobytes() == late.tobytes()
    assert run.timeline.state_at(25).theta.tobytes() == saved[25].tobytes()


@pytest.mark.parametrize("capacity", [2048, None])
def test_a_million_steps_stay_bounded_and_any_step_replays_few_steps(capacity):
    lesson = load_preset("notes_linear")
    run = Run(lesson, None, None, capacity=capacity)
    run.train(1)
    rows = np.random.default_rng(0).normal(size=(50_000, run.net.n_params))
    for _ in range(20):  # 10⁶ steps recorded from a stand-in trajectory (no training needed)
        run.timeline.extend(rows)
    t = run.timeline
    assert len(t) == 1_000_001
    n = t.capacity
    assert n == (capacity or 2 * 2**20 // (8 * 15) // 2 * 2)
    assert n // 2 < t.checkpoints() <= n  # thinned as often as needed, no more
    assert t.spacing == 2 ** int(np.ceil(np.log2(1_000_001 / n)))
    assert t.nbytes() <= 2 * n * run.net.n_params * 8
    assert t.spacing == (512 if capacity else 64)  # the most steps a shown step replays


def test_refused_steps_leave_an_empty_segment_that_changes_nothing():
    run = Run(load_preset("notes_linear"), None, None, capacity=4)
    run.train(5)
    run.net.set_bias(5, 1.0); run.edited()
    run._begin()  # a Step that was then refused
    run.net.set_bias(5, 2.0); run.edited()
    run.train(5)
    check_every_step(run, np.random.default_rng(2))
    assert len(run.timeline.segments()) == 2
