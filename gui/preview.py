"""What the next Step will compute, without taking it: the record the phase walk shows and the
quiz checks against. It uses the batch the controller's own Step would use, so a walk's last
phase (which takes that Step) and the preview agree to the bit."""
from __future__ import annotations

import numpy as np

from engine import Network


def next_step(controller):
    """(record, row): the StepRecord of the controller's next Step (nothing changes), and the
    row of the shown sample in its batch (0 if that sample is not in the batch)."""
    x, t = controller.batch_for_step(controller.step_count)
    record = controller.network.step(x, t, controller.lr, apply=False)
    idx = Network.batch_indices(len(controller.inputs), controller.batch_size,
                                controller.step_count)
    hit = np.flatnonzero(idx == controller.sample)
    return record, int(hit[0]) if len(hit) else 0
