"""Score one pair of records with a trained Splink model, in plain Python, in microseconds.

The batch path scores millions of pairs in DuckDB; intake scores a few dozen
candidates per incoming record and must not start a database engine for it.
This module reads the same Splink JSON (`haven_model.json` or a model trained
by `haven resolve`) and evaluates each comparison level's SQL condition as
sqlglot reads it (`sql_conditions`: the subset of DuckDB SQL the comparisons
use), so a change to the comparisons needs no change here. A condition it
cannot read is refused when the model is loaded, never guessed at.

Term-frequency adjustments are applied as Splink applies them, when the scorer is
given `TermFrequencies` (intake's scorer has the packaged table, `haven_tf.json`): a
level with a `tf_adjustment_column` weighs log2(u of the exact level / frequency of
the value) instead of its average, so agreeing on "Mohammad" counts for less than on a
rare name. A value the table does not list counts with the level's average weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .sql_conditions import Evaluator, Record, condition_compile
from .sql_conditions import UnsupportedCondition as UnsupportedCondition  # households.py

# Per comparison, the values of its columns in one record (Scorer.signature).
Signature = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class _Level:
    label: str
    is_null: bool
    is_else: bool
    weight: float
    condition: Evaluator | None
    # Term-frequency adjustment (Splink's): the column, its weight, and log2 of the u of
    # the level that is exact agreement on that column.
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_log2_u: float = 0.0
    tf_minimum: float = 0.0


def _tf_value(value: Any) -> Any:
    """A value as the frequency table keys it: 1990.0 (pandas) and 1990 are one year."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class TermFrequencies:
    """Per column, the share of people holding each value (`model.people_term_frequencies`)."""

    tables: Mapping[str, Mapping[Any, float]]

    def of(self, column: str, value: Any) -> float | None:
        if value is None:
            return None
        table = self.tables.get(column)
        return None if table is None else table.get(_tf_value(value))

    @classmethod
    def from_frame(cls, frame: Any, model: Mapping[str, Any]) -> TermFrequencies:
        """The batch path's frequencies for these records (a pandas frame of match columns)."""
        from .model import people_term_frequencies

        tables = people_term_frequencies(frame, dict(model))
        return cls(
            {
                column: {
                    _tf_value(v): float(f)
                    for v, f in zip(table[column], table[f"tf_{column}"], strict=True)
                }
                for column, table in tables.items()
            }
        )

    def as_json(self) -> dict[str, list[list[Any]]]:
        return {
            column: sorted(([v, round(f, 8)] for v, f in table.items()), key=lambda x: str(x[0]))
            for column, table in sorted(self.tables.items())
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Sequence[Sequence[Any]]]) -> TermFrequencies:
        return cls({c: {_tf_value(v): float(f) for v, f in rows} for c, rows in data.items()})


@dataclass(frozen=True)
class _Comparison:
    name: str
    description: str
    levels: tuple[_Level, ...]
    # Every column any of its levels reads: the level reached depends on these alone.
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldScore:
    """One field's contribution: which level the pair reached and what it weighs (bits)."""

    field: str
    description: str
    label: str
    weight: float
    missing: bool

    @property
    def agreement(self) -> str:
        if self.missing:
            return "missing"
        if self.weight >= 1:
            return "agrees"
        if self.weight <= -1:
            return "disagrees"
        return "neutral"

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "description": self.description,
            "label": self.label,
            "weight": round(self.weight, 3),
            "agreement": self.agreement,
        }


@dataclass(frozen=True)
class PairScore:
    weight: float
    prior: float
    fields: tuple[FieldScore, ...]

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + 2.0 ** (-self.weight)) if self.weight > -1000 else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "weight": round(self.weight, 3),
            "prior": round(self.prior, 3),
            "fields": [f.as_json() for f in self.fields],
        }


