"""Loss functions, per sample; a batch's loss is the mean over its samples.

``half_sse``:       L = ½ Σ_k (ob_k − y_k)²          (the notes' L; −∂L/∂y_k = Err_k)
``cross_entropy``:  L = −Σ_k ob_k log y_k            (for outputs in (0, 1): softmax or sigmoid)

A loss is the one home of the output layer's δ_k = −∂L/∂net_k: ``value_and_delta`` gives the
loss and δ together. By default δ is the output activation's vector-Jacobian product of
−∂L/∂y (``neg_grad``), which covers every activation, softmax included (its full Jacobian);
a loss overrides it where the product simplifies (softmax or sigmoid with cross-entropy).
Adding a loss is adding a class here: the network never looks at a loss's name.

Like the activations, each loss works on NumPy arrays, (neurons, batch) with one column per
sample, and as lines of plain Python for the unrolled kernel of small networks
(``source``; see ``engine/activations.py``).

Each loss also says how the worked derivations (``engine.derivation``) write it and its output δ,
in their markup: ``formula``, ``term``/``expanded`` and ``term_numbers``/``expanded_numbers``
for L; ``neg_grad_form``, ``delta_forms`` and ``delta_note`` for δ_k. A "num" form (the step's
numbers substituted) is given as a function ``(n, f) → markup`` of two number writers: ``n(v)``
a number as shown, ``f(v)`` the same as a factor (in parentheses when negative). The output
they describe is ``out``: ``out.k`` its neuron number, ``out.outputs`` the output neurons,
``out.ob(m)``, ``out.y(m)``, ``out.err(m)`` and ``out.targets_sum_to_one``.
"""
from __future__ import annotations

import numpy as np

from .activations import Activation


class Loss:
    name = ""
    #: activations this loss may follow; None means any
    accepts: tuple[str, ...] | None = None

    def sample_losses(self, act: Activation, net, y, t):
        """Per-sample losses, shape (batch,)."""
        raise NotImplementedError

    def value(self, act: Activation, net, y, t):
        """The sum of the batch's sample losses (the network divides by the batch size)."""
        return float(self.sample_losses(act, net, y, t).sum())

    def neg_grad(self, act: Activation, net, y, t, out):
        """out = −∂L/∂y per sample."""
        raise NotImplementedError

    def value_and_delta(self, act: Activation, net, y, t, delta):
        """The sum of the sample losses, as ``value``; fills ``delta`` with δ = −∂L/∂net of the
        output layer, the activation's vector-Jacobian product of −∂L/∂y."""
        self.neg_grad(act, net, y, t, delta)
        act.backprop(net, y, delta, delta)
        return self.value(act, net, y, t)

    # -- scalar lines for the unrolled kernel; arguments are lists of variable names ----------
    def source(self, act: Activation, nets, ys, ts, deltas=None):
        """(lines, expression): the lines compute one sample's loss, which ``expression`` then
        names, and with ``deltas`` also assign δ_k to them. Temporaries are named after ``ys``."""
        raise NotImplementedError

    # -- how the derivations write it (see the module docstring) -------------------------------
    #: one sample's L in symbols
    formula = ""

    def term(self, k):
        """Output k's term of L in symbols."""
        raise NotImplementedError

    def expanded(self, terms):
        """L with the sum spelled out, from the outputs' ``term``s."""
        raise NotImplementedError

    def term_numbers(self, ob, ob_factor, y, y_factor):
        """One output's term with the step's numbers (each as shown, and as a factor)."""
        raise NotImplementedError

    def expanded_numbers(self, terms):
        """L with the step's numbers, from the outputs' ``term_numbers``."""
        raise NotImplementedError

    def neg_grad_form(self, act: Activation, out):
        """When δ_k = (−∂L/∂y_k) · f'(net_k) is how δ is written: (symbol, symbols, numbers,
        value) of −∂L/∂y_k — e.g. ("Err_{5}", "ob_{5} − y_{5}", a num function, Err_5).
        None when δ_k is written out whole (``delta_forms``)."""
        return None

    def delta_forms(self, act: Activation, out, max_terms):
        """δ_k written out whole: (kind, form) pairs after "δ_k =", "sym" markup or "num" a
        function (n, f) → markup; sums of more than ``max_terms`` terms are left as Σ."""
        raise NotImplementedError

    def delta_note(self, act: Activation, out):
        """A sentence (prose markup) on what the output δ is made of, or None."""
        return None

    def __repr__(self):
        return f"<loss {self.name}>"


