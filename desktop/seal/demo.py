"""A complete demo key set, so ``sigilo demo`` and first-run previews can seal and scan with
no key officer around. Every private key in it is stored unencrypted and marked demo-only:
in the fleet region name (``fleet/demo-1.key``), in each file's ``warning``, in DEMO-ONLY.txt
and in demo.json. Labels sealed with it prove nothing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from desktop.keys import manage
from desktop.keys.layout import KeysDir

DEMO_REGION = "demo"
DEMO_STATION_ID = "DEMO-0001"
DEMO_STATION_NAME = "Sigilo demo station (DEMO ONLY)"
README = """DEMO ONLY - NOT FOR REAL LABELS

Every private key in this directory is stored UNENCRYPTED and anybody with this
directory can open and forge the labels sealed with it. It exists so that Sigilo's
demo and previews work out of the box. For real labels, create keys with
`sigilo keys create-fleet`, `sigilo keys create-station` and `sigilo keys init-authority`.
"""
REQUIRED = ("station.key", "station.json", "authority.pub", "trust.json", f"fleet/{DEMO_REGION}-1.key",
            f"fleet/{DEMO_REGION}-1.pub", "DEMO-ONLY.txt", "demo.json")


def _complete(path: Path) -> bool:
    return all((path / name).exists() for name in REQUIRED)


def ensure_demo_keys(path: str | Path) -> None:
    """Create the demo key set at ``path`` unless one is already there. It is built in a
    temporary sibling and moved in file by file, so two processes racing leave one whole set."""
    path = Path(path)
    if _complete(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sigilo-demo-keys-", dir=path.parent))
    try:
        kd = KeysDir.at(tmp)
        manage.create_fleet(kd, DEMO_REGION, 1, None, demo=True)
        manage.create_station(kd, DEMO_STATION_ID, DEMO_STATION_NAME, DEMO_REGION, None, demo=True)
        manage.init_authority(kd, None, demo=True)
        manage.add_station(kd, kd.station_pub, None)
        (tmp / "DEMO-ONLY.txt").write_text(README, encoding="utf-8")
        (tmp / "demo.json").write_text(json.dumps({"demo_only": True, "unencrypted_private_keys": True,
                                                   "warning": README.splitlines()[0]}, indent=2) + "\n",
                                       encoding="utf-8")
        if not path.exists():
            try:
                os.rename(tmp, path)
                return
            except OSError:
                pass  # another process won the race, or path appeared: merge below
        path.mkdir(parents=True, exist_ok=True)
        if not _complete(path):
            # a partial set is replaced whole: mixing halves of two sets would not verify
            for name in REQUIRED + ("station.pub", "authority.key"):
                target = path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
