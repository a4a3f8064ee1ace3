"""Lesson files: save → open restores everything bit for bit; every rule of the format is
enforced with a one-line message naming the field; saves are atomic; the JSON Schema in
resources/schema agrees with the files the app writes and with the reader's rules."""
import copy
import json
import os
import socket
import stat
import time
from importlib import resources

import numpy as np
import pytest

from engine import Network, atomic
from engine.lesson import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    VERSION,
    Lesson,
    LessonFileError,
    document_from_dict,
    document_to_dict,
    dumps_document,
    lesson_from_dict,
    lesson_to_dict,
    load_preset,
    loads_document,
    parse_history,
    preset_names,
    read_lesson,
    write_lesson,
)
from engine.history import History
from tests.engine.schema_check import SUPPORTED, errors, keywords, load_schema

AWKWARD = [0.1, -0.0, 1 / 3, 5e-324, -1e-300, 1.7976931348623157e308, 123456789.123456789,
           2.0 ** -1074 * 3, np.nextafter(1.0, 2.0), -7.0]


def awkward_lesson():
    """A lesson whose numbers need all 17 digits, with frozen flags, a batch size, a seed, the
    other update order and a key this version does not interpret."""
    rng = np.random.default_rng(7)
    net = Network([3, 4, 2], ["tanh", "sigmoid"], "cross_entropy", update_order="output_first")
    theta = rng.normal(size=net.n_params)
    theta[:len(AWKWARD)] = AWKWARD
    net.set_params(theta)
    net.frozen[[0, 5, net.n_params - 1]] = True
    X = rng.normal(size=(5, 3))
    X[0, 0], X[1, 1] = -0.0, 5e-324
    T = rng.uniform(size=(5, 2))
    return Lesson(net, X, T, lr=0.123456789012345678, batch_size=2, seed=41,
                  name="Awkward η “quotes”", description="line one\nline two",
                  extra={"teacher_notes": {"week": 3, "tags": ["a", "b"], "ratio": 0.1}})


