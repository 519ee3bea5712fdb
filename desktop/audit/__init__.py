"""The tamper-evident audit: an append-only, hash-chained log whose every entry the station
signs, so an edited, deleted, reordered or inserted row is found by ``sigilo audit verify``."""

from desktop.audit.log import GENESIS, AuditEntry, AuditLog
from desktop.audit.verify import Problem, verify_chain

__all__ = ["AuditLog", "AuditEntry", "GENESIS", "Problem", "verify_chain"]
