"""Worked derivations (engine.explain): every number they show is the engine's, every
substituted line evaluates to its result, the exports hold every parameter and parse, and the
command line fails in one line."""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from engine import DivergenceError, Network, explain
from engine.explain import (
    Equation, Explainer, explain_lesson, fmt, main, phases, plain_math, render, tex_math, to_html, to_latex,
    to_markdown,
)
from engine.lesson import Lesson, load_preset, preset_names

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "resources" / "presets"


# -- the cases -------------------------------------------------------------------------------------
def _random_case(sizes, acts, loss, batch, order="simultaneous", seed=3, frozen=()):
    rng = np.random.default_rng(seed)
    net = Network(sizes, acts, loss, seed=seed, update_order=order)
    net.set_params(net.theta + rng.uniform(-0.2, 0.2, net.n_params))
    for label in frozen:
        net.frozen[net.labels.index(label)] = True
    x = rng.uniform(-1, 1, (batch, sizes[0]))
    if loss == "cross_entropy" and acts[-1] == "softmax":
        t = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    else:
        t = rng.uniform(0.05, 0.95, (batch, sizes[-1]))
    return net, x, t


CASES = {
    **{name: name for name in ("notes_linear", "notes_relu", "notes_softmax", "xor")},
    "softmax_half_sse": ([2, 2, 3], ["relu", "softmax"], "half_sse", 1),
    "sigmoid_ce_batch": ([2, 3, 2], ["tanh", "sigmoid"], "cross_entropy", 3),
    "deep_output_first": ([3, 4, 3, 2], ["sigmoid", "tanh", "linear"], "half_sse", 1,
                          "output_first"),
    "long_sums_batch": ([2, 10, 3], ["relu", "linear"], "half_sse", 2),
    "softmax_soft_targets": ([2, 2, 3], ["relu", "softmax"], "cross_entropy", 1),
    "frozen_output_first": ([2, 2, 3], ["relu", "sigmoid"], "half_sse", 2, "output_first", 5,
                            ("w35", "b4")),
}


def case(name):
    """(network, record) of the step the case is about to take."""
    spec = CASES[name]
    if isinstance(spec, str):
        lesson = load_preset(spec)
        net, x, t, lr = lesson.network, lesson.inputs, lesson.targets, lesson.lr
    else:
        net, x, t = _random_case(*spec)
        lr = 0.7
        if name == "softmax_soft_targets":
            t = np.array([[0.2, 0.5, 0.6]])  # sums to 1.3: the general softmax form
    return net, net.step(x, t, lr, apply=False)


def explainers(name, decimals=3):
    net, rec = case(name)
    return [Explainer(net, rec, s, decimals) for s in sorted({0, len(rec.x) - 1})]


def equations(section):
    return [item for item in section.items if isinstance(item, Equation)]


def find(section, lhs):
    found = [eq for eq in equations(section) if eq.lhs == lhs]
    assert len(found) == 1, (lhs, [eq.lhs for eq in equations(section)])
    return found[0]


def param_keys(net):
    return [("w", p.i, p.j) if p.kind == "w" else ("b", p.j) for p in net.parameters()]


# -- the numbers are the engine's -------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_every_parameter_derivation_ends_at_the_engine_numbers(name):
    for ex in explainers(name):
        rec, net = ex.rec, ex.network
        for key in param_keys(net):
            sec = ex.section(key)
            i = ex.index(key)
            p = ex.psym(key)
            assert find(sec, f"∂L/∂{p}").value == rec.grad[i]
            update = find(sec, p)
            assert update.op == "←" and update.value == rec.params_after[i]
            assert find(sec, f"δ_{{{key[-1]}}}").value == rec.delta(key[-1], ex.s)
            # and what is shown is that number at the chosen decimals
            assert find(sec, f"∂L/∂{p}").forms[-1] == ("res", ex.n(rec.grad[i]))


@pytest.mark.parametrize("name", CASES)
def test_every_neuron_derivation_ends_at_the_engine_numbers(name):
    for ex in explainers(name):
        rec, lay = ex.rec, ex.lay
        for j in range(1, lay.n_neurons + 1):
            sec = ex.section(("n", j))
            if lay.locate(j)[0] == 0:
                assert find(sec, f"x_{{{j}}}").value == rec.out(j, ex.s)
                continue
            assert find(sec, f"net_{{{j}}}").value == rec.net(j, ex.s)
            assert find(sec, f"y_{{{j}}}").value == rec.out(j, ex.s)
            assert find(sec, f"δ_{{{j}}}").value == rec.delta(j, ex.s)
            if lay.locate(j)[0] == len(lay.sizes) - 1:
                assert find(sec, f"Err_{{{j}}}").value == rec.err(j, ex.s)


