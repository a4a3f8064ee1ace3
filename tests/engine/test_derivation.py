"""Every substituted line of a derivation reproduces the result it shows: worked exactly from
the numbers as shown, it rounds to that result, or the line shows more digits (up to 3), and
only a line that even that cannot settle reads "≈". Also: activations and losses write their
own forms, and the explain modules keep their old imports."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import DivergenceError, Network
from engine.activations import ACTIVATIONS, Activation, sigmoid
from engine.arithmetic import evaluate
from engine.derivation import EXTRA, Equation, Explainer, reproduces
from engine.numbers import fmt
from engine.lesson import load_preset
from engine.render import render, to_markdown

ELEMENTWISE = ["linear", "relu", "sigmoid", "tanh"]


def equations(ex, doc):
    """Every equation of the document and of every element's own section."""
    lay = ex.lay
    sections = list(doc.sections)
    sections += [ex.section(("w", p.i, p.j) if p.kind == "w" else ("b", p.j))
                 for p in ex.network.parameters()]
    sections += [ex.section(("n", j)) for j in range(1, lay.n_neurons + 1)]
    return [item for sec in sections for item in sec.items if isinstance(item, Equation)]


def numbers_of(eq):
    return [form for kind, form in eq.forms if kind == "num"]


def test_a_step_that_overflows_writes_dashes_without_a_sign_and_never_a_false_line():
    """A step looked at before it is applied may overflow (w = 1e200 twice: y3 = ∞, δ = −∞):
    its numbers read "—", a minus before one is dropped (−(−∞) has no better sign to show than
    "—"), and a line holding one has no value, so it never claims a result. (Found by the
    property below: "−— × (−1)" was written, and the evaluator did not know "—".)"""
    net = Network([1, 1, 1], ["linear", "linear"], "half_sse")
    net.set_params(np.array([1e200, 0.0, 1e200, 0.0]))
    rec = net.step(np.array([[1.0]]), np.array([[0.0]]), 0.1, apply=False)
    assert rec.delta(2) == -np.inf
    ex = Explainer(net, rec, 0, 3)
    with_dash = 0
    for eq in equations(ex, ex.document("t")):
        for form in numbers_of(eq):
            assert "−—" not in form, (eq.lhs, form)
            if "—" in form:
                with_dash += 1
                with pytest.raises(ArithmeticError):
                    evaluate(form)
                assert not reproduces(form, eq.forms[-1][1])
    assert with_dash


def test_a_small_factor_of_large_terms_gets_the_digits_that_give_the_result():
    """A saturated σ' (0.0014989 at net = 5.5) times a sum near 3,200: at 3 decimals the factor
    reads 0.001, and even 3 more (0.001499) move the product by more than the last shown digit.
    The line takes the digits it needs instead of a "≈" beside a factor a third off
    (3,178 × 0.001 is 3.18, not 4.764). (Found by the property below.)"""
    net = Network([1, 1, 4], ["sigmoid", "linear"], "half_sse")
    net.set_params(np.array([1.0, 5.5, 21.3, 27.7, 24.1, 29.3, 0, 0, 0, 0]))
    x = np.array([[1.0]])
    y = net.step(x, np.zeros((1, 4)), 0.1, apply=False).outs[2][0]
    rec = net.step(x, [y + [31.3, 33.7, 28.9, 30.1]], 0.1, apply=False)
    ex = Explainer(net, rec, 0, 3)
    (eq,) = [item for item in ex.section(("n", 2)).items
             if isinstance(item, Equation) and item.lhs == "δ_{2}"]
    (form,) = numbers_of(eq)
    result = eq.forms[-1][1]
    assert not eq.approx and reproduces(form, result), (form, result)
    factor = form.rpartition("× ")[2]
    assert len(factor.partition(".")[2]) > 3 + EXTRA, factor
    assert result == fmt(rec.delta(2), 3)