def long_history(n_columns, steps=1000, capacity=16):
    rng = np.random.default_rng(3)
    h = History(n_columns, capacity=capacity)
    rows = rng.normal(size=(steps, n_columns))
    rows[5, 0] = 1e300  # a spike survives as a bucket maximum
    h.append(rows[:steps // 2])
    h.append(rows[steps // 2:])
    return h


def assert_same_lesson(a, b):
    na, nb = a.network, b.network
    assert na.sizes == nb.sizes and na.activations == nb.activations and na.loss == nb.loss
    assert na.update_order == nb.update_order
    assert na.theta.dtype == nb.theta.dtype == np.float64
    assert na.theta.tobytes() == nb.theta.tobytes()  # bit for bit, -0.0 and subnormals too
    assert np.array_equal(na.frozen, nb.frozen)
    assert a.inputs.tobytes() == b.inputs.tobytes() and a.inputs.shape == b.inputs.shape
    assert a.targets.tobytes() == b.targets.tobytes() and a.targets.shape == b.targets.shape
    assert (a.lr, a.batch_size, a.seed, a.name, a.description) == (
        b.lr, b.batch_size, b.seed, b.name, b.description)
    assert a.extra == b.extra


def assert_same_history(a, b):
    assert (a.n_columns, a.capacity, a.stride, a.n_buckets, a.n_steps) == (
        b.n_columns, b.capacity, b.stride, b.n_buckets, b.n_steps)
    n = a.n_buckets
    for name in ("lo", "hi", "last"):
        assert getattr(a, name)[:n].tobytes() == getattr(b, name)[:n].tobytes(), name


# -- round trips -----------------------------------------------------------------------------------
def test_save_open_round_trip_is_bit_for_bit(tmp_path):
    lesson = awkward_lesson()
    history = long_history(1 + lesson.network.n_params)
    assert history.stride > 1  # buckets merged: lo, hi and last all differ
    path = tmp_path / "awkward.json"
    write_lesson(path, lesson, history, step_count=history.n_steps)
    back, hd, steps = read_lesson(path)
    assert_same_lesson(lesson, back)
    assert steps == history.n_steps
    assert_same_history(history, hd)
    # and again: the second file is byte-identical to the first
    write_lesson(tmp_path / "again.json", back, hd, steps)
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_a_history_that_starts_later_round_trips_and_older_files_end_it_at_the_step_count():
    lesson = load_preset("notes_linear")
    h = History(1 + lesson.network.n_params, start=40)
    h.append(np.zeros((3, h.n_columns)))
    d = json.loads(dumps_document(lesson, h, 43))
    assert d["history"]["start"] == 40
    _, hd, steps = loads_document(json.dumps(d).encode())
    assert (hd.start, steps) == (40, 43)
    del d["history"]["start"]  # as an older version wrote it: the history ends at step_count
    _, hd, _ = loads_document(json.dumps(d).encode())
    assert hd.step_count == 43
    with pytest.raises(LessonFileError, match="the history ends at step 43, not at the step "
                                              "count 44"):
        dumps_document(lesson, h, 44)


def test_history_with_stride_one_round_trips_and_omits_lo_hi(tmp_path):
    lesson = load_preset("notes_linear")
    h = History(1 + lesson.network.n_params)
    h.append(np.random.default_rng(0).normal(size=(37, h.n_columns)))
    path = tmp_path / "s1.json"
    write_lesson(path, lesson, h, step_count=37)
    d = json.loads(path.read_text("utf-8"))
    assert d["history"]["stride"] == 1 and "lo" not in d["history"]
    assert d["history"]["columns"] == ["loss", *lesson.network.labels]
    _, hd, steps = read_lesson(path)
    assert_same_history(h, hd)
    assert steps == 37


def test_no_history_and_old_files_without_state(tmp_path):
    lesson = load_preset("xor")
    path = tmp_path / "plain.json"
    write_lesson(path, lesson)
    back, hd, steps = read_lesson(path)
    assert hd is None and steps == 0
    assert_same_lesson(lesson, back)
    # version-1 files of the first release had neither "state" nor "history"
    d = lesson_to_dict(lesson)
    assert "state" not in d and "history" not in d
    assert document_from_dict(d)[1:] == (None, 0)


def test_presets_open_and_save_unchanged(tmp_path):
    for name in preset_names():
        lesson = load_preset(name)
        write_lesson(tmp_path / f"{name}.json", lesson)
        back, _, _ = read_lesson(tmp_path / f"{name}.json")
        assert_same_lesson(lesson, back)


def test_saved_file_reads_like_the_notes(tmp_path):
    write_lesson(tmp_path / "n.json", load_preset("notes_linear"))
    text = (tmp_path / "n.json").read_text("utf-8")
    assert '"w35": 0.4,' in text and '"b3": 0.1,' in text
    assert '"layers": [2, 2, 3],' in text and "[0.6, -0.4]" in text
    assert text.endswith("}\n")


def test_lesson_from_dict_still_works_and_ignores_nothing():
    d = lesson_to_dict(awkward_lesson())
    assert d["teacher_notes"]["week"] == 3  # unknown top-level keys are written back
    assert_same_lesson(awkward_lesson(), lesson_from_dict(copy.deepcopy(d)))
    with pytest.raises(ValueError):  # LessonFileError is a ValueError, as before
        lesson_from_dict({"format": "backprop-lab"})


# -- every rule, with the field it names -----------------------------------------------------------
def base():
    lesson = load_preset("notes_linear")
    h = History(1 + lesson.network.n_params, capacity=4)
    h.append(np.abs(np.random.default_rng(1).normal(size=(9, h.n_columns))))
    return json.loads(dumps_document(lesson, h, 9))


def setter(path, value):
    def mutate(d):
        *parents, last = path
        for k in parents:
            d = d[k]
        d[last] = value
    return mutate


def deleter(path):
    def mutate(d):
        *parents, last = path
        for k in parents:
            d = d[k]
        del d[last]
    return mutate


def deep(levels):
    v = 0
    for _ in range(levels):
        v = [v]
    return v


# (mutation, text the message starts with or contains, does the JSON Schema catch it too?)
VIOLATIONS = [
    (lambda d: d.clear() or d.update(x=1), "format is missing", True),
    (deleter(["format"]), "format is missing", True),
    (setter(["format"], "other-app"), 'format must be "backprop-lab", not the text "other-app"',
     True),
    (setter(["version"], 3), "version 3 is newer than this Backprop Lab reads (up to 2)", True),
    (setter(["version"], 10**30), "is newer than this Backprop Lab reads", True),
    (setter(["version"], "1"), "version must be a whole number", True),
    (setter(["version"], 1.0), "version must be a whole number", False),
    (setter(["version"], True), "version must be a whole number, not true", True),
    (setter(["version"], 0), "version must be 1 or more", True),
    (deleter(["version"]), "version is missing", True),
    (setter(["name"], 5), "name must be a string", True),
    (setter(["description"], None), "description must be a string, not null", True),
    (deleter(["network"]), "network is missing", True),
    (setter(["network"], []), "network must be an object, not a list", True),
    (deleter(["network", "layers"]), "network.layers is missing", True),
    (setter(["network", "layers"], "2-2-3"), "network.layers must be a list", True),
    (setter(["network", "layers"], [2]), "network.layers needs 2 to 64 layers", True),
    (setter(["network", "layers"], [2, True, 3]), "network.layers[1] must be a whole number",
     True),
    (setter(["network", "layers"], [2, 2.5, 3]), "network.layers[1] must be a whole number",
     True),
    (setter(["network", "layers"], [2, 0, 3]), "network.layers[1] must be from 1", True),
    (setter(["network", "layers"], [2, 1001, 3]), "network.layers[1] must be from 1 to 1,000",
     True),
    (setter(["network", "layers"], [1000] * 11), "network.layers has 11,000 neurons", False),
    (setter(["network", "layers"], [1000, 1000]), "network.layers makes 1,001,000 weights and "
     "biases; this app handles at most 100,000", False),
    (setter(["network", "layers"], [2, 3, 3]),
     "network.weights.w35 is not a weight of this 2-3-3 network", False),
    (setter(["network", "activations"], ["relu"]), "network.activations has 1 entries", False),
    (setter(["network", "activations"], ["relu", "bogus"]),
     'network.activations[1] is "bogus"; choose one of', True),
    (setter(["network", "activations"], ["relu", 7]),
     "network.activations[1] must be a string", True),
    (setter(["network", "activations"], ["softmax", "linear"]),
     "network.activations[0] is softmax, which is for the output layer only", False),
    (setter(["network", "loss"], "mse"), 'network.loss is "mse"; choose one of', True),
    (setter(["network", "loss"], "cross_entropy"), "network: cross_entropy needs outputs", False),
    (setter(["network", "update_order"], "random"), "network.update_order is", True),
    (setter(["network", "colour"], "red"), "network.colour is not a field this version knows",
     True),
    (deleter(["network", "weights"]), "network.weights is missing", True),
    (deleter(["network", "weights", "w35"]), "network.weights.w35 is missing", False),
    (setter(["network", "weights", "w35"], "abc"),
     'network.weights.w35 must be a number, not the text "abc"', True),
    (setter(["network", "weights", "w35"], True), "network.weights.w35 must be a number, not true",
     True),
    (setter(["network", "weights", "w35"], None), "network.weights.w35 must be a number, not null",
     True),
    (setter(["network", "weights", "w35"], [0.4]), "network.weights.w35 must be a number, not a "
     "list", True),
    (setter(["network", "weights", "w99"], 0.4),
     "network.weights.w99 is not a weight of this 2-2-3 network", False),
    (setter(["network", "weights", "b3"], 0.4),
     "network.weights.b3 is not a weight of this 2-2-3 network", True),
    (setter(["network", "biases", "b1"], 0.4),
     "network.biases.b1 is not a bias of this 2-2-3 network", False),
    (setter(["network", "biases", "b3"], {"v": 1}),
     "network.biases.b3 must be a number, not an object", True),
    (setter(["network", "frozen"], ["w99"]), 'network.frozen[0] is "w99", not a parameter', False),
    (setter(["network", "frozen"], [3]), "network.frozen[0] must be a string", True),
    (setter(["network", "frozen"], "w35"), "network.frozen must be a list", True),
    (deleter(["data"]), "data is missing", True),
    (deleter(["data", "targets"]), "data.targets is missing", True),
    (setter(["data", "inputs"], [[0.6, -0.4, 1.0]]),
     "data.inputs[0] has 3 values, the network needs 2", False),
    (setter(["data", "inputs"], [[0.6, -0.4], [1.0, 2.0], [1.0, 2.0, 3.0]]),
     "data.inputs[2] has 3 values, the network needs 2", False),
    (setter(["data", "inputs"], [[0.6, "x"]]), 'data.inputs[0][1] must be a number, not the text',
     True),
    (setter(["data", "inputs"], [[0.6, False]]), "data.inputs[0][1] must be a number, not false",
     True),
    (setter(["data", "inputs"], [0.6, -0.4]), "data.inputs[0] must be a list of 2 numbers", True),
    (setter(["data", "inputs"], []), "data.inputs is empty", True),
    (setter(["data", "inputs"], "0.6 -0.4"), "data.inputs must be a list", True),
    (setter(["data", "inputs"], [[0.6, deep(40)]]), "data.inputs[0][1] must be a number, not a "
     "list", True),
    (setter(["data", "targets"], [[0.5, 0.0, 0.3], [0.5, 0.0, 0.3]]),
     "data.targets has 2 rows but data.inputs has 1", False),
    (setter(["data", "weights"], []), "data.weights is not a field this version knows", True),
    (deleter(["training"]), "training is missing", True),
    (deleter(["training", "lr"]), "training.lr is missing", True),
    (setter(["training", "lr"], 0), "training.lr must be greater than 0", True),
    (setter(["training", "lr"], -0.5), "training.lr must be greater than 0", True),
    (setter(["training", "lr"], "0.5"), "training.lr must be a number", True),
    (setter(["training", "batch_size"], 0), "training.batch_size must be null or a whole number "
     "from 1 to 1", True),
    (setter(["training", "batch_size"], 2), "training.batch_size must be null or a whole number "
     "from 1 to 1", False),
    (setter(["training", "batch_size"], 1.5), "training.batch_size", True),
    (setter(["training", "seed"], -1), "training.seed must be from 0", True),
    (setter(["training", "seed"], 0.5), "training.seed must be a whole number", True),
    (setter(["training", "batchsize"], 2), "training.batchsize is not a field", True),
    (setter(["state"], 3), "state must be an object", True),
    (setter(["state", "step_count"], -1), "state.step_count must be from 0", True),
    (setter(["state", "step_count"], "9"), "state.step_count must be a whole number", True),
    (setter(["history"], [1]), "history must be an object, not a list", True),
    (deleter(["history", "capacity"]), "history.capacity is missing", True),
    (setter(["history", "capacity"], 3), "history.capacity must be even", True),
    (setter(["history", "capacity"], 2**40), "history.capacity must be from 2 to 65,536", True),
    (setter(["history", "stride"], 3), "history.stride must be a power of two", False),
    (setter(["history", "stride"], 0), "history.stride must be from 1", True),
    (setter(["history", "n_steps"], 100), "history.n_steps is 100, but 3 buckets of 4 hold 9 to "
     "12 steps", False),
    (setter(["history", "n_steps"], True), "history.n_steps must be a whole number", True),
    (deleter(["history", "lo"]), "history.lo is missing (needed once stride > 1)", False),
    (setter(["history", "last"], [[0.0] * 15]), "history.last[0] has 15 values, the history needs "
     "16", False),
    (setter(["history", "last"], [[0.0] * 16] * 5), "history.last has 5 rows, more than the "
                                                    "capacity 4", False),
    (setter(["history", "columns"], ["loss", "w14"]), 'history.columns[1] is "w14"; column 1 of '
     'this network is "w13"', False),
    (setter(["history", "colour"], 1), "history.colour is not a field", True),
    (setter(["history", "start"], 5), "history.start + history.n_steps is 14; state.step_count "
     "is 9", False),
    (setter(["history", "start"], -1), "history.start must be from 0", True),
    (setter(["state", "step_count"], 8), "history.n_steps is 9, more than state.step_count (8)",
     False),
    (setter(["history", "hi"], [[-1.0] * 16] * 3), "history bucket 0, column 0 breaks last ≤ hi",
     False),
    (setter(["extra_key"], deep(40)), "extra_key[0][0]", False),
]


@pytest.mark.parametrize("mutate, expected, schema_catches", VIOLATIONS,
                         ids=[v[1][:50] for v in VIOLATIONS])
def test_each_violation_is_refused_naming_the_field(mutate, expected, schema_catches):
    d = base()
    mutate(d)
    assert_refused(d, expected, schema_catches)


def assert_refused(d, expected, schema_catches):
    """The lesson dict ``d`` is refused with one line of at most 400 characters that contains
    ``expected``, the same read from its bytes; and the schema refuses it too if it should."""
    with pytest.raises(LessonFileError) as e:
        document_from_dict(copy.deepcopy(d))
    message = str(e.value)
    assert expected in message, message
    assert "\n" not in message and len(message) <= 400
    # the same file as bytes: the same message
    with pytest.raises(LessonFileError) as e2:
        loads_document(json.dumps(d).encode())
    assert str(e2.value) == message
    if schema_catches:
        assert errors(d, load_schema()), f"the schema accepts: {expected}"


def test_a_history_capacity_too_large_for_memory_is_refused():
    hd = {"capacity": 2**16, "stride": 1, "n_steps": 0, "last": []}
    with pytest.raises(LessonFileError, match=r"history.capacity 65536 × 101 columns is more "
                                              r"than this app keeps \(2,097,152 values\)"):
        parse_history(hd, 101)
    assert parse_history(hd, 16)["capacity"] == 2**16


def test_the_valid_base_document_is_accepted():
    lesson, history, steps = document_from_dict(base())
    assert steps == 9 and history.stride == 4


# -- JSON text: the problems only text can have ----------------------------------------------------
def weight_text(literal):
    text = dumps_document(load_preset("notes_linear")).decode()
    assert '"w35": 0.4,' in text
    return text.replace('"w35": 0.4,', f'"w35": {literal},').encode()


@pytest.mark.parametrize("literal, shown", [
    ("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf"), ("1e999", "inf"),
    ("-1E400", "-inf"), ("1" * 500, "inf"),
])
def test_nan_infinity_and_overflow_are_refused_by_field(literal, shown):
    with pytest.raises(LessonFileError) as e:
        loads_document(weight_text(literal))
    assert str(e.value) == f"network.weights.w35 must be a finite number, not {shown}"


def test_underflow_to_zero_is_a_number():
    lesson, _, _ = loads_document(weight_text("1e-999"))
    assert lesson.network.weight(3, 5) == 0.0


@pytest.mark.parametrize("data, expected", [
    (b"", "the file is empty"),
    (b"   \n", "the file is empty"),
    (b"\xff\xfe{\x00}\x00", "the file is not UTF-8 text (byte 0xff at offset 0)"),
    ('{"format": "backprop-lab", "name": "caf\u00e9"}'.encode("latin-1"),
     "the file is not UTF-8 text (byte 0xe9 at offset 39)"),
    (b'{"format": "backprop-lab", "version": 1', "the file is not valid JSON: Expecting ',' "
                                                 "delimiter at line 1, column 40 (the file ends"),
    (b"[1, 2]", "the file must hold a JSON object (a lesson), not a list"),
    (b'"lesson"', "the file must hold a JSON object (a lesson), not the text"),
    (b"null", "the file must hold a JSON object (a lesson), not null"),
    (b"[" * 100_000, "the file is nested too deeply"),
    (b'{"a": ' * 50_000, "the file is nested too deeply"),
    (b"[" + b"0," * MAX_VALUES + b"0]", "the file holds more than 1,000,000 values"),
])
def test_text_problems(data, expected):
    with pytest.raises(LessonFileError) as e:
        loads_document(data)
    assert str(e.value).startswith(expected), str(e.value)
    assert "\n" not in str(e.value)


def test_a_utf8_bom_is_accepted():
    data = dumps_document(load_preset("xor"))
    assert loads_document(b"\xef\xbb\xbf" + data)[0].name == "XOR"


def test_files_too_large_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk and no reading
    with pytest.raises(LessonFileError, match="larger than 50 MB"):
        read_lesson(path)


@pytest.mark.parametrize("make, expected", [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "this is a folder, not a file"),
])
def test_unreadable_paths(tmp_path, make, expected):
    path = tmp_path / "x.json"
    make(path)
    with pytest.raises(LessonFileError, match=expected):
        read_lesson(path)


# -- writing ---------------------------------------------------------------------------------------
def test_what_cannot_be_read_back_is_not_written(tmp_path):
    lesson = load_preset("notes_linear")
    path = tmp_path / "keep.json"
    path.write_bytes(b"old")
    bad = Lesson(lesson.network, lesson.inputs, lesson.targets, extra={"x": float("nan")})
    with pytest.raises(LessonFileError, match="cannot be written as JSON"):
        write_lesson(path, bad)
    too_deep = Lesson(lesson.network, lesson.inputs, lesson.targets, extra={"x": deep(40)})
    with pytest.raises(LessonFileError, match="nested too deeply"):
        write_lesson(path, too_deep)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["keep.json"]


def test_a_history_too_large_for_a_file_is_refused_not_truncated():
    net = Network([40, 40, 10], ["tanh", "linear"])  # 2050 parameters → 2051 columns
    lesson = Lesson(net, np.zeros((1, 40)), np.zeros((1, 10)))
    h = History(1 + net.n_params, capacity=1024)
    h.append(np.zeros((700, h.n_columns)))  # 700 × 2051 numbers
    with pytest.raises(LessonFileError, match="more than 1,000,000 values"):
        dumps_document(lesson, h, 700)
    assert loads_document(dumps_document(lesson, None, 700))[2] == 700


def make_old_file(tmp_path):
    path = tmp_path / "lesson.json"
    write_lesson(path, load_preset("xor"))
    return path, path.read_bytes()


@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt])
def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch, where, error):
    path, old = make_old_file(tmp_path)

    def fail(*a, **k):
        raise error

    if where == "replace":
        monkeypatch.setattr(atomic.os, "replace", fail)
    elif where == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", fail)
    else:  # the disk fills up half-way through the data
        real_open = open

        class HalfFile:
            def __init__(self, f):
                self.f = f

            def write(self, data):
                self.f.write(data[:len(data) // 2])
                raise error

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

        monkeypatch.setattr(atomic, "open", lambda p, m="r", *a, **k: HalfFile(real_open(p, m)),
                            raising=False)
    lesson = load_preset("notes_relu")
    expected = LessonFileError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as e:
        write_lesson(path, lesson, None, 5)
    if expected is LessonFileError:
        assert "No space left on device" in str(e.value)
    assert path.read_bytes() == old  # byte-identical
    assert os.listdir(tmp_path) == ["lesson.json"]  # no temporary file left behind
    monkeypatch.undo()
    write_lesson(path, lesson, None, 5)  # and a later save works
    assert read_lesson(path)[2] == 5


def test_saving_keeps_the_file_mode_and_writes_through_a_symlink(tmp_path):
    path, _ = make_old_file(tmp_path)
    os.chmod(path, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(path)
    write_lesson(link, load_preset("notes_linear"), None, 3)
    assert link.is_symlink()
    assert read_lesson(path)[2] == 3
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["lesson.json", "link.json"]


def test_an_unwritable_folder_gives_a_one_line_message(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(LessonFileError, match="the file cannot be written: Permission denied"):
            write_lesson(folder / "x.json", load_preset("xor"))
    finally:
        os.chmod(folder, 0o700)


def test_saving_onto_a_device_is_refused_and_writes_nothing():
    if not os.path.exists(os.devnull) or not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("no character device at os.devnull")
    before = os.stat(os.devnull)
    with pytest.raises(LessonFileError) as e:
        write_lesson(os.devnull, load_preset("xor"))
    assert str(e.value) == "is not a regular file (a character device); choose another name"
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino  # the same device node, not a new file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_saving_onto_a_fifo_a_socket_or_a_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # short names: socket paths are limited to ~100 bytes
    os.mkfifo("fifo.json")
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "folder.json" / "inside").write_bytes(b"kept")
    (tmp_path / "link.json").symlink_to(tmp_path / "fifo.json")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock.json")
        fifo = "a FIFO (named pipe)"
        for name, kind in [("fifo.json", fifo), ("link.json", fifo), ("sock.json", "a socket"),
                           ("folder.json", "a folder")]:
            with pytest.raises(LessonFileError) as e:
                write_lesson(tmp_path / name, load_preset("xor"))
            assert str(e.value) == f"is not a regular file ({kind}); choose another name"
        assert stat.S_ISSOCK(os.stat("sock.json").st_mode)
    assert stat.S_ISFIFO(os.stat("fifo.json").st_mode) and os.path.islink("link.json")
    assert (tmp_path / "folder.json" / "inside").read_bytes() == b"kept"
    assert sorted(os.listdir(tmp_path)) == ["fifo.json", "folder.json", "link.json", "sock.json"]


def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path, _ = make_old_file(tmp_path)
    # what a save killed before its rename leaves: our temporary, named as atomic.py names it
    with pytest.raises(KeyboardInterrupt), atomic.atomic_path(path) as tmp:
        leftover = os.path.basename(tmp)
        with open(tmp, "wb") as f:
            f.write(b"half a lesson")
        os.link(tmp, tmp_path / "copy")  # the kill: this name outlives the clean-up
        raise KeyboardInterrupt
    os.rename(tmp_path / "copy", tmp_path / leftover)
    assert atomic.is_stale_temporary(leftover, "lesson.json")
    old = time.time() - 2 * atomic.STALE_SECONDS
    os.utime(tmp_path / leftover, (old, old))
    write_lesson(path, load_preset("xor"), None, 1)
    assert sorted(os.listdir(tmp_path)) == ["lesson.json"]
    assert read_lesson(path)[2] == 1


def test_only_our_own_old_temporaries_are_removed(tmp_path):
    path, _ = make_old_file(tmp_path)
    old = time.time() - 2 * atomic.STALE_SECONDS
    ours = [".lesson.json.a1b2c3d_.tmp", ".lesson.json.zzzzzzzz.tmp"]
    others = [".lesson.json.A1B2C3D4.tmp", ".lesson.json.abc.tmp", ".lesson.json.abcdefghi.tmp",
              "lesson.json.abcdefgh.tmp", ".lesson.json.abcdefgh.tmp.bak",
              ".other.json.abcdefgh.tmp", ".lesson.jsonx.abcdefgh.tmp", ".lesson.json.abcdefgh.TMP",
              "notes.txt"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (old, old))
    fresh = ".lesson.json.freshnow.tmp"  # another program's save, in progress
    (tmp_path / fresh).write_bytes(b"x")
    folder = tmp_path / ".lesson.json.folder00.tmp"  # our name, but a folder
    folder.mkdir()
    link = tmp_path / ".lesson.json.symlink0.tmp"  # our name, but a link to someone's file
    link.symlink_to(tmp_path / "notes.txt")
    os.utime(link, (old, old), follow_symlinks=False)
    write_lesson(path, load_preset("xor"))
    left = set(os.listdir(tmp_path))
    assert not left & set(ours)
    assert left == {"lesson.json", fresh, folder.name, link.name, *others}
    assert (tmp_path / "notes.txt").read_bytes() == b"x"


def test_stamps_tell_a_changed_file_from_a_touched_one(tmp_path):
    path = tmp_path / "a.json"
    stamp = write_lesson(path, load_preset("xor"))
    data = path.read_bytes()

    def matches():
        return stamp.matches(os.stat(path), path.read_bytes)

    assert matches()
    os.utime(path, ns=(stamp.mtime_ns + 10**9, stamp.mtime_ns + 10**9))
    assert matches()  # touched: the same bytes
    path.write_bytes(data.replace(b"XOR", b"ROX"))  # the same size, other bytes
    assert not matches()
    os.utime(path, ns=(stamp.mtime_ns, stamp.mtime_ns))  # even at the same time (coarse clocks)
    assert not matches()
    path.write_bytes(data + b" ")
    assert not matches()


def test_read_only_means_no_write_bits_even_for_root(tmp_path):
    path, _ = make_old_file(tmp_path)
    assert not atomic.is_read_only(path)
    os.chmod(path, 0o444)
    assert atomic.is_read_only(path)
    assert not atomic.is_read_only(tmp_path / "missing.json")


# -- the JSON Schema -------------------------------------------------------------------------------
def test_the_schema_uses_only_keywords_the_checker_knows():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert keywords(schema) <= SUPPORTED, keywords(schema) - SUPPORTED
    assert schema["properties"]["version"]["maximum"] == VERSION


def test_presets_and_saved_files_conform_to_the_schema(tmp_path):
    schema = load_schema()
    for name in preset_names():
        d = json.loads((resources.files("resources") / "presets" / f"{name}.json")
                       .read_text("utf-8"))
        assert errors(d, schema) == [], name
    lesson = awkward_lesson()
    write_lesson(tmp_path / "a.json", lesson, long_history(1 + lesson.network.n_params), 1000)
    d = json.loads((tmp_path / "a.json").read_text("utf-8"))
    assert errors(d, schema) == []
    assert errors(document_to_dict(lesson), schema) == []
