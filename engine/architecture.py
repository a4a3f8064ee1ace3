"""Changing a network's shape: layers and neurons added or removed, activations and the loss
changed, weights initialised by a named scheme — keeping the value (and frozen flag) of every
weight and bias whose neurons survive.

A change is described by the new sizes, activations and loss and by ``keep``, a map from old
neurons to new ones as (layer, position) pairs. A weight w_ij survives when both its neurons do
and their layers are still next to each other; a bias b_j survives with j. Everything else is
initialised (seeded) by ``init``:

    glorot   w ~ U(±√(6 / (n_in + n_out)))       biases 0   (the default; tanh, sigmoid)
    he       w ~ U(±√(6 / n_in))                 biases 0   (ReLU)
    uniform  w ~ U(±a)                           biases 0
    zeros    every weight 0                      — every neuron of a layer then computes the
                                                   same thing and gets the same update: the
                                                   symmetry is never broken (``INIT_WARNING``)

The operations (``add_layer``, ``remove_layer``, ``add_neuron``, ``remove_neuron``,
``set_activation``, ``set_loss``, ``set_size``) each return the new network; the old one is not
touched. Limits that keep the canvas legible: at most ``MAX_HIDDEN_LAYERS`` hidden layers and
``MAX_NEURONS`` neurons in a layer; going beyond raises ValueError with that reason.
"""
from __future__ import annotations

import math

import numpy as np

from .network import Network

INITS = ("glorot", "he", "uniform", "zeros")
INIT_WARNING = ("All weights 0: the neurons of a layer compute the same and get the same update, "
                "so they stay identical (the symmetry is never broken). Use another "
                "initialisation to learn.")
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 12


def init_weights(sizes, init="glorot", seed=0, a=0.5):
    """The flat parameter vector of a network of ``sizes`` initialised by ``init`` (seeded):
    weights as in the module's table, biases 0."""
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    if init == "uniform" and not (math.isfinite(a) and a > 0):
        raise ValueError(f"the range a of uniform ±a must be a number above 0, not {a}")
    net = Network(sizes, ["linear"] * (len(sizes) - 1))
    rng = np.random.default_rng(seed)
    theta = np.zeros(net.n_params)
    for l, wa in enumerate(net._blocks(theta)[1:], start=1):
        n_in, n_out = sizes[l - 1], sizes[l]
        limit = {"glorot": math.sqrt(6.0 / (n_in + n_out)), "he": math.sqrt(6.0 / n_in),
                 "uniform": a, "zeros": 0.0}[init]
        if limit:
            wa[:-1] = rng.uniform(-limit, limit, size=wa[:-1].shape)
    return theta


def check_limits(sizes):
    hidden = len(sizes) - 2
    if hidden > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers (the canvas would be "
                         "unreadable)")
    for l, n in enumerate(sizes):
        if n > MAX_NEURONS:
            raise ValueError(f"at most {MAX_NEURONS} neurons in a layer (layer {l} would have "
                             f"{n})")
        if n < 1:
            raise ValueError(f"a layer needs at least one neuron (layer {l} would have none)")


def rebuild(network, sizes, activations, loss, keep, init="glorot", seed=0, a=0.5):
    """A new network of ``sizes``, ``activations`` and ``loss``; every weight and bias between
    neurons that ``keep`` maps ((old layer, position) → (new layer, position)) keeps its value and
    frozen flag, the rest is initialised by ``init``."""
    sizes = [int(n) for n in sizes]
    check_limits(sizes)
    new = Network(sizes, activations, loss, update_order=network.update_order)
    new.set_params(init_weights(sizes, init, seed, a))
    old_lay, new_lay = network.layout, new.layout

    def neuron(lay, l, c):
        return lay.first[l] + c

    for p in old_lay.params:
        lj, cj = old_lay.locate(p.j)
        if (lj, cj) not in keep:
            continue
        nl, nc = keep[(lj, cj)]
        j = neuron(new_lay, nl, nc)
        if p.kind == "b":
            index = new_lay.bias_index(j)
        else:
            li, ci = old_lay.locate(p.i)
            if (li, ci) not in keep:
                continue
            ml, mc = keep[(li, ci)]
            if ml + 1 != nl:
                continue  # a layer came between them: no such weight any more
            index = new_lay.weight_index(neuron(new_lay, ml, mc), j)
        new.theta[index] = network.theta[p.index]
        new.frozen[index] = network.frozen[p.index]
    return new


def _same(network):
    return list(network.sizes), list(network.activations), network.loss


def _identity(sizes):
    return {(l, c): (l, c) for l, n in enumerate(sizes) for c in range(n)}


def add_layer(network, at, size=2, activation="relu", **init):
    """A hidden layer of ``size`` neurons inserted as layer ``at`` (1 … number of layers − 1)."""
    sizes, acts, loss = _same(network)
    if not 1 <= at <= len(sizes) - 1:
        raise ValueError(f"a hidden layer goes between the inputs and the outputs (1 to "
                         f"{len(sizes) - 1}), not at {at}")
    sizes.insert(at, size)
    acts.insert(at - 1, activation)
    keep = {(l, c): (l + (l >= at), c) for l, n in enumerate(network.sizes) for c in range(n)}
    return rebuild(network, sizes, acts, loss, keep, **init)


def remove_layer(network, layer, **init):
    """Hidden layer ``layer`` removed; the layers either side become neighbours (their new
    weights initialised)."""
    sizes, acts, loss = _same(network)
    if not 1 <= layer <= len(sizes) - 2:
        raise ValueError(f"only a hidden layer can be removed (1 to {len(sizes) - 2}), not "
                         f"layer {layer}")
    del sizes[layer]
    del acts[layer - 1]
    keep = {(l, c): (l - (l > layer), c) for l, n in enumerate(network.sizes) for c in range(n)
            if l != layer}
    return rebuild(network, sizes, acts, loss, keep, **init)


def add_neuron(network, layer, **init):
    """One more neuron at the end of ``layer`` (its weights initialised)."""
    return set_size(network, layer, network.sizes[layer] + 1, **init)


def set_size(network, layer, size, **init):
    """Layer ``layer`` with ``size`` neurons: the first ones keep their parameters."""
    sizes, acts, loss = _same(network)
    sizes[layer] = int(size)
    keep = {k: v for k, v in _identity(network.sizes).items()
            if k[0] != layer or k[1] < size}
    return rebuild(network, sizes, acts, loss, keep, **init)


def remove_neuron(network, j, **init):
    """Neuron ``j`` removed (the others of its layer move up one place, keeping theirs)."""
    layer, c = network.layout.locate(j)
    sizes, acts, loss = _same(network)
    if sizes[layer] == 1:
        raise ValueError(f"{network.layout.neuron_label(j)} is the last neuron of its layer")
    sizes[layer] -= 1
    keep = {(l, d): (l, d - (l == layer and d > c)) for l, n in enumerate(network.sizes)
            for d in range(n) if (l, d) != (layer, c)}
    return rebuild(network, sizes, acts, loss, keep, **init)


def set_activation(network, layer, activation):
    """Layer ``layer``'s activation; every parameter kept."""
    sizes, acts, loss = _same(network)
    acts[layer - 1] = activation
    return rebuild(network, sizes, acts, loss, _identity(sizes))


def set_loss(network, loss):
    """Another loss; every parameter kept."""
    sizes, acts, _ = _same(network)
    return rebuild(network, sizes, acts, loss, _identity(sizes))
