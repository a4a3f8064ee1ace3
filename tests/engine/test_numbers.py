"""The one number formatter (engine.numbers.fmt and friends), the parser of typed numbers, and
the exact arithmetic of substituted lines (engine.arithmetic)."""
from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.arithmetic import evaluate
from engine.numbers import (
    count, decimal_of, exact, fmt, fmt_more, format_like, parse_number, sci, shown,
)


# -- rounding: the decimal value, half away from zero ---------------------------------------------
@pytest.mark.parametrize("value, decimals, text", [
    (0.2655, 3, "0.266"),
    (0.0545, 3, "0.055"),
    (0.1705, 3, "0.171"),
    (-0.2655, 3, "−0.266"),       # half away from zero, not up
    (-0.0545, 3, "−0.055"),
    (-0.1705, 3, "−0.171"),
    (0.5, 3, "0.500"),
    (2.5, 0, "3"),
    (3.5, 0, "4"),
    (-2.5, 0, "−3"),
    (0.125, 2, "0.13"),
    (1.0005, 3, "1.001"),
    (-0.0005, 3, "−0.001"),       # rounds away from zero, so it is not "tiny"
    (0.0004999, 3, "5.00e−04"),   # would round to 0: scientific
    (-0.00012345, 3, "−1.23e−04"),
    (1e-20, 3, "1.00e−20"),
    (0.0, 3, "0.000"),
    (-0.0, 3, "0.000"),           # no sign on zero
    (0.0, 0, "0"),
    (999999.4, 0, "999999"),
    (999999.5, 0, "1.0e+06"),     # rounds to a million: scientific
    (1234567.0, 3, "1.23e+06"),
    (-1e300, 3, "−1.00e+300"),
    (9.9996e-5, 3, "1.00e−04"),   # the mantissa rounds up to 10: one more in the exponent
    (1e-5, 12, "0.000010000000"),
    (0.25, 0, "2.5e−01"),
])
def test_rounding_cases(value, decimals, text):
    assert fmt(value, decimals) == text


def test_float_noise_does_not_decide_a_half():
    """The engine's own results: 0.100 + 0.500 × 0.331 is 0.26549999999999996 in float64, and
    0.27·0.6 + 0.13·0.45 − 0.05 is 0.17049999999999998; by hand both are halves and round up,
    and so do the numbers on screen. Binary rounding gave 0.265 and 0.170."""
    b5 = 0.1 + 0.5 * (0.5 - 0.169)  # b5 + η δ5 with δ5 = ob5 − y5, as the engine has it
    y7 = 0.27 * 0.6 + 0.13 * 0.45 - 0.05
    assert (repr(b5), repr(y7)) == ("0.26549999999999996", "0.17049999999999998")
    assert (f"{b5:.3f}", f"{y7:.3f}") == ("0.265", "0.170")  # the old, inconsistent rounding
    assert (fmt(b5), fmt(y7), fmt(0.05450000000000001)) == ("0.266", "0.171", "0.055")
    assert decimal_of(b5) == Decimal("0.2655")
    assert fmt(0.26549999999999, 3) == "0.265"  # a real difference below the half stays


def test_nothing_for_what_is_not_a_number():
    for value in (None, math.nan, math.inf, -math.inf):
        assert fmt(value) == sci(value) == exact(value) == count(value) == "—"


def test_numpy_scalars_format_like_floats():
    import numpy as np
    assert fmt(np.float64(0.2655)) == fmt(0.2655) == "0.266"
    assert fmt(np.float32(0.5)) == "0.500"
    assert fmt(3) == "3.000"


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 10))
def test_any_float_formats_and_reads_back_within_half_a_unit(value, decimals):
    text = fmt(value, decimals)
    assert "-" not in text and not re.fullmatch(r"−0(\.0*)?", text)  # no sign on zero
    _, number, half = shown(value, decimals)
    assert number == Decimal(text.replace("−", "-"))
    assert abs(decimal_of(value) - number) <= half
    assert format_like(decimal_of(value), text) == text
    assert fmt(-value, decimals) in (("−" + text).replace("−−", ""), text)  # symmetric


def test_sci_exact_count_and_more_digits():
    assert sci(1.25e-5) == "1.3e−05" and sci(-1.25e-5, 2) == "−1.25e−05"
    assert sci(0.0) == "0.0e+00" and sci(1e-4) == "1.0e−04"
    assert exact(0.05) == "0.05" and exact(-1e-5) == "−1e−05" and exact(-0.0) == "0.0"
    assert count(1234.5) == "1,235" and count(0.4) == "0"
    assert fmt_more(0.26549999999999996, 3, 1) == "0.2655"
    assert fmt_more(1.2043e-5, 3, 1) == "1.204e−05"     # scientific stays scientific
    assert fmt_more(0.2655, 3, 0) == fmt(0.2655, 3)
    assert shown(1.2e-5, 3)[2] == Decimal("5e-8") and shown(2.5, 0)[2] == Decimal("0.5")


