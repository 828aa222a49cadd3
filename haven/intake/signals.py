"""Signals intake sends, for downstream apps (communications) that intake must not import.

Receivers connect in their own AppConfig.ready(), so a reader finds every listener by
searching for the signal's name.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that stored new requests, once per batch, after the requests
# and their people (with their contact identifiers) are saved, so a receipt message written
# by a receiver commits or rolls back with the requests. Arguments:
#   requests: list of the new Request rows
#   actor: the User who entered them, or None (the public form, the API, the e-mail import)
# A channel that gave the requester a receipt itself (the public form's e-mail carrying the
# status secret, which must never sit in the outbox) leaves those requests out. Requests the
# partner API accepted with their people pending are sent when the worker stores the people.
requests_received = Signal()