def evaluate(form):
    """The arithmetic of a substituted line, as Python."""
    text = (form.replace("×", "*").replace("−", "-").replace("[", "(").replace("]", ")")
            .replace("½", "0.5").replace("^{2}", "**2").replace("ReLU'", "relu_prime"))
    names = {"exp": math.exp, "log": math.log, "tanh": math.tanh,
             "ReLU": lambda v: max(v, 0.0), "relu_prime": lambda v: float(v > 0)}
    return eval(text, {"__builtins__": {}}, names)  # noqa: S307 — our own arithmetic only


@pytest.mark.parametrize("name", CASES)
def test_each_substituted_line_evaluates_to_its_result(name):
    """The formula shown, with the numbers shown, gives the engine's result: the derivation is
    right, not only its last number."""
    checked = 0
    for ex in explainers(name, decimals=12):
        doc = ex.document("t")
        sections = list(doc.sections) + [ex.section(k) for k in param_keys(ex.network)]
        for sec in sections:
            for eq in equations(sec):
                for kind, form in eq.forms:
                    if kind == "num":
                        assert evaluate(form) == pytest.approx(eq.value, rel=1e-7, abs=1e-9), \
                            (eq.lhs, form)
                        checked += 1
    assert checked > 10


def test_the_notes_w13_reads_as_in_the_issue():
    ex = explainers("notes_linear")[0]
    eq = find(ex.section(("w", 1, 3)), "∂L/∂w_{13}")
    syms = [plain_math(f) for k, f in eq.forms if k == "sym"]
    assert syms == ["∂L/∂y3 · ∂y3/∂w13", "−[δ5 w35 + δ6 w36 + δ7 w37] · ReLU'(net3) · x1",
                    "−δ3 x1"]
    update = find(ex.section(("w", 1, 3)), "w_{13}")
    assert plain_math(update.forms[0][1]) == "w13 + η δ3 x1"
    assert update.forms[1][1].startswith("0.150 + 0.500 × ")


def test_linear_outputs_say_delta_is_err_and_softmax_says_its_form():
    ex = explainers("notes_linear")[0]
    sec = ex.section(("w", 3, 5))
    assert [f for _, f in find(sec, "δ_{5}").forms[:2]] == ["Err_{5}", "ob_{5} − y_{5}"]
    assert any("$δ_{5} = Err_{5}$" in item for item in sec.items if isinstance(item, str))
    sm = explainers("notes_softmax")[0].section(("w", 3, 7))
    assert [f for _, f in find(sm, "δ_{7}").forms[:2]] == ["ob_{7} − y_{7} Σ_{m} ob_{m}",
                                                            "ob_{7} − y_{7}"]
    soft = explainers("softmax_half_sse")[0].section(("b", 5))
    assert find(soft, "δ_{5}").forms[0][1] == "Σ_{m} Err_{m} y_{m} ([m = 5] − y_{5})"


def test_batches_say_gradients_are_means_and_show_one_samples_values():
    ex = explainers("sigmoid_ce_batch")[1]
    assert ex.s == 2
    sec = ex.section(("w", 1, 3))
    assert any("Batch of 3 samples" in item for item in sec.items if isinstance(item, str))
    assert find(sec, "∂L^{(3)}/∂w_{13}").value == pytest.approx(
        -ex.rec.delta(3, 2) * ex.rec.out(1, 2))
    mean = find(sec, "∂L/∂w_{13}")
    assert mean.forms[0][1] == "(1/3) Σ_{s} ∂L^{(s)}/∂w_{13}"


def test_frozen_parameters_keep_their_value_and_say_so():
    ex = explainers("frozen_output_first")[0]
    sec = ex.section(("w", 3, 5))
    assert find(sec, "w_{35}").forms == (("sym", "w_{35}"), ("res", ex.n(ex.rec.params_before[
        ex.index(("w", 3, 5))])))
    assert any("w35 is frozen" in item for item in sec.items if isinstance(item, str))


