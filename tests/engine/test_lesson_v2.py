"""Version 2 of the lesson file: the data set fields (features, the train/test split, the
generator, the shuffle seed). Version-1 files open unchanged and are written back byte for byte;
version-2 files round-trip bit for bit; every new field is checked with a one-line message that
names it; the Lesson's helpers give the training and test samples."""
import copy
import json
import pathlib

import numpy as np
import pytest

from engine import Network
from engine.datasets import FEATURES, GeneratorSettings, generate, split, with_features
from engine.explain import explain_lesson, train_in_chunks
from engine.history import History
from engine.lesson import (
    Lesson, LessonFileError, document_from_dict, document_to_dict, dumps_document,
    lesson_to_dict, load_preset, loads_document, preset_names, read_document, read_lesson,
    write_lesson,
)
from tests.engine.schema_check import errors, load_schema
from tests.engine.test_lesson_file import assert_refused, assert_same_history, assert_same_lesson
from tests.engine.test_lesson_file import deleter as drop
from tests.engine.test_lesson_file import setter as put

FILES = pathlib.Path(__file__).with_name("files")
V1_FILES = ["v1_saved.json", "v1_batch.json"]  # written by the app before version 2


def assert_same_v2(a, b):
    assert_same_lesson(a, b)
    assert (a.features, a.test_ratio, a.split_seed, a.shuffle_seed, a.generator) == (
        b.features, b.test_ratio, b.split_seed, b.shuffle_seed, b.generator)
    assert type(a.test_ratio) is type(b.test_ratio) is float


def spiral_lesson(features=("x1sq", "x2sq", "x1x2", "sinx1", "sinx2")):
    settings = GeneratorSettings("spiral", 60, 0.25, 3)
    raw, T = settings.generate()
    X = with_features(raw, features)
    net = Network([X.shape[1], 4, 1], ["tanh", "sigmoid"], "cross_entropy", seed=2)
    return Lesson(net, X, T, lr=0.3, batch_size=8, seed=5, name="Spiral",
                  description="two arms", features=tuple(features), test_ratio=0.2,
                  split_seed=11, shuffle_seed=13, generator=settings)


# -- version 1 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", V1_FILES)
def test_a_saved_version_1_file_opens_unchanged_and_saves_byte_for_byte(name, tmp_path):
    data = (FILES / name).read_bytes()
    lesson, history, steps = loads_document(data)
    assert (lesson.features, lesson.test_ratio, lesson.split_seed, lesson.shuffle_seed,
            lesson.generator) == ((), 0.0, 0, None, None)
    assert not lesson.uses_version_2()
    assert lesson.inputs.shape[1] == lesson.network.sizes[0] == lesson.n_raw
    assert lesson.raw_inputs.tobytes() == lesson.inputs.tobytes()
    d = json.loads(data)
    assert lesson.inputs.tolist() == d["data"]["inputs"]
    assert dumps_document(lesson, history, steps) == data  # still version 1, the same bytes
    path = tmp_path / name
    write_lesson(path, lesson, history, steps)
    assert path.read_bytes() == data
    X, T, Xt, Tt = lesson.train_test()  # every sample trains
    assert X.tobytes() == lesson.inputs.tobytes() and T.tobytes() == lesson.targets.tobytes()
    assert Xt.shape == (0, lesson.network.sizes[0]) and Tt.shape == (0, lesson.network.sizes[-1])


@pytest.mark.parametrize("name", preset_names())
def test_presets_are_version_1_and_open_with_the_defaults(name):
    lesson = load_preset(name)
    assert not lesson.uses_version_2() and lesson.features == () and lesson.generator is None
    d = json.loads(dumps_document(lesson))
    assert d["version"] == 1
    assert set(d["data"]) == {"inputs", "targets"}
    assert set(d["training"]) == {"lr", "batch_size", "seed"}
    assert errors(d, load_schema()) == []


def test_the_migration_reads_a_version_1_file_as_version_2_with_the_defaults():
    d = json.loads((FILES / "v1_batch.json").read_bytes())
    one = document_from_dict(copy.deepcopy(d))[0]
    d["version"] = 2
    two = document_from_dict(d)[0]
    assert_same_v2(one, two)


