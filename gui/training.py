"""Training as an explicit state machine: idle, running (until paused) or running N steps.

The ``Trainer`` owns the timer, the speed and the slicing of work into frames; what a slice does
is the controller's business (``advance(k)`` trains k steps and records them). Its state and the
timer change together, in ``start`` and ``stop`` only, so there is never a timer without a run
or a run without a timer — and every public call is valid in every state:

=========  ===============================  =================================
state      start(n)                         stop()
=========  ===============================  =================================
idle       → running (n None) / running_n   nothing
running    restarts in the new mode         → idle
running_n  restarts in the new mode         → idle
=========  ===============================  =================================

A running trainer ends by itself when N steps are done or ``advance`` reports that it must stop
(the run diverged); it then calls ``finish`` (the controller's ``pause``), which calls ``stop``.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from engine.explain import MAX_STEPS  # noqa: F401  (one bound: Train N, --steps, explain)

IDLE, RUNNING, RUNNING_N = "idle", "running", "running_n"

#: training speeds offered, in steps per second; None is "as fast as the frame budget allows"
SPEEDS = (1, 3, 10, 30, 100, 1000, 10000, None)
#: the window's speed until the user picks another (a bare Trainer runs at full speed): XOR's
#: loss falls from 0.16 to 0.005 in its first 500 steps, which at 100 steps/s a class watches
#: form over five seconds; at full speed (100,000 steps/s or more) it is over in the first frame
DEFAULT_SPEED = 100
FRAME_MS = 16  # at a set speed, one training slice per frame; the window repaints in between
SLICE_BUDGET_S = 0.016  # at full speed, training time per slice; slices run back to back
#                         whenever the event loop is idle, so repaints and clicks come between
MAX_SLICE_S = 0.035  # …or a quarter longer than the window took between two slices (its
#                      refresh and repaints), up to this: training keeps over half the time
#                      however much there is to draw, and a click waits at most a slice and a
#                      repaint
UI_SHARE = 1.25
RATE_WINDOW_S = 0.25  # the measured steps per second average over at least this long
CATCH_UP_S = 0.1  # at a set speed, a late frame makes up for at most this much lost time


def count_text(n, noun="step"):
    """ "1 step", "3 steps", "1,000 steps" (``n`` a whole number)."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def speed_text(speed, short=False):
    """A speed of ``SPEEDS`` in words: "1 step per second", "100 steps per second", "as fast as
    possible"; ``short``: "1 step/s", "100 steps/s", "max"."""
    if speed is None:
        return "max" if short else "as fast as possible"
    return count_text(speed) + ("/s" if short else " per second")


class Trainer(QObject):
    stateChanged = Signal(str, str)     # (new, old)
    progressChanged = Signal(int, int)  # Train N: (done, total); (0, 0) when not running N
    speedChanged = Signal(int)          # index into SPEEDS

    def __init__(self, advance, finish, parent=None):
        """``advance(k)`` trains up to k steps and returns (steps done, must stop);
        ``finish()`` is called when a run ends by itself (N reached, or must stop)."""
        super().__init__(parent)
        self._advance, self._finish = advance, finish
        self.state = IDLE
        self.total = None      # Train N: the number of steps asked for
        self.done = 0          # steps of this run so far
        self.fast = False      # Train N at full speed whatever the speed setting
        self.steps_per_second = 0.0
        self.speed_index = len(SPEEDS) - 1
        self._carry = 0.0      # fractional steps owed at slow speeds
        self._last_slice = 0.0  # when the last slice was counted (perf_counter seconds)
        self._time_per_step = 1e-4  # measured by each slice; sizes the next one at full speed
        self._slice_end = None  # when the last slice ended: the time until the next is the UI's
        self._ui_time = 0.0     # that time, smoothed
        self._clock = (0.0, 0)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._set_interval()

    @property
    def running(self):
        return self.state != IDLE

    # -- speed ----------------------------------------------------------------------------------
    def set_speed(self, index):
        self.speed_index = max(0, min(int(index), len(SPEEDS) - 1))
        self._set_interval()
        self.speedChanged.emit(self.speed_index)

    @property
    def speed(self):
        """Steps per second asked for; None: as fast as possible."""
        return None if self.fast else SPEEDS[self.speed_index]

    def _set_interval(self):
        self.timer.setInterval(0 if self.speed is None else FRAME_MS)

    # -- transitions ----------------------------------------------------------------------------
    def start(self, steps=None, fast=False):
        """Run until stopped (``steps`` None) or for ``steps`` steps; ``fast``: at full speed."""
        if steps is not None and steps < 1:
            raise ValueError(f"the number of steps must be at least 1, not {steps}")
        old = self.state
        self.total, self.done, self.fast = steps, 0, bool(fast and steps)
        self._carry = 0.0
        self._clock = (time.perf_counter(), 0)
        self._last_slice = self._clock[0]
        self._slice_end = None  # the time before a run's first slice is not the UI's
        self.state = RUNNING if steps is None else RUNNING_N
        self._set_interval()
        self.timer.start()
        self.stateChanged.emit(self.state, old)
        self.progressChanged.emit(0, steps or 0)

    def stop(self):
        """Back to idle; returns the steps this run took."""
        if self.state == IDLE:
            return 0
        old = self.state
        self.timer.stop()
        self.state = IDLE
        done, self.total, self.fast = self.done, None, False
        self._set_interval()
        self.progressChanged.emit(0, 0)
        self.stateChanged.emit(IDLE, old)
        return done

    # -- work -----------------------------------------------------------------------------------
    def _steps_this_slice(self):
        speed = self.speed
        if speed is None:
            budget = min(max(SLICE_BUDGET_S, UI_SHARE * self._ui_time), MAX_SLICE_S)
            k = max(1, int(budget / self._time_per_step))
        else:
            # steps owed for the time since the last slice, not per timer tick: a busy event
            # loop delays the ticks, and the speed shown must still be the speed run
            now = time.perf_counter()
            self._carry += speed * min(now - self._last_slice, CATCH_UP_S)
            self._last_slice = now
            k = int(self._carry)
            self._carry -= k
        if self.total is not None:
            k = min(k, self.total - self.done)
        return k

    def _tick(self):
        if self.state == IDLE:  # a timeout queued before stop(): nothing to do
            return
        k = self._steps_this_slice()
        if k <= 0:
            return
        t0 = time.perf_counter()
        outside = 0.0 if self._slice_end is None else t0 - self._slice_end
        done, must_stop, *trained = self._advance(k)
        now = self._slice_end = time.perf_counter()
        # the advance may say how much of its time was training (the rest is its views'
        # refresh, which counts as the window's time)
        train_s = trained[0] if trained else now - t0
        if self._ui_time or outside:
            self._ui_time = 0.7 * self._ui_time + 0.3 * (outside + (now - t0) - train_s)
        self._time_per_step = max(train_s / max(done, 1), 1e-7)
        self.done += done
        t_start, s_start = self._clock
        if now - t_start > RATE_WINDOW_S:
            self.steps_per_second = (self.done - s_start) / (now - t_start)
            self._clock = (now, self.done)
        if self.total is not None:
            self.progressChanged.emit(self.done, self.total)
        if must_stop or (self.total is not None and self.done >= self.total):
            self._finish()