# -- update order -----------------------------------------------------------------------------------
def test_output_first_matches_a_hand_computed_small_case():
    """x1 → y2 → y3, all linear, zero biases: worked by hand, output layer first."""
    x, ob, eta = 1.0, 2.0, 0.5
    w12, w23 = 0.5, 2.0
    net = Network([1, 1, 1], ["linear", "linear"], update_order="output_first")
    net.set_params([w12, 0.0, w23, 0.0])
    rec = net.step([x], [ob], eta, apply=False)
    y2 = x * w12                      # 0.5
    y3 = y2 * w23                     # 1.0
    d3 = ob - y3                      # 1.0
    w23_new = w23 + eta * d3 * y2     # 2.25
    d2 = d3 * w23_new                 # 2.25 (simultaneous would give 2.0)
    w12_new = w12 + eta * d2 * x      # 1.625
    assert rec.params_after[0] == pytest.approx(w12_new)
    assert rec.params_after[2] == pytest.approx(w23_new)
    ex = Explainer(net, rec)
    delta2 = find(ex.section(("n", 2)), "δ_{2}")
    assert delta2.forms[0][1] == "[δ_{3} w_{23}^{new}]"
    assert delta2.value == pytest.approx(d2)
    assert evaluate(delta2.forms[1][1]) == pytest.approx(2.25)
    update = find(ex.section(("w", 1, 2)), "w_{12}")
    assert update.forms[-1][1] == "1.625"
    assert "output layer first" in ex.order_note()
    simultaneous = Explainer(net, Network([1, 1, 1], ["linear", "linear"]).step(
        [x], [ob], eta, apply=False))
    assert "simultaneous" in simultaneous.order_note()


def test_phases_in_order_for_both_update_orders():
    lay = Network([2, 2, 3]).layout
    sim = phases(lay)
    assert [p.text for p in sim] == [
        "Forward pass: layer 1 (y3, y4)", "Forward pass: output layer (y5, y6, y7)", "Loss L",
        "Output deltas (δ5, δ6, δ7)", "Hidden deltas: layer 1 (δ3, δ4)",
        "Update: every weight and bias"]
    assert sim[0].neurons == (3, 4) and sim[0].edges == ((1, 3), (1, 4), (2, 3), (2, 4))
    assert sim[4].edges == ((3, 5), (3, 6), (3, 7), (4, 5), (4, 6), (4, 7))
    assert len(sim[5].edges) == 10 and sim[5].neurons == (3, 4, 5, 6, 7)
    first = phases(lay, "output_first")
    assert [p.kind for p in first] == ["forward", "forward", "loss", "delta", "update", "delta",
                                       "update"]
    assert first[4].layers == (2,) and first[6].layers == (1,)


# -- exports ----------------------------------------------------------------------------------------
def worked(name="notes_relu", fmt="md"):
    net, rec = case(name)
    return net, render(Explainer(net, rec).document("Worked step", "A $5 lesson"), fmt)


@pytest.mark.parametrize("name", ["notes_relu", "sigmoid_ce_batch", "frozen_output_first"])
def test_markdown_holds_every_parameter_and_balanced_code_blocks(name):
    net, md = worked(name, "md")
    for label in net.labels:
        assert f"∂L/∂{label} " in md or f"∂L/∂{label}\n" in md, label
        assert re.search(rf"^{label} ← ", md, re.M), label
    assert md.count("```") % 2 == 0
    assert md.startswith("# Worked step")
    assert "A $5 lesson" in md  # a description is text: its dollar sign is kept


@pytest.mark.parametrize("name", ["notes_relu", "sigmoid_ce_batch", "long_sums_batch"])
def test_html_is_well_formed_and_holds_every_parameter(name):
    net, page = worked(name, "html")
    root = ET.fromstring(page)  # raises unless every tag is closed and nested
    text = "".join(root.itertext())
    for label in net.labels:
        assert f"∂L/∂{label}" in text, label
    assert root.find(".//title").text == "Worked step"


def balanced(tex):
    """Every \\begin has its \\end, in order, and every brace is closed."""
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return False
    depth = 0
    for c in re.sub(r"\\[{}]", "", tex):
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return not stack and depth == 0


