"""Backprop against central finite differences, parameter by parameter."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GradCheck:
    """Per parameter (in ``Network.parameters()`` order): labels, backprop and numeric ∂L/∂θ,
    and their relative error |a − n| / max(|a|, |n|, floor)."""

    labels: list
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray

    @property
    def max_rel_error(self):
        return float(self.rel_error.max(initial=0.0))

    def mismatches(self, tol=1e-5):
        """Labels whose relative error exceeds ``tol``."""
        return [lab for lab, e in zip(self.labels, self.rel_error) if e > tol]


def gradient_check(network, x, target, eps=1e-6, floor=1e-8):
    """Compare backprop with (L(θ + ε) − L(θ − ε)) / 2ε for every parameter of ``network``.

    The network is left exactly as it was. ``floor`` keeps the relative error of two gradients
    that are both ~0 from blowing up.
    """
    _, analytic = network.gradient(x, target)
    theta = network.theta
    numeric = np.empty_like(analytic)
    saved = theta.copy()
    try:
        for k in range(len(theta)):
            theta[k] = saved[k] + eps
            up = network.loss_value(x, target)
            theta[k] = saved[k] - eps
            down = network.loss_value(x, target)
            theta[k] = saved[k]
            numeric[k] = (up - down) / (2 * eps)
    finally:
        np.copyto(theta, saved)
    rel = np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)),
                                                  floor)
    return GradCheck(network.labels, analytic, numeric, rel)
