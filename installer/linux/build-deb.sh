#!/usr/bin/env bash
# A .deb from the PyInstaller one-folder bundle:  installer/linux/build-deb.sh BUNDLE OUTDIR
# (./run package calls it with dist/sigilo and dist/). It installs
#   /opt/sigilo/                         the bundle
#   /usr/bin/sigilo                      a link to the bundle's program
#   /usr/share/applications/sigilo.desktop, /usr/share/icons/hicolor/*/apps/sigilo.png (+ .svg)
#   /usr/lib/udev/rules.d/60-sigilo-printers.rules   USB label printers for the seated user
# and Depends on what the bundle loads from the system (checked with ldd in a clean Debian
# root by tests/test_packaging.py). Compression: zstd (about a second); SIGILO_DEB_COMPRESS=xz
# makes a smaller file in about two minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="${1:-$root/dist/sigilo}"
out="${2:-$root/dist}"
[ -x "$bundle/sigilo" ] || { echo "no bundle at $bundle: build it first (./run package)" >&2; exit 1; }
version="$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$root/pyproject.toml")"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/sigilo_${version}_amd64"
mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" \
         "$pkg/usr/lib/udev/rules.d" "$pkg/usr/share/icons/hicolor/scalable/apps" "$pkg/usr/share/doc/sigilo"
cp -a "$bundle" "$pkg/opt/sigilo"
ln -s /opt/sigilo/sigilo "$pkg/usr/bin/sigilo"
install -m 0644 "$here/sigilo.desktop" "$pkg/usr/share/applications/sigilo.desktop"
for png in "$root"/resources/icons/sigilo-*.png; do
  size="$(basename "$png" .png)"; size="${size#sigilo-}"
  install -D -m 0644 "$png" "$pkg/usr/share/icons/hicolor/${size}x${size}/apps/sigilo.png"
done
install -m 0644 "$root/resources/icons/sigilo.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/sigilo.svg"
python3 "$here/udev_rules.py" > "$pkg/usr/lib/udev/rules.d/60-sigilo-printers.rules"
chmod 0644 "$pkg/usr/lib/udev/rules.d/60-sigilo-printers.rules"
install -m 0644 "$root/CHANGELOG.md" "$pkg/usr/share/doc/sigilo/CHANGELOG.md"
install -m 0644 "$root/docs/install.md" "$pkg/usr/share/doc/sigilo/install.md"
install -m 0755 "$here/postinst" "$here/postrm" "$pkg/DEBIAN/"

# What the bundle loads from the system rather than carrying: glibc, OpenGL/EGL through
# libglvnd, the xcb platform plugin's libraries, fontconfig and freetype, D-Bus, libusb for
# pyusb, and a font that draws Chinese labels (wqy-microhei: reportlab cannot use CFF fonts).
depends="libc6 (>= 2.28), libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libglib2.0-0,
 libx11-6, libx11-xcb1, libxcb1, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4,
 libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-render0, libxcb-shape0,
 libxcb-shm0, libxcb-sync1, libxcb-util1, libxcb-xfixes0, libxcb-xkb1, libxcb-xinerama0,
 libusb-1.0-0, fonts-wqy-microhei"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: sigilo
Version: $version
Architecture: amd64
Section: utils
Priority: optional
Maintainer: Sigilo <team@sigilo.invalid>
Installed-Size: $(du -sk --apparent-size "$pkg" | cut -f1)
Depends: $(echo $depends)
Recommends: cups-client
Description: privacy waybill printing
 Masks recipients' names, phones and addresses on shipping labels and seals the
 full details into an encrypted, signed QR code that only authorized scanners open.
 Drives TSPL, ZPL and ESC/POS label printers over serial, USB and the network, or
 writes PDF for an office printer.
CONTROL

mkdir -p "$out"
dpkg-deb --build --root-owner-group -Z"${SIGILO_DEB_COMPRESS:-zstd}" "$pkg" "$out/sigilo_${version}_amd64.deb" >/dev/null
echo "$out/sigilo_${version}_amd64.deb"