# -- the property ----------------------------------------------------------------------------------
@st.composite
def steps(draw):
    """A random network at a random step, the sample shown and the decimals: weights, inputs
    and targets of a lesson's size (|w| ≤ 1, |x| ≤ 1, targets in [0, 1])."""
    n_layers = draw(st.integers(2, 4))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_layers)]
    out = draw(st.sampled_from(ELEMENTWISE + ["softmax"]))
    acts = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(n_layers - 2)] + [out]
    loss = draw(st.sampled_from(["half_sse", "cross_entropy"] if out in ("softmax", "sigmoid")
                                else ["half_sse"]))
    order = draw(st.sampled_from(["simultaneous", "output_first"]))
    batch = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = Network(sizes, acts, loss, seed=seed % 1000, update_order=order)
    net.set_params(rng.uniform(-1, 1, net.n_params))
    x = rng.uniform(-1, 1, (batch, sizes[0]))
    t = rng.uniform(0, 1, (batch, sizes[-1]))
    if loss == "cross_entropy" and out == "softmax" and draw(st.booleans()):
        t = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]  # one-hot: δ = ob − y
    lr = draw(st.sampled_from([0.05, 0.1, 0.3, 0.5, 1.0, 2.0]))
    trained = draw(st.integers(0, 3))
    try:
        if trained:
            net.train(x, t, lr, trained)
        rec = net.step(x, t, lr, apply=False)
    except DivergenceError:
        assume(False)
    sample = draw(st.integers(0, batch - 1))
    decimals = draw(st.integers(0, 8))
    return net, rec, sample, decimals


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps())
def test_every_substituted_line_reproduces_its_result(case):
    """Every "num" line of every section: worked exactly it rounds to the result shown. With
    numbers of a lesson's size (below 100) a result shown in fixed notation always does (within
    3 more digits); otherwise — a result so small that it is shown in scientific notation, from
    numbers that cancel (0.500 − 0.500 = 7.2e−09), or operands in the thousands, whose rounding
    in the 3rd extra decimal still moves a product by units — the line says "≈" instead of
    "=" and does not reproduce."""
    net, rec, sample, decimals = case
    ex = Explainer(net, rec, sample, decimals)
    doc = ex.document("t")
    markdown = to_markdown(doc)
    checked = 0
    for eq in equations(ex, doc):
        result = eq.forms[-1][1]
        assert eq.forms[-1][0] == "res"
        for form in numbers_of(eq):
            try:
                evaluate(form)  # the evaluator reads every line the model writes
            except ArithmeticError:
                pass
            checked += 1
            if eq.approx:
                big = max((abs(float(v)) for v in re.findall(r"\d+(?:\.\d+)?", form)),
                          default=0.0) >= 100
                # only numbers too large or small for fixed decimals (shown as 1.8e+07, 2 digits),
                # or with no value at all (an overflow, "—"), may leave a line unable to give its
                # result
                assert "e" in result or "e" in form or "—" in form or big, (eq.lhs, form, result)
                assert not reproduces(form, result)
            else:
                assert reproduces(form, result), (eq.lhs, form, result)
        if eq.approx:
            assert re.search(rf"^\s+≈ {re.escape(result)}$", markdown, re.M), (eq.lhs, result)
    assert checked


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps())
def test_results_get_at_most_three_more_digits(case):
    """A result is shown as everywhere else (``fmt`` at the chosen decimals), or with at most
    three more digits in the same notation; an approximate one never gets more."""
    net, rec, sample, decimals = case
    ex = Explainer(net, rec, sample, decimals)
    for eq in equations(ex, ex.document("t")):
        result, usual = eq.forms[-1][1], ex.n(eq.value)
        if not numbers_of(eq) or eq.approx:
            assert result == usual
            continue
        assert ("e" in result) == ("e" in usual)
        places = len(result.partition("e")[0].partition(".")[2])
        usual_places = len(usual.partition("e")[0].partition(".")[2])
        assert usual_places <= places <= usual_places + EXTRA


