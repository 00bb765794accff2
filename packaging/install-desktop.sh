#!/usr/bin/env bash
# Install Skyline's menu entry, icon and `skyline` command on Linux.
#
#   ./install-desktop.sh                for the current user (~/.local/bin, ~/.local/share)
#   sudo ./install-desktop.sh --system  for every user: copies the program to /opt/skyline-VERSION,
#                                       links /usr/local/bin/skyline, entry and icon under
#                                       /usr/local/share
#   ./install-desktop.sh --uninstall [--system]
#
# Run it from the unpacked release folder (next to the `skyline` program), or from a checkout
# after `make package` (it then uses dist/skyline/). The program itself stays where it is for a
# user install: moving the folder later needs a rerun.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -x "$here/skyline" ] && [ -f "$here/skyline.desktop" ]; then  # release folder
    program_dir="$here"
    desktop_src="$here/skyline.desktop"
    png_src="$here/skyline.png"
    svg_src="$here/skyline.svg"
elif [ -x "$here/../dist/skyline/skyline" ]; then  # checkout, after `make package`
    program_dir="$(cd "$here/../dist/skyline" && pwd)"
    desktop_src="$here/../resources/skyline.desktop"
    png_src="$here/../resources/icons/skyline.png"
    svg_src="$here/../resources/icons/skyline.svg"
else
    echo "install-desktop.sh: no Skyline program next to this script (nor dist/skyline/skyline)." >&2
    exit 2
fi

mode=user
action=install
for arg in "$@"; do
    case "$arg" in
        --system) mode=system ;;
        --user) mode=user ;;
        --uninstall) action=uninstall ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-desktop.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    esac
done

if [ "$mode" = system ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-desktop.sh: --system needs root (sudo)." >&2
        exit 2
    fi
    version="$("$program_dir/skyline" --version 2>/dev/null | awk '{print $2}')"
    version="${version:-current}"
    prefix=/usr/local
    bin_dir="$prefix/bin"
    share="$prefix/share"
    install_dir="/opt/skyline-$version"
else
    bin_dir="$HOME/.local/bin"
    share="${XDG_DATA_HOME:-$HOME/.local/share}"
    install_dir="$program_dir"
fi
apps="$share/applications"
icons="$share/icons/hicolor"

refresh_caches() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
}

if [ "$action" = uninstall ]; then
    rm -f "$apps/skyline.desktop" "$icons/256x256/apps/skyline.png" \
          "$icons/scalable/apps/skyline.svg"
    # Remove the command only if it is our link; a system install also removes its /opt copy.
    if [ -L "$bin_dir/skyline" ]; then
        target_dir="$(dirname "$(readlink "$bin_dir/skyline")")"
        rm -f "$bin_dir/skyline"
        if [ "$mode" = system ]; then
            case "$target_dir" in /opt/skyline-*) rm -rf "$target_dir" ;; esac
        fi
    fi
    refresh_caches
    echo "Skyline's menu entry and command removed."
    exit 0
fi

if [ "$mode" = system ] && [ "$install_dir" != "$program_dir" ]; then
    rm -rf "$install_dir"
    mkdir -p "$install_dir"
    cp -a "$program_dir/." "$install_dir/"
    chmod -R a+rX "$install_dir"
fi

mkdir -p "$bin_dir" "$apps" "$icons/256x256/apps" "$icons/scalable/apps"
ln -sfn "$install_dir/skyline" "$bin_dir/skyline"
install -m 0644 "$png_src" "$icons/256x256/apps/skyline.png"
install -m 0644 "$svg_src" "$icons/scalable/apps/skyline.svg"
# The entry runs the program by absolute path: ~/.local/bin is not on every user's PATH.
sed "s|^Exec=skyline |Exec=\"$install_dir/skyline\" |" "$desktop_src" > "$apps/skyline.desktop"
chmod 0644 "$apps/skyline.desktop"
refresh_caches

echo "Skyline installed: menu entry $apps/skyline.desktop, command $bin_dir/skyline"
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "Note: $bin_dir is not on your PATH; the menu entry works anyway." ;;
esac
