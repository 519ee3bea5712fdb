"""The package as a clerk's PC takes it: the PyInstaller bundle and the .deb that `./run package`
builds, installed with apt into a fresh Debian root made from Debian's own packages, and run
from the installed files by an ordinary user: `sigilo --version`, `sigilo demo`, `sigilo scan`
of a label the demo wrote, and the GUI kept up for 3 s (offscreen, and on an X server through
the xcb plugin the package's Depends must satisfy). Then the package is purged, which must leave
the user's data and say where it is.

Everything is made once, for the one test that uses it, and the slow parts overlap: mmdebstrap
makes the Debian root, with the packages of the .deb's Depends (installer/linux/depends, the
file build-deb.sh writes them from), while PyInstaller builds the bundle; it then waits for the
.deb and installs it with apt, which checks its Depends against the root and would fetch
anything else it named. conftest.py runs this test first, so the rest of the suite runs beside it.
Debian packages downloaded for the root are kept in the user's cache folder between sessions,
so a second run does not download them again; the root itself is new every time."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DEPENDS_FILE = ROOT / "installer" / "linux" / "depends"
SUITE = "bookworm"
CLERK = "clerk"
# What the test needs on this machine, and the Debian package that brings each (./run test
# installs them when run as root).
TOOLS = {"dpkg-deb": "dpkg", "mmdebstrap": "mmdebstrap", "unshare": "util-linux", "chroot": "coreutils",
         "Xvfb": "xvfb", "xdotool": "xdotool", "desktop-file-validate": "desktop-file-utils"}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"the packaging test needs {', '.join(missing)}: run ./run test as root, or "
                    f"apt install {' '.join(sorted({TOOLS[t] for t in missing}))}")


def _run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert result.returncode == 0, f"{cmd[:3]} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def depends() -> list[str]:
    """The .deb's Depends as installer/linux/depends writes them, e.g. 'libc6 (>= 2.36)'."""
    lines = (re.sub(r"#.*", "", line).strip() for line in DEPENDS_FILE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _apt_sources() -> Path:
    """This machine's own apt sources, so the root comes from the same Debian mirror apt uses."""
    for candidate in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if candidate.is_file() and candidate.stat().st_size:
            return candidate
    pytest.fail("no apt sources on this machine to make a Debian root from (/etc/apt/sources.list.d/debian.sources)")


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
    root: Path
    seconds: dict[str, float]
    _mmdebstrap: subprocess.Popen
    _log: Path
    _started: float
    _ready: bool = field(default=False)

    def installed_root(self) -> Path:
        """The fresh Debian root with the .deb installed by apt, once mmdebstrap has finished."""
        if not self._ready:
            try:
                rc = self._mmdebstrap.wait(timeout=1200)
            except subprocess.TimeoutExpired:
                rc = "still running after 20 min"
            self.seconds["root"] = time.monotonic() - self._started
            base = self._log.parent / "root-base-made"  # touched when the root waits for the .deb
            if base.exists():
                self.seconds["root_base"] = base.stat().st_mtime - (time.time() - time.monotonic() + self._started)
            log = self._log.read_text(encoding="utf-8", errors="replace")
            assert rc == 0, f"mmdebstrap failed ({rc}):\n{log[-4000:]}"
            self._ready = True
        return self.root


def _start_root(work: Path, deb_ready: Path, deb_name: str) -> tuple[subprocess.Popen, Path]:
    """mmdebstrap, in the background: a fresh Debian root with the Depends installed from Debian's
    packages; then it waits for deb_ready (the built .deb's path, or empty when the build failed),
    installs that .deb with apt and adds the clerk's account. Downloaded packages are linked in
    from and saved out to a cache (added atomically: other checkouts may use it at the same time),
    so only the first session downloads them."""
    root, cache, log = work / "root", _cache_dir(), work / "mmdebstrap.log"
    names = [re.sub(r"\s*\(.*\)", "", dep) for dep in depends()]
    archives = '"$1"/var/cache/apt/archives'
    wait_for_deb = (f': > {work / "root-base-made"}; i=0; until [ -e {deb_ready} ]; do sleep 0.2; i=$((i+1)); '
                    f'[ $i -lt 6000 ] || {{ echo "no .deb after 20 min" >&2; exit 1; }}; done; '
                    f'deb="$(cat {deb_ready})"; [ -n "$deb" ] || {{ echo "the .deb was not built" >&2; exit 1; }}; '
                    f'cp "$deb" "$1/tmp/{deb_name}"')
    cmd = ["mmdebstrap", "--variant=apt", "--format=directory",
           "--skip=download/empty", "--skip=essential/unlink",
           # a throw-away root needs no crash safety: dpkg without an fsync per file
           "--dpkgopt=force-unsafe-io",
           f"--include={','.join(names)}",
           "--setup-hook", f"mkdir -p {archives}",
           "--setup-hook", f'for f in {cache}/*.deb; do [ -e "$f" ] || continue; '
                           f'ln "$f" {archives}/ 2>/dev/null || cp "$f" {archives}/; done',
           "--customize-hook", wait_for_deb,
           "--customize-hook", f'chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/{deb_name}',
           "--customize-hook", f'chroot "$1" useradd --create-home --shell /bin/sh {CLERK}',
           "--customize-hook", f'for f in {archives}/*.deb; do n="${{f##*/}}"; [ -e "{cache}/$n" ] || '
                               f'{{ cp "$f" "{cache}/.$n.$$" && mv "{cache}/.$n.$$" "{cache}/$n"; }}; done',
           "--customize-hook", f"rm -f {archives}/*.deb",
           SUITE, str(root), str(_apt_sources())]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    _need(*TOOLS)
    if os.geteuid() != 0:
        pytest.fail("the packaging test installs the package into a fresh Debian root with apt and runs it "
                    "there (chroot), which takes root: run ./run test as root")
    work = tmp_path_factory.mktemp("package")
    seconds: dict[str, float] = {}
    deb_name = f"sigilo_{VERSION}_amd64.deb"
    deb_ready = work / "deb-ready"
    started = time.monotonic()
    mmdebstrap, log = _start_root(work, deb_ready, deb_name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    try:
        try:
            start, cpu = time.monotonic(), _cpu()
            _run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                  "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                  str(ROOT / "installer" / "sigilo.spec")], timeout=900, cwd=ROOT, env=env)
            seconds["bundle"], seconds["bundle_cpu"] = time.monotonic() - start, _cpu() - cpu
            bundle = work / "dist" / "sigilo"
            shutil.rmtree(work / "build", ignore_errors=True)

            start, cpu = time.monotonic(), _cpu()
            out = _run([str(ROOT / "installer" / "linux" / "build-deb.sh"), str(bundle), str(work / "out")],
                       timeout=600, cwd=ROOT).stdout.strip().splitlines()[-1]
            seconds["deb"], seconds["deb_cpu"] = time.monotonic() - start, _cpu() - cpu
            deb = Path(out)
        except BaseException:
            deb_ready.write_text("")  # mmdebstrap stops waiting, and fails
            raise
        (work / "deb-ready.tmp").write_text(str(deb))
        (work / "deb-ready.tmp").rename(deb_ready)
        yield Built(bundle, deb, work / "root", seconds, mmdebstrap, log, started)
    finally:
        if mmdebstrap.poll() is None:
            os.killpg(mmdebstrap.pid, signal.SIGTERM)  # its own session: mmdebstrap and its children
            try:
                mmdebstrap.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(mmdebstrap.pid, signal.SIGKILL)
                mmdebstrap.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


def _in_root_cmd(root: Path, argv: tuple[str, ...], user: str | None, env: dict | None) -> list[str]:
    home = f"/home/{user}" if user else "/root"
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home, "LANG": "C.UTF-8",
            "USER": user or "root"}
    base.update(env or {})
    userspec = [f"--userspec={user}:{user}"] if user else []
    script = 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && exec chroot "$@"'
    return ["unshare", "--mount", "--fork", "--", "sh", "-c", script, str(root),
            *userspec, str(root), "env", "-i", *[f"{k}={v}" for k, v in base.items()], *argv]


def in_root(root: Path, *argv: str, user: str | None = CLERK, env: dict | None = None, timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess:
    """Run argv inside the Debian root with /proc and /dev mounted in a private mount namespace
    (gone when the command ends), as the clerk unless user is None."""
    result = subprocess.run(_in_root_cmd(root, argv, user, env), capture_output=True, text=True, timeout=timeout,
                            env={"PATH": os.environ["PATH"]})
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
    # one copy of the package's metadata, the one pip wrote (not the checkout's egg-info), and
    # nothing in it that names the machine the bundle was built on
    metadata = sorted(p.name for p in internal.glob("sigilo[-.]*-info"))
    assert metadata == [f"sigilo-{VERSION}.dist-info"]
    info = internal / metadata[0]
    assert f"\nVersion: {VERSION}\n" in (info / "METADATA").read_text(encoding="utf-8")
    assert not (info / "direct_url.json").exists() and not (info / "RECORD").exists()
    result = _run([str(built.bundle / "sigilo"), "--version"], timeout=120)
    assert result.stdout.strip() == f"sigilo {VERSION}"


def check_the_deb_names_its_version_depends_and_files(built: Built) -> None:
    assert built.deb.name == f"sigilo_{VERSION}_amd64.deb"
    fields = _run(["dpkg-deb", "-f", str(built.deb), "Version", "Architecture", "Depends"], timeout=60).stdout
    assert f"Version: {VERSION}\n" in fields and "Architecture: amd64\n" in fields
    # the Depends are installer/linux/depends, which the root was made with
    assert f"Depends: {', '.join(depends())}\n" in fields
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


def _gui_on_x(built: Built, root: Path) -> None:
    """The installed GUI on an X server through the xcb plugin, as the desktop entry starts it:
    its first window (a new clerk's setup) is mapped, stays up 3 s, and nothing is reported."""
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    gui = None
    try:
        display = xvfb.stdout.readline().strip()
        assert display.isdigit(), "Xvfb did not start"
        xenv = {"DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
        started = time.monotonic()
        # the inner timeout ends the window if this test cannot (it is killed by its pid below)
        gui = subprocess.Popen(_in_root_cmd(root, ("timeout", "120", "sigilo", "gui"), CLERK, xenv),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={"PATH": os.environ["PATH"]})
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Sigilo"],
                               capture_output=True, text=True, timeout=110, env={**os.environ, **xenv})
        window = found.stdout.split()[0] if found.stdout.split() else None
        built.seconds["gui_mapped"] = time.monotonic() - started
        assert window, f"no Sigilo window on X:\n{found.stderr}"
        title = _run(["xdotool", "getwindowname", window], timeout=30, env={**os.environ, **xenv}).stdout.strip()
        assert title == "Sigilo — set up this station", title  # a new clerk's first window
        pid = int(_run(["xdotool", "getwindowpid", window], timeout=30, env={**os.environ, **xenv}).stdout)
        time.sleep(3)
        assert gui.poll() is None, f"the GUI on X ended within 3 s of its window ({gui.returncode})"
        os.kill(pid, signal.SIGTERM)
        _, err = gui.communicate(timeout=60)
        assert "Traceback" not in err and "could not" not in err.lower() and "Error" not in err, err[-3000:]
    finally:
        if gui is not None and gui.poll() is None:
            gui.kill()
            gui.wait(timeout=30)
        xvfb.terminate()
        xvfb.wait(timeout=30)


def check_the_installed_package_runs_for_a_clerk_and_purges_cleanly(built: Built) -> None:
    root = built.installed_root()
    # what apt installed, where the package puts it
    assert (root / "opt/sigilo/sigilo").is_file()
    assert os.readlink(root / "usr/bin/sigilo") == "/opt/sigilo/sigilo"
    assert (root / "usr/share/icons/hicolor/256x256/apps/sigilo.png").is_file()
    status = in_root(root, "dpkg-query", "-W", "-f", "${Status} ${Version}", "sigilo", user=None).stdout
    assert status == f"install ok installed {VERSION}"

    # every shared library of the bundle finds what it needs, in the bundle (the bootloader puts
    # _internal on the library path, as here) or on the clean system through the Depends
    libs = in_root(root, "sh", "-c", "find /opt/sigilo -name '*.so*' -type f -exec ldd {} + 2>/dev/null; "
                                     "ldd /opt/sigilo/sigilo",
                   user=None, env={"LD_LIBRARY_PATH": "/opt/sigilo/_internal"}).stdout
    missing = sorted({line.split()[0] for line in libs.splitlines() if "not found" in line})
    assert missing == [], f"libraries the package's Depends do not bring: {missing}"

    version = in_root(root, "sigilo", "--version")
    assert version.stdout.strip() == f"sigilo {VERSION}"

    demo = in_root(root, "sigilo", "demo", "--out", f"/home/{CLERK}/labels", timeout=300)
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
    # ... and on an X server, through the xcb platform plugin
    _gui_on_x(built, root)

    # removing the program keeps the clerk's data, and purging says where it is
    data = root / "home" / CLERK / ".local/share/sigilo"
    assert data.is_dir()
    purge = in_root(root, "dpkg", "--purge", "sigilo", user=None)
    assert not (root / "opt/sigilo").exists() and not (root / "usr/bin/sigilo").exists()
    assert data.is_dir()
    assert "~/.local/share/sigilo" in purge.stdout + purge.stderr


@pytest.mark.early
def test_the_package_builds_installs_and_runs_as_a_clerk_uses_it(built):
    # One test over the one build, so that no second xdist worker builds it again; the steps
    # run in the order a user meets them, and the first that fails names itself. The bundle and
    # .deb checks run while apt is still installing the .deb into the root.
    check_the_bundle_carries_every_resource_and_the_version(built)
    check_the_deb_names_its_version_depends_and_files(built)
    check_the_installed_package_runs_for_a_clerk_and_purges_cleanly(built)
    print("packaging: " + ", ".join(f"{k} {v:.1f} s" for k, v in built.seconds.items()))