@pytest.mark.parametrize("where,key,value", [
    ("data", "features", []), ("data", "test_ratio", 0.0), ("data", "split_seed", 0),
    ("data", "generator", None), ("training", "shuffle_seed", None),
])
def test_a_version_1_file_may_not_use_the_new_fields(where, key, value):
    d = json.loads((FILES / "v1_batch.json").read_bytes())
    d[where][key] = value
    with pytest.raises(LessonFileError, match=rf"^{where}\.{key} needs version 2 of the file "
                                              r"format; this file says version 1$"):
        document_from_dict(d)


# -- version 2 -------------------------------------------------------------------------------------
def test_version_2_round_trip_bit_for_bit(tmp_path):
    lesson = spiral_lesson()
    assert lesson.uses_version_2()
    net = lesson.network
    X, T, _, _ = lesson.train_test()
    net.train(X, T, lesson.lr, 25, lesson.batch_size, shuffle_seed=lesson.shuffle_seed)
    history = History(1 + net.n_params, capacity=8)
    history.append(np.random.default_rng(1).normal(size=(25, 1 + net.n_params)))
    path = tmp_path / "spiral.json"
    write_lesson(path, lesson, history, 25)
    d = json.loads(path.read_text("utf-8"))
    assert d["version"] == 2
    assert d["data"]["features"] == list(FEATURES)
    assert (d["data"]["test_ratio"], d["data"]["split_seed"]) == (0.2, 11)
    assert d["data"]["generator"] == {"name": "spiral", "count": 60, "noise": 0.25, "seed": 3}
    assert d["training"]["shuffle_seed"] == 13
    assert len(d["data"]["inputs"][0]) == 2  # the raw inputs only
    assert errors(d, load_schema()) == []
    back, hd, steps = read_lesson(path)
    assert_same_v2(lesson, back)
    assert_same_history(history, hd)
    assert steps == 25
    assert back.inputs.shape == (60, 7) and back.raw_inputs.shape == (60, 2)
    write_lesson(tmp_path / "again.json", back, hd, steps)
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("change", [
    dict(features=("x1x2",)), dict(test_ratio=0.1), dict(split_seed=4), dict(shuffle_seed=0),
    dict(generator=GeneratorSettings("xor", 4, 0.0, 1)),
])
def test_each_new_field_alone_makes_a_version_2_file_that_round_trips(change):
    lesson = load_preset("xor")
    if "features" in change:
        lesson.inputs = with_features(lesson.inputs, change["features"])
        lesson.network = Network([3, 2, 1], ["tanh", "sigmoid"], "half_sse")
    for key, value in change.items():
        setattr(lesson, key, value)
    assert lesson.uses_version_2()
    data = dumps_document(lesson)
    assert json.loads(data)["version"] == 2
    back = loads_document(data)[0]
    assert_same_v2(lesson, back)
    assert dumps_document(back) == data


def test_a_file_in_any_key_order_reads_the_same():
    d = lesson_to_dict(spiral_lesson())
    d["data"] = dict(reversed(list(d["data"].items())))
    d["data"]["generator"] = dict(reversed(list(d["data"]["generator"].items())))
    assert_same_v2(document_from_dict(d)[0], spiral_lesson())


# -- the Lesson's helpers --------------------------------------------------------------------------
def test_train_test_is_the_split_of_the_networks_inputs():
    lesson = spiral_lesson()
    train, test = lesson.split()
    assert [a.tolist() for a in (train, test)] == [a.tolist() for a in split(60, 0.2, 11)]
    assert len(test) == 12 and len(train) == 48
    X, T, Xt, Tt = lesson.train_test()
    assert X.tobytes() == lesson.inputs[train].tobytes()
    assert Tt.tobytes() == lesson.targets[test].tobytes()
    assert X.shape == (48, 7) and Xt.shape == (12, 7)
    assert lesson.n_raw == 2
    assert lesson.raw_inputs.tobytes() == np.ascontiguousarray(lesson.inputs[:, :2]).tobytes()


