"""The network canvas: neurons, edges and editable numbers, drawn from the controller.

``NetworkView`` is the widget; ``layout`` is the pure geometry behind it; one module per visual
element (``neuron``, ``connection``, ``label``); ``texts`` writes every number and tooltip;
``theme`` holds fonts, colours and the stacking order; ``phase_mark`` the look of the items the
current phase of a step works on.
"""
from .connection import ConnectionItem
from .label import LabelEditor, ValueLabel
from .neuron import NeuronItem, NeuronNote
from .theme import Z_EDGE, Z_LABEL, Z_NODE
from .view import NetworkView

__all__ = ["ConnectionItem", "LabelEditor", "NetworkView", "NeuronItem", "NeuronNote",
           "ValueLabel", "Z_EDGE", "Z_LABEL", "Z_NODE"]
