"""Lesson scripts (engine.script): the JSON form round-trips, the built-in tour is valid and
agrees with its schema, a slide's state is rebuilt exactly, and every malformed or hostile
script is refused with one line naming the field."""
from __future__ import annotations

import json
import os
import pathlib
import time

import numpy as np
import pytest

from engine.lesson import document_to_dict, load_preset, preset_names
from engine.script import (
    FORMAT, PANELS, Action, Script, ScriptFileError, Show, Slide, SlideState, builtin_script,
    dumps_script, element_key, loads_script, read_script, script_from_dict, script_to_dict,
    write_script,
)

from . import schema_check

SCHEMA = pathlib.Path(__file__).resolve().parents[2] / "resources" / "schema" / \
    "script.schema.json"


def tour_dict():
    return script_to_dict(builtin_script())


def minimal(**slide):
    s = {"state": {"preset": "notes_linear"}}
    s.update(slide)
    return {"format": FORMAT, "version": 1, "slides": [s]}


# -- round trip ------------------------------------------------------------------------------------
def test_the_tour_round_trips_byte_for_byte(tmp_path):
    script = builtin_script()
    data = dumps_script(script)
    again = loads_script(data)
    assert script_to_dict(again) == script_to_dict(script)
    assert dumps_script(again) == data
    path = tmp_path / "tour.json"
    write_script(path, again)
    assert path.read_bytes() == data
    assert script_to_dict(read_script(path)) == script_to_dict(script)


def test_a_recorded_state_is_rebuilt_bit_for_bit_and_independent():
    lesson = load_preset("notes_relu")
    X, T = lesson.inputs, lesson.targets
    lesson.network.train(X, T, lesson.lr, 37)
    lesson.lr = 0.25
    state = SlideState.of(lesson, step_count=37)
    slide = Slide(state, "prompt *md*", "t", Show(("loss",), False, True, False), "w35",
                  Action("step", count=2))
    back = loads_script(dumps_script(Script([slide])))
    built, history, steps = back.slides[0].state.build()
    assert steps == 37 and history is None and built.lr == 0.25
    assert built.network.theta.tobytes() == lesson.network.theta.tobytes()
    assert back.slides[0].show == Show(("loss",), False, True, False)
    assert back.slides[0].action == Action("step", count=2) and back.slides[0].select == "w35"
    # every build is a new network: changing one does not change the slide
    built.network.theta[:] = 0
    again, _, _ = back.slides[0].state.build()
    assert again.network.theta.tobytes() == lesson.network.theta.tobytes()


def test_a_preset_state_with_steps_is_the_preset_trained_that_far():
    lesson, history, steps = SlideState(preset="notes_linear", steps=25).build()
    ref = load_preset("notes_linear")
    losses = ref.network.train(ref.inputs, ref.targets, ref.lr, 25)
    assert steps == 25 and history.step_count == 25
    assert lesson.network.theta.tobytes() == ref.network.theta.tobytes()
    assert history.curve(0)[1][0] == losses[0]


def test_element_keys():
    net = load_preset("notes_linear").network
    assert element_key("w35", net) == ("w", 3, 5)
    assert element_key("b6", net) == ("b", 6)
    assert element_key("y5", net) == ("n", 5)
    assert element_key("x2", net) == ("n", 2)
    for bad in ("w53", "y1", "x3", "y8", "y05", "", "w3,5"):
        with pytest.raises(ValueError):
            element_key(bad, net)


# -- the schema ------------------------------------------------------------------------------------
def combined_schema():
    """The script schema with the lesson schema it names put inside it, so the small checker
    (local references only) can follow it."""
    script = json.loads(SCHEMA.read_text("utf-8"))
    lesson = schema_check.load_schema()
    for name, sub in lesson.pop("$defs").items():
        assert name not in script["$defs"]
        script["$defs"][name] = sub
    lesson.pop("$schema")
    script["$defs"]["lesson_file"] = lesson
    script["$defs"]["state"]["properties"]["lesson"] = {"$ref": "#/$defs/lesson_file"}
    return script


