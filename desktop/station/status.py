"""Printer status and discovery, in a clerk's words: the printer's name rather than its URI,
"paper out" rather than ``paper_out: out of paper``, no ``[Errno 5]``."""

from __future__ import annotations

import re

from desktop.errors import SigiloError
from desktop.i18n import N_, _

_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")
_FLAG_PREFIX = re.compile(r"^[a-z]+(?:[_-][a-z]+)*:\s*")
# the words are shown translated (_() where clerk_words returns them)
_WORDS = {"paper_out": N_("paper out"), "paper-out": N_("paper out"), "head_open": N_("print head open"),
          "head-open": N_("print head open"), "ribbon_out": N_("ribbon out"), "ribbon-out": N_("ribbon out"),
          "jam": N_("paper jam"), "paused": N_("paused"), "offline": N_("offline"), "timeout": N_("not answering"),
          "disconnected": N_("disconnected"), "not found": N_("not found"), "busy": N_("in use by another program"),
          "permission": N_("no permission to use it")}


def clerk_words(reason: str, uri: str = "", name: str = "") -> str:
    """A queue or printer reason as a clerk reads it: ``paper_out: out of paper`` becomes
    "paper out", errno markers go, and the printer's URI is replaced by its name."""
    text = (reason or "").strip()
    head = text.split(":", 1)[0].strip().lower()
    if head in _WORDS and ":" in text:
        rest = _FLAG_PREFIX.sub("", text, count=1).strip()
        # "paper_out: out of paper" -> "paper out"; "paper_out: the roll is empty" -> "paper out: the roll
        # is empty"; "timeout: the printer does not answer (...)" -> "the printer does not answer (...)"
        if rest.lower() in ("out of paper", "print head open", "out of ribbon", "paused", "paper jam", "offline",
                            "cover open", ""):
            text = _(_WORDS[head])
        elif head in ("timeout", "disconnected", "not found", "busy", "permission", "offline"):
            text = rest
        else:
            text = _("{state}: {detail}").format(state=_(_WORDS[head]), detail=_(rest))
    elif head in _WORDS and text.lower() == head:
        text = _(_WORDS[head])
    text = _ERRNO.sub("", text)
    if uri and name and uri != name:
        text = text.replace(uri, name)
    return text


def query_printer(uri: str, profile: str) -> tuple[str, str]:
    """(STATE, words) of a printer no worker is driving: READY, PAPER_OUT, HEAD_OPEN, OFFLINE,
    UNKNOWN... A printer the queue drives is asked through its worker (Station.printer_status)."""
    if profile == "pdf":
        return "READY", _("writes PDF files")
    from printers.profiles import load_profile
    from printers.transports import open_transport

    try:
        language = load_profile(profile).language
        with open_transport(uri) as transport:
            if not getattr(transport, "can_read", False):
                return "UNKNOWN", _("this connection cannot read the printer's status")
            from printers.status import query_status

            status = query_status(transport, language, timeout=1.5)
    except SigiloError as exc:
        return "OFFLINE", clerk_words(exc.message, uri)
    except OSError as exc:
        return "OFFLINE", clerk_words(exc.strerror or _("not reachable"), uri)
    except Exception as exc:  # printers' own errors carry message and hint
        message = getattr(exc, "message", None)
        if not message:
            raise
        return "OFFLINE", clerk_words(message, uri)
    state = getattr(status.state, "name", None) or str(status.state)
    return state.split(".")[-1].upper(), clerk_words(getattr(status, "detail", "") or "", uri)


GUESSED_PROFILES = {"tspl": "tspl-203", "zpl": "zpl-203", "escpos": "escpos-80"}


def discovered_printers() -> list[tuple[str, str, str]]:
    """(name, uri, guessed profile) of printers found on this machine (serial ports, USB
    printer-class devices), likely printers first, for the printer chooser."""
    try:
        from printers.discovery import discover

        found = discover()
    except (ImportError, SigiloError, OSError):
        return []
    except Exception as exc:
        if getattr(exc, "message", None):
            return []
        raise
    found = sorted(found, key=lambda d: not getattr(d, "likely_printer", False))
    out = []
    for dev in found:
        name = " ".join(x for x in (getattr(dev, "vendor", ""), getattr(dev, "description", "")) if x) or dev.uri
        out.append((name, dev.uri, GUESSED_PROFILES.get(getattr(dev, "language", "") or "", "tspl-203")))
    return out
