"""The package as a clerk's PC takes it: the PyInstaller bundle and the .deb that `./run package`
builds, installed with apt into a fresh Debian root made from Debian's own packages, and run
from the installed files by an ordinary user: `sigilo --version`, `sigilo demo`, `sigilo scan`
of a label the demo wrote, and the GUI kept up for 3 s (offscreen, and on an X server through
the xcb plugin the package's Depends must satisfy). Then the package is purged, which must leave
the user's data and say where it is.

The bundle, the .deb and the Debian root are made once, for the one test that uses them.
Debian packages downloaded for the root are kept in the user's cache folder between sessions,
so a second run does not download them again; the root itself is new every time."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SUITE = "bookworm"
CLERK = "clerk"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"the packaging test needs {', '.join(missing)}: ./run test installs them when run as root")


def _run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert result.returncode == 0, f"{cmd[:3]} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _apt_sources() -> Path:
    """This machine's own apt sources, so the root comes from the same Debian mirror apt uses."""
    for candidate in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if candidate.is_file() and candidate.stat().st_size:
            return candidate
    pytest.fail("no apt sources on this machine to make a Debian root from")


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "sigilo" / "packaging-apt-archives" / SUITE
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


@dataclass
class Built:
    bundle: Path
    deb: Path
    root: Path  # a fresh Debian root with the .deb installed by apt
    seconds: dict[str, float]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    yield from _build(tmp_path_factory)


def _build(tmp_path_factory):
    _need("dpkg-deb", "mmdebstrap", "unshare", "chroot")
    work = tmp_path_factory.mktemp("package")
    seconds: dict[str, float] = {}
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    start, cpu = time.monotonic(), _cpu()
    _run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
          "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
          str(ROOT / "installer" / "sigilo.spec")], timeout=600, cwd=ROOT, env=env)
    seconds["bundle"], seconds["bundle_cpu"] = time.monotonic() - start, _cpu() - cpu
    bundle = work / "dist" / "sigilo"

    start, cpu = time.monotonic(), _cpu()
    out = _run([str(ROOT / "installer" / "linux" / "build-deb.sh"), str(bundle), str(work / "out")],
               timeout=300, cwd=ROOT).stdout.strip().splitlines()[-1]
    seconds["deb"], seconds["deb_cpu"] = time.monotonic() - start, _cpu() - cpu
    deb = Path(out)
    shutil.rmtree(work / "build", ignore_errors=True)

    # A fresh Debian root; the .deb is installed by apt inside it, which resolves its Depends
    # from Debian's packages as on a clerk's PC. Downloaded packages are synced in from and out
    # to a cache (mmdebstrap's documented way), so only the first session downloads them.
    root = work / "root"
    cache = _cache_dir()
    start, cpu = time.monotonic(), _cpu()
    _run(["mmdebstrap", "--quiet", "--variant=apt", "--format=directory",
          "--skip=download/empty", "--skip=essential/unlink",
          # manuals, docs and message catalogs are never read here: not unpacking them saves time
          *(f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("man", "doc", "info", "locale")),
          "--setup-hook", 'mkdir -p "$1"/var/cache/apt/archives/',
          "--setup-hook", f"sync-in {cache} /var/cache/apt/archives/",
          "--customize-hook", f"copy-in {deb} /tmp",
          "--customize-hook", f'chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/{deb.name}',
          "--customize-hook", f'chroot "$1" useradd --create-home --shell /bin/sh {CLERK}',
          "--customize-hook", f"sync-out /var/cache/apt/archives {cache}",
          "--customize-hook", 'rm -f "$1"/var/cache/apt/archives/*.deb',
          SUITE, str(root), str(_apt_sources())], timeout=900)
    seconds["root"], seconds["root_cpu"] = time.monotonic() - start, _cpu() - cpu
    print("packaging: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    yield Built(bundle, deb, root, seconds)
    shutil.rmtree(work, ignore_errors=True)


def in_root(root: Path, *argv: str, user: str | None = CLERK, env: dict | None = None, timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess:
    """Run argv inside the Debian root with /proc and /dev mounted in a private mount namespace
    (gone when the command ends), as the clerk unless user is None."""
    home = f"/home/{user}" if user else "/root"
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home, "LANG": "C.UTF-8",
            "USER": user or "root"}
    base.update(env or {})
    script = ('mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && '
              'exec chroot ${SIGILO_USER:+--userspec=$SIGILO_USER:$SIGILO_USER} "$0" env -i "$@"')
    cmd = ["unshare", "--mount", "--fork", "--", "sh", "-c", script, str(root),
           *[f"{k}={v}" for k, v in base.items()], *argv]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                            env={"PATH": os.environ["PATH"], "SIGILO_USER": user or ""})
    if check:
        assert result.returncode == 0, f"{argv} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def check_the_bundle_carries_every_resource_and_the_version(built: Built) -> None:
    internal = built.bundle / "_internal"
    ours = sorted(p.relative_to(ROOT / "resources") for p in (ROOT / "resources").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)
    assert ours, "resources/ is empty"
    missing = [str(p) for p in ours if not (internal / "resources" / p).is_file()]
    assert missing == []
    assert (internal / "resources" / "operators" / "roles.json").read_bytes() == \
        (ROOT / "resources" / "operators" / "roles.json").read_bytes()
    metadata = list(internal.glob("sigilo-*.dist-info/METADATA"))
    assert len(metadata) == 1 and f"\nVersion: {VERSION}\n" in metadata[0].read_text(encoding="utf-8")
    result = _run([str(built.bundle / "sigilo"), "--version"], timeout=120)
    assert result.stdout.strip() == f"sigilo {VERSION}"