def test_the_schema_uses_only_checked_keywords_and_knows_the_presets_and_panels():
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert schema_check.keywords(schema) <= schema_check.SUPPORTED
    assert schema["$defs"]["state"]["properties"]["preset"]["enum"] == preset_names()
    assert tuple(schema["$defs"]["show"]["properties"]["panels"]["items"]["enum"]) == PANELS


def test_the_tour_and_a_recorded_script_agree_with_the_schema():
    schema = combined_schema()
    assert schema_check.errors(tour_dict(), schema) == []
    lesson = load_preset("xor")
    recorded = script_to_dict(Script([Slide(SlideState.of(lesson, 0), "p"),
                                       Slide(SlideState(preset="xor", steps=3), "q")]))
    assert schema_check.errors(json.loads(json.dumps(recorded)), schema) == []


# -- malformed scripts -----------------------------------------------------------------------------
def lesson_state():
    return {"lesson": document_to_dict(load_preset("notes_linear"), None, 5)}


CASES = [
    (lambda d: d.update(version=2), "version 2 is newer than this Backprop Lab reads"),
    (lambda d: d.update(version="1"), 'version must be a whole number, not the text "1"'),
    (lambda d: d.update(version=0), "version must be 1 or more"),
    (lambda d: d.pop("format"), "format is missing"),
    (lambda d: d.update(format="backprop-lab"), "this is a lesson file"),
    (lambda d: d.pop("slides"), "slides is missing"),
    (lambda d: d.update(slides=[]), "slides is empty"),
    (lambda d: d.update(slides={}), "slides must be a list, not an object"),
    (lambda d: d.update(slides=[None] * 501), "slides has 501 slides"),
    (lambda d: d["slides"].__setitem__(0, 3), "slides[0] must be an object, not the number 3"),
    (lambda d: d["slides"][0].pop("state"), "slides[0].state is missing"),
    (lambda d: d["slides"][0].update(colour="red"), "slides[0].colour is not a field"),
    (lambda d: d["slides"][0].update(prompt=3), "slides[0].prompt must be a string"),
    (lambda d: d["slides"][0].update(prompt="x" * 20_001), "slides[0].prompt has 20,001"),
    (lambda d: d["slides"][0].update(title=["a"]), "slides[0].title must be a string"),
    (lambda d: d["slides"][0]["state"].update(preset="nope"),
     'slides[0].state.preset is "nope"; choose one of notes_linear'),
    (lambda d: d["slides"][0]["state"].update(preset=1), "slides[0].state.preset must be a string"),
    (lambda d: d["slides"][0].update(state={}), "slides[0].state needs a preset or a lesson"),
    (lambda d: d["slides"][0]["state"].update(lesson_state()),
     "slides[0].state needs a preset or a lesson (one of them)"),
    (lambda d: d["slides"][0]["state"].update(steps=-1), "slides[0].state.steps must be from 0"),
    (lambda d: d["slides"][0]["state"].update(steps=1.5),
     "slides[0].state.steps must be a whole number"),
    (lambda d: d["slides"][0]["state"].update(steps=10**6), "slides[0].state.steps must be from"),
    (lambda d: d["slides"][0]["state"].update(sample=1), "slides[0].state.sample is 1, but the "
     "lesson has 1 sample"),
    (lambda d: d["slides"][0].update(state=dict(lesson_state(), steps=3)),
     "slides[0].state.steps is for a preset"),
    (lambda d: d["slides"][0].update(state={"lesson": {"format": "backprop-lab"}}),
     "slides[0].state.lesson: version is missing"),
    (lambda d: d["slides"][0].update(state=lesson_state())
     or d["slides"][0]["state"]["lesson"]["network"]["weights"].update(w35="abc"),
     'slides[0].state.lesson: network.weights.w35 must be a number, not the text "abc"'),
    (lambda d: d["slides"][0].update(show={"panels": ["loss", "math"]}),
     'slides[0].show.panels[1] is "math"; choose from lesson, inspector'),
    (lambda d: d["slides"][0].update(show={"panels": ["loss", "loss"]}),
     "slides[0].show.panels[1] is \"loss\", which slides[0].show.panels already lists"),
    (lambda d: d["slides"][0].update(show={"net": 1}), "slides[0].show.net must be true or false"),
    (lambda d: d["slides"][0].update(show={"panel": []}), "slides[0].show.panel is not a field"),
    (lambda d: d["slides"][0].update(action={"kind": "jump"}),
     'slides[0].action.kind is "jump"; choose one of step, phase, train, explain'),
    (lambda d: d["slides"][0].update(action={}), "slides[0].action.kind is missing"),
    (lambda d: d["slides"][0].update(action="step"), "slides[0].action must be an object"),
    (lambda d: d["slides"][0].update(action={"kind": "step", "count": 0}),
     "slides[0].action.count must be from 1"),
    (lambda d: d["slides"][0].update(action={"kind": "step", "to_step": 3}),
     "slides[0].action.to_step is not a field this version knows (known: kind, count)"),
    (lambda d: d["slides"][0].update(action={"kind": "phase", "count": 7}),
     "slides[0].action.count must be from 1 to 6"),
    (lambda d: d["slides"][0].update(action={"kind": "train"}),
     "slides[0].action.to_step is missing"),
    (lambda d: d["slides"][0].update(state=lesson_state(), action={"kind": "train", "to_step": 5}),
     "slides[0].action.to_step is 5, but the slide's state is at step 5 already"),
    (lambda d: d["slides"][0].update(action={"kind": "explain", "target": "w53"}),
     'slides[0].action.target is "w53", not a weight, bias or neuron of this 2-2-3 network'),
    (lambda d: d["slides"][0].update(select="y9"), 'slides[0].select is "y9", not a weight'),
    (lambda d: d["slides"][0].update(select=5), "slides[0].select must be a string"),
    (lambda d: d["slides"][0].update(question={"kind": "guess", "target": "y5"}),
     'slides[0].question.kind is "guess"; choose one of delta, grad, new'),
    (lambda d: d["slides"][0].update(question={"kind": "delta", "target": "w35"}),
     'slides[0].question.target is "w35"; it must name a neuron (y5)'),
    (lambda d: d["slides"][0].update(question={"kind": "delta", "target": "x1"}),
     "inputs have no δ"),
    (lambda d: d["slides"][0].update(question={"kind": "new", "target": "y5"}),
     'slides[0].question.target is "y5"; it must name a weight or bias (w35, b5)'),
    (lambda d: d["slides"][0].update(question={"kind": "new"}),
     "slides[0].question.target is missing"),
    (lambda d: d.update(title=7), "title must be a string"),
    (lambda d: d.update(description=None), "description must be a string, not null"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_every_malformed_script_is_refused_with_one_line(change, message):
    d = minimal()
    change(d)
    with pytest.raises(ScriptFileError) as e:
        loads_script(json.dumps(d))
    text = str(e.value)
    assert message in text and "\n" not in text and len(text) <= 400, text


def test_a_later_slide_is_named_by_its_index():
    d = tour_dict()
    d["slides"][9]["action"] = {"kind": "explain", "target": "w99"}
    with pytest.raises(ScriptFileError, match=r"^slides\[9\]\.action\.target is \"w99\""):
        script_from_dict(d)


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"   \n", "the file is empty"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"format": "backprop-lab-script", "version": 1, "slides": [', "ends early"),
    (b"[1, 2]", "must hold a JSON object (a script), not a list"),
    (b'{"format": "backprop-lab-script", "version": 1, "slides": [{"state": '
     b'{"preset": "xor", "sample": NaN}}]}', "not valid JSON"),
    (b'{"format": "backprop-lab-script", "version": 1e999, "slides": []}',
     "version must be a whole number"),
    (b"[" * 100_000 + b"]" * 100_000, ""),
    (b"[" + b"0," * 1_000_001 + b"0]", "more than 1,000,000 values"),
    (b" " * (20 * 2**20 + 1), "larger than 20 MB"),
])
def test_hostile_bytes_are_refused_quickly_with_one_line(data, message):
    t = time.perf_counter()
    with pytest.raises(ScriptFileError) as e:
        loads_script(data)
    assert time.perf_counter() - t < 2
    assert message in str(e.value) and "\n" not in str(e.value)


def test_many_slides_of_long_trained_presets_open_without_training():
    slide = {"state": {"preset": "xor", "steps": 100_000}, "prompt": "p" * 10_000,
             "action": {"kind": "train", "to_step": 100_000_000}}
    d = {"format": FORMAT, "version": 1, "slides": [slide] * 500}
    t = time.perf_counter()
    script = loads_script(json.dumps(d))
    assert time.perf_counter() - t < 2 and len(script.slides) == 500
    d["slides"] = d["slides"] + [slide]
    with pytest.raises(ScriptFileError, match="slides has 501 slides; a script holds at most 500"):
        loads_script(json.dumps(d))


def test_only_regular_files_are_read_and_a_failed_write_changes_nothing(tmp_path):
    with pytest.raises(ScriptFileError, match="this is a folder"):
        read_script(tmp_path)
    with pytest.raises(ScriptFileError, match="no such file"):
        read_script(tmp_path / "missing.json")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        with pytest.raises(ScriptFileError, match="FIFO.*only script files"):
            read_script(fifo)
    path = tmp_path / "s.json"
    write_script(path, builtin_script())
    before = path.read_bytes()
    broken = builtin_script()
    broken.slides[0].action = Action("jump")
    with pytest.raises(ScriptFileError):
        write_script(path, broken)
    broken = builtin_script()
    broken.slides[0].select = "w99"
    with pytest.raises(ScriptFileError, match=r"slides\[0\]\.select"):
        write_script(path, broken)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["s.json"] + (["pipe.json"] if hasattr(os, "mkfifo") else []))
    with pytest.raises(ScriptFileError, match="not a regular file"):
        write_script(tmp_path, builtin_script())


