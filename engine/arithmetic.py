"""The arithmetic of a substituted line, worked exactly: what a student with a calculator gets.

A derivation's "num" line is the step's numbers, as shown, in the derivations' markup:
``0.100 + 0.500 × 0.331``, ``ReLU(0.169)``, ``½ × [(0.500 − 0.169)^{2} + (0.000 − 0.231)^{2}]``,
``−(−0.210) × 0.600``, ``exp(0.150) / [exp(0.150) + exp(−0.420)]``, ``1/(1 + exp(−(−0.5)))``,
``(1/4) × [0.1 + 0.2 + 0.3 + 0.4]``, ``1.20e−05 × 3``. ``evaluate`` reads exactly that — numbers,
+ − × /, parentheses and brackets, ½, ``^{n}``, and the functions exp, log, tanh, ReLU and ReLU'
— and nothing else (no ``eval``): any other text raises ``ValueError``. The numbers are decimals
and the arithmetic is ``Decimal`` to 50 digits, so 0.100 + 0.500 × 0.331 is exactly 0.2655, as
on paper; a calculator's 10–12 digits agree with it whenever the shown result is not itself
ambiguous at those digits.
"""
from __future__ import annotations

import re
from decimal import Context, Decimal, localcontext

_CONTEXT = Context(prec=50, Emin=-999999, Emax=999999)
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:e[−+-]\d+)?)|(ReLU'|ReLU|exp|log|tanh)|"
                    r"(\^\{\d+\})|([+−×/()\[\]½—]))")
_CLOSE = {"(": ")", "[": "]"}


def _relu(x):
    return x if x > 0 else Decimal(0)


def _relu_prime(x):
    return Decimal(1) if x > 0 else Decimal(0)


def _tanh(x):
    t = (-2 * abs(x)).exp()
    v = (1 - t) / (1 + t)
    return v if x >= 0 else -v


_FUNCTIONS = {"exp": Decimal.exp, "log": Decimal.ln, "tanh": _tanh,
              "ReLU": _relu, "ReLU'": _relu_prime}


def _tokens(form):
    out, pos = [], 0
    text = form.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"not substituted arithmetic at {text[pos:pos + 12]!r} in {form!r}")
        number, name, power, op = m.groups()
        if number is not None:
            out.append(("number", Decimal(number.replace("−", "-"))))
        elif name is not None:
            out.append(("name", name))
        elif power is not None:
            out.append(("power", int(power[2:-1])))
        else:
            out.append(("op", op))
        pos = m.end()
    return out


class _Parser:
    """expr := term (± term)* ; term := unary (×|/ unary)* ; unary := − unary | power ;
    power := atom ^{n}? ; atom := number | ½ | (expr) | [expr] | name(expr)."""

    def __init__(self, form):
        self.form, self.tokens, self.at = form, _tokens(form), 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            raise ValueError(f"expected {value or kind or 'more'} in {self.form!r}")
        self.at += 1
        return tok[1]

    def whole(self):
        v = self.expr()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()[1]!r} in {self.form!r}")
        return v

    def expr(self):
        v = self.term()
        while self.peek() in (("op", "+"), ("op", "−")):
            op = self.take()
            w = self.term()
            v = v + w if op == "+" else v - w
        return v

    def term(self):
        v = self.unary()
        while self.peek() in (("op", "×"), ("op", "/")):
            op = self.take()
            w = self.unary()
            v = v * w if op == "×" else v / w
        return v

    def unary(self):
        if self.peek() == ("op", "−"):
            self.take()
            return -self.unary()
        return self.power()

    def power(self):
        v = self.atom()
        if self.peek()[0] == "power":
            v = v ** self.take()
        return v

    def atom(self):
        kind, value = self.peek()
        if kind == "number":
            return self.take()
        if (kind, value) == ("op", "½"):
            self.take()
            return Decimal("0.5")
        if (kind, value) == ("op", "—"):  # how the app writes NaN and ±Inf: no value
            raise ArithmeticError(f"a number with no value (—) in {self.form!r}")
        if kind == "name":
            self.take()
            self.take("op", "(")
            v = self.expr()
            self.take("op", ")")
            return _FUNCTIONS[value](v)
        if kind == "op" and value in _CLOSE:
            self.take()
            v = self.expr()
            self.take("op", _CLOSE[value])
            return v
        raise ValueError(f"expected a number in {self.form!r}")


def evaluate(form):
    """The exact value (a ``Decimal``) of a substituted line; ``ValueError`` for text that is
    not such a line, ``ArithmeticError`` for arithmetic with no value (log 0, overflow, a
    number shown as "—")."""
    with localcontext(_CONTEXT):  # every operation, unary minus included, to 50 digits
        return _Parser(form).whole()
