"""Score one pair of records with a trained Splink model, in plain Python, in microseconds.

The batch path scores millions of pairs in DuckDB; intake scores a few dozen
candidates per incoming record and must not start a database engine for it.
This module reads the same Splink JSON (`haven_model.json` or a model trained
by `haven resolve`) and evaluates each comparison level's SQL condition with a
small interpreter for the subset of DuckDB SQL the comparisons use (=, <>, <,
>, AND, OR, NOT, IS [NOT] NULL, IN, + and -, and the functions below), so a
change to the comparisons needs no change here. A condition it cannot read is
refused when the model is loaded, never guessed at.

Term-frequency adjustments are applied as Splink applies them, when the scorer is
given `TermFrequencies` (intake's scorer has the packaged table, `haven_tf.json`): a
level with a `tf_adjustment_column` weighs log2(u of the exact level / frequency of
the value) instead of its average, so agreeing on "Mohammad" counts for less than on a
rare name. A value the table does not list counts with the level's average weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

Record = Mapping[str, Any]
# Per comparison, the values of its columns in one record (Scorer.signature).
Signature = tuple[tuple[Any, ...], ...]
Evaluator = Callable[[Record, Record], Any]


class UnsupportedCondition(ValueError):
    """A comparison level's SQL uses something this interpreter does not implement."""


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'(?:[^']|'')*')|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op><>|!=|>=|<=|=|<|>|\(|\)|,|\+|-|\*))"
)
_KEYWORDS = frozenset({"AND", "OR", "NOT", "IS", "NULL", "IN", "TRUE", "FALSE"})


