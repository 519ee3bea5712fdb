#!/usr/bin/env bash
# macOS: the bundle as Sigilo.app and a disk image around it, built on a Mac (docs/install.md):
#   installer/macos/build-dmg.sh      ->  dist/Sigilo.app and dist/sigilo-X.Y.Z.dmg
# The .app starts without a console window; its Contents/MacOS/sigilo runs commands too.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e ".[usb,test]"
.venv/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller installer/sigilo.spec
version="$(dist/Sigilo.app/Contents/MacOS/sigilo --version | cut -d' ' -f2)"
[ -n "$version" ] || { echo "the bundle did not report its version" >&2; exit 1; }
# PyInstaller signs ad hoc, which runs on the Mac that built it; for other Macs, sign with a
# Developer ID and notarize: codesign --deep -s "Developer ID Application: ..." dist/Sigilo.app
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R dist/Sigilo.app "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Sigilo $version" -srcfolder "$stage" -ov -format UDZO "dist/sigilo-$version.dmg"
echo "dist/sigilo-$version.dmg"
