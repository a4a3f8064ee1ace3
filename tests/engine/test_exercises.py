"""Exercise sheets (engine.exercises): every answer on a key is the value of its variant, computed
here again from the numbers printed on the sheet (exactly, with decimals, where the network is
ReLU/linear), rounded as shown; same seed → the same bytes; what is rejected is never emitted;
the ranges and decimals are kept; all three formats."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from engine.exercises import (
    Question, Settings, all_questions, dead_layer, make_exercises, parse_questions,
)
from engine.lesson import load_preset
from engine.numbers import fmt
from engine.render import render

GIVEN = re.compile(r"\b(x|ob|w|b)(\d+(?:,\d+)?) = (−?\d+\.\d+)")


# -- reading what a student reads ------------------------------------------------------------------
def exercises_in(md):
    """{exercise number: section text} of a Markdown sheet or key."""
    parts = re.split(r"^## Exercise (\d+)(.*)$", md, flags=re.M)
    out = {}
    for k in range(1, len(parts), 3):
        out.setdefault(int(parts[k]), "")
        out[int(parts[k])] += parts[k + 1] + parts[k + 2]
    return out


def givens(text):
    """{"x1": "0.6", "w13": "−0.2", …} from an exercise's "Inputs …" and "Into …" lines."""
    lines = [ln for ln in text.splitlines() if ln.startswith(("Inputs", "Into"))]
    return {f"{kind}{idx}": value for ln in lines for kind, idx, value in GIVEN.findall(ln)}


