"""Backprop Lab's engine: NumPy only, no Qt. See the README's "Engine API" section."""
from .activations import ACTIVATIONS, get_activation
from .gradcheck import GradCheck, gradient_check
from .losses import LOSSES, get_loss
from .network import UPDATE_ORDERS, DivergenceError, Network, Param, StepRecord, param_label

__all__ = [
    "ACTIVATIONS", "LOSSES", "UPDATE_ORDERS", "DivergenceError", "GradCheck", "Network", "Param",
    "StepRecord", "get_activation", "get_loss", "gradient_check", "param_label",
]