# -- the cases of the issue ------------------------------------------------------------------------
def notes_step(name="notes_linear", steps=0, decimals=3):
    lesson = load_preset(name)
    if steps:
        lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, steps)
    rec = lesson.network.step(lesson.inputs, lesson.targets, lesson.lr, apply=False)
    return Explainer(lesson.network, rec, 0, decimals)


def line(ex, key, lhs):
    found = [eq for eq in ex.section(key).items if isinstance(eq, Equation) and eq.lhs == lhs]
    assert len(found) == 1
    return found[0]


def test_b5_update_reads_0_266_as_worked_by_hand():
    ex = notes_step()
    eq = line(ex, ("b", 5), "b_{5}")
    assert repr(eq.value) == "0.26549999999999996"
    assert eq.forms[1:] == (("num", "0.100 + 0.500 × 0.331"), ("res", "0.266"))


def test_y7_reads_0_171_as_worked_by_hand():
    """net7 = 0.270 × 0.600 + 0.130 × 0.450 + (−0.050) is exactly 0.1705 (the engine holds
    0.17049999999999998): shown 0.171, on the canvas as here."""
    ex = notes_step()
    eq = line(ex, ("n", 7), "net_{7}")
    assert eq.forms[-2:] == (("num", "0.270 × 0.600 + 0.130 × 0.450 + (−0.050)"),
                             ("res", "0.171"))
    assert line(ex, ("n", 7), "y_{7}").forms[-1] == ("res", "0.171")


def test_a_result_just_below_a_boundary_shows_one_more_digit():
    """x1 = 0.333 − 2e-9 and w12 = 0.5: net2 = 0.16649999… shows as 0.166, but 0.333 × 0.500 =
    0.1665 rounds to 0.167, and so does 0.333000 × 0.500: the result too needs a digit, and
    then 0.3330 × 0.500 = 0.1665 is what the line shows. With x1 = 0.3325…, one more digit of
    the operand is enough."""
    net = Network([1, 1], ["linear"])
    net.set_params([0.5, 0.0])
    for x, num, res in ((0.333 - 2e-9, "0.3330 × 0.500 + 0.000", "0.1665"),
                        (0.3325 + 1e-12, "0.3325 × 0.500 + 0.000", "0.166")):
        ex = Explainer(net, net.step([[x]], [[0.0]], 0.5, apply=False))
        eq = line(ex, ("n", 2), "net_{2}")
        assert eq.forms[-2:] == (("num", num), ("res", res)) and ex.n(eq.value) == "0.166"
        assert reproduces(num, res)


def test_operands_get_one_more_digit_and_exact_ones_keep_theirs():
    """∂L/∂w13 = −δ3 x1: δ3 = 0.1556, so −0.156 × 0.600 = −0.0936 would round to −0.094, not
    the −0.093 shown; δ3 gets one more decimal, x1 = 0.600 (exact) keeps three."""
    ex = notes_step()
    eq = line(ex, ("w", 1, 3), "∂L/∂w_{13}")
    assert eq.forms[-2:] == (("num", "−0.1556 × 0.600"), ("res", "−0.093"))
    assert not eq.approx


def test_numbers_that_cancel_read_approximately():
    """After 40 steps the linear notes have all but converged: Err5 = 0.500 − 0.500 is a few
    times 1e-9, which no three more digits can show; the line says ≈, in every format."""
    ex = notes_step(steps=40)
    eq = line(ex, ("n", 5), "Err_{5}")
    assert eq.approx and eq.forms[-2] == ("num", "0.500 − 0.500")
    doc = ex.document("t")
    md = render(doc, "md")
    assert f"≈ {eq.forms[-1][1]}" in md
    assert '<td class="op">≈</td>' in render(doc, "html")
    assert re.search(r"^ &\\approx  ", render(doc, "tex"), re.M)  # a row of an align*


