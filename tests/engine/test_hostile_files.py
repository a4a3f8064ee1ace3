"""Hostile files: valid lesson files mutated — truncated, not UTF-8, NaN literals, numbers like
1e999, deep nesting, huge arrays, wrong types, missing keys, a future version — either open as a
consistent lesson or are refused with a one-line ``LessonFileError``, each within a time bound;
nothing else may escape (no other exception, no hang, no unbounded memory). Paths that are not
regular files (a FIFO, a device, a socket, a folder) are refused at once, without blocking."""
import json
import os
import re
import socket
import stat
import threading
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine import Network
from engine.datasets import GeneratorSettings, with_features
from engine.lesson import (
    MAX_VALUES,
    Lesson,
    LessonFileError,
    dumps_document,
    load_preset,
    loads_document,
    preset_names,
    read_document,
    read_file,
    read_lesson,
    write_lesson,
)
from engine.history import History

CASE_SECONDS = 1.0
HOSTILE = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example])


def _valid_files():
    files = [dumps_document(load_preset(name)) for name in preset_names()]
    lesson = load_preset("notes_softmax")
    h = History(1 + lesson.network.n_params, capacity=4)
    h.append(np.random.default_rng(0).uniform(size=(11, h.n_columns)))
    lesson.extra = {"notes": {"week": [1, 2, {"x": "y"}]}}
    files.append(dumps_document(lesson, h, 11))  # state, history (stride 2) and an extra key
    # version 2: features, a split, a generator and a shuffle seed
    settings = GeneratorSettings("circle", 12, 0.5, 4)
    raw, T = settings.generate()
    net = Network([4, 2, 1], ["tanh", "sigmoid"], "cross_entropy", seed=1)
    files.append(dumps_document(Lesson(
        net, with_features(raw, ("x1sq", "x2sq")), T, 0.5, 3, 0, "v2", "",
        features=("x1sq", "x2sq"), test_ratio=0.25, split_seed=2, shuffle_seed=5,
        generator=settings)))
    return files


VALID = _valid_files()


def check(data: bytes):
    """Open ``data``: a consistent lesson or a one-line LessonFileError, in bounded time."""
    t0 = time.perf_counter()
    try:
        lesson, history, steps = loads_document(data)
    except LessonFileError as e:
        message = str(e)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert len(message) <= 400
        message.encode("utf-8")  # printable on any terminal, no lone surrogates
        outcome = "refused"
    else:
        net = lesson.network
        assert net.theta.dtype == np.float64 and np.isfinite(net.theta).all()
        assert lesson.inputs.shape == (len(lesson.targets), net.sizes[0])
        assert np.isfinite(lesson.inputs).all() and np.isfinite(lesson.targets).all()
        assert np.isfinite(lesson.lr) and lesson.lr > 0 and steps >= 0
        if history is not None:
            assert history.n_columns == 1 + net.n_params and history.step_count == steps
        # what opened saves and reopens to the same thing
        again, _, steps2 = loads_document(dumps_document(lesson, history, steps))
        assert again.network.theta.tobytes() == net.theta.tobytes() and steps2 == steps
        outcome = "opened"
    elapsed = time.perf_counter() - t0
    assert elapsed < CASE_SECONDS, f"{elapsed:.2f} s"
    event(outcome)
    return outcome


# -- bytes -----------------------------------------------------------------------------------------
@st.composite
def byte_mutations(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[i:]
        elif kind == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[i:i + draw(st.integers(1, 16))]
    return bytes(data)


@HOSTILE
@given(byte_mutations())
def test_byte_mutations(data):
    check(data)


# -- literals --------------------------------------------------------------------------------------
NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.\"])")
LITERALS = [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1e-999", b"1E400",
            b"true", b"false", b"null", b'"1"', b'""', b"[]", b"{}", b"[1, 2]", b"1" * 400,
            b"-" + b"9" * 60, b"0", b"-0.0", b"1e308", b"2", b"3", b"1024", b"1.5", b"-1",
            b"4294967296", b"\"\\ud800\"", b"\"\xff\"", b"\"w35\""]


@st.composite
def literal_mutations(draw):
    data = draw(st.sampled_from(VALID))
    spots = list(NUMBER.finditer(data)) + list(re.finditer(rb'"[^"\\]*"', data))
    for _ in range(draw(st.integers(1, 3))):
        m = spots[draw(st.integers(0, len(spots) - 1))]
        new = draw(st.sampled_from(LITERALS))
        if m.end() <= len(data) and data[m.start():m.end()] == m.group():
            data = data[:m.start()] + new + data[m.end():]
    return data


@HOSTILE
@given(literal_mutations())
def test_literal_mutations(data):
    check(data)


# -- structures ------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)


def paths(value, max_depth=40):
    """Every path into a parsed JSON value (down to ``max_depth``: an earlier "nest" mutation
    may have made a value thousands of lists deep)."""
    todo = [((), value)]
    while todo:
        prefix, value = todo.pop()
        yield prefix
        if len(prefix) >= max_depth:
            continue
        if isinstance(value, dict):
            todo += [(prefix + (k,), v) for k, v in reversed(value.items())]
        elif isinstance(value, list):
            todo += [(prefix + (i,), v) for i, v in reversed(list(enumerate(value[:8])))]


