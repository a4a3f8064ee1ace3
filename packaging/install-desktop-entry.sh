#!/usr/bin/env sh
# Add Backprop Lab to the Linux desktop's application menu, for the current user only:
#
#     sh packaging/install-desktop-entry.sh [COMMAND]
#
# COMMAND is what the menu entry runs. Without it: the built app (dist/backprop-lab/backprop-lab,
# see packaging/build.py) when there is one, else `uv run --project <this repo> backprop-lab`.
# Writes $XDG_DATA_HOME/applications/backprop-lab.desktop and the SVG icon under
# $XDG_DATA_HOME/icons/hicolor/scalable/apps/ ($XDG_DATA_HOME is ~/.local/share by default).
# Undo: rm those two files.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}

if [ $# -gt 0 ]; then
    run=$*
elif [ -x "$repo/dist/backprop-lab/backprop-lab" ]; then
    run="\"$repo/dist/backprop-lab/backprop-lab\""
else
    # a menu entry runs without the login shell's PATH, so uv is named by its full path
    uv=$(command -v uv) || {
        echo "uv not found: install it, or pass the COMMAND to run" >&2
        exit 1
    }
    run="\"$uv\" run --project \"$repo\" backprop-lab"
fi

mkdir -p "$data/applications" "$data/icons/hicolor/scalable/apps"
cp "$repo/resources/icons/backprop-lab.svg" "$data/icons/hicolor/scalable/apps/backprop-lab.svg"
# Exec= is the only line that differs from the entry in resources/
sed "s|^Exec=.*|Exec=$run|" "$repo/resources/backprop-lab.desktop" \
    > "$data/applications/backprop-lab.desktop"
# refresh the menu and icon caches where the tools exist (desktops also notice on their own)
command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$data/icons/hicolor" >/dev/null 2>&1 || true
echo "installed $data/applications/backprop-lab.desktop (Exec=$run)"
