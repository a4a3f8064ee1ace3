"""CSV data (engine.csvdata): read_csv(write_csv(...)) bit for bit, what a spreadsheet pastes,
and every malformed case refused with one line and nothing returned."""
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.csvdata import MAX_CSV_CHARS, MAX_CSV_ROWS, CsvError, read_csv, write_csv

FORMATS = [(",", "."), (";", "."), ("\t", "."), (";", ","), ("\t", ",")]


# -- round trip ------------------------------------------------------------------------------------
@pytest.mark.parametrize("separator,decimal_point", FORMATS)
def test_round_trip_bit_for_bit(separator, decimal_point):
    X = np.array([[0.1, -0.0], [1e-320, 1e300], [5e-324, -1.7976931348623157e308],
                  [1.0, 2.5], [1 / 3, -2 / 3], [123456789.0, 1e16]])
    T = np.array([[1.0, 0.0], [0.0, 0.5], [-1e-5, 3.0], [7.0, 8.0], [0.1 + 0.2, 1e-7],
                  [2.0**-1074, 2.0**1023]])
    text = write_csv(X, T, ["x1", "x2"], ["ob6", "ob7"], separator, decimal_point)
    assert text.endswith("\n") and text.count("\n") == 7
    assert text.splitlines()[0] == separator.join(["x1", "x2", "ob6", "ob7"])
    X2, T2 = read_csv(text, 2, 2, decimal_point)
    assert X2.dtype == T2.dtype == np.float64
    assert X2.tobytes() == X.tobytes() and T2.tobytes() == T.tobytes()
    assert X2.flags.c_contiguous and T2.flags.c_contiguous


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 6), st.sampled_from(FORMATS),
       st.data())
def test_round_trip_of_any_finite_numbers(n_in, n_out, rows, fmt, data):
    X = np.array(data.draw(st.lists(st.lists(finite, min_size=n_in, max_size=n_in),
                                    min_size=rows, max_size=rows)), dtype=np.float64)
    T = np.array(data.draw(st.lists(st.lists(finite, min_size=n_out, max_size=n_out),
                                    min_size=rows, max_size=rows)), dtype=np.float64)
    ins = [f"x{i}" for i in range(1, n_in + 1)]
    outs = [f"ob{k}" for k in range(n_in + 4, n_in + 4 + n_out)]
    X2, T2 = read_csv(write_csv(X, T, ins, outs, *fmt), n_in, n_out, fmt[1])
    assert X2.tobytes() == X.tobytes() and T2.tobytes() == T.tobytes()


def test_written_numbers_are_the_shortest_exact_text():
    text = write_csv([[0.1, 1e-5]], [[2.0]], ["x1", "x2"], ["ob5"])
    assert text == "x1,x2,ob5\n0.1,1e-05,2.0\n"
    text = write_csv([[0.1, -1.5]], [[2.0]], ["x1", "x2"], ["ob5"], "\t", ",")
    assert text == "x1\tx2\tob5\n0,1\t-1,5\t2,0\n"


def test_names_with_the_separator_are_quoted_and_read_back():
    text = write_csv([[1.0]], [[2.0]], ["a,b"], ['say "y"'])
    assert text.splitlines()[0] == '"a,b","say ""y"""'
    X, T = read_csv(text, 1, 1, input_names=["a,b"], output_names=['say "y"'])
    assert X.tolist() == [[1.0]] and T.tolist() == [[2.0]]


# -- what comes in -------------------------------------------------------------------------------
def test_a_spreadsheet_paste_without_a_header():
    """Tab-separated cells, Windows line ends, a trailing blank line: the first row is all
    numbers, so it is data; the columns are the inputs, then the targets."""
    X, T = read_csv("0.5\t-1\t1\r\n2\t3.25\t0\r\n\r\n", 2, 1)
    assert X.tolist() == [[0.5, -1.0], [2.0, 3.25]] and T.tolist() == [[1.0], [0.0]]
    X, T = read_csv("0,5\t-1\t1\n", 2, 1, decimal_point=",")
    assert X.tolist() == [[0.5, -1.0]]


def test_decimal_comma_with_semicolons():
    X, T = read_csv("x1;x2;ob5\n0,5;−1,25;1\n,5;2e-3;0\n", 2, 1, decimal_point=",")
    assert X.tolist() == [[0.5, -1.25], [0.5, 0.002]] and T.tolist() == [[1.0], [0.0]]


