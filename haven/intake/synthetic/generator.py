"""The stream of synthetic requests: households, their repeat submissions, and when they arrive.

Repeat submissions of a household are scheduled a little later in the stream,
so duplicates are spread out in time as they were in 2021, while memory stays
bounded by the scheduling window, not by the number of requests.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from haven.intake.services import RequestInput

from .households import FamilyRoot, Household, build_household, family_root
from .raw import raw_input
from .render import render_submission
from .tables import Tables, load_tables

# The 2021 intake the stream is modelled on. A stream is dated relative to a "today"
# (default: now): every date moves by the same whole number of days, so the last requests
# arrive just before today, the desk's queues are as old as a real desk's, and the same
# seed and the same today give the same stream.
PERIOD_START = dt.datetime(2021, 8, 15, 6, 0, tzinfo=dt.UTC)
PERIOD_END = dt.datetime(2021, 10, 31, 18, 0, tzinfo=dt.UTC)
# Arrival density falls off after the first weeks: u**0.8 front-loads the stream.
_SURGE_EXPONENT = 0.8
# How far ahead (in requests) a repeat submission may land; bounds memory.
_MAX_WINDOW = 20_000
# Households a brother's household can be drawn from.
_RECENT_FAMILIES = 500


@dataclass(frozen=True, slots=True)
class SyntheticRequest:
    index: int  # position in the stream, from 0
    data: RequestInput
    received_at: dt.datetime
    raw_input: str
    person_keys: list[str]  # true identity of each person in data.people, same order
    household_key: str

    @property
    def record_ids(self) -> list[str]:
        """Synthetic ids of this request's person records, as in the resolve file."""
        return [f"r{self.index:06d}-{i}" for i in range(len(self.data.people))]


@dataclass(slots=True)
class _Planned:
    household: Household
    channel: str
    requester_kind: str


class _Clock:
    """Maps a position in the stream to a receipt time between mid-August and October."""

    def __init__(self, total: int, rng: random.Random, shift: dt.timedelta) -> None:
        self._total = max(total, 1)
        self._rng = rng
        self._span = (PERIOD_END - PERIOD_START).total_seconds()
        self._start = PERIOD_START + shift

    def at(self, index: int) -> dt.datetime:
        # Jitter stays inside the request's own slot, so times never go backwards.
        fraction = (index + self._rng.random()) / self._total
        offset = self._span * fraction**_SURGE_EXPONENT
        return self._start + dt.timedelta(seconds=round(offset))


def shift_to(today: dt.datetime | dt.date | None) -> dt.timedelta:
    """Whole days that move the 2021 period to end on or just before `today` (None: now)."""
    if today is None:
        today = dt.datetime.now(dt.UTC)
    elif not isinstance(today, dt.datetime):
        today = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC)
    elif today.tzinfo is None:
        today = today.replace(tzinfo=dt.UTC)
    return dt.timedelta(days=(today - PERIOD_END).days)


def _plan(tables: Tables, rng: random.Random, household: Household) -> list[_Planned]:
    """Which channels and requesters a household's 1-4 submissions come through."""
    count = int(tables.household_choices["submissions"].pick(rng))
    same_again = float(tables.channel_text["same_channel_again"])
    plans: list[_Planned] = []
    channel = tables.channel_names.pick(rng)
    for _ in range(count):
        plans.append(_Planned(household, channel, tables.channels[channel].requesters.pick(rng)))
        if rng.random() >= same_again:
            # Usually someone else, somewhere else, sends it again.
            for _ in range(10):
                other = tables.channel_names.pick(rng)
                if other != channel:
                    channel = other
                    break
    return plans


class _Stream:
    def __init__(self, tables: Tables, requests: int, seed: int, shift: dt.timedelta) -> None:
        self.tables = tables
        self.requests = requests
        self.rng = random.Random(seed)
        self.shift = shift
        self.clock = _Clock(requests, random.Random(self.rng.getrandbits(64)), shift)
        self.window = max(8, min(requests // 2, _MAX_WINDOW))
        self.pending: list[tuple[int, int, _Planned]] = []
        self.sequence = 0
        self.households = 0
        self.recent: deque[FamilyRoot] = deque(maxlen=_RECENT_FAMILIES)

    def _new_household(self) -> Household:
        rng = self.rng
        relative = None
        if self.recent and rng.random() < float(self.tables.household["related_household"]):
            relative = rng.choice(self.recent)
        household = build_household(
            self.tables,
            random.Random(rng.getrandbits(64)),
            f"h{self.households:06d}",
            relative,
            self.shift,
        )
        self.households += 1
        self.recent.append(family_root(household))
        return household

    def next_planned(self, index: int) -> _Planned:
        if self.pending and self.pending[0][0] <= index:
            return heapq.heappop(self.pending)[2]
        first, *later = _plan(self.tables, self.rng, self._new_household())
        offsets = sorted(1 + int(self.window * self.rng.random() ** 1.5) for _ in later)
        for offset, planned in zip(offsets, later, strict=True):
            self.sequence += 1  # tie-breaker: never compare _Planned objects
            heapq.heappush(self.pending, (index + offset, self.sequence, planned))
        return first

    def render(self, index: int, planned: _Planned) -> SyntheticRequest:
        received_at = self.clock.at(index)
        household = planned.household
        submission = render_submission(
            self.tables,
            household,
            channel=planned.channel,
            requester_kind=planned.requester_kind,
            received_at=received_at,
        )
        return SyntheticRequest(
            index=index,
            data=submission.data,
            received_at=received_at,
            raw_input=raw_input(submission.data, received_at, self.tables, household.rng),
            person_keys=submission.person_keys,
            household_key=household.key,
        )


def generate(
    *, requests: int, seed: int, today: dt.datetime | dt.date | None = None
) -> Iterator[SyntheticRequest]:
    """`requests` synthetic requests in order of arrival, the last ones just before `today`
    (default: now). The same seed gives the same people; the same seed and today, the same
    requests to the second."""
    if requests < 0:
        raise ValueError("requests must not be negative")
    stream = _Stream(load_tables(), requests, seed, shift_to(today))
    for index in range(requests):
        yield stream.render(index, stream.next_planned(index))
