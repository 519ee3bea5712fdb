"""The ID card reader: chip readers with a SAM module on a serial (or USB-serial) port.

    protocol    frames, XOR check, commands and status codes
    textblock   the 256-byte UCS-2 text block in fixed fields (the photo block is never decoded)
    client      find, select, read over pyserial -> the fields a record needs
    simulator   a reader on a socat pty with test cards (fictitious people), for tests and demos
"""
