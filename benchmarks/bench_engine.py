"""Microseconds per training step of the engine, and how that compares with PyTorch eager.

    uv run python benchmarks/bench_engine.py [--quick] [--check]

Times ``Network.step()`` (one update that returns a full StepRecord) and ``Network.train()``
(many updates in one call) on the notes' 2-2-3 net and on a 2-8-8-1 net at batch 10 and 1000.
When PyTorch is importable (it is not a project dependency; see benchmarks/README.md) the same
nets, with the same starting parameters, are timed in float64 eager mode two ways: a minimal
manual loop (leaf tensors with ``requires_grad``, ``loss.backward()``, a hand-written SGD update),
which the targets are measured against, and ``nn.Sequential`` + ``optim.SGD``. A third reference,
"floor", is the same step written out by hand in NumPy with nothing but its arithmetic: how
fast a NumPy engine could be at best, and so which targets NumPy can meet (timed where the
engine itself uses NumPy: not on the notes' net, which it runs on Python floats). Each figure is the
best of several repeats, each long enough to swamp the timer, taken in turns with the case's
other figures. ``--check`` exits 1 if a target fails (only when PyTorch is present); otherwise
the exit code is always 0.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from engine import Network  # noqa: E402
from engine.activations import get_activation  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

LR = 1e-3  # small enough that hundreds of thousands of steps never diverge
SECONDS, REPEATS = 0.05, 20  # per timed call, and how many; --quick uses QUICK
QUICK = 0.02, 5


@dataclass
class Case:
    name: str
    sizes: list
    activations: list
    batch: int
    targets: dict = field(default_factory=dict)  # method → minimum torch_time / our_time
    sample: tuple | None = None  # (x, target) of every sample; None: a fixed random set
    floor: bool = True  # time numpy_floor too (not where the engine runs on Python floats)


CASES = [
    Case("notes 2-2-3, batch 1", [2, 2, 3], ["relu", "linear"], 1, {"step": 10, "train": 30},
         ([0.6, -0.4], [0.5, 0.0, 0.3]), floor=False),
    Case("2-8-8-1, batch 10", [2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], 10),
    Case("2-8-8-1, batch 1000", [2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], 1000, {"train": 5}),
]


def data(case):
    """(X, T) as (batch, n) float64 arrays."""
    if case.sample is not None:
        x, t = case.sample
        return np.tile(x, (case.batch, 1)), np.tile(t, (case.batch, 1))
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (case.batch, case.sizes[0])),
            rng.uniform(0, 1, (case.batch, case.sizes[-1])))


def make_net(case):
    return Network(case.sizes, case.activations, "half_sse", seed=0)


def _timed(run, n):
    t0 = time.perf_counter()
    run(n)
    return time.perf_counter() - t0


def us_per_step(runs, seconds, repeats):
    """Best-of-``repeats`` µs per step of each ``run(n)``, which takes n steps.

    Each run's n is doubled until one call lasts ``seconds`` (those calls are the warm-up); the
    repeats then take turns across the runs, so a slow spell of the machine hits them alike.
    """
    ns = []
    for run in runs:
        n = 1
        _timed(run, n)
        while _timed(run, n) < seconds:
            n *= 2
        ns.append(n)
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        best = [min(b, _timed(run, n) / n) for b, run, n in zip(best, runs, ns)]
    return [b * 1e6 for b in best]


def ours_step(case):
    net, (X, T) = make_net(case), data(case)

    def run(n):
        for _ in range(n):
            net.step(X, T, LR)
    return run


def ours_train(case):
    net, (X, T) = make_net(case), data(case)
    return lambda n: net.train(X, T, LR, n)


def numpy_floor(case):
    """The least a NumPy engine can spend per step, as a reference for the batch-1000 target:
    the same float64 arithmetic as ``train()`` — (neurons, batch) blocks with a row of ones,
    one matrix product per layer and direction, every buffer preallocated, the activations'
    own formulas — written out by hand with nothing else: no finiteness check, no loss, no
    record, no update order."""
    net, (X, T) = make_net(case), data(case)
    sizes, b = case.sizes, case.batch
    L = len(sizes) - 1
    Wa = [None] + [np.vstack([net.W[l], net.b[l][None, :]]) for l in range(1, L + 1)]
    ya = [np.ones((n + 1, b)) for n in sizes[:-1]] + [np.empty((sizes[-1], b))]
    ya[0][:-1] = X.T
    ys = [a[:n] for a, n in zip(ya, sizes)]
    tT = np.ascontiguousarray(T.T)
    d = [None] + [np.empty((n, b)) for n in sizes[1:]]
    G = [None] + [np.empty_like(w) for w in Wa[1:]]
    acts = [None] + [get_activation(a) for a in case.activations]  # the engine's formulas
    rate = LR / b

    def forward(l):
        np.dot(Wa[l].T, ya[l - 1], out=ys[l])
        acts[l].forward(ys[l], ys[l])

    def times_slope(l):  # d[l] *= f'(net_l), from y_l (y > 0 exactly where net > 0, for ReLU)
        acts[l].backprop(ys[l], ys[l], d[l], d[l])

    def run(n):
        for _ in range(n):
            for l in range(1, L + 1):
                forward(l)
            np.subtract(tT, ys[L], out=d[L])
            times_slope(L)
            for l in range(L, 0, -1):
                np.dot(ya[l - 1], d[l].T, out=G[l])
                if l > 1:
                    np.dot(Wa[l][:-1], d[l], out=d[l - 1])
                    times_slope(l - 1)
                G[l] *= rate
                Wa[l] += G[l]
    run.parameters = Wa  # per layer, (W; b): for checking that it takes train()'s steps
    return run


def torch_start(case):
    """Our net and data for a case, and the same starting parameters and data as tensors:
    per layer (W of shape (n_in, n_out), b), so that net_l = y_(l−1) · W + b."""
    net, (X, T) = make_net(case), data(case)
    layers = [(torch.from_numpy(net.W[l].copy()), torch.from_numpy(net.b[l].copy()))
              for l in range(1, len(case.sizes))]
    return net, X, T, layers, torch.from_numpy(X), torch.from_numpy(T)


TORCH_ACTS = {"linear": None, "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}


def check_start(net, X, T, loss):
    """Both sides compute the same starting loss, so they time the same work."""
    assert np.isclose(loss, net.loss_value(X, T)), (loss, net.loss_value(X, T))


def torch_manual(case):
    """The reference: a minimal eager loop on leaf tensors with ``requires_grad``, the gradient
    from ``loss.backward()`` and a hand-written SGD update under ``torch.no_grad()``."""
    net, X, T, layers, x, t = torch_start(case)
    params = [p.requires_grad_() for pair in layers for p in pair]
    acts = [None if TORCH_ACTS[a] is None else getattr(torch, TORCH_ACTS[a])
            for a in case.activations]
    pairs = list(zip(params[0::2], params[1::2], acts))

    def model(y):
        for W, b, f in pairs:
            y = y @ W + b
            if f is not None:
                y = f(y)
        return y

    with torch.no_grad():
        check_start(net, X, T, (0.5 * ((t - model(x)) ** 2).sum(1).mean()).item())

    def run(n):
        for _ in range(n):
            loss = 0.5 * ((t - model(x)) ** 2).sum(1).mean()
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad
                    p.grad.zero_()
            loss.item()
    return run


def torch_sequential(case):
    """The same net as a float64 nn.Sequential with our starting parameters, trained by
    optim.SGD."""
    net, X, T, layers, x, t = torch_start(case)
    modules = []
    for (W, b), act in zip(layers, case.activations):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight.copy_(W.T)
            linear.bias.copy_(b)
        act_module = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh,
                      "sigmoid": torch.nn.Sigmoid}.get(act)
        modules += [linear] + ([] if act_module is None else [act_module()])
    model = torch.nn.Sequential(*modules)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    with torch.no_grad():
        check_start(net, X, T, (0.5 * ((t - model(x)) ** 2).sum(1).mean()).item())

    def run(n):
        for _ in range(n):
            opt.zero_grad()
            y = model(x)
            loss = 0.5 * ((t - y) ** 2).sum(1).mean()
            loss.backward()
            opt.step()
            loss.item()
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run (noisier figures)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    ap.add_argument("--torch-threads", type=int, default=1, metavar="N",
                    help="PyTorch intra-op threads (default 1: steadier, and our NumPy work on "
                         "these small matrices is single-threaded; 0 keeps PyTorch's default)")
    args = ap.parse_args(argv)
    seconds, repeats = QUICK if args.quick else (SECONDS, REPEATS)
    if torch is not None:
        torch.set_default_dtype(torch.float64)
        if args.torch_threads > 0:
            torch.set_num_threads(args.torch_threads)

    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, "
          + (f"PyTorch {torch.__version__} (intra-op threads: {torch.get_num_threads()})"
             if torch is not None else "PyTorch not importable: our figures only"))
    print(f"η = {LR:g}, half_sse, float64; µs per step, best of {repeats} interleaved repeats "
          f"of ≥ {seconds:g} s each\n")
    head = f"{'case':<22} {'method':<8} {'ours µs':>8}"
    if torch is not None:
        head += (f" {'manual µs':>9} {'manual/ours':>11} {'Seq+SGD µs':>10} {'Seq/ours':>8}"
                 "  target (manual/ours)")
    print(head)
    print("-" * len(head))
    failed = False
    for case in CASES:
        runs = [ours_step(case), ours_train(case)] + ([numpy_floor(case)] if case.floor else [])
        if torch is not None:
            runs += [torch_manual(case), torch_sequential(case)]
        times = us_per_step(runs, seconds, repeats)
        ours_step_us, ours_train_us = times[:2]
        floor_us = times[2] if case.floor else None
        theirs = times[2 + case.floor:]
        for method, ours in (("step", ours_step_us), ("train", ours_train_us)):
            row = f"{case.name:<22} {method + '()':<8} {ours:>8.2f}"
            if theirs:
                manual, sequential = theirs
                ratio = manual / ours
                row += (f" {manual:>9.1f} {ratio:>10.1f}× {sequential:>10.1f} "
                        f"{sequential / ours:>7.1f}×")
                target = case.targets.get(method)
                if target is not None:
                    ok = ratio >= target
                    failed |= not ok
                    row += f"  ≥{target}× {'PASS' if ok else 'FAIL'}"
            print(row, flush=True)
        if floor_us is not None:
            row = f"{case.name:<22} {'floor':<8} {floor_us:>8.2f}"
            if theirs:
                row += f" {'':>9} {theirs[0] / floor_us:>10.1f}×"
            print(row + "  (hand-written NumPy, nothing but the arithmetic)", flush=True)
    if args.check and torch is None:
        print("\n--check: the targets need PyTorch, so there is nothing to check")
    if args.check and failed:
        print("\n--check: some targets failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