def test_tolerated_details():
    text = "\ufeffX1 , x2,  OB6 \n 1 , 2 , 3 \n\n   \n4,5,6\n"  # BOM, spaces, case, blank lines
    X, T = read_csv(text, 2, 1)
    assert X.tolist() == [[1.0, 2.0], [4.0, 5.0]] and T.tolist() == [[3.0], [6.0]]
    X, T = read_csv(text.encode("utf-8"), 2, 1)  # bytes too
    assert T.tolist() == [[3.0], [6.0]]
    X, T = read_csv('"x1","x2","ob5"\n"1","2","3"\n', 2, 1)  # quoted cells
    assert X.tolist() == [[1.0, 2.0]]
    X, T = read_csv("x1,x2,ob5,ob6\n1,2,3,4\n", 2, 2)  # any ob numbers after the inputs
    assert T.tolist() == [[3.0, 4.0]]
    X, T = read_csv("x1,x2,ob9\n1,2,3", 2, 1)  # no newline at the end; a deeper network's ob
    assert T.tolist() == [[3.0]]


def test_given_names_are_checked():
    X, T = read_csv("x1,x2,ob5\n1,2,3\n", 2, 1, input_names=["x1", "x2"], output_names=["ob5"])
    assert T.tolist() == [[3.0]]
    with pytest.raises(CsvError, match=r'^column 3 of the header is "ob6"; this network\'s '
                                       r'column 3 is "ob5"$'):
        read_csv("x1,x2,ob6\n1,2,3\n", 2, 1, input_names=["x1", "x2"], output_names=["ob5"])


# -- refused, in one line ------------------------------------------------------------------------
BAD = [
    ("", {}, r"^the data is empty: no rows$"),
    (" \n\n\t\n", {}, r"^the data is empty: no rows$"),
    ("x1,x2,ob5\n", {}, r"^there is a header but no data rows$"),
    ("x1,x2,ob5\n\n", {}, r"^there is a header but no data rows$"),
    ("x1,x2,ob5\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3,4,5\n", {},
     r"^row 8 has 5 values, the header has 3$"),
    ("x1,x2,ob5\n1,2,3\n4,5\n", {}, r"^row 3 has 2 values, the header has 3$"),
    ("1,2,3\n4,5\n", {}, r"^row 2 has 2 values, the network needs 3$"),
    ("x1,x2,ob5\n1,2,3\n4,5,abc\n", {}, r'^row 3, column ob5: "abc" is not a number$'),
    ("1,2,3\n4,abc,6\n", {}, r'^row 2, column 2: "abc" is not a number$'),
    ("x1,x2,ob5\n1,,3\n", {}, r"^row 2, column x2 is empty$"),
    ("x1,x2,ob5\nnan,2,3\n", {}, r'^row 2, column x1: "nan" is not a finite number$'),
    ("x1,x2,ob5\n1,-inf,3\n", {}, r'^row 2, column x2: "-inf" is not a finite number$'),
    ("x1,x2,ob5\n1,Infinity,3\n", {}, r'"Infinity" is not a finite number$'),
    ("1,2,NaN\n", {}, r'^row 1, column 3: "NaN" is not a finite number$'),
    ("x1,x2,ob5\n1e999,2,3\n", {}, r'^row 2, column x1: "1e999" is too large \(it would be '
                                   r"infinite\)$"),
    ("x1,x2,ob5\n1e-400,2,3\n", {}, r'^row 2, column x1: "1e-400" is too small: it would be 0$'),
    ("x1,x2,ob5\n1_000,2,3\n", {}, r'"1_000" is not a number$'),
    ("x1\tx2\tob5\n1,5\t2\t3\n", {}, r'^row 2, column x1: "1,5" is not a number \(the decimal '
                                     r'point here is "\."\)$'),
    ("x1;x2;ob5\n1.5;2;3\n", {"decimal_point": ","},
     r'^row 2, column x1: "1.5" is not a number \(the decimal point here is ","\)$'),
    ("x1,x2,ob5\n1,2,3\n", {"decimal_point": ","},
     r"^with a decimal comma \(\"1,5\"\) the columns must be separated by tabs or semicolons"),
    ("x1,x2\n1,2\n", {}, r"^row 1 has 2 values; the network needs 3 \(2 inputs and 1 target\)$"),
    ("x1,x2,ob5,ob6\n1,2,3,4\n", {}, r"^row 1 has 4 values; the network needs 3"),
    ("a,b,c\n1,2,3\n", {}, r'^column 1 of the header is "a"; the inputs are named x1, x2, … in '
                          r"order, so it should be x1$"),
    ("x2,x1,ob5\n1,2,3\n", {}, r'^column 1 of the header is "x2";'),
    ("x1,x2,label\n1,2,3\n", {}, r'^column 3 of the header is "label"; a target column is '
                                r"named ob and its output neuron's number, e.g. ob5$"),
    ("x1,x2,ob2\n1,2,3\n", {}, r'^column 3 of the header is "ob2"; the output neurons come '
                              r"after the 2 inputs, so their numbers are above 2$"),
    ('x1,x2,ob5\n"1,2,3\n', {}, r"^row 2 cannot be read as CSV: "),
    (b"x1,x2,ob5\n\xff,2,3\n", {}, r"^the data is not UTF-8 text \(byte 0xff at offset 10\)$"),
    (None, {}, r"^CSV data must be text, not NoneType$"),
]


