"""The desktop files and the build script, checked without building anything (a real build takes
half a minute and 230 MB: ``uv run --with pyinstaller python packaging/build.py``)."""
import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon

from gui import classroom

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "backprop-lab.desktop"
BUILD = ROOT / "packaging" / "build.py"
INSTALL = ROOT / "packaging" / "install-desktop-entry.sh"


def desktop_entry(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in .desktop files
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_runs_the_installed_command_and_names_the_icon():
    entry = desktop_entry(DESKTOP)
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Terminal"):
        assert entry.get(key), key
    assert entry["Type"] == "Application"
    assert entry["Icon"] == classroom.DESKTOP_NAME
    assert {"Education", "Science"} <= set(entry["Categories"].rstrip(";").split(";"))
    # Exec names the command pyproject.toml installs
    assert entry_points(group="gui_scripts", name=entry["Exec"].split()[0])


def test_icon_is_an_svg_that_qt_draws(qapp):
    path = Path(classroom.icon_path())
    assert path.name == f"{classroom.DESKTOP_NAME}.svg"
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox")
    icon = QIcon(str(path))
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    assert not image.isNull()
    colours = {image.pixelColor(x, y).name() for x in range(0, 64, 4) for y in range(0, 64, 4)}
    assert len(colours) > 3  # drawn, not blank


def test_build_dry_run_bundles_every_data_folder_by_absolute_path():
    out = subprocess.run([sys.executable, str(BUILD), "--dry-run"], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    command = out.split("command:", 1)[1].split()
    sources = [command[i + 1].rsplit(os.pathsep, 1)[0] for i, arg in enumerate(command)
               if arg == "--add-data"]
    for folder in ("presets", "icons"):
        assert str(ROOT / "resources" / folder) in sources
    assert all(Path(s).is_absolute() and Path(s).is_dir() for s in sources)
    assert command[command.index("--hidden-import") + 1] == "resources"
    assert "--onedir" in command


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_install_desktop_entry_writes_the_entry_and_icon_for_the_user(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    subprocess.run(["sh", str(INSTALL), "/opt/backprop-lab/backprop-lab"], env=env,
                   check=True, capture_output=True, timeout=30)
    entry = desktop_entry(tmp_path / "applications" / "backprop-lab.desktop")
    assert entry["Exec"] == "/opt/backprop-lab/backprop-lab"
    assert entry["Icon"] == "backprop-lab"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "backprop-lab.svg"
    assert icon.read_bytes() == Path(classroom.icon_path()).read_bytes()
