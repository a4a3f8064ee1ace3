"""The window on the screens it meets in a lecture hall — 1024×768 and 1280×720 projectors, a
1600×1000 laptop, a 1920×1080 monitor — at text scales 1× to 3×, presenting or not: it stays
inside the screen, no widget's text is cut off, no canvas labels overlap, and the canvas's
numbers are as tall as measured here (each case runs the window in a process of its own, on an
off-screen screen of that size: ``tests/gui/screen_probe.py``)."""
from __future__ import annotations

import pytest

from tests.gui.screen_probe import measure

SCREENS = ("1024x768", "1280x720", "1600x1000", "1920x1080")


def check(d):
    assert d["inside"], f"window {d['frame']} is not inside the screen {d['screen']}"
    assert d["clipped"] == [], d["clipped"]
    assert d["overlaps"] == [], d["overlaps"]


@pytest.mark.parametrize("screen", SCREENS)
def test_the_window_fits_every_screen_at_every_text_scale(screen):
    """Normal, 3× text, and presenting at 2× text: inside the screen, nothing cut off, nothing
    overlapping; and larger text makes the canvas's numbers larger."""
    normal = measure(screen)
    check(normal)
    big = measure(screen, "--scale", "3")
    check(big)
    assert big["font_scale"] == 3.0
    assert big["digits_px"]["label"] > normal["digits_px"]["label"]
    presenting = measure(screen, "--scale", "2", "--presentation")
    check(presenting)
    # the canvas gets the whole window, and the largest text that still shows all of it
    assert presenting["digits_px"]["label"] > 1.5 * normal["digits_px"]["label"]


def test_canvas_numbers_grow_with_every_press_of_larger_text():
    """Ctrl+= never makes the canvas's numbers smaller (it once did, after six presses). The
    whole network stays in view, and it is mostly text already, so they grow less than the
    scale: the canvas's room is the limit (presentation mode gives it the whole screen)."""
    sizes = [measure("1600x1000", "--scale", s)["digits_px"]["label"]
             for s in (1.0, 1.25, 1.75, 2.5, 3.0)]
    assert all(b >= a for a, b in zip(sizes, sizes[1:])), sizes
    assert sizes[-1] > 1.15 * sizes[0], sizes