def check_the_deb_names_its_version_depends_and_files(built: Built) -> None:
    assert built.deb.name == f"sigilo_{VERSION}_amd64.deb"
    fields = _run(["dpkg-deb", "-f", str(built.deb), "Package", "Version", "Architecture", "Depends"],
                  timeout=60).stdout
    assert f"Version: {VERSION}" in fields and "Architecture: amd64" in fields
    for dep in ("fonts-wqy-microhei", "fontconfig", "libgl1", "libegl1", "libxcb1", "libusb-1.0-0"):
        assert re.search(rf"\b{re.escape(dep)}\b", fields), dep
    listing = _run(["dpkg-deb", "-c", str(built.deb)], timeout=60).stdout
    for path in ("./opt/sigilo/sigilo", "./usr/bin/sigilo -> /opt/sigilo/sigilo",
                 "./usr/share/applications/sigilo.desktop", "./usr/lib/udev/rules.d/60-sigilo-printers.rules",
                 "./usr/share/icons/hicolor/scalable/apps/sigilo.svg",
                 *(f"./usr/share/icons/hicolor/{s}x{s}/apps/sigilo.png" for s in (16, 32, 48, 64, 128, 256))):
        assert path in listing, path


def test_the_desktop_entry_is_valid():
    _need("desktop-file-validate")
    result = subprocess.run(["desktop-file-validate", str(ROOT / "installer" / "linux" / "sigilo.desktop")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_the_udev_rule_covers_every_label_printer_maker():
    sys.path.insert(0, str(ROOT / "installer" / "linux"))
    try:
        import udev_rules
    finally:
        sys.path.pop(0)
    text = udev_rules.rules()
    vendors = json.loads((ROOT / "resources" / "usb" / "vendors.json").read_text(encoding="utf-8"))["vendors"]
    rules = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all("#" not in line for line in rules), "udev takes comments only on lines of their own"
    assert all('TAG+="uaccess"' in line and line.startswith('SUBSYSTEM=="usb"') for line in rules)
    for vid, info in vendors.items():
        covered = any(f'ATTR{{idVendor}}=="{vid.lower()}"' in line for line in rules)
        # a generic serial bridge is a tty (the dialout group's), not a printer
        assert covered == bool(info.get("printer_maker")), (vid, info["name"])
    assert any('ENV{ID_USB_INTERFACES}=="*:07*"' in line for line in rules)


def check_the_installed_package_runs_for_a_clerk_and_purges_cleanly(built: Built) -> None:
    root = built.root
    # what apt installed, where the package puts it
    assert (root / "opt/sigilo/sigilo").is_file()
    assert os.readlink(root / "usr/bin/sigilo") == "/opt/sigilo/sigilo"
    assert (root / "usr/share/icons/hicolor/256x256/apps/sigilo.png").is_file()

    # every shared library of the bundle finds what it needs, in the bundle (the bootloader puts
    # _internal on the library path, as here) or on the clean system through the Depends
    libs = in_root(root, "sh", "-c", "find /opt/sigilo -name '*.so*' -type f -exec ldd {} + 2>/dev/null; "
                                     "ldd /opt/sigilo/sigilo",
                   user=None, env={"LD_LIBRARY_PATH": "/opt/sigilo/_internal"}).stdout
    missing = sorted({line.split()[0] for line in libs.splitlines() if "not found" in line})
    assert missing == [], f"libraries the package's Depends do not bring: {missing}"

    version = in_root(root, "sigilo", "--version")
    assert version.stdout.strip() == f"sigilo {VERSION}"

    demo = in_root(root, "sigilo", "demo", "--out", "/home/clerk/labels", timeout=300)
    match = re.search(r"sigilo scan --keys (\S+) --image (\S+\.png)", demo.stdout)
    assert match, demo.stdout
    scan = in_root(root, "sigilo", "scan", "--keys", match.group(1), "--image", match.group(2), "--json")
    opened = json.loads(scan.stdout)
    tracking = Path(match.group(2)).stem
    assert tracking in json.dumps(opened)

    # the GUI, from nothing (a new user's data folder), kept up 3 s then stopped: offscreen ...
    gui = in_root(root, "timeout", "--signal=TERM", "3", "sigilo", "gui",
                  env={"QT_QPA_PLATFORM": "offscreen"}, check=False, timeout=120)
    assert gui.returncode == 124, f"the GUI ended before 3 s ({gui.returncode}):\n{gui.stderr[-3000:]}"
    assert "Traceback" not in gui.stderr and "Error" not in gui.stderr, gui.stderr[-3000:]

    # ... and on an X server, through the xcb platform plugin, as the desktop entry starts it
    if shutil.which("Xvfb"):
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            display = xvfb.stdout.readline().strip()
            assert display.isdigit(), "Xvfb did not start"
            gui = in_root(root, "timeout", "--signal=TERM", "3", "sigilo", "gui",
                          env={"DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}, check=False, timeout=120)
            assert gui.returncode == 124, f"the GUI on X ended before 3 s ({gui.returncode}):\n{gui.stderr[-3000:]}"
            assert "Traceback" not in gui.stderr and "could not" not in gui.stderr.lower(), gui.stderr[-3000:]
        finally:
            xvfb.terminate()
            xvfb.wait(timeout=30)

    # removing the program keeps the clerk's data, and purging says where it is
    data = root / "home/clerk/.local/share/sigilo"
    assert data.is_dir()
    purge = in_root(root, "dpkg", "--purge", "sigilo", user=None)
    assert not (root / "opt/sigilo").exists() and not (root / "usr/bin/sigilo").exists()
    assert data.is_dir()
    assert "~/.local/share/sigilo" in purge.stdout + purge.stderr


def test_the_package_builds_installs_and_runs_as_a_clerk_uses_it(built):
    # One test over the one build, so that no second xdist worker builds it again; the steps
    # run in the order a user meets them, and the first that fails names itself.
    check_the_bundle_carries_every_resource_and_the_version(built)
    check_the_deb_names_its_version_depends_and_files(built)
    check_the_installed_package_runs_for_a_clerk_and_purges_cleanly(built)
