"""Talking to printers: a label scene -> bytes in a printer language -> a transport.

Knows nothing of privacy, shipments, Qt or databases (a test enforces it)."""
