"""The records of an intake batch decided so far, as candidates for the rest of the batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from . import blocking


class BatchIndex:
    """The records of the batch decided so far, as candidates for the rest of it.

    Their people may not exist yet: such a person has a negative stand-in id until the
    batch's people are inserted together.
    """

    def __init__(self) -> None:
        self.found: dict[int, list[int]] = defaultdict(list)
        self.candidates: dict[int, blocking.Candidate] = {}
        self.clear: dict[int, dict[str, Any]] = {}
        self.by_request: dict[int, list[int]] = defaultdict(list)

    def add(
        self,
        *,
        record_id: int,
        person_id: int,
        request_id: int,
        profile: dict[str, Any],
        keys: Mapping[int, blocking.KeyRule],
        clear: dict[str, Any],
    ) -> None:
        for key in keys:
            self.found[key].append(record_id)
        self.candidates[record_id] = blocking.Candidate(record_id, person_id, request_id, profile)
        self.clear[record_id] = clear
        self.by_request[request_id].append(record_id)


def found_with_batch(
    keys: Mapping[int, blocking.KeyRule],
    stored: Mapping[int, list[int]],
    over_cap: set[int],
    index: BatchIndex,
) -> dict[int, list[int]]:
    """Per key, the stored records then the batch's, with the same caps as one request."""
    found: dict[int, list[int]] = {}
    for key, rule in keys.items():
        if key in over_cap:
            continue
        ids = [*stored.get(key, ()), *index.found.get(key, ())]
        if rule.rare and len(ids) > blocking.RARE_CAP:
            continue
        if ids:
            found[key] = ids[: blocking.KEY_CAP]
    return found
