"""Numbers as the app shows them, and numbers as a user types them.

**One rounding rule.** A float is shown by rounding its *decimal* value half away from zero,
as a student rounds by hand: 0.2655 → 0.266, −0.2655 → −0.266, 0.0545 → 0.055, 2.5 at 0
decimals → 3. The decimal value is the float's shortest decimal text (Python's ``repr``) to 15
significant digits, the digits a float64 vouches for: arithmetic leaves noise in the 16th and
17th — the engine computes b5 ← 0.100 + 0.500 × 0.331 as 0.26549999999999996, not 0.2655 — and
binary rounding (``f"{x:.3f}"``) makes a half go up or down by that noise (0.265 here, yet
0.0545 → 0.055). Spreadsheets round what they display the same way. ``fmt`` is the one
formatter of every number on screen and in exports (``gui.style`` re-exports it); ``sci``
writes a number in scientific notation by the same rule; ``exact`` writes the whole float (for
a value the user typed, such as η); ``count`` a whole number with digit groups.

Conventions: a true minus sign "−"; no sign on zero; scientific notation for a value that
would round to 0 at the decimals asked for, or that is a million or more; "—" for NaN, ±Inf and
None (never drawn as a number).

**Typed numbers.** ``parse_number`` reads what a user typed: a decimal point "." always, a
decimal comma "," when the caller says the locale's decimal point is one; never digit groups
(thousands separators are ambiguous: 1,500 or 1.500 could be 1.5 or 1500). It refuses, with a
message a student can read, text that is not a number, NaN and infinity, a number too large
for a float (1e999) and a non-zero number too small to be kept (1e-400 would be 0; below
2.2e−308 a float loses digits). More than 17 significant digits are accepted and rounded to the
nearest float, as they do not matter at any number of decimals the app shows.
"""
from __future__ import annotations

import math
import sys
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

DEFAULT_DECIMALS = 3
NOTHING = "—"  # NaN, ±Inf or no value: never drawn as a number
MINUS = "−"
LARGE = Decimal(10) ** 6  # from a million on, scientific notation
SIGNIFICANT = 15  # the digits of a float's decimal that count (float64 vouches for 15)

# room for any float's digits at any number of decimals a screen asks for
_CONTEXT = Context(prec=400, rounding=ROUND_HALF_UP, Emin=-99999, Emax=99999)
_SIGNIFICANT = Context(prec=SIGNIFICANT, rounding=ROUND_HALF_UP, Emin=-99999, Emax=99999)
_GROUPING = "_ '\u00a0\u202f\u2009\u2019"  # digit-group separators people type


def significant(d):
    """A ``Decimal`` to ``SIGNIFICANT`` (15) significant digits, half up."""
    return _SIGNIFICANT.plus(d)


def decimal_of(value):
    """The decimal value ``fmt`` rounds: the float's shortest decimal (``repr``) to 15
    significant digits (0.26549999999999996 → 0.2655; −0.0 → 0)."""
    return significant(Decimal(repr(float(value) + 0.0)))


def _unit(decimals):
    return Decimal(1).scaleb(-decimals)


def _scientific(d, digits):
    """``d`` as m.mmme±XX with ``digits`` decimals in the mantissa, rounded half up."""
    if d.is_zero():
        return f"{Decimal(0).quantize(_unit(digits)):f}e+00"
    e = d.adjusted()
    mantissa = d.scaleb(-e).quantize(_unit(digits), rounding=ROUND_HALF_UP, context=_CONTEXT)
    if abs(mantissa) >= 10:  # 9.99… rounded up to 10.0
        e += 1
        mantissa = d.scaleb(-e).quantize(_unit(digits), rounding=ROUND_HALF_UP, context=_CONTEXT)
    return f"{mantissa:f}e{'-' if e < 0 else '+'}{abs(e):02d}".replace("-", MINUS)


def _fixed(d, decimals):
    """``d`` with ``decimals`` fixed decimals, rounded half up; no sign on zero."""
    q = d.quantize(_unit(decimals), rounding=ROUND_HALF_UP, context=_CONTEXT)
    if q.is_zero():
        q = abs(q)
    return f"{q:f}".replace("-", MINUS)


def format_decimal(d, decimals=DEFAULT_DECIMALS):
    """A ``Decimal`` as ``fmt`` shows a float (``fmt(x, n)`` is this of ``decimal_of(x)``)."""
    if not d.is_finite():
        return NOTHING
    decimals = int(decimals)
    if d.is_zero():
        return _fixed(d, decimals)
    if d.adjusted() < 6:
        fixed = d.quantize(_unit(decimals), rounding=ROUND_HALF_UP, context=_CONTEXT)
        if not fixed.is_zero() and abs(fixed) < LARGE:
            return _fixed(d, decimals)
    return _scientific(d, max(decimals - 1, 1))


def format_like(d, text):
    """A ``Decimal`` written as ``text`` (a ``fmt`` or ``fmt_more`` result) is: the same
    notation with as many digits, by the same rule (15 significant digits, then half up).
    "—" when ``text`` is not a number or ``d`` not finite."""
    if text == NOTHING or not d.is_finite():
        return NOTHING
    mantissa, e, _ = text.replace(MINUS, "-").partition("e")
    places = len(mantissa.partition(".")[2])
    d = significant(d)
    return _scientific(d, places) if e else _fixed(d, places)