def nested(value, depth):
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def structure_mutations(draw):
    d = json.loads(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 2))):
        all_paths = list(paths(d))
        path = all_paths[draw(st.integers(0, len(all_paths) - 1))]
        kind = draw(st.sampled_from(["replace", "delete", "nest", "huge", "version", "add"]))
        if kind == "version":
            d["version"] = draw(st.sampled_from([2, 3, 10**6, 2**70, -1, 0, "2", 1.5, None]))
            continue
        if not path:
            if kind == "replace":
                d = draw(json_values)
                if not isinstance(d, dict):
                    return json.dumps(d).encode()
            continue
        parent = d
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        if kind == "replace":
            parent[key] = draw(json_values)
        elif kind == "delete":
            del parent[key]
        elif kind == "nest":
            parent[key] = nested(parent[key], draw(st.sampled_from([2, 40, 500, 5000])))
        elif kind == "huge":
            n = draw(st.sampled_from([1000, 100_000, MAX_VALUES + 1]))
            parent[key] = [0.5] * n if draw(st.booleans()) else [[0.5, -0.5]] * (n // 2)
        elif kind == "add" and isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=6))] = draw(json_values)
    try:
        return json.dumps(d).encode()
    except RecursionError:  # nested beyond what json.dumps writes: write it by hand
        return (b"[" * 5000) + b"0" + (b"]" * 5000)


@HOSTILE
@given(structure_mutations())
def test_structure_mutations(data):
    check(data)


# -- the extremes, with a memory bound -------------------------------------------------------------
def big_inputs(n):
    d = json.loads(VALID[0])
    d["data"]["inputs"] = [[0.25, 0.5]] * n
    d["data"]["targets"] = [[0.0, 0.0, 0.0]] * n
    return json.dumps(d).encode()


def big_network(layers):
    d = json.loads(VALID[0])
    d["network"]["layers"] = layers
    d["network"]["activations"] = ["linear"] * (len(layers) - 1)
    return json.dumps(d).encode()


EXTREMES = {
    "a million values": b"[" + b"0.5," * MAX_VALUES + b"0.5]",
    "a million empty lists": b"[" + b"[]," * MAX_VALUES + b"[]]",
    "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "deep objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "a long string": b'{"format": "' + b"x" * 40_000_000 + b'"}',
    "huge integer": b'{"format": "backprop-lab", "version": ' + b"9" * 100_000 + b"}",
    "a huge network in a small file": big_network([1000, 1000]),
    "the largest network (allowed, but incomplete)": big_network([300, 330]),
    "200k samples (allowed)": big_inputs(100_000),
}


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extremes_take_bounded_time_and_memory(name):
    data = EXTREMES[name]
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        try:
            loads_document(data)
            outcome = "opened"
        except LessonFileError as e:
            assert "\n" not in str(e)
            outcome = str(e)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # generous for slow CI machines: tracemalloc itself slows parsing down several times
    assert elapsed < 10 * CASE_SECONDS, (name, elapsed)
    assert peak < 3 * len(data) + 150 * 2**20, (name, peak)
    if name.endswith("(allowed)"):
        assert outcome == "opened"
    else:
        assert outcome != "opened"


# -- paths that are not regular files --------------------------------------------------------------
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")


def finishes(fn, seconds=5.0):
    """``fn()``'s exception (or None) — failing the test if it has not returned within
    ``seconds`` (it runs in a daemon thread, so a call that blocks cannot hang the suite)."""
    outcome = []

    def run():
        try:
            fn()
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 (handed back to the test)
            outcome.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} blocked for {seconds} s"
    return outcome[0]


def refusal(path):
    e = finishes(lambda: read_lesson(path))
    assert isinstance(e, LessonFileError), e
    assert "\n" not in str(e)
    return str(e)


@needs_fifo
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "lesson.json"
    os.mkfifo(fifo)
    assert refusal(fifo) == ("this is a FIFO (named pipe), not a regular file; only lesson "
                             "files can be opened")
    link = tmp_path / "link.json"
    link.symlink_to(fifo)
    assert refusal(link).startswith("this is a FIFO (named pipe), not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # and it is left as it was


@needs_fifo
def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch):
    """The path passes the first check (it was a regular file), then turns out to be a FIFO:
    the open does not wait for a writer and the open descriptor is checked again."""
    fifo = tmp_path / "lesson.json"
    os.mkfifo(fifo)
    regular = os.stat(__file__)
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: regular if os.fspath(p) == str(fifo)
                        else real_stat(p, *a, **k))
    e = finishes(lambda: read_file(fifo))
    assert isinstance(e, LessonFileError)
    assert str(e).startswith("this is a FIFO (named pipe), not a regular file")


def test_a_device_is_refused(tmp_path):
    if not os.path.exists(os.devnull) or not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        pytest.skip("no character device at os.devnull")
    assert refusal(os.devnull) == ("this is a character device, not a regular file; only "
                                   "lesson files can be opened")


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this OS")
def test_a_socket_and_a_folder_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as s:
        s.bind("s.json")
        assert refusal(tmp_path / "s.json").startswith(
            "this is a socket, not a regular file")
    (tmp_path / "folder.json").mkdir()
    assert refusal(tmp_path / "folder.json") == "this is a folder, not a file"


def test_read_document_stamps_the_bytes_it_read(tmp_path):
    path = tmp_path / "a.json"
    stamp = write_lesson(path, load_preset("xor"), None, 3)
    lesson, history, steps, read_stamp = read_document(path)
    assert (lesson.name, history, steps) == ("XOR", None, 3)
    assert read_stamp == stamp
    st = os.stat(path)
    assert (stamp.mtime_ns, stamp.size) == (st.st_mtime_ns, st.st_size)
