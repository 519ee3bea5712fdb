"""Which language Sigilo speaks: from SIGILO_LANG, the saved setting, then the OS.

Station PCs often have no OS locale installed at all (``locale -a`` lists only C), so the choice
never goes through ``setlocale``: the environment variables and the OS UI language are read as
plain text and mapped onto the catalogs Sigilo ships.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SOURCE_LANGUAGE = "en"
SUPPORTED = ("en", "zh_CN", "pt_BR")

# Spellings seen in environments, OS settings and BCP 47 tags, by their primary language.
# A Chinese or Portuguese variant Sigilo has no catalog for reads the one it has.
_BY_PRIMARY = {"en": "en", "zh": "zh_CN", "pt": "pt_BR"}

SETTINGS_FILE = "settings.json"


def normalize(value: str | None) -> str | None:
    """``"zh_CN.UTF-8"``, ``"zh-Hans-CN"``, ``"pt"``, ``"pt-BR"`` -> a supported code; None for
    an empty value, "C"/"POSIX", or a language Sigilo has no catalog for."""
    if not value:
        return None
    text = value.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not text or text.upper() in ("C", "POSIX"):
        return None
    for code in SUPPORTED:
        if text.lower() == code.lower():
            return code
    return _BY_PRIMARY.get(text.split("_")[0].lower())


def _settings_path() -> Path:
    # Where desktop.paths.data_dir() is, without creating it: only reading a choice.
    env = os.environ.get("SIGILO_HOME")
    if env:
        return Path(env) / SETTINGS_FILE
    import platformdirs

    return Path(platformdirs.user_data_dir("sigilo", "Sigilo")) / SETTINGS_FILE


def read_setting(key: str):
    """One value of SIGILO_HOME/settings.json (the station's language choices), else None."""
    try:
        data = json.loads(_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get(key) if isinstance(data, dict) else None


def write_setting(key: str, value) -> None:
    """Set (or, with None, remove) one value of SIGILO_HOME/settings.json, atomically."""
    path = _settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def saved_language() -> str | None:
    """The language chosen in Settings (kept in SIGILO_HOME, so the CLI follows it too)."""
    value = read_setting("language")
    return normalize(value) if isinstance(value, str) else None


def save_language(code: str | None) -> None:
    """Remember ``code`` (None: follow the OS again). It applies from the next window or
    command on; the running one keeps its language."""
    write_setting("language", (normalize(code) or SOURCE_LANGUAGE) if code else None)


def from_environment(env: dict | None = None) -> str | None:
    """gettext's order: LANGUAGE (a colon list; its first language Sigilo has wins), then the
    first of LC_ALL, LC_MESSAGES, LANG that is set. A set variable naming a language without a
    catalog means English, as gettext falls back to the source text."""
    env = os.environ if env is None else env
    for item in (env.get("LANGUAGE") or "").split(":"):
        code = normalize(item)
        if code:
            return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalize(value) or SOURCE_LANGUAGE
    return None


def _windows_ui_language() -> str | None:
    try:
        import ctypes
        import locale

        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        return locale.windows_locale.get(lcid)
    except Exception:  # noqa: BLE001 - any failure means "not known", never a crash
        return None


def _macos_ui_language() -> str | None:
    try:
        out = subprocess.run(
            ["defaults", "read", "-g", "AppleLanguages"],
            capture_output=True, text=True, timeout=2, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for token in out.replace("(", " ").replace(")", " ").replace(",", " ").split():
        token = token.strip('"')
        if token:
            return token
    return None


def from_os_ui() -> str | None:
    """The UI language of Windows or macOS (the environment says nothing there)."""
    if sys.platform == "win32":
        return normalize(_windows_ui_language())
    if sys.platform == "darwin":
        return normalize(_macos_ui_language())
    return None


def choose_language(env: dict | None = None) -> str:
    """SIGILO_LANG, then the Settings choice, then the environment, then the OS UI language,
    else English."""
    env = os.environ if env is None else env
    forced = env.get("SIGILO_LANG")
    if forced:
        return normalize(forced) or SOURCE_LANGUAGE
    return saved_language() or from_environment(env) or from_os_ui() or SOURCE_LANGUAGE
