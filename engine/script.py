"""Lesson scripts: a teacher's prepared sequence of slides, each a state of the network with a
short prompt, what is visible, an optional action and an optional question — and their JSON
form, read and written safely (``resources/schema/script.schema.json``).

    {"format": "backprop-lab-script", "version": 1, "title": "…", "description": "…",
     "slides": [
       {"title": "The output δ",                                   (optional)
        "state": {"preset": "notes_linear", "steps": 0, "sample": 0},
                 (or {"lesson": {…a lesson file's JSON, engine.lesson…}, "sample": 0})
        "prompt": "Markdown shown beside the network",
        "show": {"panels": ["loss", "outputs"], "derivatives": true, "net": false,
                 "math": true},                                    (optional; these defaults)
        "select": "w35",                                           (optional)
        "action": {"kind": "explain", "target": "w35"},            (optional)
        "question": {"kind": "new", "target": "w13"}}, …]}         (optional)

**State.** A preset by name (``steps``: that many steps trained from it first, deterministic,
with the plots' history) or a lesson embedded as its file's JSON (``engine.lesson``: its
parameters, data and ``state.step_count``); ``sample`` is the sample the canvas shows. Every
time a slide is shown its state is built afresh (``SlideState.build``), so a slide looks the
same however often it is shown and whatever was tried in between.

**Show.** ``panels``: the panels open (``PANELS``; null leaves them as they are); ``derivatives``:
Err, δ and ∂L/∂w on the canvas; ``net``: net_j under every neuron; ``math``: the math panel.

**Action** (performed when the slide is shown, after its state is loaded): ``step`` (``count``
Steps), ``phase`` (``count`` phases of the next Step's phase walk), ``train`` (train until
``to_step``, after the state's step count), ``explain`` (select ``target`` and show its
derivation). **select**: a weight, bias or neuron selected (``w35``, ``b5``, ``y5``, ``x1``).
**Question**: predict-then-reveal of a quantity of the next Step: ``kind`` ``delta`` (a neuron's
δ), ``grad`` (∂L/∂θ) or ``new`` (a weight or bias after the Step), with its ``target``.

Everything that goes wrong raises ``ScriptFileError`` (a ``LessonFileError``, so a
``ValueError``) with one line naming the field, in the words lesson files use, e.g.
``slides[3].action.kind is "jump"; choose one of step, phase, train, explain``. NumPy and the
standard library only, like the rest of the engine.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import numpy as np

from .derivation import phases
from .history import History
from .lesson import (
    Lesson, LessonFileError, _describe, _dump, _get, _int, _join, _list, _no_unknown, _version,
    _obj, _one_line, _short, _str, document_from_dict, document_to_dict, load_preset,
    parse_json_file, preset_names, read_file, write_bytes,
)

FORMAT = "backprop-lab-script"
VERSION = 1
MAX_FILE_BYTES = 20 * 2**20
MAX_VALUES = 1_000_000
MAX_SLIDES = 500
MAX_PROMPT = 20_000          # characters of one slide's Markdown
MAX_TITLE = 200
MAX_STATE_STEPS = 100_000    # steps a preset state trains before it is shown
MAX_ACTION_STEPS = 1_000     # Steps one "step" action takes (each an undo command)
MAX_TRAIN_TO = 100_000_000
MAX_SAMPLE = 10**6

KNOWN_KEYS = ("format", "version", "title", "description", "slides")
SLIDE_KEYS = ("title", "state", "prompt", "show", "select", "action", "question")
STATE_KEYS = ("preset", "lesson", "steps", "sample")
SHOW_KEYS = ("panels", "derivatives", "net", "math")
#: the panels a slide can open or close (the math panel is ``show.math``; the Predict panel
#: belongs to the question)
PANELS = ("lesson", "inspector", "loss", "parameters", "outputs", "boundary")
ACTIONS = {"step": ("kind", "count"), "phase": ("kind", "count"), "train": ("kind", "to_step"),
           "explain": ("kind", "target")}
QUESTIONS = {"delta": "a neuron's δ", "grad": "∂L/∂ of a weight or bias",
             "new": "a weight or bias after the next Step"}


class ScriptFileError(LessonFileError):
    """A script (file or JSON form) that cannot be read or written: one line naming the field
    and the problem (never the file; callers add that)."""


# -- the model -------------------------------------------------------------------------------------
@dataclass
class Show:
    """What a slide shows: the panels open (None: as they are), the backward pass's numbers
    and net on the canvas, the math panel."""

    panels: tuple | None = None
    derivatives: bool = True
    net: bool = False
    math: bool = True

    def to_dict(self):
        return {"panels": None if self.panels is None else list(self.panels),
                "derivatives": self.derivatives, "net": self.net, "math": self.math}


@dataclass
class Action:
    """What a slide does once its state is loaded: ``kind`` one of ``ACTIONS``."""

    kind: str
    count: int = 1
    to_step: int = 0
    target: str = ""

    def to_dict(self):
        d = {"kind": self.kind, "count": self.count, "to_step": self.to_step,
             "target": self.target}
        return {k: d[k] for k in ACTIONS[self.kind]}

    def describe(self):
        """The action in words, for the recorder's list."""
        if self.kind == "step":
            return "Step" if self.count == 1 else f"{self.count} Steps"
        if self.kind == "phase":
            return "the next phase" if self.count == 1 else f"{self.count} phases"
        if self.kind == "train":
            return f"train to step {self.to_step:,}"
        return f"explain {self.target}"


