"""What the canvas writes: every label's lines and every tooltip, read from the controller.

Kept apart from the items so that the wording follows the notes in one place (w35, b3, Err5, δ5,
net, y, η) and every number goes through ``fmt`` — NaN/Inf come out as "—", never as a number.
Values a neuron shows come from ``controller.record`` at row ``controller.record_sample``: right
after a Step, the values that Step computed (before its update); otherwise the values the next
Step would compute.
"""
from __future__ import annotations

from engine import get_activation

from ..style import fmt


def widest_number(decimals):
    """The widest number a label reserves room for: −888.888 at 3 decimals (8 characters);
    a wider one is shrunk to fit rather than allowed to spill onto its neighbours."""
    return "−888" + ("." + "8" * decimals if decimals > 0 else "8")


def _record(controller):
    return controller.record, controller.record_sample


def _safe(read, *args):
    """A record value, or None (drawn "—") when the record cannot give one."""
    try:
        return read(*args)
    except (ValueError, IndexError, AttributeError, TypeError):
        return None


# -- labels --------------------------------------------------------------------------------------
def label_name(controller, key):
    """The left-hand side of a label: w35, b3, x1, ob5."""
    kind = key[0]
    if kind in ("w", "b"):
        return controller.label(key)
    return f"{kind}{key[-1]}"


def derivative_name(key):
    """The left-hand side of a label's second line (None: the label has none)."""
    return {"w": "∂L/∂w", "b": "∂L/∂b", "ob": f"Err{key[-1]}"}.get(key[0])


def label_lines(controller, key, decimals):
    """(main line, derivative line or None, text to edit) of the label for ``key``."""
    value = controller.value(key)
    main = f"{label_name(controller, key)} = {fmt(value, decimals)}"
    rec, s = _record(controller)
    kind = key[0]
    d = None
    if rec is not None:
        if kind == "w":
            d = _safe(rec.grad_weight, key[1], key[2])
        elif kind == "b":
            d = _safe(rec.grad_bias, key[1])
        elif kind == "ob":
            d = _safe(rec.err, key[2], s)
    name = derivative_name(key)
    second = None if name is None else f"{name} = {fmt(d, decimals)}"
    return main, second, fmt(value, decimals)


def neuron_value(controller, j):
    """What neuron j shows inside its circle: x_j of the shown sample for an input, else y_j."""
    lay = controller.network.layout
    if lay.locate(j)[0] == 0:
        return controller.value(("x", controller.sample, j))
    rec, s = _record(controller)
    return None if rec is None else _safe(rec.out, j, s)


def neuron_note(controller, j, decimals):
    """The δ line under a non-input neuron (None for inputs)."""
    lay = controller.network.layout
    if lay.locate(j)[0] == 0:
        return None
    rec, s = _record(controller)
    d = None if rec is None else _safe(rec.delta, j, s)
    return f"δ{j} = {fmt(d, decimals)}"


# -- tooltips ------------------------------------------------------------------------------------
HIDDEN = "(δ, Err and gradients hidden until you check your prediction)"

def _sample_note(controller):
    n = len(controller.inputs)
    return f" (sample {controller.sample + 1} of {n})" if n > 1 else ""


def neuron_tooltip(controller, j, decimals, backward=True):
    """What neuron j computes; ``backward=False`` leaves out Err and δ (a prediction is
    pending)."""
    lay = controller.network.layout
    layer, _ = lay.locate(j)
    name = lay.neuron_label(j)
    if layer == 0:
        x = fmt(neuron_value(controller, j), decimals)
        return f"Input {name}{_sample_note(controller)}\nx{j} = {x}"
    rec, s = _record(controller)
    act = controller.network.activations[layer - 1]
    kind = "output" if layer == len(lay.sizes) - 1 else f"hidden layer {layer}"
    lines = [f"Neuron {name}: {kind}, activation {act}{_sample_note(controller)}"]
    net = None if rec is None else _safe(rec.net, j, s)
    y = None if rec is None else _safe(rec.out, j, s)
    lines += [f"net{j} = Σ y_i·w_i{j} + b{j} = {fmt(net, decimals)}",
              f"y{j} = {act}(net{j}) = {fmt(y, decimals)}"]
    a = get_activation(act)
    if a.elementwise:
        fprime = None
        if net is not None and y is not None:
            fprime = _safe(lambda: float(a.derivative(net, y)))
        lines.append(f"f′(net{j}) = {fmt(fprime, decimals)}")
    else:
        lines.append(f"f′: {act} is not element-wise (δ uses its full Jacobian)")
    if layer == len(lay.sizes) - 1:
        ob = controller.value(("ob", controller.sample, j))
        err = None if rec is None else _safe(rec.err, j, s)
        lines.append(f"ob{j} = {fmt(ob, decimals)}")
        if backward:
            lines.append(f"Err{j} = ob{j} − y{j} = {fmt(err, decimals)}")
    if not backward:
        return "\n".join(lines + [HIDDEN])
    d = None if rec is None else _safe(rec.delta, j, s)
    lines.append(f"δ{j} = −∂L/∂net{j} = {fmt(d, decimals)}")
    return "\n".join(lines)


