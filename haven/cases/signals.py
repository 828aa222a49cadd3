"""Signals cases sends, for downstream apps (communications) that cases must not import.

Receivers connect in their own AppConfig.ready(), so a reader finds every listener by
searching for the signal's name.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changed the public status of a case's requests, once per
# change, after the new statuses are saved (so an outbox row written by a receiver commits or
# rolls back with the change). Arguments:
#   case: the Case
#   changes: list of (Request, old_status, new_status) for every request whose status changed
#   actor: the User who made the change, or None for the system
# Sent by cases.public_status (the one writer of Request.status). A change of the closure
# outcome alone (Request.outcome, status staying closed) is saved but not sent.
public_status_changed = Signal()