@pytest.mark.parametrize("name", ["notes_relu", "notes_softmax", "sigmoid_ce_batch",
                                  "frozen_output_first", "long_sums_batch"])
def test_latex_holds_every_parameter_and_compiles(name, tmp_path):
    net, tex = worked(name, "tex")
    assert balanced(tex)
    for p in net.parameters():
        assert f"\\partial {p.kind}_{{{p.label[1:]}}}" in tex, p.label
    assert all(ord(c) < 0x250 for c in tex), "pdfLaTeX sets only Latin text"
    tex_bin = shutil.which("pdflatex")
    if tex_bin is None:
        return  # no TeX here: balanced environments are what can be checked
    (tmp_path / "step.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run([tex_bin, "-interaction=nonstopmode", "-halt-on-error", "step.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "step.pdf").exists()


def test_balanced_catches_what_it_should():
    assert balanced(r"\begin{a}\begin{b}{x}\end{b}\end{a}")
    assert not balanced(r"\begin{a}\begin{b}\end{a}\end{b}")
    assert not balanced(r"\begin{a}{\end{a}")


def test_renderers_write_sub_and_superscripts():
    assert plain_math("w_{35}^{new} + y_{3}^{2} + L^{(2)}") == "w35ⁿᵉʷ + y3² + L⁽²⁾"
    assert tex_math("net_{3} · w_{ij} − 1.5e−05") == \
        r"\mathrm{net}_{3} \cdot  w_{ij} - 1.5\times 10^{-5}"
    net, rec = case("notes_linear")
    sec = Explainer(net, rec).section(("w", 3, 5))
    doc = type("Doc", (), {"title": "x", "sections": (sec,)})
    assert "w<sub>35</sub>" in to_html(doc, standalone=False)
    assert "w_{35}" in to_latex(doc) and "w35 ← w35 + η δ5 y3" in to_markdown(doc)


# -- the command line -------------------------------------------------------------------------------
def test_cli_explains_the_step_after_n_training_steps(capsys):
    assert main([str(PRESETS / "notes_linear.json"), "--steps", "3", "--format", "md"]) == 0
    out = capsys.readouterr().out
    lesson = load_preset("notes_linear")
    lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, 3)
    rec = lesson.network.step(lesson.inputs, lesson.targets, lesson.lr, apply=False)
    assert "worked step 4" in out
    for p in lesson.network.parameters():
        new = fmt(rec.params_after[p.index], 3)
        assert re.search(rf"^{p.label} ← .*\n(?:.*\n)*?\s+= {re.escape(new)}$", out, re.M), \
            p.label