def fmt(value, decimals=DEFAULT_DECIMALS):
    """A number as the app shows it everywhere: ``decimals`` fixed decimals, rounded half away
    from zero from the float's shortest decimal (0.2655 → "0.266", 0.0545 → "0.055",
    2.5 at 0 decimals → "3"); a true minus sign, no sign on zero; scientific notation
    ("1.20e−05", "1.23e+06") for a value that would round to 0 or is a million or more;
    "—" for NaN, ±Inf or None."""
    if value is None or not math.isfinite(value):
        return NOTHING
    return format_decimal(decimal_of(value), decimals)


def fmt_more(value, decimals=DEFAULT_DECIMALS, extra=0):
    """``fmt(value, decimals)`` with ``extra`` more digits in the same notation: 0.2655 at 3
    decimals and 1 more → "0.2655"; 1.2043e-05 → "1.204e−05" (fixed notation stays fixed,
    scientific stays scientific, so a tiny number never loses digits by getting more)."""
    text = fmt(value, decimals)
    if not extra or text == NOTHING:
        return text
    if "e" in text:
        return _scientific(decimal_of(value), max(decimals - 1, 1) + extra)
    return _fixed(decimal_of(value), decimals + extra)


def sci(value, digits=1):
    """A number in scientific notation with ``digits`` decimals in the mantissa, by the same
    rule as ``fmt``: 1.25e-05 → "1.3e−05"; "—" for NaN, ±Inf or None."""
    if value is None or not math.isfinite(value):
        return NOTHING
    return _scientific(decimal_of(value), digits)


def exact(value):
    """The whole float, as the shortest text that reads back as it (a value the user typed,
    such as η): 0.05 → "0.05", −1e-05 → "−1e−05"; "—" for NaN, ±Inf or None."""
    if value is None or not math.isfinite(value):
        return NOTHING
    return repr(float(value) + 0.0).replace("-", MINUS)


def count(value):
    """A rate or a count as a whole number with digit groups, rounded half up: 1234.5 →
    "1,235"."""
    if value is None or not math.isfinite(value):
        return NOTHING
    return f"{int(decimal_of(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}".replace(
        "-", MINUS)


def shown(value, decimals=DEFAULT_DECIMALS):
    """(text, number, half unit) of what ``fmt`` shows: the text, the ``Decimal`` it reads as,
    and half a unit of its last shown digit (0.0005 for "0.266", 5E-8 for "1.20e−05");
    None for the last two when nothing numeric is shown."""
    text = fmt(value, decimals)
    if text == NOTHING:
        return text, None, None
    plain = text.replace(MINUS, "-")
    number = Decimal(plain)
    mantissa, _, exponent = plain.partition("e")
    places = len(mantissa.partition(".")[2])
    half = Decimal(5).scaleb(-places - 1 + (int(exponent) if exponent else 0))
    return text, number, half


def half_unit(value, decimals=DEFAULT_DECIMALS):
    """Half a unit of the last digit ``fmt`` shows, as text: "0.0005" for "0.266", "5e−08"
    for "1.20e−05", "0.5" for "3"; "—" when nothing numeric is shown."""
    _, _, half = shown(value, decimals)
    if half is None:
        return NOTHING
    return f"{half:f}" if half.adjusted() >= -6 else f"5e{half.adjusted():+03d}".replace("-", MINUS)


# -- typed numbers ------------------------------------------------------------------------------
def parse_number(text, decimal_point="."):
    """A finite float from what a user typed; ValueError with a message a student can read.

    "." is always a decimal point, and "," too when ``decimal_point`` is "," (the locale's:
    the GUI passes ``QLocale().decimalPoint()``). "−" (the app's own minus sign) reads as "-".
    Refused: anything that is not one number, digit groups ("1,000.5", "1 000", "1_000", and
    "1,5" where the decimal point is "."), NaN and infinity, overflow ("1e999") and a non-zero
    number too small for a float to keep ("1e-400" would be 0; "1e-310" would lose its digits).
    A typed −0 is 0.
    """
    raw = str(text).strip()
    t = raw.replace(MINUS, "-")
    if any(c in t for c in _GROUPING):
        raise ValueError(f"“{raw}” is not a number: type it without spaces or digit groups")
    if "," in t:
        if decimal_point != "," or t.count(",") > 1 or "." in t:
            point = "“.”" + (" or “,”" if decimal_point == "," else "")
            raise ValueError(f"“{raw}” is not a number: use {point} for the decimal point and "
                             "no thousands separators")
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"“{raw}” is not a number") from None
    if math.isnan(v) or (math.isinf(v) and t.lstrip("+-").isalpha()):  # nan, inf, infinity
        raise ValueError(f"“{raw}” is not a finite number")
    if math.isinf(v):
        raise ValueError(f"{raw} is too large: it would be infinite (the largest number is "
                         "about 1.8e308)")
    if v == 0:
        try:
            typed_zero = Decimal(t).is_zero()
        except InvalidOperation:
            typed_zero = True
        if not typed_zero:
            raise ValueError(f"{raw} is too small: it would be 0; type 0 if you mean 0")
        return 0.0
    if abs(v) < sys.float_info.min:
        raise ValueError(f"{raw} is too small to keep: below 2.2e−308 a number loses its "
                         "digits; type 0 if you mean 0")
    return v
