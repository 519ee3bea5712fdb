"""Messages on the wire: parsing a request, the shape of replies and notifications, limits.

Every request is a JSON object ``{cmd, requestID, version, ...}``; every reply echoes ``cmd``
and ``requestID`` and says ``status: "success"`` or ``status: "failed"`` with ``code`` and
``msg`` (the Cainiao component's shape, plus a code to branch on). Notifications carry no
requestID and a ``seq``, the number a page gives back to ``resume`` after a reconnect.
"""

from __future__ import annotations

import json
import re
from typing import Any

from desktop.bridge.errors import BridgeRefusal

PROTOCOL_VERSION = "1.0"  # the message shape's version ("version" in every request)
BRIDGE_PROTOCOL = 1  # this bridge's own revision of the commands (getAgentInfo)
DEFAULT_PORT = 17528  # not Cainiao's 13528, so both run on one PC

MAX_MESSAGE_BYTES = 1_000_000  # larger messages are refused with MESSAGE_TOO_LARGE
HARD_MESSAGE_BYTES = 4_000_000  # larger ones are not even read: the socket closes (1009)
MAX_DOCUMENTS = 500
MAX_REQUESTS_PER_SECOND = 20
MAX_ID_CHARS = 128  # taskID, documentID, requestID

COMMANDS = ("getAgentInfo", "pair", "getPrinters", "print", "getTaskStatus", "resume")
OPEN_COMMANDS = ("getAgentInfo", "pair")  # everything else needs the token


def parse(raw: str | bytes) -> dict[str, Any]:
    """The request as a dict, or BridgeRefusal naming what is wrong with it."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise BridgeRefusal("MESSAGE_TOO_LARGE",
                            f"the message has {size} bytes; the limit is {MAX_MESSAGE_BYTES} (send fewer documents a task)")
    if _too_deep(raw):
        raise BridgeRefusal("BAD_MESSAGE", f"the message nests deeper than {MAX_DEPTH} levels")
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BridgeRefusal("BAD_MESSAGE", "the message is not valid JSON") from None
    if not isinstance(message, dict):
        raise BridgeRefusal("BAD_MESSAGE", "the message must be a JSON object")
    cmd = message.get("cmd")
    if not isinstance(cmd, str) or not cmd:
        raise BridgeRefusal("BAD_MESSAGE", "the message has no cmd", "cmd")
    request_id = message.get("requestID")
    if not isinstance(request_id, (str, int)) or isinstance(request_id, bool) or str(request_id) == "" \
            or len(str(request_id)) > MAX_ID_CHARS:
        raise BridgeRefusal("BAD_MESSAGE", "the message needs a requestID (a string of up to 128 characters)",
                            "requestID")
    version = message.get("version", PROTOCOL_VERSION)
    if str(version) != PROTOCOL_VERSION:
        raise BridgeRefusal("UNSUPPORTED_VERSION", f"version {version!s:.20} is not spoken here; send \"1.0\"",
                            "version")
    if cmd not in COMMANDS:
        raise BridgeRefusal("UNKNOWN_COMMAND", f"{cmd[:40]} is not a command of the Sigilo bridge", "cmd")
    return message


MAX_DEPTH = 32
_OPEN = re.compile(r'[\[{]')


def _too_deep(raw: str | bytes) -> bool:
    """Whether arrays/objects nest deeper than MAX_DEPTH, counted outside strings; checked
    before parsing, so no message drives the parser into deep recursion."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if len(_OPEN.findall(text[:200_000])) <= MAX_DEPTH and text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def echo_of(raw: str | bytes) -> dict[str, Any]:
    """cmd and requestID of a message that failed to parse, where they can be read, so even
    a refusal lands at the right promise in the page."""
    try:
        message = json.loads(raw) if len(raw) <= MAX_MESSAGE_BYTES and not _too_deep(raw) else _fields_of_large(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        message = None
    out: dict[str, Any] = {}
    if isinstance(message, dict):
        for key in ("cmd", "requestID"):
            value = message.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and len(str(value)) <= MAX_ID_CHARS:
                out[key] = value
    return out


_FIELD = re.compile(r'"(cmd|requestID)"\s*:\s*(?:"([^"\\]{1,128})"|(\d{1,18}))')


def _fields_of_large(raw: str | bytes) -> dict[str, Any]:
    """cmd and requestID of a message too large to parse, found by pattern (first match)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    out: dict[str, Any] = {}
    for match in _FIELD.finditer(text):
        if match.group(1) not in out:
            out[match.group(1)] = match.group(2) if match.group(2) is not None else int(match.group(3))
        if len(out) == 2:
            break
    return out


def success(request: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"cmd": request.get("cmd"), "requestID": request.get("requestID"), "status": "success", **fields}


def failure(request: dict[str, Any], refusal: BridgeRefusal) -> dict[str, Any]:
    out = {"cmd": request.get("cmd"), "requestID": request.get("requestID"), "status": "failed",
           "code": refusal.code, "msg": refusal.msg}
    if refusal.field:
        out["field"] = refusal.field
    out.update(refusal.extra)
    return out


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def text_id(message: dict[str, Any], key: str, where: str = "") -> str:
    """A taskID/documentID: a non-empty string (or integer) of at most 128 characters."""
    value = message.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise BridgeRefusal("BAD_TASK", f"{where or key} must be a non-empty string", where or key)
    value = str(value)
    if len(value) > MAX_ID_CHARS or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BridgeRefusal("BAD_TASK", f"{where or key} must be at most 128 printable characters", where or key)
    return value