def test_unknown_top_level_keys_are_kept():
    d = minimal()
    d["made_by"] = {"teacher": "A"}
    assert script_to_dict(loads_script(json.dumps(d)))["made_by"] == {"teacher": "A"}


# -- the tour's numbers ----------------------------------------------------------------------------
def test_the_tour_walks_the_notes_in_order_with_a_slide_at_each_slip():
    titles = [s.title for s in builtin_script().slides]
    order = ["numbering", "forward pass", "loss", "Err", "output δ", "hidden δ", "ReLU",
             "updates"]
    at = [next(i for i, t in enumerate(titles) if word in t) for word in order]
    assert at == sorted(at), titles
    slips = [s for s in builtin_script().slides if s.title.startswith("A slip")]
    assert [s.action.target for s in slips] == ["w46", "w24", "b6"]
    assert "w46 = w46 + Err6 y4" in slips[0].prompt
    assert "(Err7 w47)" in slips[1].prompt
    assert "b6 = b6 + δ6" in slips[2].prompt


def fmt3(v):
    from engine.numbers import fmt
    return fmt(v, 3)


def hand_forward(preset):
    """The notes' forward pass written out with NumPy, nothing from the engine's step."""
    lesson = load_preset(preset)
    net = lesson.network
    w = {p.label: float(net.theta[p.index]) for p in net.parameters()}
    x1, x2 = lesson.inputs[0]
    ob = lesson.targets[0]
    relu = lambda v: max(v, 0.0)  # noqa: E731
    out = relu if preset == "notes_relu" else (lambda v: v)
    d = {"net3": x1 * w["w13"] + x2 * w["w23"] + w["b3"],
         "net4": x1 * w["w14"] + x2 * w["w24"] + w["b4"]}
    d["y3"], d["y4"] = relu(d["net3"]), relu(d["net4"])
    for k in (5, 6, 7):
        d[f"net{k}"] = d["y3"] * w[f"w3{k}"] + d["y4"] * w[f"w4{k}"] + w[f"b{k}"]
        d[f"y{k}"] = out(d[f"net{k}"])
        d[f"Err{k}"] = ob[k - 5] - d[f"y{k}"]
        d[f"δ{k}"] = d[f"Err{k}"] * (1.0 if preset == "notes_linear" or d[f"net{k}"] > 0 else 0)
    d["L"] = 0.5 * sum(d[f"Err{k}"] ** 2 for k in (5, 6, 7))
    for h in (3, 4):
        d[f"δ{h}"] = sum(d[f"δ{k}"] * w[f"w{h}{k}"] for k in (5, 6, 7)) * (d[f"net{h}"] > 0)
    eta = lesson.lr
    d["w35new"] = w["w35"] + eta * d["δ5"] * d["y3"]
    d["w46new"] = w["w46"] + eta * d["δ6"] * d["y4"]
    d["w46slip"] = w["w46"] + d["Err6"] * d["y4"]          # the notes: η missing
    d["dw24"] = -d["δ4"] * x2
    d["w24new"] = w["w24"] + eta * d["δ4"] * x2
    bracket = -d["Err5"] * w["w45"] - d["Err6"] * w["w46"] + d["Err7"] * w["w47"]  # the slip
    d["dw24slip"] = bracket * x2
    d["w24slip"] = w["w24"] - eta * d["dw24slip"]
    d["w13new"] = w["w13"] + eta * d["δ3"] * x1
    d["b5new"] = w["b5"] + eta * d["δ5"]
    d["b5slip"] = w["b5"] + d["δ5"]
    return d


