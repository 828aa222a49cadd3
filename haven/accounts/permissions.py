"""What each role may do. Every view and selector asks here; nothing else decides.

Partner-organisation staff see nothing of the task force's cases: only, in the referrals
workspace, the snapshots of referrals sent to their own organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

TASK_FORCE_ROLES = frozenset({Role.INTAKE_OFFICER, Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN})
CASEWORK_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN})
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def _role(user: AnyUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "role", None)


def can_enter_requests(user: AnyUser) -> bool:
    return _role(user) in TASK_FORCE_ROLES


def can_view_cases(user: AnyUser) -> bool:
    return _role(user) in TASK_FORCE_ROLES


def can_work_cases(user: AnyUser) -> bool:
    """Add notes and documents, change status, assign."""
    return _role(user) in CASEWORK_ROLES


def can_read_restricted_notes(user: AnyUser) -> bool:
    """Notes marked restricted: those who work cases, not intake officers (who read cases)."""
    return _role(user) in CASEWORK_ROLES


def can_read_audit(user: AnyUser) -> bool:
    return _role(user) in OVERSIGHT_ROLES


def can_reissue_status_secrets(user: AnyUser) -> bool:
    """Give a requester a new status secret (the old one stops working): oversight."""
    return _role(user) in OVERSIGHT_ROLES


def can_merge_cases(user: AnyUser) -> bool:
    """Merge duplicate cases: closes a case and moves its work, an oversight decision."""
    return _role(user) in OVERSIGHT_ROLES


def can_view_referrals(user: AnyUser) -> bool:
    """Task-force staff read referrals, the directory and consent on the case page."""
    return _role(user) in TASK_FORCE_ROLES


def can_record_consent(user: AnyUser) -> bool:
    """Consent is given at the desk too, so intake officers record it as well."""
    return _role(user) in TASK_FORCE_ROLES


def can_refer_cases(user: AnyUser) -> bool:
    """Send, withdraw and answer questions on referrals, one case or many."""
    return _role(user) in CASEWORK_ROLES


def can_list_case_work(user: AnyUser) -> bool:
    """The staff lists behind the dashboard's referral and message figures: the people who
    work cases (caseworkers and supervisors). Partners never; administrators run the system,
    they do not work cases, and intake officers do not follow referrals or messages."""
    return _role(user) in (Role.CASEWORKER, Role.SUPERVISOR)


def can_override_consent(user: AnyUser) -> bool:
    """Refer without valid consent, with a written reason: a supervisor's decision (as with
    guidance, administrators run the system, not policy)."""
    return _role(user) == Role.SUPERVISOR


def can_use_partner_workspace(user: AnyUser) -> bool:
    """Partner staff see referrals to their own organisation, and nothing else."""
    return _role(user) == Role.PARTNER and getattr(user, "organization_id", None) is not None


def can_administer(user: AnyUser) -> bool:
    """Accounts, organisations and API tokens."""
    return _role(user) == Role.ADMIN


def can_manage_staff(user: AnyUser) -> bool:
    """See the staff list and reset someone's second factor (a lost phone)."""
    return _role(user) in OVERSIGHT_ROLES


def can_reset_factors(actor: AnyUser, target: AnyUser) -> bool:
    # Not one's own (someone holding a stolen session must not re-enrol with their own phone),
    # and only an administrator resets an administrator.
    if not can_manage_staff(actor) or actor.pk == target.pk:
        return False
    return getattr(target, "role", None) != Role.ADMIN or can_administer(actor)


def can_be_assigned_cases(user: AnyUser) -> bool:
    """Who a case may be given to: someone who can work on it (an intake officer reads cases
    but does not work them; partners and accounts without a role see none)."""
    return _role(user) in CASEWORK_ROLES


def can_view_caseloads(user: AnyUser) -> bool:
    """See every worker's caseload and balance cases across a team: supervision."""
    return _role(user) in OVERSIGHT_ROLES


def can_manage_teams(user: AnyUser) -> bool:
    """Create teams and set who is in them (user administration)."""
    return _role(user) == Role.ADMIN


def can_upload_documents(user: AnyUser) -> bool:
    """Attach documents to a case: at walk-in and on the case page, so intake officers too
    (they take the scans at the desk)."""
    return _role(user) in TASK_FORCE_ROLES


def can_list_documents(user: AnyUser) -> bool:
    """See a case's list of documents (kind, date, scan), not their content."""
    return _role(user) in TASK_FORCE_ROLES


def can_read_documents(user: AnyUser) -> bool:
    """Open (download) a case's documents: case work. An intake officer captures scans but
    does not read them back; partners see documents only if a referral's snapshot holds them."""
    return _role(user) in CASEWORK_ROLES


def can_review_quarantine(user: AnyUser) -> bool:
    """See the documents held back by the malware scan, across cases: supervision."""
    return _role(user) in OVERSIGHT_ROLES
