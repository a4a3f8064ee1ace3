"""Shared look: number formatting and the colour-blind-safe palette (Okabe–Ito)."""
from __future__ import annotations

import math

from PySide6.QtGui import QColor

POSITIVE = QColor("#0072B2")  # blue: w > 0
NEGATIVE = QColor("#D55E00")  # vermillion: w < 0
FROZEN = QColor("#7F7F7F")    # grey: a frozen parameter
SELECTED = QColor("#E69F00")  # orange: the selected element
MISMATCH = QColor("#CC3311")  # red: a refused edit, a failed check

DEFAULT_DECIMALS = 3


def fmt(value, decimals=DEFAULT_DECIMALS):
    """A number as the app shows it: fixed decimals, a true minus sign, “—” for NaN/Inf (which is
    never drawn as a number)."""
    if value is None or not math.isfinite(value):
        return "—"
    value += 0.0  # −0.0 → 0.0: a zero has no sign on screen
    if value != 0 and (abs(value) >= 10 ** 6 or abs(value) < 10 ** -decimals / 2):
        text = f"{value:.{max(decimals - 1, 1)}e}"
    else:
        text = f"{value:.{decimals}f}"
    return text.replace("-", "−")
