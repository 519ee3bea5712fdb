#!/usr/bin/env bash
# A .deb from the PyInstaller one-folder bundle:  installer/linux/build-deb.sh BUNDLE OUTDIR
# (./run package calls it with dist/sigilo and dist/). It installs
#   /opt/sigilo/                         the bundle
#   /usr/bin/sigilo                      a link to the bundle's program
#   /usr/share/applications/sigilo.desktop, /usr/share/icons/hicolor/*/apps/sigilo.png (+ .svg)
#   /usr/lib/udev/rules.d/60-sigilo-printers.rules   USB label printers for the seated user
# and Depends on what the bundle loads from the system (installer/linux/depends; checked with
# ldd in a clean Debian root by tests/test_packaging.py). Compression: zstd (a few seconds);
# SIGILO_DEB_COMPRESS=xz makes a smaller file in about two minutes.
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

# What the bundle loads from the system rather than carrying: installer/linux/depends, one a line.
depends="$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$here/depends" | paste -sd, | sed 's/,/, /g')"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: sigilo
Version: $version
Architecture: amd64
Section: utils
Priority: optional
Maintainer: Sigilo <team@sigilo.invalid>
Installed-Size: $(du -sk --apparent-size "$pkg" | cut -f1)
Depends: $depends
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
