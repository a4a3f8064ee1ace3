"""Network ▸ Architecture… (Ctrl+Alt+A): the network's shape in one non-modal dialog — how many
neurons each layer has, each layer's activation, the loss, and how Randomize and new neurons
initialise their weights. Every change takes effect at once as one undo command (the canvas and
the plots rebuild; surviving weights keep their values); a change the network cannot take (a
limit, softmax in a hidden layer, cross-entropy after linear outputs) is refused in the status
bar and the dialog shows the network as it is."""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QSpinBox, QToolBar,
                               QVBoxLayout)

from engine import architecture as arch
from engine.activations import ACTIVATIONS
from engine.losses import LOSSES

from . import keyboard

INIT_TEXT = {"glorot": "Glorot (tanh, sigmoid)", "he": "He (ReLU)", "uniform": "uniform ±a",
             "zeros": "zeros (cannot learn)"}
LIMITS = (f"Up to {arch.MAX_HIDDEN_LAYERS} hidden layers and {arch.MAX_NEURONS} neurons a "
          "layer, so the canvas stays legible.")


class ArchitectureDialog(QDialog):
    def __init__(self, controller, parent=None):
        super().__init__(parent, objectName="architectureDialog")
        self.setWindowTitle("Architecture")
        self.controller = controller
        self.grid = QGridLayout()
        self.rows = []  # per layer: (size spin box, activation combo or None, remove or None)
        self.add_layer_button = QPushButton("Add hidden layer", objectName="addLayerButton")
        self.add_layer_button.clicked.connect(
            lambda: controller.add_layer(len(controller.network.sizes) - 1))
        self.loss_combo = QComboBox(objectName="lossCombo")
        self.loss_combo.addItems(sorted(LOSSES))
        self.loss_combo.activated.connect(
            lambda i: controller.set_loss(self.loss_combo.itemText(i)))
        self.init_combo = QComboBox(objectName="initCombo")
        for key in arch.INITS:
            self.init_combo.addItem(INIT_TEXT[key], key)
        self.init_combo.activated.connect(self._init_chosen)
        self.a_spin = QDoubleSpinBox(objectName="initRangeSpin", decimals=3, minimum=0.001,
                                     maximum=10.0, singleStep=0.1)
        self.a_spin.valueChanged.connect(
            lambda a: controller.set_init(controller.init, a))
        self.warning = QLabel(arch.INIT_WARNING, wordWrap=True, objectName="initWarning")
        limits = QLabel(LIMITS, wordWrap=True, objectName="limitsLabel")
        form = QFormLayout()
        form.addRow("Loss", self.loss_combo)
        init_row = QHBoxLayout()
        init_row.addWidget(self.init_combo, 1)
        init_row.addWidget(QLabel("a"))
        init_row.addWidget(self.a_spin)
        form.addRow("Initialisation (Randomize, new neurons)", init_row)
        layout = QVBoxLayout(self)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_layer_button)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(limits)
        layout.addStretch(1)
        for w, name, tip in (
                (self.loss_combo, "Loss", "The loss L the network minimises"),
                (self.init_combo, "Initialisation",
                 "How Randomize and new neurons set their weights (seeded); biases start at 0"),
                (self.a_spin, "Range a of uniform ±a", "Weights drawn from −a … a"),
                (self.add_layer_button, "Add hidden layer", "")):
            w.setAccessibleName(name)
            if tip:
                w.setToolTip(tip)
        controller.structureChanged.connect(self.refresh)
        self.refresh()

    def _init_chosen(self, index):
        self.controller.set_init(self.init_combo.itemData(index))
        self.refresh()

    def refresh(self):
        """Rows for the network as it is now."""
        c = self.controller
        net = c.network
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:  # gone now (it may be the one whose signal got us here: later)
                w.hide()
                w.setParent(None)
                w.deleteLater()
        self.rows = []
        last = len(net.sizes) - 1
        for l, size in enumerate(net.sizes):
            names = ", ".join(c.neuron_name(j) for j in net.layout.neurons(l))
            title = ("Inputs" if l == 0 else "Outputs" if l == last else f"Hidden layer {l}")
            label = QLabel(f"{title} ({names})")
            spin = QSpinBox(objectName=f"layerSize{l}", minimum=1, maximum=arch.MAX_NEURONS)
            spin.setValue(size)
            spin.setAccessibleName(f"{title}: number of neurons")
            spin.setToolTip(f"1 to {arch.MAX_NEURONS} neurons")
            spin.valueChanged.connect(lambda n, l=l: self.controller.set_layer_size(l, n))
            self.grid.addWidget(label, l, 0)
            self.grid.addWidget(spin, l, 1)
            combo = remove = None
            if l > 0:
                combo = QComboBox(objectName=f"layerActivation{l}")
                combo.addItems(sorted(a for a in ACTIVATIONS
                                      if l == last or ACTIVATIONS[a].elementwise))
                combo.setCurrentText(net.activations[l - 1])
                combo.setAccessibleName(f"{title}: activation")
                combo.setToolTip(f"y = f(net) of {title.lower()}'s neurons")
                combo.activated.connect(
                    lambda i, l=l, combo=combo: self.controller.set_activation(
                        l, combo.itemText(i)))
                self.grid.addWidget(combo, l, 2)
            if 0 < l < last:
                remove = QPushButton("Remove", objectName=f"removeLayer{l}")
                remove.setAccessibleName(f"Remove hidden layer {l}")
                remove.setToolTip("Its neighbours are joined by new weights")
                remove.clicked.connect(lambda _=False, l=l: self.controller.remove_layer(l))
                self.grid.addWidget(remove, l, 3)
            self.rows.append((spin, combo, remove))
        full = len(net.sizes) - 2 >= arch.MAX_HIDDEN_LAYERS
        self.add_layer_button.setEnabled(not full)
        self.add_layer_button.setToolTip(LIMITS if full else
                                         "A hidden layer of two ReLU neurons before the outputs")
        self.loss_combo.setCurrentText(net.loss)
        self.init_combo.setCurrentIndex(arch.INITS.index(c.init))
        self.a_spin.blockSignals(True)
        self.a_spin.setValue(c.init_a)
        self.a_spin.blockSignals(False)
        self.a_spin.setEnabled(c.init == "uniform")
        self.warning.setVisible(c.init == "zeros")


class Architecture(QObject):
    """The Architecture action and its dialog for one MainWindow."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.actionArchitecture = window.add_action(
            "actionArchitecture", "Architecture…", "Ctrl+Alt+A", self.show,
            "Layers, neurons, activations, the loss and the initialisation")
        menu = next(a.menu() for a in window.menuBar().actions()
                    if a.menu() is not None and a.text().replace("&", "") == "Network")
        menu.addSeparator()
        menu.addAction(self.actionArchitecture)
        toolbar = window.findChild(QToolBar, "mainToolBar")
        toolbar.addAction(self.actionArchitecture)
        keyboard.name_action_widget(toolbar.widgetForAction(self.actionArchitecture),
                                    self.actionArchitecture)

    def show(self):
        if self.dialog is None:
            self.dialog = ArchitectureDialog(self.window.controller, self.window)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


def install(window):
    """Network ▸ Architecture… and its toolbar button: ``window.architecture``."""
    window.architecture = Architecture(window)
