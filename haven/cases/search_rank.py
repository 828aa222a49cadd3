"""Which cases a search term means, best first: names the matcher's way, numbers exactly.

A term is looked for three ways at once:
- as a name, with identity resolution's normaliser and search keys
  (`resolution.search_keys`): the records found are ranked against the term with
  rapidfuzz, and each case takes the score of its best-matching current member;
- as written, inside any name as written (`PersonRecord.search_text`, a trigram index on
  PostgreSQL), so the first letters of a name find it too;
- as a receipt number, an identifier of any kind or a requester's e-mail or phone, each
  only through its keyed hash (`Identifier.value_hash`, `Requester.contact_hash`): these
  rank above every name.

A fixed number of statements whatever the term: the key look-up, the found records'
names with their current people and cases, and the exact matches.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from haven.common import crypto
from haven.intake import normalize
from haven.intake.models import Identifier, IdentifierKind, PersonRecord, Request, Requester
from haven.resolution import search_keys

from .models import CaseMember, CaseRequest

# A receipt number, identifier or requester contact matched exactly.
EXACT = 2.0
# Name matches weaker than this are noise ("Nori" alone for "Abdul Wahed Nori" still passes).
MIN_SCORE = 0.55
# At most this many cases: a search narrows, the filters and sorting do the rest.
MAX_CASES = 200


def case_search_ranks(term: str) -> dict[int, float]:
    """Case id → how well it answers the term (EXACT for a number, else 0–1), best first."""
    term = term.strip()
    if not term:
        return {}
    ranks = _name_ranks(term)
    for case_id in _exact_case_ids(term):
        ranks[case_id] = EXACT
    best = sorted(ranks.items(), key=lambda item: (-item[1], -item[0]))[:MAX_CASES]
    return dict(best)


def _name_ranks(term: str) -> dict[int, float]:
    query = search_keys.name_query(term)
    keys = search_keys.query_keys(query) if query else []
    # The longest variant as written (the term, or its Latin letters): a contains-search.
    variants = [v for v in normalize.search_variants(term) if len(v) >= 2]
    likes = [search_keys.like_pattern(v) for v in variants]
    found, by_like = search_keys.records_by_keys(keys, likes=likes)
    if not found:
        return {}
    rows = (
        CaseMember.objects.filter(
            merged_into__isnull=True,
            person__links__ended_at__isnull=True,
            person__links__person_record_id__in=list(found),
        )
        .values_list(
            "case_id",
            "person__links__person_record_id",
            "person__links__person_record__match_profile__data__name_key",
            "person__links__person_record__match_profile__data__father_key",
        )
        .order_by()
    )
    ranks: dict[int, float] = {}
    # A person written the same way many times is scored once.
    scores: dict[tuple[str | None, str | None], float] = {}
    for case_id, record_id, name_key, father_key in rows:
        score = scores.get((name_key, father_key))
        if score is None:
            score = scores[name_key, father_key] = search_keys.name_score(
                query, name_key, father_key
            )
        if record_id in by_like:
            score = max(score, MIN_SCORE)
        if score >= MIN_SCORE and score > ranks.get(case_id, 0.0):
            ranks[case_id] = score
    return ranks


def _identifier_hashes(term: str) -> list[str]:
    hashes = []
    for kind in IdentifierKind.values:
        parsed = normalize.normalize_identifier(kind, term)
        if parsed.normalized:
            hashes.append(crypto.keyed_hash(kind, parsed.normalized))
    return hashes


def _exact_case_ids(term: str) -> list[int]:
    """Cases with a request of this receipt number, a person with an identifier of this
    keyed hash, or a requester with this contact's keyed hash: one statement.
    Hand-written: an IN over a UNION, which PostgreSQL answers from the indexes (the ORM's
    OR of subqueries made it read every case request)."""
    quote = connection.ops.quote_name
    parts, params = [], []
    receipt = normalize.normalize_receipt_number(term)
    if receipt:
        request_table = quote(Request._meta.db_table)
        parts.append(f"SELECT id FROM {request_table} WHERE receipt_number = %s")  # noqa: S608
        params.append(receipt)
    hashes = _identifier_hashes(term)
    if hashes:
        marks = ", ".join(["%s"] * len(hashes))
        parts.append(
            f"SELECT p.request_id FROM {quote(PersonRecord._meta.db_table)} p "  # noqa: S608
            f"JOIN {quote(Identifier._meta.db_table)} i ON i.person_record_id = p.id "
            f"WHERE i.value_hash IN ({marks})"
        )
        parts.append(
            f"SELECT r.id FROM {quote(Request._meta.db_table)} r "  # noqa: S608
            f"JOIN {quote(Requester._meta.db_table)} q ON r.requester_id = q.id "
            f"WHERE q.contact_hash IN ({marks})"
        )
        params += hashes + hashes
    if not parts:
        return []
    statement = (
        f"SELECT DISTINCT case_id FROM {quote(CaseRequest._meta.db_table)} "  # noqa: S608
        f"WHERE request_id IN ({' UNION '.join(parts)}) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, MAX_CASES])
        return [row[0] for row in cursor.fetchall()]


def search_condition(ranks: dict[int, float]) -> Q:
    return Q(pk__in=list(ranks))
