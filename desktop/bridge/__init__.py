"""The local print bridge: web shops and warehouse systems print through Sigilo from a browser.

``sigilo serve`` runs a WebSocket server on the loopback addresses only, speaking the message
shape of the Cainiao print component (``{cmd, requestID, version, ...}``) so a page that
already prints through it changes a URL and a few fields. Unlike that component it does not
trust whoever connects: a page pairs first (a short code an operator approves at the station),
then carries a token bound to its origin on every request. Tasks and documents are idempotent
by id and their states live in the station's store, so a retried request never prints twice
and a page that reconnects gets the notifications it missed. docs/bridge.md is the protocol.

Qt-free: the GUI starts the same server from Settings.
"""

from desktop.bridge.errors import BridgeError, BridgeRefusal
from desktop.bridge.protocol import DEFAULT_PORT, PROTOCOL_VERSION

__all__ = ["BridgeError", "BridgeRefusal", "DEFAULT_PORT", "PROTOCOL_VERSION"]