def test_explain_trains_on_the_training_samples_shuffled():
    lesson, ref = spiral_lesson(), spiral_lesson()
    train_in_chunks(lesson, 30)
    X, T, _, _ = ref.train_test()
    for s in range(30):
        idx = Network.batch_indices(48, 8, s, 13)
        ref.network.step(X[idx], T[idx], ref.lr)
    assert lesson.network.theta.tobytes() == ref.network.theta.tobytes()
    text = explain_lesson(spiral_lesson(), 3)
    assert "worked step 4" in text


# -- every new rule, with the field it names -----------------------------------------------------
def v2_base():
    return lesson_to_dict(spiral_lesson(("x1sq", "sinx2")))


V2_VIOLATIONS = [
    (put(["data", "features"], "x1sq"), "data.features must be a list, not the text", True),
    (put(["data", "features"], ["x1sq", "x3sq"]), 'data.features[1] is "x3sq"; choose from x1sq, '
     "x2sq, x1x2, sinx1, sinx2", True),
    (put(["data", "features"], ["x1sq", 7]), "data.features[1] must be a string, not the number 7",
     True),
    (put(["data", "features"], ["x1sq", "x1sq"]), 'data.features[1] is "x1sq", which '
     "data.features already lists", True),
    (put(["data", "features"], ["sinx2", "x1sq"]), "data.features must be in the order x1sq, "
     "x2sq, x1x2, sinx1, sinx2 (the order of the input neurons), not sinx2, x1sq", False),
    (put(["data", "features"], ["x1sq"]), "data.inputs[0] has 2 values, the network needs 3 (its "
     "4 inputs less 1 feature of data.features)", False),
    (put(["data", "features"], ["x1sq", "x2sq", "x1x2", "sinx1"]), "data.features has 4 "
     "features, but the network has 4 inputs: that leaves no raw input", False),
    (put(["data", "features"], ["x1sq", "x2sq", "sinx1"]), "data.features: feature x2sq (x2²) "
     "needs input x2, but there is 1 raw input", False),
    (put(["data", "inputs", 3], [0.5, "x"]), "data.inputs[3][1] must be a number", True),
    (put(["data", "test_ratio"], 0.95), "data.test_ratio must be from 0 to 0.9, not 0.95", True),
    (put(["data", "test_ratio"], -0.1), "data.test_ratio must be from 0 to 0.9", True),
    (put(["data", "test_ratio"], "0.2"), "data.test_ratio must be a number, not the text", True),
    (put(["data", "test_ratio"], None), "data.test_ratio must be a number, not null", True),
    (put(["data", "split_seed"], -1), "data.split_seed must be from 0", True),
    (put(["data", "split_seed"], 1.5), "data.split_seed must be a whole number", True),
    (put(["data", "generator"], "spiral"), "data.generator must be an object, not the text", True),
    (put(["data", "generator", "name"], "moons"), 'data.generator.name is "moons"; choose one of '
     "xor, circle, gaussians, spiral, curve", True),
    (put(["data", "generator", "name"], "curve"), 'data.generator.name is "curve", which makes 1 '
     "raw input and 1 target per sample; this lesson has 2 and 1", False),
    (drop(["data", "generator", "seed"]), "data.generator.seed is missing", True),
    (put(["data", "generator", "count"], 3), "data.generator.count must be from 4 to 2,000, not 3",
     True),
    (put(["data", "generator", "count"], 2.5), "data.generator.count must be a whole number",
     True),
    (put(["data", "generator", "noise"], 1.5), "data.generator.noise must be from 0 to 1, not 1.5",
     True),
    (put(["data", "generator", "noise"], True), "data.generator.noise must be a number, not true",
     True),
    (put(["data", "generator", "seed"], -2), "data.generator.seed must be from 0", True),
    (put(["data", "generator", "colour"], 1), "data.generator.colour is not a field this version "
     "knows", True),
    (put(["data", "seed"], 1), "data.seed is not a field this version knows", True),
    (put(["training", "shuffle_seed"], -1), "training.shuffle_seed must be from 0", True),
    (put(["training", "shuffle_seed"], "1"), "training.shuffle_seed must be a whole number", True),
    (put(["training", "batch_size"], 49), "training.batch_size must be null or a whole number "
     "from 1 to 48 (the training samples: 60 less 12 for testing), not the number 49", False),
    (put(["version"], 3), "version 3 is newer than this Backprop Lab reads (up to 2)", True),
]