def test_presets_over_their_first_steps():
    """The lessons that ship, 30 steps each at 2, 3 and 4 decimals: every line reproduces its
    result, or (only for a result below the decimals shown) reads ≈."""
    for name in ("notes_linear", "notes_relu", "notes_softmax", "xor"):
        lesson = load_preset(name)
        net = lesson.network
        for step in range(30):
            idx = Network.batch_indices(len(lesson.inputs), lesson.batch_size, step)
            x, t = lesson.inputs[idx], lesson.targets[idx]
            rec = net.step(x, t, lesson.lr, apply=False)
            for d in (2, 3, 4):
                ex = Explainer(net, rec, 0, d)
                for eq in ex.document("t").sections[1:]:
                    for item in eq.items:
                        if isinstance(item, Equation):
                            res = item.forms[-1][1]
                            for form in numbers_of(item):
                                assert reproduces(form, res) or (item.approx and "e" in res), \
                                    (name, step, d, item.lhs, form, res)
            net.step(x, t, lesson.lr)


# -- activations and losses write themselves -------------------------------------------------------
class Softplus(Activation):
    """f = log(1 + e^net), f' = σ(net): not one of the app's, to show that adding an activation
    needs no change in the derivations."""

    name = "softplus"
    symbol = "softplus"

    def forward(self, net, out):
        return np.logaddexp(0.0, net, out=out)

    def derivative(self, net, y):
        return 1.0 / (1.0 + np.exp(-np.asarray(net)))

    def expr(self, n):
        return f"(_log1p(_exp({n})) if {n} < 30.0 else {n})"

    def backprop_expr(self, n, y, g):
        return f"{g} * _sigmoid({n})"

    def out_forms(self, net):
        return [f"softplus({net})", f"log(1 + exp({net}))"]

    def out_numbers(self, net, net_factor, layer_nets=()):
        return f"log(1 + exp({net}))"

    def prime_forms(self, y):
        return []

    def prime_numbers(self, net, net_factor, y_factor):
        return f"1/(1 + exp(−{net_factor}))"


def test_a_new_activation_is_written_by_its_own_forms(monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, "softplus", Softplus())
    net = Network([2, 2, 1], ["softplus", "linear"], seed=1)
    rec = net.step([[0.6, -0.4]], [[0.3]], 0.5, apply=False)
    ex = Explainer(net, rec)
    sec = ex.section(("n", 3))
    y3 = line(ex, ("n", 3), "y_{3}")
    assert [f for k, f in y3.forms if k == "sym"] == ["softplus(net_{3})",
                                                       "log(1 + exp(net_{3}))"]
    fprime = line(ex, ("n", 3), "softplus'(net_{3})")
    assert fprime.value == pytest.approx(sigmoid(rec.net(3)))
    for eq in (item for item in sec.items if isinstance(item, Equation)):
        for form in numbers_of(eq):
            assert reproduces(form, eq.forms[-1][1]), (eq.lhs, form)


def test_the_derivations_never_name_an_activation_or_a_loss():
    import inspect

    import engine.derivation
    source = inspect.getsource(engine.derivation)
    for name in ["linear", "relu", "sigmoid", "tanh", "softmax", "half_sse", "cross_entropy"]:
        assert f'"{name}"' not in source, name


# -- the modules -----------------------------------------------------------------------------------
def test_the_old_imports_still_work():
    from engine.explain import (  # noqa: F401
        DEFAULT_DECIMALS, FORMATS, HTML_CSS, MAX_STEPS, MAX_TERMS, TRAIN_CHUNK, Document, Equation,
        Explainer, Phase, Section, explain_lesson, fmt, html_section, main, phases, plain_math,
        plain_prose, render, tex_math, to_html, to_latex, to_markdown, train_in_chunks,
    )
    from engine.numbers import fmt as numbers_fmt
    from gui.controller import parse_number
    from gui.style import fmt as style_fmt
    assert fmt is numbers_fmt is style_fmt
    assert parse_number("0.25") == 0.25


def test_render_needs_nothing_of_the_model():
    import engine.render
    assert "derivation" not in " ".join(
        line for line in open(engine.render.__file__, encoding="utf-8")
        if line.startswith(("import", "from")))
