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
    """Normal, 3× text, presenting at 2× text, and back to normal: inside the screen, nothing
    cut off, nothing overlapping; larger text makes the canvas's numbers larger; presenting,
    they are at least 3 % of the screen tall."""
    normal, big, presenting, again = measure(screen, "--stages", "1,3,2p,1")
    for d in (normal, big, presenting, again):
        check(d)
    assert big["font_scale"] == 3.0
    assert big["digits_px"]["label"] > normal["digits_px"]["label"]
    # the canvas gets the whole window, and the largest text that still shows all of it
    assert presenting["presenting"]
    assert presenting["digits_px"]["label"] > 1.5 * normal["digits_px"]["label"]
    assert presenting["digits_px"]["label"] >= 0.03 * presenting["screen"][3] - 1e-6
    assert again["frame"] == normal["frame"]  # and everything comes back as it was


def test_canvas_numbers_grow_with_larger_text_until_the_canvas_is_full():
    """Ctrl+= makes the canvas's numbers larger (they once got smaller, after six presses). The
    whole network stays in view and is mostly text already, and larger text elsewhere leaves the
    canvas less room, so they grow less than the scale and level off where the canvas is full:
    from there a press may cost a few per cent, never more (presentation mode gives the canvas
    the whole screen)."""
    stages = measure("1600x1000", "--stages", "1,1.1,1.25,1.5,1.75,2,2.5,3")
    sizes = [d["digits_px"]["label"] for d in stages]
    for k in range(1, len(sizes)):
        assert sizes[k] >= 0.95 * max(sizes[:k]), sizes
    # (the timeline bar and the Data and Script panels leave the canvas a little less room
    # than it once had: +15 % at 3× then, +14.6 % now)
    assert sizes[3] > sizes[0] and sizes[-1] > 1.1 * sizes[0], sizes


@pytest.mark.parametrize("preset, hide, whole", [("notes_relu", False, False),
                                                 ("notes_relu", True, False),
                                                 ("xor", False, True)])
def test_presenting_on_a_1280x720_projector_every_number_is_3_percent_of_the_screen_tall(
        preset, hide, whole):
    """Presenting, every number on the canvas — weights, ∂L/∂w, δ, Err, the neurons' values — is
    drawn at one size (the names beside them small), at least 3 % of the screen's height. The
    XOR net fits whole at that size; the notes' net does not (as large as it fits whole: 2.46 %
    with the backward numbers shown, 2.94 % hidden — the README says why), so part of it is in
    view, at 3 % exactly."""
    d = measure("1280x720", "--presentation", "--steps", "1", "--preset", preset,
                *(["--hide-derivatives"] if hide else []))
    check(d)
    digits = d["digits_px"]
    assert len({round(v, 6) for v in digits.values()}) == 1, digits
    assert min(digits.values()) >= 0.03 * d["screen"][3] - 1e-6, digits
    assert d["whole"] == whole
    if not whole:
        assert min(digits.values()) == pytest.approx(0.03 * d["screen"][3])