def _frozen(controller, key):
    return bool(controller.value(("frozen", controller.param_index(key))))


def _update_lines(controller, key, grad, local, decimals):
    """How the parameter moves: the notes' η·δ·y for the shown sample and, when a batch is
    averaged, the update actually applied (−η·∂L/∂θ)."""
    rec = controller.record
    lr = rec.lr if rec is not None else controller.lr
    j = key[-1]
    formula = f"η·δ{j}·y{key[1]}" if key[0] == "w" else f"η·δ{j}"
    if _frozen(controller, key):
        return ["frozen: never updated (its gradient is still computed)"]
    batch = 1 if rec is None else len(rec.x)
    sample_update = None if local is None else lr * local
    if batch == 1:
        return [f"update {formula} = {fmt(sample_update, decimals)}"]
    applied = None if grad is None else -lr * grad
    return [f"update for this sample {formula} = {fmt(sample_update, decimals)}",
            f"update applied (batch of {batch}) −η·∂L/∂{label_name(controller, key)} = "
            f"{fmt(applied, decimals)}"]


def parameter_tooltip(controller, key, decimals, backward=True):
    rec, s = _record(controller)
    name = label_name(controller, key)
    value = controller.value(key)
    lines = [f"{name} = {fmt(value, decimals)}"]
    if not backward:
        return "\n".join(lines + [HIDDEN])
    if rec is not None and controller.last_step is not None:
        before = _safe(lambda: float(rec.params_before[controller.param_index(key)]))
        lines.append(f"before Step {controller.step_count}: {fmt(before, decimals)}")
    j = key[-1]
    if key[0] == "w":
        i = key[1]
        grad = None if rec is None else _safe(rec.grad_weight, i, j)
        d, y = (None, None) if rec is None else (_safe(rec.delta, j, s), _safe(rec.out, i, s))
        local = None if d is None or y is None else d * y
        lines.append(f"∂L/∂{name} = −δ{j}·y{i} = {fmt(grad, decimals)}")
        lines.append(f"δ{j} = {fmt(d, decimals)},  y{i} = {fmt(y, decimals)}")
    else:
        grad = None if rec is None else _safe(rec.grad_bias, j)
        local = None if rec is None else _safe(rec.delta, j, s)
        lines.append(f"∂L/∂{name} = −δ{j} = {fmt(grad, decimals)}")
    lines += _update_lines(controller, key, grad, local, decimals)
    lines.append("frozen" if _frozen(controller, key) else "not frozen")
    return "\n".join(lines)


def data_tooltip(controller, key, decimals, backward=True):
    """Tooltip of an input value x_j or a target ob_k label."""
    j = key[-1]
    value = fmt(controller.value(key), decimals)
    if key[0] == "x":
        return f"Input x{j} = {value}{_sample_note(controller)}\nDouble-click to edit"
    rec, s = _record(controller)
    y = None if rec is None else _safe(rec.out, j, s)
    err = None if rec is None else _safe(rec.err, j, s)
    err_line = f"Err{j} = ob{j} − y{j} = {fmt(err, decimals)}" if backward else HIDDEN
    return (f"Target ob{j} = {value}{_sample_note(controller)}\n"
            f"y{j} = {fmt(y, decimals)}\n{err_line}\nDouble-click to edit")


def label_tooltip(controller, key, decimals, backward=True):
    if key[0] in ("w", "b"):
        return parameter_tooltip(controller, key, decimals, backward) + "\nDouble-click to edit"
    return data_tooltip(controller, key, decimals, backward)