def _weight(level: Mapping[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    if level.get("is_null_level") or m is None or u is None or m <= 0 or u <= 0:
        return 0.0
    return math.log2(float(m) / float(u))


class Scorer:
    """The Fellegi–Sunter match weight of a pair: prior + the weight of each field's level."""

    def __init__(
        self, model: Mapping[str, Any], *, term_frequencies: TermFrequencies | None = None
    ):
        self.term_frequencies = term_frequencies
        p = float(model["probability_two_random_records_match"])
        self.prior = math.log2(p / (1.0 - p))
        comparisons = []
        columns: set[str] = set()
        fuzzy: set[str] = set()
        for comparison in model["comparisons"]:
            levels = []
            reads: set[str] = set()
            for level in comparison["comparison_levels"]:
                sql = level["sql_condition"].strip()
                is_else = sql.upper() == "ELSE"
                condition = None
                if not is_else:
                    condition, used, in_functions = condition_compile(sql)
                    columns |= used
                    reads |= used
                    fuzzy |= in_functions
                tf_column = level.get("tf_adjustment_column") if term_frequencies else None
                if tf_column:
                    columns.add(tf_column)
                    reads.add(tf_column)
                levels.append(
                    _Level(
                        label=level.get("label_for_charts", ""),
                        is_null=bool(level.get("is_null_level")),
                        is_else=is_else,
                        weight=_weight(level),
                        condition=condition,
                        tf_column=tf_column,
                        tf_weight=float(level.get("tf_adjustment_weight", 1.0)),
                        tf_log2_u=_exact_log2_u(
                            comparison["comparison_levels"],
                            level,
                            None if level.get("disable_tf_exact_match_detection") else tf_column,
                        ),
                        tf_minimum=float(level.get("tf_minimum_u_value", 0.0)),
                    )
                )
            comparisons.append(
                _Comparison(
                    name=comparison.get("output_column_name", ""),
                    description=comparison.get("comparison_description", ""),
                    levels=tuple(levels),
                    columns=tuple(sorted(reads)),
                )
            )
        self.comparisons = tuple(comparisons)
        # Per comparison, the weight already found for a combination of its columns' values:
        # candidates sharing a blocking key mostly share values (a sex, a province, a name),
        # so most pairs are scored by look-up rather than by evaluating the levels again.
        self._memos: tuple[dict[tuple[tuple[Any, ...], tuple[Any, ...]], float], ...] = tuple(
            {} for _ in comparisons
        )
        self.columns = frozenset(columns)
        # Columns some level compares by more than equality (edit distance, containment):
        # a keyed hash of such a column cannot stand in for its value.
        self.fuzzy_columns = frozenset(fuzzy)

    def score(self, left: Record, right: Record) -> PairScore:
        fields = []
        total = self.prior
        for comparison in self.comparisons:
            reached = _level_of(comparison, left, right)
            weight = reached.weight + self._tf_adjustment(reached, left, right)
            total += weight
            fields.append(
                FieldScore(
                    field=comparison.name,
                    description=comparison.description,
                    label=reached.label,
                    weight=weight,
                    missing=reached.is_null,
                )
            )
        return PairScore(weight=total, prior=self.prior, fields=tuple(fields))

    def signature(self, record: Record) -> Signature:
        """The values each comparison reads of one record. A record met in many pairs (an
        incoming record against its candidates, a candidate against a household) has it
        worked out once and passed to `weight`."""
        return tuple(tuple(map(record.get, c.columns)) for c in self.comparisons)

    def weight(
        self, left: Record, right: Record, signatures: tuple[Signature, Signature] | None = None
    ) -> float:
        """Only the total: what candidate ranking needs. Values that are lists are read as
        tuples (see `frozen`) so that the pair can be remembered; otherwise it is evaluated.
        `signatures`, when given, are the two records' own (`signature`)."""
        left_values, right_values = signatures or (self.signature(left), self.signature(right))
        total = self.prior
        for comparison, memo, left_of, right_of in zip(
            self.comparisons, self._memos, left_values, right_values, strict=True
        ):
            key = (left_of, right_of)
            try:
                found = memo.get(key)
            except TypeError:  # a list value: not hashable, evaluate every time
                total += self._level_weight(comparison, left, right)
                continue
            if found is None:
                found = self._level_weight(comparison, left, right)
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()  # bounded memory in a long-running worker
                memo[key] = found
            total += found
        return total

    def _level_weight(self, comparison: _Comparison, left: Record, right: Record) -> float:
        reached = _level_of(comparison, left, right)
        return reached.weight + self._tf_adjustment(reached, left, right)

    def _tf_adjustment(self, level: _Level, left: Record, right: Record) -> float:
        """Splink's: weight × (log2 u_exact − log2 max(tf_l, tf_r)); 0 if neither is listed."""
        if level.tf_column is None or self.term_frequencies is None:
            return 0.0
        tf_l = self.term_frequencies.of(level.tf_column, left.get(level.tf_column))
        tf_r = self.term_frequencies.of(level.tf_column, right.get(level.tf_column))
        if tf_l is None and tf_r is None:
            return 0.0
        frequency = max(tf_l or 0.0, tf_r or 0.0, level.tf_minimum)
        if frequency <= 0:
            return 0.0
        return level.tf_weight * (level.tf_log2_u - math.log2(frequency))


MEMO_LIMIT = 50_000


def _exact_log2_u(
    levels: Sequence[Mapping[str, Any]], level: Mapping[str, Any], column: str | None
) -> float:
    """log2 of the u of the level that is plain equality on `column` (as Splink finds it),
    or of this level's own u when there is none or `column` is None (the level says
    disable_tf_exact_match_detection)."""
    if not column:
        u_own = level.get("u_probability")
        return math.log2(float(u_own)) if u_own else 0.0
    exact = re.compile(rf"^\s*{re.escape(column)}_l\s*=\s*{re.escape(column)}_r\s*$", re.I)
    chosen = next((lv for lv in levels if exact.match(lv["sql_condition"])), level)
    u = chosen.get("u_probability") or level.get("u_probability")
    return math.log2(float(u)) if u else 0.0


def frozen(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with list values as tuples: the comparisons read them the same way, and
    Scorer.weight can then remember pairs it has seen."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in record.items()}


def _level_of(comparison: _Comparison, left: Record, right: Record) -> _Level:
    for level in comparison.levels:
        if level.is_else or (level.condition is not None and level.condition(left, right)):
            return level
    return comparison.levels[-1]


@lru_cache(maxsize=1)
def packaged_scorer() -> Scorer:
    """The scorer for the model shipped in the package (`model.packaged_model`), with the
    term frequencies of the people it was trained on (`model.packaged_term_frequencies`)."""
    from . import model

    return Scorer(
        model.packaged_model(),
        term_frequencies=TermFrequencies.from_json(model.packaged_term_frequencies()),
    )
