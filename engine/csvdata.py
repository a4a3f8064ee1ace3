"""Data as CSV text: ``read_csv`` for a file or a paste from a spreadsheet, ``write_csv`` for an
export that reads back bit for bit. NumPy and the standard library only.

The text: one sample per row, the inputs first, then the targets, e.g. ::

    x1,x2,ob5
    0.5,-1.25,1.0

- **Header.** If any cell of the first row is not a number, that row is the header: the inputs
  are named x1, x2, … in order and the targets ob<number> with the output neurons' numbers,
  one after another and after the inputs' (ob5, ob6 — any numbers, since they depend on the
  hidden layers: a file from a 2–3–1 network, ob6, reads into a 2–2–1 one). Given
  ``input_names``/``output_names``, the header must be exactly those instead. If every cell of
  the first row is a number there is no header (a paste of a spreadsheet's cells): the
  columns are the inputs, then the targets, in the network's order.
- **Separator.** Sniffed from the first row: a tab (a spreadsheet's paste) if it has one, else a
  semicolon, else a comma. With ``decimal_point=","`` (a decimal comma, 1,5) the separator must
  be a tab or a semicolon.
- **Numbers.** Decimal numbers, optionally with an exponent (1.5, -2, .5, 1e-05; "−" is a minus
  too). Refused: empty cells, text, NaN and infinity, numbers that overflow (1e999) or are
  too small for a float64 (1e-400, which would be 0), digit groups.
- **Limits.** At most ``MAX_CSV_CHARS`` characters (10 MB) and ``MAX_CSV_ROWS`` data rows, checked
  before or while reading, so a huge paste costs bounded time and memory.

Every problem raises ``CsvError`` (a ``ValueError``) with one line that names the row (the
text's line number, as a spreadsheet numbers its rows, header included) and column, e.g.
``row 7 has 3 values, the header has 5`` or ``row 3, column ob5: "abc" is not a number``;
nothing is returned then.
"""
from __future__ import annotations

import csv
import io
import math
import re

import numpy as np

MAX_CSV_CHARS = 10_000_000
MAX_CSV_ROWS = 100_000
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}