@dataclass
class Question:
    """Predict, then reveal: ``kind`` one of ``QUESTIONS``, about ``target``."""

    kind: str
    target: str

    def to_dict(self):
        return {"kind": self.kind, "target": self.target}


@dataclass
class SlideState:
    """A preset (``steps`` trained from it) or an embedded lesson (its file's JSON form)."""

    preset: str | None = None
    lesson: dict | None = None
    steps: int = 0
    sample: int = 0

    @classmethod
    def of(cls, lesson: Lesson, step_count=0, sample=0):
        """The state of a lesson as it is now (a copy: later changes to ``lesson`` do not
        reach the slide); no history."""
        d = document_to_dict(lesson, None, int(step_count))
        return cls(lesson=json.loads(json.dumps(d, allow_nan=False)), sample=int(sample))

    def build(self):
        """(Lesson, History or None, step_count): new objects every time."""
        if self.lesson is not None:
            lesson, history, step_count = document_from_dict(copy.deepcopy(self.lesson))
            return lesson, history, step_count
        lesson = load_preset(self.preset)
        if not self.steps:
            return lesson, None, 0
        return (lesson, *train_from_start(lesson, self.steps))

    def to_dict(self):
        d = {"preset": self.preset, "steps": self.steps} if self.lesson is None else {
            "lesson": self.lesson}
        d["sample"] = self.sample
        return d

    def describe(self):
        if self.lesson is not None:
            name = self.lesson.get("name") or "lesson"
            step = (self.lesson.get("state") or {}).get("step_count", 0)
            return f"{name}, step {step:,}"
        return f"{self.preset}, step {self.steps:,}"


@dataclass
class Slide:
    state: SlideState
    prompt: str = ""
    title: str = ""
    show: Show = field(default_factory=Show)
    select: str | None = None
    action: Action | None = None
    question: Question | None = None

    def to_dict(self):
        d = {"title": self.title, "state": self.state.to_dict(), "prompt": self.prompt,
             "show": self.show.to_dict()}
        for key in ("select", "action", "question"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value if isinstance(value, str) else value.to_dict()
        return d


@dataclass
class Script:
    slides: list
    title: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)  # top-level keys this version does not read


def train_from_start(lesson: Lesson, steps):
    """(History, steps): ``steps`` steps of the lesson's training from step 0, as the window's
    Train does (the lesson's network is changed in place)."""
    X, T, _, _ = lesson.train_test()
    net = lesson.network
    params = np.empty((steps, net.n_params))
    losses = net.train(X, T, lesson.lr, steps, lesson.batch_size, params_out=params,
                       shuffle_seed=lesson.shuffle_seed)
    history = History(1 + net.n_params)
    history.append(np.column_stack((losses, params)))
    return history, steps


def element_key(label, network):
    """The controller's key of ``label`` in ``network``: ``w35`` → ("w", 3, 5), ``b5`` →
    ("b", 5), ``y5`` → ("n", 5), ``x1`` → ("n", 1); ValueError for anything else."""
    p = network.layout.by_label.get(label) if isinstance(label, str) else None
    if p is not None:
        return ("w", p.i, p.j) if p.kind == "w" else ("b", p.j)
    if isinstance(label, str) and label[:1] in ("x", "y") and label[1:].isdigit() \
            and label[1:2] != "0":
        j = int(label[1:])
        if 1 <= j <= network.layout.n_neurons and network.layout.neuron_label(j) == label:
            return ("n", j)
    raise ValueError(f"{_short(label)} is {_not_element(network)}")


def _not_element(network):
    shape = "-".join(map(str, network.sizes))
    return f"not a weight, bias or neuron of this {shape} network (such as w35, b5, y5, x1)"


def element_label(key, network):
    """The inverse of ``element_key``."""
    if key[0] == "n":
        return network.layout.neuron_label(key[1])
    lay = network.layout
    index = lay.weight_index(key[1], key[2]) if key[0] == "w" else lay.bias_index(key[1])
    return network.parameters()[index].label


