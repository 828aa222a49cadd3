"""The dashboard is a list of figure providers.

A provider is a function from a ReportContext to named count tables (FigureTable); every
cell is a count with the link to the list behind it, never a name. Apps register providers in
their AppConfig.ready() with `figures.register(...)`; the dashboard, the sitrep and the HXL
export read whatever is registered, so a later app adds its figures without reports changing.

Slots kept for apps that come later in the flow (register under these keys):

- SLOT_REFERRALS ("referrals.per_partner"): referrals sent, acknowledged, accepted, declined,
  in progress, completed, withdrawn and overdue, one row per partner organisation
  (haven.referrals, in its ready()).
- SLOT_MESSAGES ("communications.messages"): outbox messages sent and failed per channel
  (haven.communications, in its ready()).

Those slots are listed in the order the dashboard shows them; a provider registered under an
unknown key goes after them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from django.urls import reverse

from .filters import ReportFilters

if TYPE_CHECKING:
    from haven.accounts.models import User

SLOT_REFERRALS = "referrals.per_partner"
SLOT_MESSAGES = "communications.messages"
# The order of figures on the dashboard and in the sitrep.
ORDER = [
    "reports.requests_per_day",
    "reports.open_cases",
    "reports.ageing",
    "reports.backlog",
    SLOT_REFERRALS,
    SLOT_MESSAGES,
    "reports.cases_per_worker",
]

Audience = Literal["supervisor", "staff"]
ChartKind = Literal["stacked_bar", "bar", "none"]


@dataclass(frozen=True)
class Cell:
    value: int
    url: str = ""


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    # A stable key for the row (a pathway, a channel, a day), for exports and tests.
    key: str = ""


@dataclass(frozen=True)
class FigureTable:
    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    chart: ChartKind = "stacked_bar"
    note: str = ""
    empty: str = ""
    # Column keys (statuses, channels), parallel to columns; for exports and tests.
    column_keys: list[str] = field(default_factory=list)
    # The provider that built it (set by figures_build): the chart's own request asks it again.
    provider: str = ""

    def total(self) -> int:
        return sum(c.value for r in self.rows for c in r.cells)

    def has_chart(self) -> bool:
        """Whether there is anything to draw (charts.chart_spec gives None otherwise)."""
        return self.chart != "none" and bool(self.rows) and self.total() > 0

    def value(self, row_key: str, column_key: str) -> int:
        """The count in one row and column, 0 when absent (tests and the sitrep read it)."""
        column = self.column_keys.index(column_key)
        for row in self.rows:
            if row.key == row_key:
                return row.cells[column].value
        return 0


@dataclass(frozen=True)
class ReportContext:
    filters: ReportFilters
    user: User | None
    today: dt.date
    # Supervisors see every figure; other staff the reduced dashboard.
    full: bool = True


def case_list_url(**params: object) -> str:
    """A link to the case list showing exactly the cases behind a figure."""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{reverse('cases:list')}?{urlencode(query)}"


@dataclass(frozen=True)
class FigureProvider:
    key: str
    build: Callable[[ReportContext], list[FigureTable]]
    audience: Audience = "staff"


_PROVIDERS: dict[str, FigureProvider] = {}


def register(
    *, key: str, build: Callable[[ReportContext], list[FigureTable]], audience: Audience = "staff"
) -> None:
    """Add a provider; registering a key again replaces it (ready() may run twice)."""
    _PROVIDERS[key] = FigureProvider(key=key, build=build, audience=audience)


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers(*, full: bool) -> list[FigureProvider]:
    def position(key: str) -> tuple[int, str]:
        return (ORDER.index(key), key) if key in ORDER else (len(ORDER), key)

    chosen = [p for p in _PROVIDERS.values() if full or p.audience == "staff"]
    return sorted(chosen, key=lambda p: position(p.key))


def figures_build(context: ReportContext) -> list[FigureTable]:
    """Every table of every provider the reader may see, in dashboard order."""
    tables: list[FigureTable] = []
    for provider in providers(full=context.full):
        tables.extend(replace(t, provider=provider.key) for t in provider.build(context))
    return tables


def figure_table(context: ReportContext, provider_key: str, table_key: str) -> FigureTable | None:
    """One table of one provider the reader may see (a chart's own request), else None."""
    provider = next((p for p in providers(full=context.full) if p.key == provider_key), None)
    if provider is None:
        return None
    found = next((t for t in provider.build(context) if t.key == table_key), None)
    return replace(found, provider=provider.key) if found is not None else None