@pytest.mark.parametrize("mutate, expected, schema_catches", V2_VIOLATIONS,
                         ids=[v[1][:50] for v in V2_VIOLATIONS])
def test_each_new_field_is_checked_naming_it(mutate, expected, schema_catches):
    d = v2_base()
    document_from_dict(copy.deepcopy(d))  # the base is valid
    assert errors(d, load_schema()) == []
    mutate(d)
    assert_refused(d, expected, schema_catches)


def test_a_batch_size_up_to_the_training_samples_and_a_null_generator_are_fine():
    d = v2_base()
    d["training"]["batch_size"] = 48
    d["data"]["generator"] = None
    lesson = document_from_dict(d)[0]
    assert lesson.batch_size == 48 and lesson.generator is None


# -- writing refuses a lesson whose parts do not fit ---------------------------------------------
def test_writing_checks_the_feature_columns():
    lesson = spiral_lesson(("x1sq",))
    lesson.inputs = lesson.inputs.copy()
    lesson.inputs[4, 0] += 1.0  # a raw input edited without its feature
    with pytest.raises(LessonFileError, match=r"^the lesson's input column 3 \(x1²\) is not what "
                                              r"its feature makes of the raw inputs"):
        dumps_document(lesson)
    lesson = spiral_lesson(("x1sq",))
    lesson.features = ("x2sq",)
    with pytest.raises(LessonFileError, match=r"^the lesson's input column 3 \(x2²\)"):
        dumps_document(lesson)
    lesson = spiral_lesson(("x1sq", "x2sq"))
    lesson.features = ("x2sq", "x1sq")
    with pytest.raises(LessonFileError, match=r"^data.features must be in the order x1sq"):
        dumps_document(lesson)
    lesson = spiral_lesson(("x1sq",))
    lesson.features = ("x1sq", "x2sq")
    with pytest.raises(LessonFileError, match=r"^data.features: feature x2sq \(x2²\) needs input "
                                              r"x2, but there is 1 raw input$"):
        dumps_document(lesson)
    lesson.features = ("x1sq", "x2sq", "sinx1")
    with pytest.raises(LessonFileError, match=r"^data.features has 3 features; the network's 3 "
                                              r"inputs leave no raw input$"):
        dumps_document(lesson)


def test_a_lesson_from_a_file_written_by_hand_is_what_it_reads():
    """The file's inputs are raw; the lesson's are the network's (features appended)."""
    d = v2_base()
    raw = np.array(d["data"]["inputs"])
    lesson = document_from_dict(d)[0]
    assert lesson.inputs.tobytes() == with_features(raw, ("x1sq", "sinx2")).tobytes()
    assert lesson.network.sizes[0] == 4
    net = lesson.network
    net.train(lesson.inputs, lesson.targets, lesson.lr, 3, lesson.batch_size)  # callers of v1


def test_the_document_with_state_and_history_is_version_2_too(tmp_path):
    lesson = spiral_lesson(())
    lesson.features = ()
    d = document_to_dict(lesson, None, 7)
    assert d["version"] == 2 and d["state"] == {"step_count": 7}
    path = tmp_path / "s.json"
    write_lesson(path, lesson, None, 7)
    back, _, steps, stamp = read_document(path)
    assert steps == 7 and stamp is not None
    assert_same_v2(lesson, back)


def test_generator_settings_are_checked_when_made():
    with pytest.raises(ValueError, match=r"^noise must be a number from 0 to 1, not 2$"):
        GeneratorSettings("xor", 10, 2, 0)
    g = GeneratorSettings("curve", 10, 0, 0)
    assert g.noise == 0.0 and type(g.noise) is float
    X, T = g.generate()
    assert X.tobytes() == generate("curve", 10, 0.0, 0)[0].tobytes()
