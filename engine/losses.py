"""Loss functions, per sample; a batch's loss is the mean over its samples.

``half_sse``:       L = ½ Σ_k (ob_k − y_k)²          (the notes' L; −∂L/∂y_k = Err_k)
``cross_entropy``:  for outputs in (0, 1), what it is depends on the output layer:
                    softmax: L = −Σ_k ob_k log y_k                           (categorical)
                    sigmoid: L = −Σ_k [ob_k log y_k + (1 − ob_k) log(1 − y_k)]  (binary)

A loss may depend on the output activation: ``for_output(act)`` is the loss object that
computes and writes it for that activation (the network and the derivations ask for it once).

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
for L (or ``numbers``, the whole line at once); ``neg_grad_form``, ``delta_forms`` and
``delta_note`` for δ_k. A "num" form (the step's
numbers substituted) is given as a function ``(n, f) → markup`` of two number writers: ``n(v)``
a number as shown, ``f(v)`` the same as a factor (in parentheses when negative). The output
they describe is ``out``: ``out.k`` its neuron number, ``out.outputs`` the output neurons,
``out.ob(m)``, ``out.y(m)``, ``out.net(m)``, ``out.err(m)`` and ``out.targets_sum_to_one``.
"""
from __future__ import annotations

import numpy as np

from .activations import Activation, sigmoid


class Loss:
    name = ""
    #: activations this loss may follow; None means any
    accepts: tuple[str, ...] | None = None

    def for_output(self, act: Activation) -> "Loss":
        """The loss object for an output layer of ``act``: itself, unless the loss is another
        formula there (cross-entropy with sigmoid outputs is the binary one)."""
        return self

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

    def numbers(self, out, n, f):
        """L with the step's numbers (markup), for all of ``out.outputs``; by default
        ``expanded_numbers`` of each output's ``term_numbers``."""
        return self.expanded_numbers([self.term_numbers(n(out.ob(m)), f(out.ob(m)), n(out.y(m)),
                                                        f(out.y(m))) for m in out.outputs])

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
    """Cross-entropy, for outputs in (0, 1); what it is depends on the output layer
    (``for_output``):

    softmax (this class): L = −Σ_k ob_k log y_k (0 · log 0 counts as 0, as in the limit) and
    δ_k = ob_k − y_k Σ_m ob_m (= ob_k − y_k for one-hot or any targets summing to 1). log y is
    taken from net by log-sum-exp, so a saturated output gives a large finite loss, not log 0.

    sigmoid (``BinaryCrossEntropy``): every output is its own yes/no question,
    L = −Σ_k [ob_k log y_k + (1 − ob_k) log(1 − y_k)] and δ_k = ob_k − y_k.
    """

    name = "cross_entropy"
    accepts = ("softmax", "sigmoid")

    def for_output(self, act):
        return self if not act.elementwise else BINARY_CROSS_ENTROPY

    @staticmethod
    def _log_y(act, net):
        m = net.max(axis=0)
        return net - (m + np.log(np.exp(net - m).sum(axis=0)))

    def sample_losses(self, act, net, y, t):
        if act.elementwise:
            return BINARY_CROSS_ENTROPY.sample_losses(act, net, y, t)
        return -np.einsum("kb,kb->b", t, np.where(t == 0, 0.0, self._log_y(act, net)))

    def value(self, act, net, y, t):
        if act.elementwise:
            return BINARY_CROSS_ENTROPY.value(act, net, y, t)
        return -float(np.vdot(t, np.where(t == 0, 0.0, self._log_y(act, net))))

    def value_and_delta(self, act, net, y, t, delta):
        if act.elementwise:
            return BINARY_CROSS_ENTROPY.value_and_delta(act, net, y, t, delta)
        np.multiply(y, t.sum(axis=0), out=delta)
        np.subtract(t, delta, out=delta)
        return self.value(act, net, y, t)

    def source(self, act, nets, ys, ts, deltas=None):
        if act.elementwise:
            return BINARY_CROSS_ENTROPY.source(act, nets, ys, ts, deltas)
        lines = []
        m, lse = f"lmax_{ys[0]}", f"lse_{ys[0]}"
        lines.append(f"{m} = max({', '.join(nets)})" if len(nets) > 1 else f"{m} = {nets[0]}")
        lines.append(f"{lse} = {m} + _log({' + '.join(f'_exp({n} - {m})' for n in nets)})")
        logs = [f"({n} - {lse})" for n in nets]
        terms = [f"(0.0 if {t} == 0.0 else {t} * {lg})" for t, lg in zip(ts, logs)]
        if deltas is not None:
            st = f"tsum_{ys[0]}"
            lines.append(f"{st} = {' + '.join(ts)}")
            lines += [f"{d} = {t} - {y} * {st}" for d, t, y in zip(deltas, ts, ys)]
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
        forms = [("sym", f"{obk} − {yk} Σ_{{m}} ob_{{m}}")]
        if out.targets_sum_to_one:
            return forms + [("sym", f"{obk} − {yk}"), ("num", lambda n, f: f"{n(ob)} − {f(y)}")]
        total = sum(out.ob(m) for m in out.outputs)
        return forms + [("num", lambda n, f: f"{n(ob)} − {f(y)} × {f(total)}")]

    def delta_note(self, act, out):
        note = "Softmax outputs with cross-entropy: $δ_{k} = ob_{k} − y_{k} Σ_{m} ob_{m}$"
        if out.targets_sum_to_one:
            return note + "; the targets sum to 1, so $δ_{k} = ob_{k} − y_{k}$."
        return note + "."


