"""A lesson: a network with its data, learning rate, batch size and seed — what a preset or a saved
file holds — and its JSON form.

    {"format": "backprop-lab", "version": 1, "name": ..., "description": ...,
     "network": {"layers": [2, 2, 3], "activations": ["relu", "linear"], "loss": "half_sse",
                 "update_order": "simultaneous",
                 "weights": {"w13": 0.15, ...}, "biases": {"b3": 0.1, ...}, "frozen": ["w35"]},
     "data": {"inputs": [[0.6, -0.4]], "targets": [[0.5, 0.0, 0.3]]},
     "training": {"lr": 0.5, "batch_size": null, "seed": 0}}

Parameters are keyed by their labels (``w35``, ``b3``), so a file reads like the notes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from .network import Network, _batch, _finite

FORMAT = "backprop-lab"
VERSION = 1


@dataclass
class Lesson:
    network: Network
    inputs: np.ndarray   # (N, n_in)
    targets: np.ndarray  # (N, n_out)
    lr: float = 0.5
    batch_size: int | None = None
    seed: int = 0
    name: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)  # keys this version does not interpret


def lesson_to_dict(lesson: Lesson) -> dict:
    net = lesson.network
    theta = net.theta
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": lesson.name,
        "description": lesson.description,
        "network": {
            "layers": list(net.sizes),
            "activations": list(net.activations),
            "loss": net.loss,
            "update_order": net.update_order,
            "weights": {p.label: float(theta[p.index]) for p in net.parameters() if p.kind == "w"},
            "biases": {p.label: float(theta[p.index]) for p in net.parameters() if p.kind == "b"},
            "frozen": [p.label for p in net.parameters() if net.frozen[p.index]],
        },
        "data": {"inputs": lesson.inputs.tolist(), "targets": lesson.targets.tolist()},
        "training": {"lr": lesson.lr, "batch_size": lesson.batch_size, "seed": lesson.seed},
        **lesson.extra,
    }


def _get(d, key, kind, where):
    if not isinstance(d, dict):
        raise ValueError(f"{where or 'the file'} must be an object")
    if key not in d:
        raise ValueError(f"{where + '.' if where else ''}{key} is missing")
    v = d[key]
    if kind is not None and not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
        names = {str: "a string", list: "a list", dict: "an object", int: "a whole number"}
        raise ValueError(f"{where + '.' if where else ''}{key} must be "
                         f"{names.get(kind, getattr(kind, '__name__', kind))}")
    return v


def lesson_from_dict(d) -> Lesson:
    """A Lesson from the JSON form; ValueError naming the field that is wrong."""
    if _get(d, "format", str, "") != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}")
    version = _get(d, "version", int, "")
    if version > VERSION:
        raise ValueError(f"version {version} is newer than this app understands ({VERSION}); "
                         "update Backprop Lab to open it")
    if version < 1:
        raise ValueError(f"version must be ≥ 1, not {version}")
    nd = _get(d, "network", dict, "")
    layers = _get(nd, "layers", list, "network")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in layers):
        raise ValueError("network.layers must be a list of whole numbers")
    if sum(layers) > 10_000 or any(n > 1000 for n in layers):
        raise ValueError("network.layers is too large for this app (at most 1000 per layer)")
    acts = _get(nd, "activations", list, "network")
    try:
        net = Network(layers, acts, _get(nd, "loss", str, "network"),
                      update_order=nd.get("update_order", "simultaneous"))
    except ValueError as e:
        raise ValueError(f"network: {e}") from None
    theta = np.empty(net.n_params)
    for kind, key in (("w", "weights"), ("b", "biases")):
        values = _get(nd, key, dict, "network")
        wanted = {p.label for p in net.parameters() if p.kind == kind}
        extra = set(values) - wanted
        if extra:
            raise ValueError(f"network.{key}.{sorted(extra)[0]} is not a parameter of this network")
        for p in net.parameters():
            if p.kind == kind:
                theta[p.index] = _finite(_get(values, p.label, None, f"network.{key}"),
                                         f"network.{key}.{p.label}")
    net.set_params(theta)
    for label in _get(nd, "frozen", list, "network") if "frozen" in nd else []:
        p = net.layout.by_label.get(label) if isinstance(label, str) else None
        if p is None:
            raise ValueError(f"network.frozen: {label!r} is not a parameter of this network")
        net.frozen[p.index] = True

    dd = _get(d, "data", dict, "")
    X, _ = _batch(_get(dd, "inputs", list, "data"), net.sizes[0], "data.inputs")
    T, _ = _batch(_get(dd, "targets", list, "data"), net.sizes[-1], "data.targets")
    if len(X) != len(T):
        raise ValueError(f"data has {len(X)} inputs but {len(T)} targets")
    td = _get(d, "training", dict, "")
    lr = _finite(_get(td, "lr", None, "training"), "training.lr")
    bs = td.get("batch_size")
    if bs is not None and (not isinstance(bs, int) or isinstance(bs, bool) or not 1 <= bs <= len(X)):
        raise ValueError(f"training.batch_size must be null or a whole number from 1 to {len(X)}")
    seed = td.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError("training.seed must be a whole number ≥ 0")
    known = {"format", "version", "name", "description", "network", "data", "training"}
    return Lesson(net, X, T, lr, bs, seed, str(d.get("name", "")), str(d.get("description", "")),
                  {k: v for k, v in d.items() if k not in known})


def preset_names() -> list[str]:
    """The presets shipped in resources/presets, by file stem, in a stable order."""
    folder = resources.files("resources") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_preset(name: str) -> Lesson:
    if name not in preset_names():
        raise ValueError(f"no preset {name!r}; choose one of {', '.join(preset_names())}")
    text = (resources.files("resources") / "presets" / f"{name}.json").read_text("utf-8")
    return lesson_from_dict(json.loads(text))