_NUMBER = {".": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"),
           ",": re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?")}
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_INPUT = re.compile(r"x(\d+)", re.IGNORECASE)
_OUTPUT = re.compile(r"ob(\d+)", re.IGNORECASE)


class CsvError(ValueError):
    """CSV text that cannot be read (or data that cannot be written); a one-line message."""

    def __init__(self, message):
        text = " ".join(str(message).split())
        super().__init__(text if len(text) <= 300 else text[:299] + "…")


def _short(text, limit=30):
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return '"' + text.replace("\n", " ") + '"'


def _number(cell, decimal_point):
    """The float in ``cell`` (already stripped), or the reason it is none."""
    t = cell.replace("\u2212", "-")
    if not _NUMBER[decimal_point].fullmatch(t):
        if _NONFINITE.fullmatch(t):
            return None, f"{_short(cell)} is not a finite number"
        other = "," if decimal_point == "." else "."
        if _NUMBER[other].fullmatch(t):
            return None, (f"{_short(cell)} is not a number (the decimal point here is "
                          f'"{decimal_point}")')
        return None, f"{_short(cell)} is not a number"
    v = float(t.replace(",", "."))
    if math.isinf(v):
        return None, f"{_short(cell)} is too large (it would be infinite)"
    if v == 0.0 and any(c in "123456789" for c in t.partition("e")[0].partition("E")[0]):
        return None, f"{_short(cell)} is too small: it would be 0"
    return v, None


def _looks_numeric(cell):
    """A number, or what a data row may hold by mistake (empty, NaN, the other decimal
    point): a first row of these is data, and its problem is named as such."""
    t = cell.replace("\u2212", "-")
    return (not t or _NONFINITE.fullmatch(t) is not None
            or any(p.fullmatch(t) for p in _NUMBER.values()))


def _decode(text):
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_CSV_CHARS:
            raise CsvError(f"the data is larger than {MAX_CSV_CHARS // 1_000_000} MB; CSV data "
                           "is limited to that")
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CsvError(f"the data is not UTF-8 text (byte 0x{text[e.start]:02x} at offset "
                           f"{e.start})") from None
    if not isinstance(text, str):
        raise CsvError(f"CSV data must be text, not {type(text).__name__}")
    return text[1:] if text.startswith("\ufeff") else text


def _sniff(line, decimal_point):
    if "\t" in line:
        return "\t"
    if ";" in line:
        return ";"
    if decimal_point == ",":
        if "," in line:
            raise CsvError('with a decimal comma ("1,5") the columns must be separated by tabs '
                           "or semicolons; the first row has neither")
        return ";"
    return ","


def _check_header(names, n_inputs, n_outputs, input_names, output_names):
    """Check the header's names; ``CsvError`` naming the first wrong one."""
    width = n_inputs + n_outputs
    if len(names) != width:
        raise CsvError(f"the header has {len(names)} columns; the network needs {width} "
                       f"({_plural(n_inputs, 'input')} and {_plural(n_outputs, 'target')})")
    if input_names is not None or output_names is not None:
        wanted = list(input_names or []) + list(output_names or [])
        for c, (got, want) in enumerate(zip(names, wanted), start=1):
            if got.casefold() != str(want).strip().casefold():
                raise CsvError(f"column {c} of the header is {_short(got)}; this network's "
                               f"column {c} is {_short(str(want))}")
        return
    for c, got in enumerate(names[:n_inputs], start=1):
        m = _INPUT.fullmatch(got)
        if not m or int(m.group(1)) != c:
            raise CsvError(f"column {c} of the header is {_short(got)}; the inputs are named "
                           f"x1, x2, … in order, so it should be x{c}")
    previous = None
    for c, got in enumerate(names[n_inputs:], start=n_inputs + 1):
        m = _OUTPUT.fullmatch(got)
        if not m:
            raise CsvError(f"column {c} of the header is {_short(got)}; a target column is "
                           "named ob and its output neuron's number, e.g. ob5")
        k = int(m.group(1))
        if previous is None and k <= n_inputs:
            raise CsvError(f"column {c} of the header is {_short(got)}; the output neurons "
                           f"come after the {_plural(n_inputs, 'input')}, so their numbers are "
                           f"above {n_inputs}")
        if previous is not None and k != previous + 1:
            raise CsvError(f"column {c} of the header is {_short(got)}; after ob{previous} "
                           f"comes ob{previous + 1} (output neurons are numbered one after "
                           "another)")
        previous = k


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n:,} {word}s"


