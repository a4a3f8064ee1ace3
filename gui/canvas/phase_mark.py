"""The phase mark: while a step is walked phase by phase, the neurons and edges the current
phase works on wear a bluish-green ring or halo (Okabe–Ito #009E73). It is told apart from the
orange selection and from the blue/vermillion signs by colour-blind viewers too, and drawn
inside the selection halo, so an item that is both selected and active shows both."""
from __future__ import annotations

from PySide6.QtGui import QColor

PHASE = QColor("#009E73")
RING_GAP_PX = 4.0  # between a neuron's circle and its phase ring
RING_PX = 5.0      # the ring's width
EDGE_HALO_PX = 4.5  # how far an edge's phase halo reaches beyond the line on each side
