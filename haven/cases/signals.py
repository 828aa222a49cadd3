"""Signals cases sends, for downstream apps (communications) that cases must not import.

Receivers connect in their own AppConfig.ready(), so a reader finds every listener by
searching for the signal's name.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by cases.public_status (the one writer of Request.status) once per sync, for every
# case whose requests' public status changed in it (one case, or the thousands of a bulk
# referral), inside the transaction that changed them, after the new statuses are saved (so
# an outbox row written by a receiver commits or rolls back with the change). Arguments:
#   changes: list of (Case, Request, old_status, new_status), one per request whose status
#            changed, grouped by case (a case's changes are next to each other)
#   actor: the User who made the change, or None for the system
# Receivers work set by set: one receiver call for a bulk referral of 10,000 cases, not
# 10,000. A change of the closure outcome alone (Request.outcome, status staying closed) is
# saved but not sent.
public_status_changed_many = Signal()

# One case's changes: (case, changes=[(Request, old_status, new_status)], actor). cases no
# longer sends it (it sends public_status_changed_many, one case included); it stays for a
# sender that has one case's change in hand, and communications answers it as it answers
# the set-based one. A new receiver connects to public_status_changed_many.
public_status_changed = Signal()

# Sent inside the transaction that stored documents on a case (an upload on the case page, at
# walk-in, an e-mail's attachments), once per call, after the documents are saved. Arguments:
#   case: the Case
#   kinds: list of the documents' kinds (Document.Kind codes such as "passport", "tazkira",
#          "recommendation_letter"), in order
#   evidence: set of the guidance evidence codes those kinds are (models.EVIDENCE_OF_KIND;
#          passport and tazkira are both "identity_document")
#   documents: list of the new Document rows (a quarantined one is still evidence received)
#   actor: the User who added them, or None for the system (the e-mail import)
# Sent by cases.services_documents.documents_add. Received by cases.services_tasks
# (connected in CasesConfig.ready()): the case's checklist of still-needed evidence ticks off
# what those documents bring.
documents_added = Signal()

# Sent inside the transaction that found malware in a document (at upload, or when the
# `haven tick` job scanned it again), once per document. Arguments:
#   case: the Case; document: the Document (quarantined for good); signature: clamd's name
# The case history and the supervisors' quarantine list show it already; a receiver may
# alert someone too (an alerts app).
document_infected = Signal()
