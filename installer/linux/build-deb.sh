#!/usr/bin/env bash
# Build a .deb from the PyInstaller one-folder bundle (dist/sigilo): installs to /opt/sigilo,
# a `sigilo` link in /usr/bin, a desktop entry, and a udev rule so the `lp` group (which
# clerks are added to) can open USB label printers without root.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="$(grep -m1 '^version' "$root/pyproject.toml" | cut -d'"' -f2)"
[ -d "$root/dist/sigilo" ] || { echo "build the bundle first: .venv/bin/pyinstaller installer/sigilo.spec" >&2; exit 1; }
pkg="$(mktemp -d)/sigilo_${version}_amd64"
mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/etc/udev/rules.d"
cp -a "$root/dist/sigilo" "$pkg/opt/sigilo"
ln -s /opt/sigilo/sigilo "$pkg/usr/bin/sigilo"
cp "$root/installer/linux/sigilo.desktop" "$pkg/usr/share/applications/"
cp "$root/installer/linux/60-sigilo-printers.rules" "$pkg/etc/udev/rules.d/"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: sigilo
Version: $version
Architecture: amd64
Maintainer: Sigilo <team@sigilo.invalid>
Depends: libgl1, libegl1, libxkbcommon-x11-0, libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0, libdbus-1-3, fonts-wqy-microhei, libusb-1.0-0
Description: privacy waybill printing
 Masks recipients' names, phones and addresses on shipping labels and seals the full
 details into an encrypted, signed QR code for authorized scanners.
CONTROL
dpkg-deb --build --root-owner-group "$pkg" "$root/dist/"
