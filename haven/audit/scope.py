"""Everything the trail holds about one object, found by the reference people use for it.

Audit sits under every app and imports none of them. An app that gives things references
registers a resolver in its AppConfig.ready() with `register_reference_resolver(name, resolver)`:
`resolver(reference) -> AuditScope | None`.
Every resolver is asked, and the scopes that answer are joined: cases answers for "C-0001234"
with the case, its notes, documents and requests; triage adds the case's decisions and facts;
a later app (referrals, messages) adds its own rows the same way.

Events also find their case through their details: an app that records an event about
something that belongs to a case puts the case's id in details["case"] (triage's corrections
do), and the case's scope includes every such event without knowing the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q


@dataclass
class AuditScope:
    # What people called it, shown above the results ("C-0001234", "HV-ABCDE-FGHJK").
    label: str
    # (object_type, ids): events about these objects.
    objects: list[tuple[str, list[str]]] = field(default_factory=list)
    # (details key, value): events whose details point at the object.
    details: list[tuple[str, Any]] = field(default_factory=list)

    def add(self, object_type: str, ids: Iterable[Any]) -> None:
        values = [str(i) for i in ids]
        if values:
            self.objects.append((object_type, values))

    def q(self) -> Q:
        query = Q(pk__in=[])
        for object_type, ids in self.objects:
            query |= Q(object_type=object_type, object_id__in=ids)
        for key, value in self.details:
            query |= Q(**{f"details__{key}": value})
        return query


Resolver = Callable[[str], "AuditScope | None"]


# By name, so that ready() running twice replaces rather than adds; asked in the order
# registered (apps' ready() runs in INSTALLED_APPS order).
_resolvers: dict[str, Resolver] = {}


def register_reference_resolver(name: str, resolver: Resolver) -> None:
    _resolvers[name] = resolver


def scope_for(reference: str) -> AuditScope | None:
    """The joined scope of every resolver that knows the reference; None when none does."""
    reference = reference.strip()
    joined: AuditScope | None = None
    for resolver in list(_resolvers.values()):
        found = resolver(reference)
        if found is None:
            continue
        if joined is None:
            joined = found
        else:
            joined.objects.extend(found.objects)
            joined.details.extend(found.details)
    return joined


def object_scope(reference: str) -> AuditScope | None:
    """The fallback any trail understands: "app.model:id" (e.g. accounts.user:12)."""
    if ":" not in reference:
        return None
    object_type, _, object_id = reference.partition(":")
    if "." not in object_type or not object_id:
        return None
    scope = AuditScope(label=reference)
    scope.add(object_type.lower(), [object_id])
    return scope
