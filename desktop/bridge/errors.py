"""The bridge's error codes. Each refusal a page can meet has its own code (a web team
branches on it) and a sentence for a person. Codes are part of the protocol (docs/bridge.md)
and never change meaning."""

from __future__ import annotations

from desktop.errors import SigiloError


class BridgeError(SigiloError):
    """The bridge cannot start or an operator's command cannot be done (shown on the terminal
    or in the window with its hint)."""


class BridgeRefusal(Exception):
    """A request refused: ``code`` (below) goes to the page with ``msg``; ``field`` names the
    request field at fault when there is one."""

    def __init__(self, code: str, msg: str, field: str = "", **extra) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.field = field
        self.extra = extra


# code -> what it means (docs/bridge.md repeats this table with what a page should do)
CODES: dict[str, str] = {
    "BAD_MESSAGE": "The message is not a JSON object with cmd and requestID.",
    "UNSUPPORTED_VERSION": "The message's version is not one this bridge speaks.",
    "UNKNOWN_COMMAND": "The cmd is not a command of this bridge.",
    "MESSAGE_TOO_LARGE": "The message is larger than 1 MB.",
    "RATE_LIMITED": "This origin sent more than 20 requests in a second.",
    "NO_ORIGIN": "The connection carries no Origin header a token could be bound to.",
    "NOT_PAIRED": "The request carries no token: pair first.",
    "PAIRING_PENDING": "The pairing is waiting for an operator's approval.",
    "PAIRING_REFUSED": "The operator refused the pairing, or it expired unapproved.",
    "BAD_TOKEN": "The token is not one this station issued.",
    "TOKEN_REVOKED": "The operator revoked this page's pairing.",
    "ORIGIN_MISMATCH": "The token was issued to another origin than this connection's.",
    "BAD_TASK": "The task lacks a field or a field has the wrong type.",
    "TOO_MANY_DOCUMENTS": "The task has more than 500 documents.",
    "TASK_CONFLICT": "The taskID is already used for other documents.",
    "UNKNOWN_PRINTER": "The printer is not one of getPrinters' names.",
    "UNKNOWN_TASK": "No task with this taskID was sent from this origin.",
    "BUSY": "The station cannot take the request now; retry in a moment.",
    # document-level (in printStatus[].code)
    "INVALID_DOCUMENT": "The shipment fails validation; field names what to fix.",
    "DUPLICATE_TRACKING": "A label with this tracking number is already printed at this station.",
    "PRINT_FAILED": "The label could not be composed or printed; msg says why.",
}
