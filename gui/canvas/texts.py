"""What the canvas writes: every label's lines and every tooltip, read from the controller.

Kept apart from the items so that the wording follows the notes in one place (w35, b3, Err5, δ5,
net, y, η) and every number goes through ``fmt`` — NaN/Inf come out as "—", never as a number.

All numbers belong to one state (the controller's display contract): the parameters shown, the
shown sample's forward and backward pass through them (``controller.sample_record`` at
``sample_row``) and the batch gradients of the next Step (``controller.record``). During a phase
walk, what has not been computed yet reads "?" (``controller.reveal()``); parameters a phase has
updated show their new value and, on the second line, the change "Δ = +0.045".
"""
from __future__ import annotations

from engine import get_activation

from ..style import fmt

UNKNOWN = "?"  # a number the phase walk has not computed yet


def widest_number(decimals):
    """The widest number a label reserves room for: −8.888 at 3 decimals (what the notes' values
    look like); a wider one (−123.456) is shrunk to fit its box rather than allowed to spill
    onto its neighbours, so typical numbers get the room to be large."""
    return "−8" + ("." + "8" * decimals if decimals > 0 else "")


def _safe(read, *args):
    """A record value, or None (drawn "—") when the record cannot give one."""
    try:
        return read(*args)
    except (ValueError, IndexError, AttributeError, TypeError):
        return None


def _layer(controller, j):
    return controller.network.layout.locate(j)[0]


def signed(value, decimals):
    """A change, always with its sign: "+0.045", "−0.045"."""
    text = fmt(value, decimals)
    return text if text.startswith(("−", "—")) or text == fmt(0.0, decimals) else "+" + text


# -- the numbers shown -----------------------------------------------------------------------------
def shown_parameter(controller, key):
    """(value shown, change Δ or None) of a weight or bias: its current value, or during a
    phase walk that has updated its layer, its new value and what the update changed."""
    walk = controller.walk
    if walk is not None and controller.reveal().new(_layer(controller, key[-1])):
        i = controller.param_index(key)
        before = float(walk.record.params_before[i])
        after = float(walk.record.params_after[i])
        return after, after - before
    return controller.value(key), None


def neuron_value(controller, j):
    """What neuron j shows inside its circle (a number, or None for "—"): x_j of the shown
    sample for an input, else y_j. UNKNOWN while a phase walk has not computed it."""
    layer = _layer(controller, j)
    if layer == 0:
        return controller.value(("x", controller.sample, j))
    if not controller.reveal().y(layer):
        return UNKNOWN
    return _safe(controller.sample_record.out, j, controller.sample_row)


def neuron_value_text(controller, j, decimals):
    v = neuron_value(controller, j)
    return v if v == UNKNOWN else fmt(v, decimals)


def _known_fmt(known, read, decimals, *args):
    return fmt(_safe(read, *args), decimals) if known else UNKNOWN


# -- labels --------------------------------------------------------------------------------------
def label_name(controller, key):
    """The left-hand side of a label: w35, b3, x1, ob5."""
    kind = key[0]
    if kind in ("w", "b"):
        return controller.label(key)
    if kind == "x":
        return controller.neuron_name(key[-1])
    return f"{kind}{key[-1]}"


def derivative_name(key):
    """The left-hand side of a label's second line (None: the label has none)."""
    return {"w": "∂L/∂w", "b": "∂L/∂b", "ob": f"Err{key[-1]}"}.get(key[0])


def label_lines(controller, key, decimals):
    """(main line, second line or None, text to edit) of the label for ``key``."""
    kind = key[0]
    reveal, rec = controller.reveal(), controller.record
    if kind in ("w", "b"):
        value, change = shown_parameter(controller, key)
        if change is not None:
            second = f"Δ = {signed(change, decimals)}"
        else:
            read = rec.grad_weight if kind == "w" else rec.grad_bias
            known = reveal.backward(_layer(controller, key[-1]))
            second = f"{derivative_name(key)} = {_known_fmt(known, read, decimals, *key[1:])}"
    else:
        value = controller.value(key)
        second = None
        if kind == "ob":
            err = _known_fmt(reveal.loss, controller.sample_record.err, decimals, key[2],
                             controller.sample_row)
            second = f"{derivative_name(key)} = {err}"
    main = f"{label_name(controller, key)} = {fmt(value, decimals)}"
    return main, second, fmt(controller.value(key), decimals)


def neuron_note(controller, j, decimals, net=False, delta=True):
    """The lines under a non-input neuron — net_j (with ``net``), δ_j (with ``delta``) — one
    per line; None for inputs, or when neither is asked for."""
    layer = _layer(controller, j)
    if layer == 0 or not (net or delta):
        return None
    reveal, rec, s = controller.reveal(), controller.sample_record, controller.sample_row
    lines = []
    if net:
        lines.append(f"net{j} = {_known_fmt(reveal.y(layer), rec.net, decimals, j, s)}")
    if delta:
        lines.append(f"δ{j} = {_known_fmt(reveal.backward(layer), rec.delta, decimals, j, s)}")
    return "\n".join(lines)


# -- tooltips ------------------------------------------------------------------------------------
HIDDEN = "(δ, Err and gradients hidden until you check your prediction)"
NOT_YET = "(the phase walk has not computed the rest yet)"


def _sample_note(controller):
    n = len(controller.inputs)
    note = f" (sample {controller.sample + 1} of {n})" if n > 1 else ""
    if not controller.sample_in_batch:
        note += "; not in the next Step's batch"
    return note