@pytest.mark.parametrize("text,kw,message", BAD)
def test_malformed_data_is_refused_in_one_line(text, kw, message):
    with pytest.raises(CsvError, match=message) as info:
        read_csv(text, 2, 1, **kw)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_two_targets_named_out_of_order():
    with pytest.raises(CsvError, match=r'^column 4 of the header is "ob7"; after ob5 comes ob6'):
        read_csv("x1,x2,ob5,ob7\n1,2,3,4\n", 2, 2)


@pytest.mark.parametrize("kw,message", [
    (dict(n_inputs=0), r"^n_inputs must be a whole number of at least 1, not 0$"),
    (dict(n_outputs=True), r"^n_outputs must be"),
    (dict(decimal_point=";"), r'^decimal_point must be "\." or ",", not \';\'$'),
    (dict(input_names=["x1"]), r"^input_names has 1 names; the network has 2$"),
])
def test_bad_arguments(kw, message):
    args = dict(n_inputs=2, n_outputs=1)
    args.update(kw)
    with pytest.raises(CsvError, match=message):
        read_csv("1,2,3\n", **args)


def test_huge_data_is_refused_in_bounded_time():
    start = time.perf_counter()
    with pytest.raises(CsvError, match=r"^the data is larger than 10 MB \(10,000,000 characters\)"):
        read_csv("1,2,3\n" * (MAX_CSV_CHARS // 6 + 1), 2, 1)
    with pytest.raises(CsvError, match=r"^the data is larger than 10 MB"):
        read_csv(b"1" * (MAX_CSV_CHARS + 1), 2, 1)
    assert time.perf_counter() - start < 0.5  # refused before it is read
    with pytest.raises(CsvError, match=r"^the data has more than 100,000 rows; CSV data is "
                                       r"limited to that$"):
        read_csv("x1,x2,ob5\n" + "1,2,3\n" * (MAX_CSV_ROWS + 1), 2, 1)
    X, T = read_csv("x1,x2,ob5\n" + "1,2,3\n" * MAX_CSV_ROWS, 2, 1)  # exactly the limit
    assert X.shape == (MAX_CSV_ROWS, 2)
    start = time.perf_counter()
    with pytest.raises(CsvError, match=r"^row 1 has 3,000,000 values; the network needs 3"):
        read_csv(",".join(["1"] * 3_000_000), 2, 1)
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize("args,message", [
    (([[1.0, math.nan]], [[1.0]]), r"^X contains NaN or Inf"),
    (([[1.0, 2.0]], [[math.inf]]), r"^T contains NaN or Inf"),
    (([[1.0]], [[1.0]]), r"^X has shape \(1, 1\); it needs 2 columns"),
    (([[1.0, 2.0], [3.0, 4.0]], [[1.0]]), r"^2 input rows but 1 target rows$"),
])
def test_write_refuses_what_csv_cannot_hold(args, message):
    with pytest.raises(CsvError, match=message):
        write_csv(*args, ["x1", "x2"], ["ob5"])


def test_write_refuses_a_comma_for_both():
    with pytest.raises(CsvError, match=r"^with a decimal comma the separator must be a tab or"):
        write_csv([[1.0]], [[1.0]], ["x1"], ["ob2"], ",", ",")
    with pytest.raises(CsvError, match=r"^separator must be"):
        write_csv([[1.0]], [[1.0]], ["x1"], ["ob2"], " ")