class HalfSSE(Loss):
    """L = ½ Σ_k (ob_k − y_k)²; −∂L/∂y_k = Err_k, so δ_k = Err_k · f'(net_k) (softmax: the full
    Jacobian)."""

    name = "half_sse"

    def sample_losses(self, act, net, y, t):
        err = t - y
        return 0.5 * np.einsum("kb,kb->b", err, err)

    def value(self, act, net, y, t):
        err = np.subtract(t, y)
        return 0.5 * float(np.vdot(err, err))

    def neg_grad(self, act, net, y, t, out):
        return np.subtract(t, y, out=out)

    def value_and_delta(self, act, net, y, t, delta):
        np.subtract(t, y, out=delta)  # Err = ob − y, then δ = Err · ∂y/∂net in place
        value = 0.5 * float(np.vdot(delta, delta))
        act.backprop(net, y, delta, delta)
        return value

    def source(self, act, nets, ys, ts, deltas=None):
        errs = [f"err_{y}" for y in ys]
        lines = [f"{e} = {t} - {y}" for e, t, y in zip(errs, ts, ys)]
        if deltas is not None:
            lines += act.backprop_source(nets, ys, errs, deltas)
        return lines, f"0.5 * ({' + '.join(f'{e} * {e}' for e in errs)})"

    formula = "½ Σ_{k} (ob_{k} − y_{k})^{2}"

    def term(self, k):
        return f"(ob_{{{k}}} − y_{{{k}}})^{{2}}"

    def expanded(self, terms):
        return "½ [" + " + ".join(terms) + "]"

    def term_numbers(self, ob, ob_factor, y, y_factor):
        return f"({ob} − {y_factor})^{{2}}"

    def expanded_numbers(self, terms):
        return "½ × [" + " + ".join(terms) + "]"

    def neg_grad_form(self, act, out):
        if not act.elementwise:  # softmax: the Jacobian mixes every output's Err
            return None
        k = out.k
        ob, y = out.ob(k), out.y(k)
        return (f"Err_{{{k}}}", f"ob_{{{k}}} − y_{{{k}}}", lambda n, f: f"{n(ob)} − {f(y)}",
                out.err(k))

    def delta_forms(self, act, out, max_terms):
        # softmax: δ_k = Σ_m Err_m y_m ([m = k] − y_k), the full Jacobian
        k = out.k
        yk = f"y_{{{k}}}"
        forms = [("sym", f"Σ_{{m}} Err_{{m}} y_{{m}} ([m = {k}] − {yk})")]
        if len(out.outputs) > max_terms:
            return forms
        sym = [f"Err_{{{m}}} y_{{{m}}} ({int(m == k)} − {yk})" for m in out.outputs]
        values = [(int(m == k), out.err(m), out.y(m)) for m in out.outputs]
        y = out.y(k)

        def numbers(n, f):
            return " + ".join(f"{f(e)} × {f(ym)} × ({one} − {f(y)})" for one, e, ym in values)
        return forms + [("sym", " + ".join(sym)), ("num", numbers)]

    def delta_note(self, act, out):
        if act.elementwise:
            return None
        return ("Softmax outputs with $½$ SSE: every output's Err reaches $net_{k}$ through "
                "the softmax Jacobian $∂y_{m}/∂net_{k} = y_{m} ([m = k] − y_{k})$.")