def neuron_tooltip(controller, j, decimals, backward=True):
    """What neuron j computes; ``backward=False`` leaves out Err and δ (a prediction is
    pending); numbers a phase walk has not reached are left out too."""
    lay = controller.network.layout
    layer, _ = lay.locate(j)
    name = controller.neuron_name(j)
    if layer == 0:
        x = fmt(neuron_value(controller, j), decimals)
        return f"Input {name}{_sample_note(controller)}\n{name} = {x}"
    rec, s = controller.sample_record, controller.sample_row
    reveal = controller.reveal()
    act = controller.network.activations[layer - 1]
    kind = "output" if layer == len(lay.sizes) - 1 else f"hidden layer {layer}"
    lines = [f"Neuron {name}: {kind}, activation {act}{_sample_note(controller)}"]
    if j in controller.dead:
        lines.append("dead: net ≤ 0 for every sample, so y = 0 and no gradient reaches its "
                     "weights")
    if not reveal.y(layer):
        return "\n".join(lines + [NOT_YET])
    net, y = _safe(rec.net, j, s), _safe(rec.out, j, s)
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
        lines.append(f"ob{j} = {fmt(controller.value(('ob', controller.sample, j)), decimals)}")
        if backward and reveal.loss:
            lines.append(f"Err{j} = ob{j} − y{j} = {fmt(_safe(rec.err, j, s), decimals)}")
    if not backward:
        return "\n".join(lines + [HIDDEN])
    if not reveal.backward(layer):
        return "\n".join(lines + [NOT_YET])
    lines.append(f"δ{j} = −∂L/∂net{j} = {fmt(_safe(rec.delta, j, s), decimals)}")
    return "\n".join(lines)


def _frozen(controller, key):
    return bool(controller.value(("frozen", controller.param_index(key))))


def _update_lines(controller, key, grad, local, decimals):
    """How the parameter will move in the next Step: the notes' η·δ·y for the shown sample
    and, when a batch is averaged, the update actually applied (−η·∂L/∂θ)."""
    rec = controller.record
    j = key[-1]
    formula = f"η·δ{j}·y{key[1]}" if key[0] == "w" else f"η·δ{j}"
    if _frozen(controller, key):
        return ["frozen: never updated (its gradient is still computed)"]
    batch = len(rec.x)
    sample_update = None if local is None else rec.lr * local
    if batch == 1:
        return [f"next update {formula} = {fmt(sample_update, decimals)}"]
    applied = None if grad is None else -rec.lr * grad
    return [f"next update for this sample {formula} = {fmt(sample_update, decimals)}",
            f"next update applied (batch of {batch}) −η·∂L/∂{label_name(controller, key)} = "
            f"{fmt(applied, decimals)}"]


def last_change_line(controller, key, decimals):
    """What the Step just taken did to a parameter, labelled as such; None if there is none."""
    last = controller.last_step
    if last is None:
        return None
    i = controller.param_index(key)
    before, after = float(last.params_before[i]), float(last.params_after[i])
    return (f"Step {controller.step_count} (just taken) changed it: {fmt(before, decimals)} → "
            f"{fmt(after, decimals)} (Δ = {signed(after - before, decimals)})")


def parameter_tooltip(controller, key, decimals, backward=True):
    name = label_name(controller, key)
    value, change = shown_parameter(controller, key)
    lines = [f"{name} = {fmt(value, decimals)}"]
    if change is not None:
        lines.append(f"changed by this Step's update: Δ = {signed(change, decimals)}")
        return "\n".join(lines)
    last = last_change_line(controller, key, decimals)
    if last:
        lines.append(last)
    if not backward:
        return "\n".join(lines + [HIDDEN])
    if not controller.reveal().backward(_layer(controller, key[-1])):
        return "\n".join(lines + [NOT_YET])
    rec, srec, s = controller.record, controller.sample_record, controller.sample_row
    j = key[-1]
    if key[0] == "w":
        i = key[1]
        grad = _safe(rec.grad_weight, i, j)
        d, y = _safe(srec.delta, j, s), _safe(srec.out, i, s)
        local = None if d is None or y is None else d * y
        lines.append(f"∂L/∂{name} = −δ{j}·y{i} = {fmt(grad, decimals)}")
        lines.append(f"δ{j} = {fmt(d, decimals)},  y{i} = {fmt(y, decimals)}")
    else:
        grad = _safe(rec.grad_bias, j)
        local = _safe(srec.delta, j, s)
        lines.append(f"∂L/∂{name} = −δ{j} = {fmt(grad, decimals)}")
    lines += _update_lines(controller, key, grad, local, decimals)
    lines.append("frozen" if _frozen(controller, key) else "not frozen")
    return "\n".join(lines)


def data_tooltip(controller, key, decimals, backward=True):
    """Tooltip of an input value x_j or a target ob_k label."""
    j = key[-1]
    value = fmt(controller.value(key), decimals)
    if key[0] == "x":
        name = controller.neuron_name(j)
        if controller.network.layout.locate(j)[1] >= controller.n_raw:
            return f"Input {name} = {value}{_sample_note(controller)}\ncomputed from x1, x2"
        return f"Input {name} = {value}{_sample_note(controller)}\nDouble-click to edit"
    reveal = controller.reveal()
    rec, s = controller.sample_record, controller.sample_row
    layer = _layer(controller, j)
    y = fmt(_safe(rec.out, j, s), decimals) if reveal.y(layer) else UNKNOWN
    if not backward:
        err_line = HIDDEN
    else:
        err_line = f"Err{j} = ob{j} − y{j} = {_known_fmt(reveal.loss, rec.err, decimals, j, s)}"
    return (f"Target ob{j} = {value}{_sample_note(controller)}\n"
            f"y{j} = {y}\n{err_line}\nDouble-click to edit")


def label_tooltip(controller, key, decimals, backward=True):
    if key[0] in ("w", "b"):
        return parameter_tooltip(controller, key, decimals, backward) + "\nDouble-click to edit"
    return data_tooltip(controller, key, decimals, backward)
