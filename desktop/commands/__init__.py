"""Subcommands of the sigilo CLI, one module each (see desktop.cli)."""