class CrossEntropy(Loss):
    """L = −Σ_k ob_k log y_k (0 · log 0 counts as 0, as in the limit).

    softmax: δ_k = ob_k − y_k Σ_m ob_m (= ob_k − y_k for one-hot or any targets summing to 1);
    sigmoid: δ_k = ob_k (1 − y_k). log y is taken from net (log-sum-exp, log σ), so a saturated
    output gives a large finite loss rather than log 0.
    """

    name = "cross_entropy"
    accepts = ("softmax", "sigmoid")

    @staticmethod
    def _log_y(act, net):
        if act.name == "softmax":
            m = net.max(axis=0)
            return net - (m + np.log(np.exp(net - m).sum(axis=0)))
        return -np.logaddexp(0.0, -net)  # log σ(net), stable for any net

    def sample_losses(self, act, net, y, t):
        return -np.einsum("kb,kb->b", t, np.where(t == 0, 0.0, self._log_y(act, net)))

    def value(self, act, net, y, t):
        return -float(np.vdot(t, np.where(t == 0, 0.0, self._log_y(act, net))))

    def value_and_delta(self, act, net, y, t, delta):
        if act.name == "softmax":
            np.multiply(y, t.sum(axis=0), out=delta)
            np.subtract(t, delta, out=delta)
        else:
            np.subtract(1.0, y, out=delta)
            delta *= t
        return self.value(act, net, y, t)

    def source(self, act, nets, ys, ts, deltas=None):
        lines = []
        if act.name == "softmax":
            m, lse = f"lmax_{ys[0]}", f"lse_{ys[0]}"
            lines.append(f"{m} = max({', '.join(nets)})" if len(nets) > 1 else f"{m} = {nets[0]}")
            lines.append(f"{lse} = {m} + _log({' + '.join(f'_exp({n} - {m})' for n in nets)})")
            logs = [f"({n} - {lse})" for n in nets]
        else:
            # log σ(n) = −log(1 + e^(−n)), written so that exp never overflows
            logs = [f"(-_log1p(_exp(-{n})) if {n} >= 0.0 else {n} - _log1p(_exp({n})))"
                    for n in nets]
        terms = [f"(0.0 if {t} == 0.0 else {t} * {lg})" for t, lg in zip(ts, logs)]
        if deltas is not None:
            if act.name == "softmax":
                st = f"tsum_{ys[0]}"
                lines.append(f"{st} = {' + '.join(ts)}")
                lines += [f"{d} = {t} - {y} * {st}" for d, t, y in zip(deltas, ts, ys)]
            else:
                lines += [f"{d} = (1.0 - {y}) * {t}" for d, t, y in zip(deltas, ts, ys)]
        return lines, f"-({' + '.join(terms)})"

    formula = "−Σ_{k} ob_{k} log y_{k}"

    def term(self, k):
        return f"ob_{{{k}}} log y_{{{k}}}"

    def expanded(self, terms):
        return "−[" + " + ".join(terms) + "]"

    def term_numbers(self, ob, ob_factor, y, y_factor):
        return f"{ob_factor} × log({y})"

    def expanded_numbers(self, terms):
        return "−[" + " + ".join(terms) + "]"

    def delta_forms(self, act, out, max_terms):
        k = out.k
        ob, y = out.ob(k), out.y(k)
        obk, yk = f"ob_{{{k}}}", f"y_{{{k}}}"
        if act.name != "softmax":  # sigmoid: δ_k = ob_k (1 − y_k)
            return [("sym", f"{obk} (1 − {yk})"),
                    ("num", lambda n, f: f"{f(ob)} × (1 − {f(y)})")]
        forms = [("sym", f"{obk} − {yk} Σ_{{m}} ob_{{m}}")]
        if out.targets_sum_to_one:
            return forms + [("sym", f"{obk} − {yk}"), ("num", lambda n, f: f"{n(ob)} − {f(y)}")]
        total = sum(out.ob(m) for m in out.outputs)
        return forms + [("num", lambda n, f: f"{n(ob)} − {f(y)} × {f(total)}")]

    def delta_note(self, act, out):
        if act.name != "softmax":
            return (f"Sigmoid outputs with cross-entropy $L = {self.formula}$: "
                    "$δ_{k} = ob_{k} (1 − y_{k})$.")
        note = "Softmax outputs with cross-entropy: $δ_{k} = ob_{k} − y_{k} Σ_{m} ob_{m}$"
        if out.targets_sum_to_one:
            return note + "; the targets sum to 1, so $δ_{k} = ob_{k} − y_{k}$."
        return note + "."


LOSSES: dict[str, Loss] = {l.name: l for l in (HalfSSE(), CrossEntropy())}


def get_loss(name) -> Loss:
    """The registered loss called ``name``; ValueError naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
