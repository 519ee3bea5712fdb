#!/usr/bin/env bash
# macOS: build the bundle on a Mac, then wrap dist/sigilo in a disk image.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
"$root/.venv/bin/pyinstaller" --noconfirm "$root/installer/sigilo.spec"
hdiutil create -volname Sigilo -srcfolder "$root/dist/sigilo" -ov -format UDZO "$root/dist/sigilo.dmg"