def test_the_prompts_numbers_are_the_notes_numbers_with_the_slips_corrected():
    lin, relu = hand_forward("notes_linear"), hand_forward("notes_relu")
    slides = {s.title: s.prompt for s in builtin_script().slides}

    def shows(title, *values):
        prompt = next(p for t, p in slides.items() if title in t)
        for v in values:
            assert fmt3(v) in prompt, (title, fmt3(v))

    shows("forward pass", lin["y3"], lin["y4"], lin["y5"], lin["y6"], lin["y7"])
    shows("The loss", lin["L"])
    shows("Err:", lin["Err5"], lin["Err6"], lin["Err7"])
    shows("output δ", lin["δ5"], lin["w35new"])
    shows("w46 without η", lin["w46new"], lin["w46slip"])
    assert fmt3(lin["w46new"]) != fmt3(lin["w46slip"])
    shows("The hidden δ", lin["δ3"], lin["δ4"], lin["w13new"])
    shows("sign of Err7", lin["dw24"], lin["w24new"], lin["dw24slip"], lin["w24slip"])
    shows("ReLU outputs", relu["δ5"], relu["net6"], relu["w35new"])
    assert relu["δ6"] == 0
    shows("hidden δ with ReLU", relu["δ3"], relu["δ4"], lin["δ3"])
    shows("b6 without η", relu["b5new"], relu["b5slip"])
    shows("The updates", relu["w35new"], relu["w13new"], relu["L"])
    # and the engine agrees with the hand computation
    lesson = load_preset("notes_linear")
    rec = lesson.network.step(lesson.inputs[0], lesson.targets[0], lesson.lr, apply=False)
    assert np.isclose(rec.loss, lin["L"]) and np.isclose(rec.delta(3), lin["δ3"])
