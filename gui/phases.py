"""Phase stepping: one Step walked a phase at a time — the forward pass layer by layer, the
loss, the output δ, the hidden δ, the updates (``engine.derivation.phases``) — and ``Reveal``,
what the screen may show at each phase.

A ``Walk`` holds the record of the Step being walked: the controller's own record of the next
Step, the very numbers the canvas shows, so the walk and the canvas cannot disagree. The walk's
last phase takes that Step (the controller does it), so walking every phase is exactly one Step.
The controller owns the walk: any request that changes the model ends it first.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.derivation import phases


@dataclass(frozen=True)
class Reveal:
    """What has been computed so far, by layer (0 is the inputs).

    ``forward``: layers 1 … forward have net and y; ``loss``: Err and L are known; ``delta``:
    the layers whose δ (and so the gradients of the weights into them) are known; ``updated``:
    the layers whose incoming weights and biases show their new values, with the change Δ."""

    forward: int = 10**9
    loss: bool = True
    delta: frozenset | None = None  # None: every layer
    updated: frozenset = frozenset()

    @property
    def everything(self):
        return self == ALL

    def y(self, layer):
        return layer <= self.forward

    def backward(self, layer):
        """δ of this layer's neurons, and ∂L/∂θ of the parameters into it."""
        return self.delta is None or layer in self.delta

    def new(self, layer):
        """The parameters into this layer show their values after the Step."""
        return layer in self.updated

    @classmethod
    def after(cls, done, n_layers, taken=False):
        """What the phases ``done`` (in order) have computed. Once the Step is ``taken`` only
        the new parameters belong to the state shown: the walk's forward and backward numbers
        were computed at the old ones, so they are hidden again."""
        if taken:
            return cls(0, False, frozenset(), frozenset(range(1, n_layers)))
        forward, loss, delta, updated = 0, False, set(), set()
        for p in done:
            if p.kind == "forward":
                forward = max(forward, *p.layers)
            elif p.kind == "loss":
                loss = True
            elif p.kind == "delta":
                delta.update(p.layers)
            else:
                updated.update(p.layers)
        return cls(forward, loss, frozenset(delta), frozenset(updated))


ALL = Reveal()


class Walk:
    """A phase walk through the Step whose record is ``record`` (``row``: the shown sample's
    row in its batch)."""

    def __init__(self, record, row, update_order):
        self.record, self.row = record, row
        self.phases = phases(record.layout, update_order)
        self.index = 0
        self.taken = False  # the last phase has taken the Step

    @property
    def phase(self):
        return self.phases[self.index]

    @property
    def number(self):
        """(k, n): phase k of n."""
        return self.index + 1, len(self.phases)

    @property
    def at_last(self):
        return self.index == len(self.phases) - 1

    def advance(self):
        self.index += 1

    def reveal(self):
        return Reveal.after(self.phases[:self.index + 1], len(self.record.layout.sizes),
                            self.taken)