# -- typed numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, point, value", [
    ("1.5", ".", 1.5), ("1.5", ",", 1.5),      # "." is always a decimal point
    ("1,5", ",", 1.5), ("−0,25", ",", -0.25),
    (" −0.25 ", ".", -0.25), ("+2", ".", 2.0), (".5", ".", 0.5), ("1e-3", ".", 0.001),
    ("-0", ".", 0.0), ("0e5", ".", 0.0), ("1e-300", ".", 1e-300),
    ("0.123456789012345678901", ".", 0.12345678901234568),  # extra digits do not matter
])
def test_typed_numbers(text, point, value):
    v = parse_number(text, point)
    assert v == value and math.copysign(1, v) == math.copysign(1, value or 1.0)


@pytest.mark.parametrize("text, point, message", [
    ("1,5", ".", "“1,5” is not a number: use “.” for the decimal point and no thousands "
                 "separators"),
    ("1,000.5", ",", "“1,000.5” is not a number: use “.” or “,” for the decimal point and no "
                     "thousands separators"),
    ("1,000,000", ",", "not a number"),
    ("1 000", ".", "“1 000” is not a number: type it without spaces or digit groups"),
    ("1_000", ".", "without spaces or digit groups"),
    ("1'000", ".", "without spaces or digit groups"),
    ("abc", ".", "“abc” is not a number"),
    ("", ".", "“” is not a number"),
    ("½", ".", "“½” is not a number"),
    ("nan", ".", "“nan” is not a finite number"),
    ("-inf", ".", "“-inf” is not a finite number"),
    ("1e999", ".", "1e999 is too large: it would be infinite"),
    ("1e-400", ".", "1e-400 is too small: it would be 0; type 0 if you mean 0"),
    ("-1e-400", ".", "-1e-400 is too small: it would be 0; type 0 if you mean 0"),
    ("1e-310", ".", "1e-310 is too small to keep"),
])
def test_typed_numbers_refused_with_a_message(text, point, message):
    with pytest.raises(ValueError) as e:
        parse_number(text, point)
    assert message in str(e.value)


# -- the arithmetic of substituted lines -----------------------------------------------------------
@pytest.mark.parametrize("form, value", [
    ("0.100 + 0.500 × 0.331", "0.2655"),
    ("ReLU(0.169)", "0.169"), ("ReLU(−0.169)", "0"), ("ReLU'(0.270)", "1"), ("ReLU'(0)", "0"),
    ("½ × [(0.500 − 0.169)^{2} + (0.000 − (−0.109))^{2}]", "0.0607210"),
    ("−(−0.210) × 0.600", "0.126"),
    ("(1/4) × [0.1 + 0.2 + 0.3 + 0.4]", "0.25"),
    ("1 − (−0.5)^{2}", "0.75"), ("−0.5^{2}", "-0.25"),
    ("1.20e−05 × 3", "0.000036"), ("2.5e+06 − 1", "2499999"),
    ("0.500 − 0.169 × 2 × (1 − 0.5)", "0.331"),
])
def test_evaluate_is_exact_decimal_arithmetic(form, value):
    assert evaluate(form) == Decimal(value)


def test_evaluate_functions():
    assert float(evaluate("exp(1)")) == pytest.approx(math.e, rel=1e-15)
    assert float(evaluate("−[1.000 × log(0.250)]")) == pytest.approx(math.log(4), rel=1e-15)
    assert float(evaluate("tanh(−0.5)")) == pytest.approx(math.tanh(-0.5), rel=1e-15)
    assert float(evaluate("1/(1 + exp(−(−0.5)))")) == pytest.approx(1 / (1 + math.exp(0.5)))
    assert float(evaluate("exp(0.150) / [exp(0.150) + exp(−0.420)]")) == pytest.approx(
        math.exp(0.15) / (math.exp(0.15) + math.exp(-0.42)))


@pytest.mark.parametrize("form", ["__import__('os')", "1 +", "(1", "1 2", "σ(1)", "x", "1 ** 2",
                                  "exp 1", "1 × × 2", "[1)", "1e5"])
def test_evaluate_reads_only_its_markup(form):
    with pytest.raises(ValueError):
        evaluate(form)


def test_evaluate_arithmetic_without_a_value_is_an_arithmetic_error():
    # "—" is how the app writes NaN and ±Inf: a line with one in it has no value either
    for form in ("1/0", "0 × log(0)", "exp(1.0e+09)", "—", "−— × (−1)", "1/(1 + exp(−—))"):
        with pytest.raises(ArithmeticError):
            evaluate(form)


def test_no_other_path_formats_numbers_for_the_screen():
    """Numbers on screen and in exports go through engine.numbers: no format spec that rounds
    (:.3f, :.1e, :g, %.3f) and no round(x, ndigits) anywhere else in engine/ or gui/ (a round(x)
    to whole pixels is not a number shown)."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    allowed = {("gui/plots.py", "font-size")}  # a CSS size, not a number shown
    spec = re.compile(r"\{[^{}]*:[^{}]*[efgEFG%]\}|%\.?\d*[efg]")
    found = []
    for path in sorted([*root.glob("engine/*.py"), *root.glob("gui/**/*.py")]):
        rel = path.relative_to(root).as_posix()
        if rel == "engine/numbers.py":
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for n, text in enumerate(lines, 1):
            if spec.search(text) and not any(rel == f and w in text for f, w in allowed):
                found.append(f"{rel}:{n}: {text.strip()}")
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "round"
                    and (len(node.args) > 1 or any(k.arg == "ndigits" for k in node.keywords))):
                found.append(f"{rel}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not found, "\n".join(found)