def _tokens(sql: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    sql = sql.strip()
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if not match or match.end() == position:
            raise UnsupportedCondition(f"cannot read {sql[position : position + 20]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value.upper() in _KEYWORDS:
            kind, value = "keyword", value.upper()
        out.append((kind, value))
    return out


def _null_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        return function(*args)

    return call


def _substr(text: str, start: int, length: int | None = None) -> str:
    begin = max(int(start) - 1, 0)
    return text[begin:] if length is None else text[begin : begin + int(length)]


def _list_intersect(left: Sequence[Any], right: Sequence[Any]) -> list[Any]:
    wanted = set(right)
    return [item for item in dict.fromkeys(left) if item in wanted]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jaro_winkler_similarity": _null_safe(lambda a, b: JaroWinkler.similarity(a, b)),
    "levenshtein": _null_safe(lambda a, b: Levenshtein.distance(a, b)),
    "damerau_levenshtein": _null_safe(lambda a, b: DamerauLevenshtein.distance(a, b)),
    "list_has_all": _null_safe(lambda a, b: set(b) <= set(a)),
    "list_intersect": _null_safe(_list_intersect),
    "len": _null_safe(len),
    "length": _null_safe(len),
    "array_length": _null_safe(len),
    "abs": _null_safe(abs),
    "substr": _null_safe(_substr),
    "substring": _null_safe(_substr),
    "lower": _null_safe(lambda a: a.lower()),
    "upper": _null_safe(lambda a: a.upper()),
    "coalesce": lambda *args: next((a for a in args if a is not None), None),
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Parser:
    """Recursive descent over the tokens, producing closures over (left, right) records."""

    def __init__(self, sql: str):
        self.sql = sql
        self.tokens = _tokens(sql)
        self.position = 0
        self.columns: set[str] = set()
        # Columns read inside a function call (edit distance, containment...), not only by =.
        self.function_columns: set[str] = set()
        self._call_depth = 0

    def parse(self) -> Evaluator:
        evaluator = self._or()
        if self.position != len(self.tokens):
            raise UnsupportedCondition(f"unexpected {self._peek()[1]!r} in {self.sql!r}")
        return evaluator

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if value is not None and token[1] != value:
            raise UnsupportedCondition(f"expected {value!r} in {self.sql!r}")
        self.position += 1
        return token

    def _or(self) -> Evaluator:
        parts = [self._and()]
        while self._peek() == ("keyword", "OR"):
            self._take()
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]

        def either(left: Record, right: Record) -> bool | None:
            unknown = False
            for part in parts:
                value = part(left, right)
                if value is None:
                    unknown = True
                elif value:
                    return True
            return None if unknown else False

        return either

    def _and(self) -> Evaluator:
        parts = [self._not()]
        while self._peek() == ("keyword", "AND"):
            self._take()
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]

        def both(left: Record, right: Record) -> bool | None:
            unknown = False
            for part in parts:
                value = part(left, right)
                if value is None:
                    unknown = True
                elif not value:
                    return False
            return None if unknown else True

        return both

    def _not(self) -> Evaluator:
        if self._peek() == ("keyword", "NOT"):
            self._take()
            inner = self._not()

            def negate(left: Record, right: Record) -> bool | None:
                value = inner(left, right)
                return None if value is None else not value

            return negate
        return self._comparison()

    def _comparison(self) -> Evaluator:
        first = self._additive()
        kind, value = self._peek()
        if kind == "op" and value in _COMPARE:
            self._take()
            second = self._additive()
            compare = _COMPARE[value]

            def compared(left: Record, right: Record) -> bool | None:
                a, b = first(left, right), second(left, right)
                return None if a is None or b is None else compare(a, b)

            return compared
        if (kind, value) == ("keyword", "IS"):
            self._take()
            negated = self._peek() == ("keyword", "NOT")
            if negated:
                self._take()
            self._take("NULL")
            return lambda left, right: (first(left, right) is None) != negated
        if (kind, value) == ("keyword", "IN"):
            self._take()
            self._take("(")
            options = [self._additive()]
            while self._peek() == ("op", ","):
                self._take()
                options.append(self._additive())
            self._take(")")

            def within(left: Record, right: Record) -> bool | None:
                a = first(left, right)
                return None if a is None else a in {o(left, right) for o in options}

            return within
        return first

    def _additive(self) -> Evaluator:
        result = self._unary()
        while self._peek() in (("op", "+"), ("op", "-")):
            operator = self._take()[1]
            a, b = result, self._unary()
            result = _arithmetic(a, b, operator)
        return result

    def _unary(self) -> Evaluator:
        if self._peek() == ("op", "-"):
            self._take()
            inner = self._unary()
            return lambda left, right: None if (v := inner(left, right)) is None else -v
        return self._primary()

    def _primary(self) -> Evaluator:
        kind, value = self._take()
        if kind == "number":
            constant: Any = float(value) if "." in value else int(value)
            return lambda left, right: constant
        if kind == "string":
            text = value[1:-1].replace("''", "'")
            return lambda left, right: text
        if kind == "keyword" and value in ("NULL", "TRUE", "FALSE"):
            literal = {"NULL": None, "TRUE": True, "FALSE": False}[value]
            return lambda left, right: literal
        if (kind, value) == ("op", "("):
            inner = self._or()
            self._take(")")
            return inner
        if kind == "name" and self._peek() == ("op", "("):
            return self._call(value)
        if kind == "name":
            return self._column(value)
        raise UnsupportedCondition(f"unexpected {value!r} in {self.sql!r}")

    def _call(self, name: str) -> Evaluator:
        function = _FUNCTIONS.get(name.lower())
        if function is None:
            raise UnsupportedCondition(f"function {name}() in {self.sql!r}")
        self._take("(")
        args: list[Evaluator] = []
        self._call_depth += 1
        if self._peek() != ("op", ")"):
            args.append(self._or())
            while self._peek() == ("op", ","):
                self._take()
                args.append(self._or())
        self._call_depth -= 1
        self._take(")")
        return lambda left, right: function(*(a(left, right) for a in args))

    def _column(self, name: str) -> Evaluator:
        if name.endswith(("_l", "_r")):
            column = name[:-2]
            self.columns.add(column)
            if self._call_depth:
                self.function_columns.add(column)
            if name.endswith("_l"):
                return lambda left, right: left.get(column)
            return lambda left, right: right.get(column)
        raise UnsupportedCondition(f"column {name} is neither _l nor _r in {self.sql!r}")


def _arithmetic(a: Evaluator, b: Evaluator, operator: str) -> Evaluator:
    def apply(left: Record, right: Record) -> Any:
        x, y = a(left, right), b(left, right)
        if x is None or y is None:
            return None
        return x + y if operator == "+" else x - y

    return apply


def condition_compile(sql: str) -> tuple[Evaluator, frozenset[str], frozenset[str]]:
    """A closure evaluating the condition on (left, right) records, the columns it reads, and
    those of them it reads inside a function (so not by equality alone)."""
    parser = _Parser(sql)
    evaluator = parser.parse()
    return evaluator, frozenset(parser.columns), frozenset(parser.function_columns)


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