def _count(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise CsvError(f"{what} must be a whole number of at least 1, not {value!r}")
    return int(value)


def read_csv(text, n_inputs, n_outputs, decimal_point=".", input_names=None,
             output_names=None):
    """(X, T): float64 arrays (rows, n_inputs) and (rows, n_outputs) from CSV text (a str, or
    UTF-8 bytes) as the module docstring describes; ``CsvError`` with one line otherwise."""
    n_inputs, n_outputs = _count(n_inputs, "n_inputs"), _count(n_outputs, "n_outputs")
    if decimal_point not in (".", ","):
        raise CsvError(f'decimal_point must be "." or ",", not {decimal_point!r}')
    for names, n, what in ((input_names, n_inputs, "input_names"),
                           (output_names, n_outputs, "output_names")):
        if names is not None and len(names) != n:
            raise CsvError(f"{what} has {len(names)} names; the network has {n}")
    text = _decode(text)
    if len(text) > MAX_CSV_CHARS:
        raise CsvError(f"the data is larger than {MAX_CSV_CHARS // 1_000_000} MB "
                       f"({MAX_CSV_CHARS:,} characters); CSV data is limited to that")
    if not text.strip():
        raise CsvError("the data is empty: no rows")
    first = next(line for line in io.StringIO(text) if line.strip())  # lazily: no list
    separator = _sniff(first, decimal_point)
    width = n_inputs + n_outputs
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header, names, rows = None, None, []
    try:
        for cells in reader:
            row = reader.line_num
            if not cells or all(not c.strip() for c in cells) and len(cells) == 1:
                continue  # a blank line
            cells = [c.strip() for c in cells]
            if header is None and names is None:  # the first row: a header or data?
                if len(cells) != width:
                    raise CsvError(f"row {row} has {_plural(len(cells), 'value')}; the network "
                                   f"needs {width} ({_plural(n_inputs, 'input')} and "
                                   f"{_plural(n_outputs, 'target')})")
                if any(cells) and all(_looks_numeric(c) for c in cells):
                    names = False
                else:
                    header = cells
                    _check_header(cells, n_inputs, n_outputs, input_names, output_names)
                    names = cells
                    continue
            if len(cells) != width:
                against = "the header has" if header else "the network needs"
                raise CsvError(f"row {row} has {_plural(len(cells), 'value')}, {against} "
                               f"{width}")
            if len(rows) >= MAX_CSV_ROWS:
                raise CsvError(f"the data has more than {MAX_CSV_ROWS:,} rows; CSV data is "
                               "limited to that")
            values = []
            for c, cell in enumerate(cells):
                v, problem = _number(cell, decimal_point) if cell else (None, None)
                if v is None:
                    column = names[c] if names else str(c + 1)
                    raise CsvError(f"row {row}, column {column} is empty" if not cell else
                                   f"row {row}, column {column}: {problem}")
                values.append(v)
            rows.append(values)
    except csv.Error as e:
        raise CsvError(f"row {reader.line_num} cannot be read as CSV: {e}") from None
    if not rows:
        raise CsvError("there is a header but no data rows")
    data = np.array(rows, dtype=np.float64).reshape(len(rows), width)
    return np.ascontiguousarray(data[:, :n_inputs]), np.ascontiguousarray(data[:, n_inputs:])


def write_csv(X, T, input_names, output_names, separator=",", decimal_point="."):
    """CSV text: a header of ``input_names`` and ``output_names``, then one row per sample of
    X (N, n_in) and T (N, n_out), every number exactly (the shortest text that reads back as
    the same float64), lines ending in "\\n". ``separator`` "," ";" or tab and
    ``decimal_point`` "." or "," (not both ","). ``read_csv`` of the text gives X and T back
    bit for bit. ``CsvError`` for shapes that do not fit or numbers that are NaN/Inf."""
    if separator not in SEPARATORS:
        raise CsvError(f'separator must be ",", ";" or a tab, not {separator!r}')
    if decimal_point not in (".", ","):
        raise CsvError(f'decimal_point must be "." or ",", not {decimal_point!r}')
    if separator == decimal_point:
        raise CsvError("with a decimal comma the separator must be a tab or a semicolon")
    arrays = []
    for a, names, what in ((X, input_names, "X"), (T, output_names, "T")):
        try:
            a = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError):
            raise CsvError(f"{what} must be numbers") from None
        if a.ndim != 2 or a.shape[1] != len(names):
            raise CsvError(f"{what} has shape {a.shape}; it needs {len(names)} columns, one per "
                           "name")
        if not np.isfinite(a).all():
            raise CsvError(f"{what} contains NaN or Inf, which CSV data cannot hold")
        arrays.append(a)
    if len(arrays[0]) != len(arrays[1]):
        raise CsvError(f"{len(arrays[0])} input rows but {len(arrays[1])} target rows")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow([str(n) for n in (*input_names, *output_names)])
    data = np.concatenate(arrays, axis=1).tolist()
    if decimal_point == ",":
        writer.writerows([repr(v).replace(".", ",") for v in row] for row in data)
    else:
        writer.writerows([repr(v) for v in row] for row in data)
    return out.getvalue()
