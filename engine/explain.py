"""The worked step from the command line, and the one place that gathers the explain modules.

``python main.py explain NETWORK.json [--steps N] [--format md|html|tex] [--decimals D]`` trains
N steps (on the lesson's training samples, as the window does), then prints the next step worked
in full: for every weight, bias and neuron the
formula in symbols, then with the step's numbers substituted, then the result.

The work is split by idea:

* ``engine.numbers`` — the one number formatter (``fmt``) and the parser of typed numbers
* ``engine.derivation`` — the derivation model: ``Equation``, ``Section``, ``Document``,
  ``Phase``/``phases``, ``Explainer`` (substituted lines that reproduce their results)
* ``engine.arithmetic`` — the exact arithmetic of a substituted line (``evaluate``)
* ``engine.render`` — Markdown, HTML and LaTeX (``render``, ``html_section``, …)
* this module — the command line (``main``, ``explain_lesson``, ``train_in_chunks``)

Everything the GUI and the tests imported from here before the split is still importable here.
"""
from __future__ import annotations

import argparse
import os
import sys

from .derivation import (  # noqa: F401  (re-exported)
    EXTRA, MAX_TERMS, Document, Equation, Explainer, Phase, Section, phases, reproduces, settle,
)
from .lesson import load_preset, preset_names, read_lesson
from .network import DivergenceError, Network
from .numbers import DEFAULT_DECIMALS, exact, fmt, parse_number  # noqa: F401  (re-exported)
from .render import (  # noqa: F401  (re-exported)
    FORMATS, HTML_CSS, html_equation, html_math, html_prose, html_section, plain_math,
    plain_prose, render, tex_math, tex_prose, tex_rows, tex_text, to_html, to_latex,
    to_markdown,
)

MAX_STEPS = 100_000_000  # the most steps the command line trains first (here and in the window)
MAX_DECIMALS = 12
TRAIN_CHUNK = 10_000  # steps trained per call: memory stays bounded however many are asked for


# -- the command line ------------------------------------------------------------------------------
def explain_lesson(lesson, steps=0, format="md", decimals=DEFAULT_DECIMALS):
    """Train ``lesson`` for ``steps`` steps, then write out the next step worked in full."""
    net = lesson.network
    train_in_chunks(lesson, steps)
    X, T, _, _ = lesson.train_test()
    idx = Network.batch_indices(len(X), lesson.batch_size, steps, lesson.shuffle_seed)
    rec = net.step(X[idx], T[idx], lesson.lr, apply=False)
    title = f"{lesson.name or 'Backprop Lab'} — worked step {steps + 1}"
    return render(Explainer(net, rec, 0, decimals).document(title, lesson.description), format)


def train_in_chunks(lesson, steps, chunk=None):
    """Train ``lesson``'s network ``steps`` steps on its training samples (``train_test``), at
    most ``chunk`` (``TRAIN_CHUNK``) per call, so memory does not grow with ``steps``; the
    batches are those of one long run, shuffled per epoch with the lesson's ``shuffle_seed``.
    ``DivergenceError`` names the step, counted from the start, and carries how many were done."""
    net, chunk = lesson.network, chunk or TRAIN_CHUNK
    X, T, _, _ = lesson.train_test()
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        try:
            net.train(X, T, lesson.lr, n, lesson.batch_size, start=done,
                      shuffle_seed=lesson.shuffle_seed)
        except DivergenceError as e:
            done += e.steps_done
            raise DivergenceError(
                f"training diverged at step {done + 1:,} with η = {exact(lesson.lr)}: the loss or a "
                "parameter became NaN/Inf", done) from None
        done += n


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, not argparse's usage block
        raise ValueError(message)


def main(argv=None):
    """``explain NETWORK.json [--steps N] [--format md|html|tex] [--decimals D]``: the worked
    step on stdout; any error is one line on stderr and exit code 2."""
    p = _Parser(prog="backprop-lab explain",
                description="Write one training step of a lesson file worked in full.")
    p.add_argument("network", metavar="NETWORK.json", help="a lesson file (e.g. a preset)")
    p.add_argument("--steps", type=int, default=0, help="train this many steps first")
    p.add_argument("--format", choices=FORMATS, default="md", help="output format")
    p.add_argument("--decimals", type=int, default=DEFAULT_DECIMALS,
                   help="decimals of every number (0–12)")
    try:
        args = p.parse_args(sys.argv[1:] if argv is None else list(argv))
        if not 0 <= args.steps <= MAX_STEPS:
            raise ValueError(f"--steps must be from 0 to {MAX_STEPS:,}")
        if not 0 <= args.decimals <= MAX_DECIMALS:
            raise ValueError(f"--decimals must be from 0 to {MAX_DECIMALS}")
        lesson = _lesson_or_preset(args.network)
        text = explain_lesson(lesson, args.steps, args.format, args.decimals)
    except ValueError as e:  # bad arguments, JSON, lesson, or a diverging run
        return _fail(str(e))
    except Exception as e:  # a last guard: never a traceback
        return _fail(f"unexpected {type(e).__name__}: {e}")
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a console that cannot show δ: write UTF-8 bytes instead
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


def _lesson_or_preset(name):
    """The lesson file at the path ``name``, or else the preset called ``name`` (``notes_relu``):
    a file of that name wins. A file is read as a regular file only, bounded, never blocking
    (a FIFO is refused at once)."""
    if not os.path.lexists(name):
        if name in preset_names():
            return load_preset(name)
        raise ValueError(f"{name}: no such file, and no preset of that name (the presets: "
                         f"{', '.join(preset_names())})")
    try:
        return read_lesson(name)[0]
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None


def _fail(message):
    print("backprop-lab explain: " + " ".join(message.split()), file=sys.stderr)
    return 2