class BinaryCrossEntropy(Loss):
    """``cross_entropy`` with sigmoid outputs: L = −Σ_k [ob_k log y_k + (1 − ob_k) log(1 − y_k)]
    (a term whose factor is 0 counts as 0), δ_k = ob_k − y_k: the σ'(net_k) = y_k (1 − y_k) of the
    output cancels against ∂L/∂y_k = −(ob_k − y_k) / (y_k (1 − y_k)).

    Both logs are taken from net, never from y, so no output is too saturated for them:
    −log y = softplus(−net) and −log(1 − y) = softplus(net), with
    softplus(±net) = max(±net, 0) + log(1 + e^(−|net|)) — exp never overflows and log never
    sees 0. Not registered under its own name: ``CrossEntropy.for_output`` hands it out.
    """

    name = "cross_entropy"
    accepts = ("sigmoid",)

    @staticmethod
    def _terms(net, t):
        """Each output's term, log(1 + e^(−|net|)) + ob·max(−net, 0) + (1 − ob)·max(net, 0):
        −ob log y − (1 − ob) log(1 − y) with the log they share taken once, and nothing
        negative added, so nothing cancels. Where a net is ±inf (an overflow) that is 0·inf for
        ob = 0 or 1; those terms are the limit instead: 0 for the right answer, inf for the
        wrong one."""
        terms = np.abs(net)
        np.negative(terms, out=terms)
        np.exp(terms, out=terms)
        np.log1p(terms, out=terms)
        terms += t * np.maximum(np.negative(net), 0.0)
        terms += np.subtract(1.0, t) * np.maximum(net, 0.0)
        bad = np.isnan(terms)
        if bad.any():
            wrong = np.where(net > 0, t != 1.0, t != 0.0)
            np.copyto(terms, np.where(wrong, np.inf, 0.0), where=bad & ~np.isnan(net))
        return terms

    def sample_losses(self, act, net, y, t):
        return self._terms(net, t).sum(axis=0)

    def value(self, act, net, y, t):
        return float(self._terms(net, t).sum())

    def value_and_delta(self, act, net, y, t, delta):
        np.subtract(t, y, out=delta)
        return self.value(act, net, y, t)

    def source(self, act, nets, ys, ts, deltas=None):
        lines, terms = [], []
        for n, y, t in zip(nets, ys, ts):
            c = f"lc_{y}"  # log(1 + e^(−|net|)), the part −log y and −log(1 − y) share
            lines.append(f"{c} = _log1p(_exp(-abs({n})))")
            neg_log_y = f"((0.0 if {n} > 0.0 else -{n}) + {c})"
            neg_log_1my = f"(({n} if {n} > 0.0 else 0.0) + {c})"
            terms.append(f"(0.0 if {t} == 0.0 else {t} * {neg_log_y})"
                         f" + (0.0 if {t} == 1.0 else (1.0 - {t}) * {neg_log_1my})")
        if deltas is not None:
            lines += [f"{d} = {t} - {y}" for d, t, y in zip(deltas, ts, ys)]
        return lines, " + ".join(f"({term})" for term in terms)

    formula = "−Σ_{k} [ob_{k} log y_{k} + (1 − ob_{k}) log(1 − y_{k})]"

    def term(self, k):
        return f"ob_{{{k}}} log y_{{{k}}} + (1 − ob_{{{k}}}) log(1 − y_{{{k}}})"

    def expanded(self, terms):
        return "−[" + " + ".join(terms) + "]"

    def numbers(self, out, n, f):
        """1 − y_k is written as its own number, σ(−net_k), computed from net: "1 − 1.000" of a
        saturated output would be log 0, though the loss is finite."""
        terms = []
        for m in out.outputs:
            ob = out.ob(m)
            terms.append(f"{f(ob)} × log({n(out.y(m))}) + (1 − {n(ob)}) × "
                         f"log({n(sigmoid(-out.net(m)))})")
        return "−[" + " + ".join(terms) + "]"

    def delta_forms(self, act, out, max_terms):
        k = out.k
        ob, y = out.ob(k), out.y(k)
        return [("sym", f"ob_{{{k}}} − y_{{{k}}}"), ("num", lambda n, f: f"{n(ob)} − {f(y)}")]

    def delta_note(self, act, out):
        return ("Sigmoid outputs with binary cross-entropy: $∂L/∂y_{k} = −(ob_{k} − y_{k}) / "
                "(y_{k} (1 − y_{k}))$ and $σ'(net_{k}) = y_{k} (1 − y_{k})$ cancel, so "
                "$δ_{k} = ob_{k} − y_{k}$ (no $σ'$ factor: a saturated output still learns).")


BINARY_CROSS_ENTROPY = BinaryCrossEntropy()


LOSSES: dict[str, Loss] = {l.name: l for l in (HalfSSE(), CrossEntropy())}


def get_loss(name) -> Loss:
    """The registered loss called ``name``; ValueError naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