# -- reading ---------------------------------------------------------------------------------------
def _bool(value, where):
    if type(value) is not bool:
        raise LessonFileError(f"{where} must be true or false, not {_describe(value)}")
    return value


def _text(d, key, where, limit):
    value = _str(_get(d, key, where, ""), _join(where, key))
    if len(value) > limit:
        raise LessonFileError(f"{_join(where, key)} has {len(value):,} characters; at most "
                              f"{limit:,} fit a slide")
    return value


def _choice(value, where, choices, what="choose one of"):
    if _str(value, where) not in choices:
        raise LessonFileError(f"{where} is {_short(value)}; {what} {', '.join(choices)}")
    return value


def _state(sd, where):
    sd = _obj(sd, where)
    _no_unknown(sd, STATE_KEYS, where)
    if ("preset" in sd) == ("lesson" in sd):
        raise LessonFileError(f"{where} needs a preset or a lesson (one of them)")
    sample = _int(_get(sd, "sample", where, 0), f"{where}.sample", 0, MAX_SAMPLE)
    if "preset" in sd:
        preset = _choice(sd["preset"], f"{where}.preset", preset_names())
        steps = _int(_get(sd, "steps", where, 0), f"{where}.steps", 0, MAX_STATE_STEPS)
        state = SlideState(preset=preset, steps=steps, sample=sample)
        # its shape and step count are enough to check the slide: the steps are trained only
        # when the slide is shown, so a file of many slides costs no training to open
        lesson, step_count = load_preset(preset), steps
    else:
        if "steps" in sd:
            raise LessonFileError(f"{where}.steps is for a preset; an embedded lesson keeps "
                                  "its step count in state.step_count")
        ld = _obj(sd["lesson"], f"{where}.lesson")
        try:
            lesson, _, step_count = document_from_dict(ld)
        except LessonFileError as e:
            raise LessonFileError(f"{where}.lesson: {e}") from None
        state = SlideState(lesson=ld, sample=sample)
    if sample >= len(lesson.inputs):
        raise LessonFileError(f"{where}.sample is {sample}, but the lesson has "
                              f"{len(lesson.inputs)} sample{'s' if len(lesson.inputs) > 1 else ''}"
                              f" (counted from 0)")
    return state, lesson, step_count


def _target(value, where, network, kinds=("w", "b", "n")):
    _str(value, where)
    try:
        key = element_key(value, network)
    except ValueError:
        raise LessonFileError(f"{where} is {_short(value)}, {_not_element(network)}") from None
    if key[0] not in kinds:
        wanted = "a neuron (y5)" if kinds == ("n",) else "a weight or bias (w35, b5)"
        raise LessonFileError(f"{where} is {_short(value)}; it must name {wanted}")
    return value


def _show(d, where):
    if "show" not in d:
        return Show()
    where = f"{where}.show"
    sd = _obj(d["show"], where)
    _no_unknown(sd, SHOW_KEYS, where)
    panels = _get(sd, "panels", where, None)
    if panels is not None:
        _list(panels, f"{where}.panels")
        for k, name in enumerate(panels):
            _choice(name, f"{where}.panels[{k}]", PANELS, "choose from")
            if name in panels[:k]:
                raise LessonFileError(f"{where}.panels[{k}] is {_short(name)}, which "
                                      f"{where}.panels already lists")
        panels = tuple(panels)
    flags = {key: _bool(_get(sd, key, where, default), f"{where}.{key}")
             for key, default in (("derivatives", True), ("net", False), ("math", True))}
    return Show(panels, **flags)


def _action(d, where, lesson, step_count):
    if d.get("action") is None:
        return None
    where = f"{where}.action"
    ad = _obj(d["action"], where)
    kind = _choice(_get(ad, "kind", where), f"{where}.kind", tuple(ACTIONS))
    _no_unknown(ad, ACTIONS[kind], where)
    net = lesson.network
    if kind == "step":
        return Action(kind, count=_int(_get(ad, "count", where, 1), f"{where}.count", 1,
                                       MAX_ACTION_STEPS))
    if kind == "phase":
        n = len(phases(net.layout, net.update_order))
        return Action(kind, count=_int(_get(ad, "count", where, 1), f"{where}.count", 1, n))
    if kind == "train":
        to = _int(_get(ad, "to_step", where), f"{where}.to_step", 1, MAX_TRAIN_TO)
        if to <= step_count:
            raise LessonFileError(f"{where}.to_step is {to:,}, but the slide's state is at step "
                                  f"{step_count:,} already; train to a later step")
        return Action(kind, to_step=to)
    return Action(kind, target=_target(_get(ad, "target", where), f"{where}.target", net))


