"""Backprop against central finite differences, parameter by parameter."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class GradCheck:
    """Per parameter (in ``Network.parameters()`` order): labels, backprop and numeric ∂L/∂θ,
    their relative error |a − n| / max(|a|, |n|, floor), and the loss L they were taken at."""

    labels: list
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray
    loss: float

    @property
    def max_rel_error(self):
        return float(self.rel_error.max(initial=0.0))

    def mismatches(self, tol=1e-4):
        """Labels whose relative error exceeds ``tol``."""
        return [lab for lab, e in zip(self.labels, self.rel_error) if e > tol]


def gradient_check(network, x, target, eps=1e-6, floor=None):
    """Compare backprop with (L(θ + ε) − L(θ − ε)) / 2ε for every parameter of ``network``.

    The network is left exactly as it was. The central difference carries rounding noise of
    about 1e-16·|L|/ε ≈ 1e-10·|L|, so a gradient far smaller than that cannot be checked
    relatively: ``floor`` (default 1e-5·max(1, |L|)) is the smallest magnitude errors are
    measured against, which keeps that noise below 1e-5 relative. A gradient that is NaN/Inf
    on either side (an overflow) cannot be checked at all: its relative error is inf, so
    ``mismatches`` lists it.
    """
    loss, analytic = network.gradient(x, target)
    if floor is None:
        floor = 1e-5 * max(1.0, abs(loss)) if math.isfinite(loss) else 1e-5
    theta = network.theta
    numeric = np.empty_like(analytic)
    saved = theta.copy()
    with np.errstate(all="ignore"):  # overflow shows as NaN/Inf, reported below
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
        rel = np.abs(analytic - numeric) / np.maximum(
            np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    rel[~(np.isfinite(analytic) & np.isfinite(numeric))] = np.inf
    return GradCheck(network.labels, analytic, numeric, rel, loss)