def test_cli_through_main_py_and_each_format(capsys):
    run = subprocess.run([sys.executable, "main.py", "explain",
                          str(PRESETS / "notes_softmax.json"), "--format", "tex"],
                         cwd=ROOT, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode("utf-8").startswith("\\documentclass")
    for fmt, start in (("md", "# Notes"), ("html", "<!DOCTYPE html>")):
        assert main([str(PRESETS / "notes_softmax.json"), "--format", fmt]) == 0
        assert capsys.readouterr().out.startswith(start)


def _bad_files(tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json", encoding="utf-8")
    bad_lesson = tmp_path / "lesson.json"
    d = json.loads((PRESETS / "notes_linear.json").read_text(encoding="utf-8"))
    d["network"]["layers"] = [2, 0]
    bad_lesson.write_text(json.dumps(d), encoding="utf-8")
    diverging = tmp_path / "diverge.json"
    d = json.loads((PRESETS / "notes_linear.json").read_text(encoding="utf-8"))
    d["training"]["lr"] = 1e6
    diverging.write_text(json.dumps(d), encoding="utf-8")
    good = str(PRESETS / "notes_linear.json")
    return {
        "missing file": [str(tmp_path / "nope.json")],
        "bad json": [str(bad_json)],
        "bad lesson": [str(bad_lesson)],
        "diverging": [str(diverging), "--steps", "50"],
        "bad format": [good, "--format", "pdf"],
        "negative steps": [good, "--steps", "-1"],
        "too many steps": [good, "--steps", "1000000000000"],
        "too many decimals": [good, "--decimals", "13"],
        "a folder": [str(tmp_path)],
        "not a number": [good, "--steps", "many"],
        "no file": [],
    }


def test_cli_errors_are_one_line_and_exit_2(tmp_path, capsys):
    for what, argv in _bad_files(tmp_path).items():
        assert main(argv) == 2, what
        captured = capsys.readouterr()
        assert captured.out == "", what
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("backprop-lab explain: "), (what, lines)
        assert "Traceback" not in captured.err


def test_every_preset_explains_in_every_format():
    for name in preset_names():
        lesson = load_preset(name)
        for fmt in ("md", "html", "tex"):
            copy = Lesson(lesson.network.copy(), lesson.inputs, lesson.targets, lesson.lr,
                          lesson.batch_size)
            assert explain_lesson(copy, 2, fmt)


def test_cli_steps_are_bounded_with_one_line(capsys):
    good = str(PRESETS / "notes_linear.json")
    for steps in ("-1", "100000001", "1000000000000"):
        assert main([good, "--steps", steps]) == 2
        assert capsys.readouterr().err == \
            "backprop-lab explain: --steps must be from 0 to 100,000,000\n"
    assert main([good, "--decimals", "13"]) == 2
    assert capsys.readouterr().err == "backprop-lab explain: --decimals must be from 0 to 12\n"
    assert main([str(PRESETS / "nope.json")]) == 2
    assert capsys.readouterr().err.startswith(
        f"backprop-lab explain: {PRESETS / 'nope.json'}: no such file")


def test_the_most_steps_are_trained_in_bounded_chunks(capsys, monkeypatch):
    """--steps 100,000,000 is accepted and trained 10,000 steps per call (the per-step loss
    array of one call never grows with the count); training itself is stubbed out here."""
    calls = []

    def train(self, X, T, lr, steps, batch_size=None, params_out=None, start=0,
              shuffle_seed=None):
        calls.append((steps, start))
        return np.zeros(steps)

    monkeypatch.setattr(Network, "train", train)
    assert main([str(PRESETS / "xor.json"), "--steps", "100000000"]) == 0
    assert "worked step 100000001" in capsys.readouterr().out
    assert len(calls) == 10_000 and {n for n, _ in calls} == {explain.TRAIN_CHUNK}
    assert [start for _, start in calls] == list(range(0, 100_000_000, 10_000))


def test_training_in_chunks_is_training_in_one_run(monkeypatch):
    one = load_preset("xor")
    one.batch_size = 1  # each step its own sample: the chunks must continue the batches
    one.network.train(one.inputs, one.targets, one.lr, 30, 1)
    chunked = load_preset("xor")
    chunked.batch_size = 1
    monkeypatch.setattr(explain, "TRAIN_CHUNK", 7)
    explain.train_in_chunks(chunked, 30)
    assert one.network.theta.tobytes() == chunked.network.theta.tobytes()


def test_divergence_names_the_step_counted_from_the_start(monkeypatch):
    def diverging():
        lesson = load_preset("notes_linear")
        lesson.lr = 3.0
        return lesson

    lesson = diverging()
    with pytest.raises(DivergenceError) as whole:
        lesson.network.train(lesson.inputs, lesson.targets, lesson.lr, 1000)
    assert whole.value.steps_done > 2  # diverges after a few chunks of one step
    monkeypatch.setattr(explain, "TRAIN_CHUNK", 1)
    with pytest.raises(DivergenceError) as chunked:
        explain.train_in_chunks(diverging(), 1000)
    assert chunked.value.steps_done == whole.value.steps_done
    step = f"at step {whole.value.steps_done + 1:,} "
    assert step in str(whole.value) and step in str(chunked.value)


def test_cli_takes_a_preset_name_and_a_file_of_that_name_wins(tmp_path, capsys, monkeypatch):
    assert main(["notes_relu", "--steps", "2"]) == 0
    by_name = capsys.readouterr().out
    assert main([str(PRESETS / "notes_relu.json"), "--steps", "2"]) == 0
    assert capsys.readouterr().out == by_name
    # a file called notes_relu in the working folder is read instead of the preset
    d = json.loads((PRESETS / "notes_linear.json").read_text(encoding="utf-8"))
    (tmp_path / "notes_relu").write_text(json.dumps(d), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["notes_relu", "--steps", "2"]) == 0
    assert capsys.readouterr().out != by_name
    assert main(["no_such_preset"]) == 2
    err = capsys.readouterr().err
    assert "no such file, and no preset" in err and "notes_relu" in err