def _question(d, where, lesson):
    if d.get("question") is None:
        return None
    where = f"{where}.question"
    qd = _obj(d["question"], where)
    _no_unknown(qd, ("kind", "target"), where)
    kind = _choice(_get(qd, "kind", where), f"{where}.kind", tuple(QUESTIONS))
    kinds = ("n",) if kind == "delta" else ("w", "b")
    target = _target(_get(qd, "target", where), f"{where}.target", lesson.network, kinds)
    if kind == "delta" and target.startswith("x"):
        raise LessonFileError(f"{where}.target is {_short(target)}, an input: inputs have no δ")
    return Question(kind, target)


def _slide(d, where):
    d = _obj(d, where)
    _no_unknown(d, SLIDE_KEYS, where)
    state, lesson, step_count = _state(_get(d, "state", where), f"{where}.state")
    select = d.get("select")
    if select is not None:
        _target(select, f"{where}.select", lesson.network)
    return Slide(state=state, prompt=_text(d, "prompt", where, MAX_PROMPT),
                 title=_text(d, "title", where, MAX_TITLE), show=_show(d, where),
                 select=select, action=_action(d, where, lesson, step_count),
                 question=_question(d, where, lesson))


def script_from_dict(d) -> Script:
    """A Script from the JSON form; ``ScriptFileError`` naming the field that is wrong."""
    try:
        return _script_from_dict(d)
    except ScriptFileError:
        raise
    except LessonFileError as e:
        raise ScriptFileError(str(e)) from None
    except RecursionError:
        raise ScriptFileError("the script is nested too deeply") from None


def _script_from_dict(d):
    if type(d) is not dict:
        raise LessonFileError(f"the file must hold a JSON object (a script), not {_describe(d)}")
    if "format" not in d:
        raise LessonFileError(f'format is missing: a script file starts with "format": '
                              f'"{FORMAT}"')
    if d["format"] != FORMAT:
        hint = " (this is a lesson file: open it with File ▸ Open)" if d["format"] == \
            "backprop-lab" else ""
        raise LessonFileError(f'format must be "{FORMAT}", not {_describe(d["format"])}{hint}')
    _version(d, VERSION)  # checked: every version so far reads the same way
    title = _text(d, "title", "", MAX_TITLE) if "title" in d else ""
    description = _str(_get(d, "description", "", ""), "description")
    slides = _list(_get(d, "slides", ""), "slides")
    if not slides:
        raise LessonFileError("slides is empty; a script needs at least one slide")
    if len(slides) > MAX_SLIDES:
        raise LessonFileError(f"slides has {len(slides):,} slides; a script holds at most "
                              f"{MAX_SLIDES}")
    out = [_slide(s, f"slides[{k}]") for k, s in enumerate(slides)]
    extra = {k: v for k, v in d.items() if k not in KNOWN_KEYS}
    return Script(out, title, description, extra)


def script_to_dict(script: Script) -> dict:
    d = {"format": FORMAT, "version": VERSION, "title": script.title,
         "description": script.description,
         "slides": [s.to_dict() for s in script.slides]}
    d.update((k, v) for k, v in script.extra.items() if k not in KNOWN_KEYS)
    return d


def loads_script(data: bytes | str) -> Script:
    """A Script from a file's bytes (UTF-8) or text; ``ScriptFileError`` with one line."""
    def refuse(name):
        raise ValueError(f"{name} is not a number JSON allows")

    d = parse_json_file(data, "script", ScriptFileError, MAX_FILE_BYTES, MAX_VALUES, refuse)
    return script_from_dict(d)


def dumps_script(script: Script) -> bytes:
    """The file's bytes (UTF-8 JSON, laid out like lesson files); ``ScriptFileError`` for
    anything ``loads_script`` would refuse (the bytes are read back before they are
    returned)."""
    try:
        text = _dump(script_to_dict(script)) + "\n"
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as e:
        raise ScriptFileError(f"the script cannot be written as JSON: {_one_line(str(e))}") \
            from None
    data = text.encode("utf-8", "backslashreplace")
    loads_script(data)  # never write what cannot be read back
    return data


def read_script(path) -> Script:
    """The script in the file at ``path`` (a regular file only; never blocks)."""
    try:
        data, _ = read_file(path)
    except LessonFileError as e:
        raise ScriptFileError(str(e).replace("lesson files", "script files")) from None
    return loads_script(data)


def write_script(path, script: Script):
    """Save atomically (a temporary file, fsynced, renamed): on any error the old file is
    untouched."""
    data = dumps_script(script)
    try:
        write_bytes(path, data)
    except LessonFileError as e:
        raise ScriptFileError(str(e)) from None


def builtin_script(name="notes_tour") -> Script:
    """A script shipped in resources/scripts (the notes' tour)."""
    from importlib import resources
    return loads_script((resources.files("resources") / "scripts" / f"{name}.json").read_bytes())