def answers(text):
    """{"y3": "0.500", "∂L/∂w35": "0.088", …}: the lines of the key's "Answers:" block."""
    block = text.split("Answers:", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    return dict(line.split(" = ", 1) for line in block.strip().splitlines())


def num(text, exact):
    t = text.replace("−", "-")
    return Decimal(t) if exact else float(t)


# -- the reference: the network worked again, by plain Python ---------------------------------------
def reference(sizes, acts, loss, g, exact, output_first=False):
    """Every value a question can ask for, from the givens ``g`` (text): Decimals (exact) for
    ReLU/linear networks with ½ SSE, floats otherwise. Keys as the key writes them."""
    first = [1]
    for n in sizes[:-1]:
        first.append(first[-1] + n)
    layer = [range(first[l], first[l] + sizes[l]) for l in range(len(sizes))]
    zero, one = (Decimal(0), Decimal(1)) if exact else (0.0, 1.0)
    lr = num(g["lr"], exact)

    def w(i, j):
        return num(g[f"w{i}{j}"], exact)

    y = {j: num(g[f"x{j}"], exact) for j in layer[0]}
    net = {}
    for l in range(1, len(sizes)):
        for j in layer[l]:
            net[j] = sum((y[i] * w(i, j) for i in layer[l - 1]), zero) + num(g[f"b{j}"], exact)
        a = acts[l - 1]
        if a == "softmax":
            m = max(net[j] for j in layer[l])
            e = {j: math.exp(net[j] - m) for j in layer[l]}
            for j in layer[l]:
                y[j] = e[j] / sum(e.values())
        for j in layer[l]:
            if a == "relu":
                y[j] = net[j] if net[j] > 0 else zero
            elif a == "linear":
                y[j] = net[j]
            elif a == "sigmoid":
                y[j] = 1 / (1 + math.exp(-net[j]))
            elif a == "tanh":
                y[j] = math.tanh(net[j])

    def fprime(l, j):
        a = acts[l - 1]
        return {"relu": one if net[j] > 0 else zero, "linear": one,
                "sigmoid": y[j] * (1 - y[j]), "tanh": 1 - y[j] ** 2}[a]

    out = {}
    L = len(sizes) - 1
    ob = {k: num(g[f"ob{k}"], exact) for k in layer[L]}
    delta = {}
    if loss == "cross_entropy":  # softmax outputs, one-hot targets
        out["L"] = -sum(ob[k] * math.log(y[k]) for k in layer[L])
        for k in layer[L]:
            delta[k] = ob[k] - y[k]
    else:
        out["L"] = sum(((ob[k] - y[k]) ** 2 for k in layer[L]), zero) / 2
        for k in layer[L]:
            delta[k] = (ob[k] - y[k]) * fprime(L, k)
    for k in layer[L]:
        out[f"Err{k}"] = ob[k] - y[k]
    for l in range(L - 1, 0, -1):
        for j in layer[l]:
            # output layer first: δ is passed down through the weights already updated
            wd = (lambda m: w(j, m) + lr * delta[m] * y[j]) if output_first else (lambda m: w(j, m))
            delta[j] = sum((delta[m] * wd(m) for m in layer[l + 1]), zero) * fprime(l, j)
    for l in range(1, L + 1):
        for j in layer[l]:
            out[f"net{j}"], out[f"y{j}"], out[f"δ{j}"] = net[j], y[j], delta[j]
            for i in layer[l - 1]:
                out[f"∂L/∂w{i}{j}"] = -delta[j] * y[i]
                out[f"w{i}{j}ⁿᵉʷ"] = w(i, j) + lr * delta[j] * y[i]
            out[f"∂L/∂b{j}"] = -delta[j]
            out[f"b{j}ⁿᵉʷ"] = num(g[f"b{j}"], exact) + lr * delta[j]
    return out


def rounded(v, decimals):
    """``v`` rounded half away from zero, as a student writes it ("−0.175")."""
    if isinstance(v, Decimal):
        q = v.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{abs(q) if q.is_zero() else q:f}".replace("-", "−")
    return fmt(v, decimals)


# -- every answer is the variant's value ------------------------------------------------------------
@pytest.mark.parametrize("preset", ["notes_relu", "notes_linear", "notes_softmax", "xor"])
def test_every_answer_on_the_key_is_the_value_of_its_variant(preset):
    lesson = load_preset(preset)
    net = lesson.network
    questions = all_questions(net.layout)
    if net.activations[0] == "relu":  # every question at once is rare with ReLUs: a few less
        questions = tuple(q for q in questions if q.kind not in ("net", "new"))
    s = Settings(count=3, seed=11, questions=questions, answer_decimals=3)
    es = make_exercises(lesson, s)
    sheet, key = render(es.sheet(), "md"), render(es.key(), "md")
    exact = set(net.activations) <= {"relu", "linear"} and net.loss == "half_sse"
    sheets, keys = exercises_in(sheet), exercises_in(key)
    assert sorted(sheets) == sorted(keys) == [1, 2, 3]
    for n in sheets:
        g = givens(sheets[n])
        g["lr"] = repr(lesson.lr)
        assert g == {**givens(keys[n]), "lr": g["lr"]}  # the key restates the sheet's numbers
        ref = reference(net.sizes, net.activations, net.loss, g, exact)
        got = answers(keys[n])
        assert list(got) == [_plain(q) for q in questions]
        for name, text in got.items():
            assert text == rounded(ref[name], 3), (preset, n, name)
            assert text.strip("−0.") != "", f"{name} = {text}: a trivial answer was emitted"
        # the sheet asks every question, in order
        asked = re.findall(r"^\(([a-z]′*)\) (.*) = \?$", sheets[n], flags=re.M)
        assert len(asked) == len(questions)
    # …and the engine holds the same values for the variants it emitted
    for v in es.variants:
        for q in questions:
            assert fmt(v.value(q), 3) in keys[v.number]


def test_output_layer_first_answers_and_derivations():
    """With the output layer updated first, the hidden δ use w^new: the key's answers say so,
    and its derivation shows the updates they are passed down through."""
    lesson = load_preset("notes_linear")
    lesson.network.update_order = "output_first"
    qs = parse_questions("delta3 delta4 new:w13 new:w24", lesson.network.layout)
    es = make_exercises(lesson, Settings(count=2, seed=8, questions=qs))
    sheets = exercises_in(render(es.sheet(), "md"))
    keys = exercises_in(render(es.key(), "md"))
    for n in (1, 2):
        g = {**givens(sheets[n]), "lr": repr(lesson.lr)}
        ref = reference(lesson.network.sizes, lesson.network.activations, "half_sse", g, True,
                        output_first=True)
        assert answers(keys[n]) == {k: rounded(ref[k], 3) for k in ("δ3", "δ4", "w13ⁿᵉʷ",
                                                                     "w24ⁿᵉʷ")}
        assert "w35ⁿᵉʷ" in keys[n] and "\nw35 ← w35 + η δ5 y3" in keys[n]


def _plain(q):
    from engine.render import plain_math
    return plain_math(q.symbol)


def test_derivations_end_in_the_answers():
    """The worked lines on the key end in each answer's value (perhaps with a digit more)."""
    lesson = load_preset("notes_relu")
    qs = parse_questions("y5 L delta3 dL/dw13 new:b5", lesson.network.layout)
    es = make_exercises(lesson, Settings(count=2, seed=5, questions=qs))
    key = exercises_in(render(es.key(), "md"))
    for v in es.variants:
        text = key[v.number]
        for lhs, value in (("y5", v.record.out(5)), ("L", v.record.loss),
                           ("δ3", v.record.delta(3)), ("∂L/∂w13", v.record.grad_weight(1, 3))):
            block = text.split(f"\n{lhs} = ", 2)[-1]  # the derivation, after the answers
            lines = block.splitlines()
            cont = [lines[0]]
            for ln in lines[1:]:  # the equation's own lines go on indented
                if not ln.startswith(" "):
                    break
                cont.append(ln)
            last = cont[-1]
            shown = last.split("= ")[-1]
            assert shown in (fmt(value, 3), fmt(value, 4), fmt(value, 5)), (lhs, last)


# -- determinism ------------------------------------------------------------------------------------
def test_same_seed_same_bytes_and_other_seeds_differ():
    lesson = load_preset("notes_relu")
    for f in ("md", "html", "tex"):
        a = make_exercises(lesson, Settings(count=3, seed=42))
        b = make_exercises(load_preset("notes_relu"), Settings(count=3, seed=42))
        assert render(a.sheet(), f).encode() == render(b.sheet(), f).encode()
        assert render(a.key(), f).encode() == render(b.key(), f).encode()
    other = make_exercises(lesson, Settings(count=3, seed=43))
    sheets = [exercises_in(render(x.sheet(), "md")) for x in (a, other)]
    for n in (1, 2, 3):
        assert givens(sheets[0][n]) != givens(sheets[1][n])
    # a sheet of 2 is the first two of a sheet of 3
    short = make_exercises(lesson, Settings(count=2, seed=42))
    for v, w in zip(short.variants, a.variants):
        assert np.array_equal(v.network.theta, w.network.theta)
        assert np.array_equal(v.x, w.x) and np.array_equal(v.target, w.target)


# -- rejection --------------------------------------------------------------------------------------
def _nets(g, sizes):
    """net_j of every non-input neuron from the givens, exactly."""
    ref = reference(sizes, ["linear"] * (len(sizes) - 1), "half_sse", {**g, "lr": "0.5"}, True)
    return {k: v for k, v in ref.items() if k.startswith("net")}


def test_a_variant_with_a_layer_of_dead_relus_is_never_emitted():
    """Weights mostly negative and biases ≤ 0 kill the ReLU layers of many draws: those are
    rejected, and every emitted exercise has a live ReLU in each layer (worked out again from
    the sheet's numbers)."""
    lesson = load_preset("notes_relu")
    s = Settings(count=5, seed=3, weights=(-1, 0.3), biases=(-0.5, 0), questions=(Question("L"),))
    es = make_exercises(lesson, s)
    assert es.n_rejected >= 5
    dead = [(v, why) for v, why in es.rejected if "dead" in why]
    assert dead, [why for _, why in es.rejected]
    for v, why in dead:  # the reason is true
        layer = int(why.split("layer ")[1].split()[0])
        assert all(v.record.net(j) <= 0 for j in v.network.layout.neurons(layer))
    emitted = {v.network.theta.tobytes() + v.x.tobytes() for v in es.variants}
    assert not emitted & {v.network.theta.tobytes() + v.x.tobytes() for v, _ in es.rejected}
    sizes = lesson.network.sizes
    for n, text in exercises_in(render(es.sheet(), "md")).items():
        nets = _nets(givens(text), sizes)
        # ReLU(net) > 0 needs the ReLU input of the layer below, so recompute layer 2 with ReLU
        g = givens(text)
        y3, y4 = (max(nets[f"net{j}"], Decimal(0)) for j in (3, 4))
        assert nets["net3"] > 0 or nets["net4"] > 0, (n, nets)
        out = [y3 * Decimal(g[f"w3{k}"].replace("−", "-")) + y4 * Decimal(g[f"w4{k}"].replace(
            "−", "-")) + Decimal(g[f"b{k}"].replace("−", "-")) for k in (5, 6, 7)]
        assert max(out) > 0, (n, out)
    for v in es.variants:
        assert dead_layer(v.network, v.record) is None


def test_settings_that_only_give_dead_relus_are_refused_in_one_line():
    lesson = load_preset("notes_relu")
    s = Settings(count=1, weights=(-1, -0.1), biases=(-1, -0.1), questions=(Question("L"),))
    with pytest.raises(ValueError, match=r"no usable exercise 1 in \d+ draws .*dead"):
        make_exercises(lesson, s)


def test_trivial_answers_are_rejected():
    """Asking for y6 and the update of w36 means y6 > 0 and δ6 y3 ≠ 0 on every exercise."""
    lesson = load_preset("notes_relu")
    qs = parse_questions("y6 new:w36 dL/db6", lesson.network.layout)
    es = make_exercises(lesson, Settings(count=6, seed=9, questions=qs))
    assert any("= 0 at 3 decimals" in why or "changes nothing" in why for _, why in es.rejected)
    for n, text in exercises_in(render(es.key(), "md")).items():
        got = answers(text)
        assert got["y6"] != "0.000" and got["∂L/∂b6"] != "0.000"
        w36 = givens(text)["w36"].replace("−", "-")
        assert Decimal(got["w36ⁿᵉʷ"].replace("−", "-")) != Decimal(w36)


# -- ranges and decimals ----------------------------------------------------------------------------
@pytest.mark.parametrize("decimals", [1, 2])
def test_ranges_and_decimals_are_kept(decimals):
    lesson = load_preset("notes_linear")
    ranges = dict(weights=(-0.25, 0.75), biases=(0.0, 0.1), inputs=(0.5, 1.0),
                  targets=(0.2, 0.4))
    es = make_exercises(lesson, Settings(count=8, seed=1, decimals=decimals,
                                         questions=(Question("L"),), **ranges))
    seen = {k: set() for k in ranges}
    for text in exercises_in(render(es.sheet(), "md")).values():
        for name, value in givens(text).items():
            kind = {"x": "inputs", "ob": "targets", "w": "weights", "b": "biases"}[
                re.match(r"[a-z]+", name).group()]
            assert len(value.split(".")[1]) == decimals, (name, value)
            d = Decimal(value.replace("−", "-"))
            lo, hi = ranges[kind]
            assert Decimal(str(lo)) <= d <= Decimal(str(hi)), (name, value)
            seen[kind].add(d)
    for v in es.variants:  # the engine's numbers are the sheet's, exactly
        for a in (v.network.theta, v.x, v.target):
            assert np.allclose(a * 10 ** decimals, np.round(a * 10 ** decimals), rtol=0,
                               atol=1e-9)
    assert len(seen["weights"]) > 3  # drawn, not constant
    if decimals == 2:  # 2 decimals really draw the hundredths
        assert any(d.as_tuple().digits[-1] != 0 for d in seen["weights"])


@pytest.mark.parametrize("settings, message", [
    (Settings(count=0), "count must be a whole number from 1 to 100"),
    (Settings(seed=-1), "seed must be"),
    (Settings(decimals=3), "decimals must be a whole number from 1 to 2"),
    (Settings(answer_decimals=0), "answer decimals"),
    (Settings(weights=(1, -1)), "weights range is empty"),
    (Settings(inputs=(0.01, 0.04)), "inputs range 0.01 … 0.04 holds no number with 1 decimal"),
    (Settings(targets=(0, float("nan"))), "targets range must lie within"),
    (Settings(lr=0.0), "η must be a positive number"),
])
def test_bad_settings_name_the_setting(settings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_exercises(load_preset("xor"), settings)


@pytest.mark.parametrize("text, message", [
    ("", "no questions"),
    ("y1", "neuron 1 is an input"),
    ("y9", "there is no neuron 9"),
    ("Err3", "Err is defined for output neurons only"),
    ("dL/dw15", "there is no weight"),
    ("new:b1", "inputs have no bias"),
    ("z3", "is not one of"),
])
def test_bad_questions_name_the_question(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_questions(text, load_preset("notes_relu").network.layout)


def test_questions_read_in_every_spelling():
    lay = load_preset("notes_relu").network.layout
    qs = parse_questions("y3, net5; L  Err5 δ3 delta4 dL/dw35 ∂L/∂b5 grad:w13 new:w35 new:b5 y3",
                         lay)
    assert [q.text for q in qs] == ["y3", "net5", "L", "Err5", "delta3", "delta4", "dL/dw35",
                                    "dL/db5", "dL/dw13", "new:w35", "new:b5"]
    assert parse_questions(" ".join(q.text for q in all_questions(lay)), lay) == \
        all_questions(lay)


# -- formats ----------------------------------------------------------------------------------------
def test_sheet_and_key_in_markdown_html_and_latex():
    es = make_exercises(load_preset("notes_relu"), Settings(count=2, seed=4))
    v = es.variants[0]
    w35 = fmt(v.value(Question("new", ("w", 3, 5))), 3)
    for f in ("md", "html", "tex"):
        sheet, key = render(es.sheet(), f), render(es.key(), f)
        assert "Exercise 2" in sheet and "= ?" in sheet
        assert w35 not in sheet  # the sheet gives no answers
        assert (w35 if f != "tex" else w35.replace("−", "-")) in key
        if f == "html":
            for doc in (sheet, key):
                ET.fromstring(doc.split("\n", 1)[1])  # well-formed XHTML
        if f == "tex":
            for doc in (sheet, key):
                assert doc.startswith("\\documentclass") and doc.endswith("\\end{document}\n")
                assert doc.count("{") == doc.count("}")
                assert all(ord(c) < 128 or c in "²" for c in doc), \
                    sorted({c for c in doc if ord(c) >= 128})
