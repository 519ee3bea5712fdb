"""Key material for sealing and scanning: fleet (scanner) keys per region and epoch, station
signing keys, the fleet authority and its signed trust list, and how they sit on disk.

See docs/keys.md for the directory layout and the ``sigilo keys`` commands."""
