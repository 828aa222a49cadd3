"""A Splink comparison level's SQL condition as a Python check on a pair of records.

sqlglot reads the condition (DuckDB's dialect, as Splink writes it for the batch path); this
module walks sqlglot's tree into closures over (left, right) records. What stays ours, and
why: the evaluators. sqlglot parses and can transpile SQL but does not evaluate it on Python
values, and its own executor runs whole queries over tables, far too slow for the dozens of
pairs intake scores per record. The subset walked is the one the comparisons use: =, <>, <,
<=, >, >=, AND, OR, NOT, IS [NOT] NULL, IN, + and -, literals, columns named `<column>_l` /
`<column>_r`, and the functions in `_FUNCTIONS`; SQL's three-valued logic (NULL is None) is
kept. Anything else is refused when the model loads (`UnsupportedCondition`), never guessed
at; a newer sqlglot that reads a function as another node is refused the same way, and
haven/resolution/tests/test_sql_conditions.py checks every level of every model against
DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlglot
from rapidfuzz.distance import DamerauLevenshtein, Jaro, Levenshtein
from sqlglot import exp

Record = Mapping[str, Any]
Evaluator = Callable[[Record, Record], Any]


class UnsupportedCondition(ValueError):
    """A comparison level's SQL uses something this interpreter does not implement."""


def _null_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        return function(*args)

    return call


# DuckDB's jaro_winkler_similarity is compiled with a fused multiply-add for Winkler's step
# (sim + prefix * 0.1 * (1 - sim), rounded once), rapidfuzz's JaroWinkler without (rounded
# twice): one pair in a few thousand then lands a unit in the last place apart, and a pair
# exactly at a level's threshold (0.92 for "mhmnd shbnm" / "muhmand shabnam") reached the
# level in the batch path and not in real time. The Jaro part is the same in both; Winkler's
# step is done here as DuckDB does it. Python 3.11 has no math.fma: Dekker's exact product
# and Knuth's exact sum give the once-rounded result (checked against exact fractions).
_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter for doubles


def _fused_multiply_add(a: float, b: float, c: float) -> float:
    product = a * b
    t = _SPLIT * a
    a_high = t - (t - a)
    a_low = a - a_high
    t = _SPLIT * b
    b_high = t - (t - b)
    b_low = b - b_high
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    virtual = total - product
    sum_error = (product - (total - virtual)) + (c - virtual)
    return total + (sum_error + product_error)


def _jaro_winkler(a: str, b: str) -> float:
    similarity = Jaro.similarity(a, b)
    if similarity <= 0.7:
        return similarity
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    if not prefix:
        return similarity
    return _fused_multiply_add(prefix * 0.1, 1.0 - similarity, similarity)


def _substr(text: str, start: int, length: int | None = None) -> str:
    begin = max(int(start) - 1, 0)
    return text[begin:] if length is None else text[begin : begin + int(length)]


def _list_intersect(left: Sequence[Any], right: Sequence[Any]) -> list[Any]:
    wanted = set(right)
    return [item for item in dict.fromkeys(left) if item in wanted]


# DuckDB's functions, by DuckDB's names, on Python values.
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jaro_winkler_similarity": _null_safe(_jaro_winkler),
    "levenshtein": _null_safe(lambda a, b: Levenshtein.distance(a, b)),
    "damerau_levenshtein": _null_safe(lambda a, b: DamerauLevenshtein.distance(a, b)),
    "list_has_all": _null_safe(lambda a, b: set(b) <= set(a)),
    "list_intersect": _null_safe(_list_intersect),
    "length": _null_safe(len),
    "array_length": _null_safe(len),
    "abs": _null_safe(abs),
    "substr": _null_safe(_substr),
    "lower": _null_safe(lambda a: a.lower()),
    "upper": _null_safe(lambda a: a.upper()),
    "coalesce": lambda *args: next((a for a in args if a is not None), None),
}
# The functions sqlglot reads into nodes of their own: which of ours each is, and its
# arguments in call order. (DuckDB's len() is exp.Length, substring() is exp.Substring.)
# Every other function arrives as exp.Anonymous and is looked up by its name.
_FUNCTION_NODES: dict[type[exp.Func], tuple[str, tuple[str, ...]]] = {
    exp.JarowinklerSimilarity: ("jaro_winkler_similarity", ("this", "expression")),
    exp.Levenshtein: ("levenshtein", ("this", "expression")),
    exp.Length: ("length", ("this",)),
    exp.ArraySize: ("array_length", ("this",)),
    exp.Abs: ("abs", ("this",)),
    exp.Substring: ("substr", ("this", "start", "length")),
    exp.Lower: ("lower", ("this",)),
    exp.Upper: ("upper", ("this",)),
    exp.Coalesce: ("coalesce", ("this", "expressions")),
}
_COMPARE: dict[type[exp.Expr], Callable[[Any, Any], bool]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
}


class _Translation:
    """One condition's tree walked into closures, and the columns it reads on the way."""

    def __init__(self, sql: str):
        self.sql = sql
        self.columns: set[str] = set()
        # Columns read inside a function call (edit distance, containment...), not only by =.
        self.function_columns: set[str] = set()

    def refuse(self, what: str) -> UnsupportedCondition:
        return UnsupportedCondition(f"{what} in {self.sql!r}")

    def walk(self, node: exp.Expr, in_function: bool = False) -> Evaluator:
        if isinstance(node, exp.Paren):
            return self.walk(node.this, in_function)
        if isinstance(node, exp.Or | exp.And):
            return self._connective(node, in_function)
        if isinstance(node, exp.Not):
            return _negate(self.walk(node.this, in_function))
        if type(node) in _COMPARE:
            return _compared(
                _COMPARE[type(node)],
                self.walk(node.this, in_function),
                self.walk(node.expression, in_function),
            )
        if isinstance(node, exp.Is):
            return self._is_null(node, in_function)
        if isinstance(node, exp.In):
            return self._within(node, in_function)
        if isinstance(node, exp.Add | exp.Sub):
            a, b = self.walk(node.this, in_function), self.walk(node.expression, in_function)
            return _arithmetic(a, b, "+" if isinstance(node, exp.Add) else "-")
        if isinstance(node, exp.Neg):
            inner = self.walk(node.this, in_function)
            return lambda left, right: None if (v := inner(left, right)) is None else -v
        if isinstance(node, exp.Func):
            return self._call(node)
        if isinstance(node, exp.Column):
            return self._column(node, in_function)
        return _constant(self._literal(node))

    def _connective(self, node: exp.Or | exp.And, in_function: bool) -> Evaluator:
        # a OR b OR c is a chain of binary nodes in sqlglot's tree: one closure for the chain.
        parts = [self.walk(part, in_function) for part in node.flatten()]
        return _either(parts) if isinstance(node, exp.Or) else _both(parts)

    def _is_null(self, node: exp.Is, in_function: bool) -> Evaluator:
        if not isinstance(node.expression, exp.Null):
            raise self.refuse(f"IS {node.expression.sql()}")
        first = self.walk(node.this, in_function)
        return lambda left, right: first(left, right) is None

    def _within(self, node: exp.In, in_function: bool) -> Evaluator:
        if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
            raise self.refuse("IN other than a list of values")
        first = self.walk(node.this, in_function)
        options = [self.walk(o, in_function) for o in node.expressions]

        def within(left: Record, right: Record) -> bool | None:
            a = first(left, right)
            return None if a is None else a in {o(left, right) for o in options}

        return within

    def _call(self, node: exp.Func) -> Evaluator:
        if isinstance(node, exp.Anonymous):
            name, operands = str(node.name).lower(), list(node.expressions)
        elif type(node) in _FUNCTION_NODES:
            name, keys = _FUNCTION_NODES[type(node)]
            extra = [k for k, v in node.args.items() if _given(v) and k not in keys]
            if extra:
                raise self.refuse(f"{node.sql_name().lower()}() with {', '.join(extra)}")
            operands = []
            for key in keys:
                value = node.args.get(key)
                operands.extend(value if isinstance(value, list) else [value] if value else [])
        else:  # a function sqlglot knows and Haven does not evaluate (soundex...)
            raise self.refuse(f"function {node.sql_name().lower()}()")
        function = _FUNCTIONS.get(name)
        if function is None:
            raise self.refuse(f"function {name}()")
        args = [self.walk(o, in_function=True) for o in operands]
        return lambda left, right: function(*(a(left, right) for a in args))

    def _column(self, node: exp.Column, in_function: bool) -> Evaluator:
        name = node.name
        if node.table or not name.endswith(("_l", "_r")):
            raise self.refuse(f"column {node.sql()} is neither _l nor _r")
        column = name[:-2]
        self.columns.add(column)
        if in_function:
            self.function_columns.add(column)
        if name.endswith("_l"):
            return lambda left, right: left.get(column)
        return lambda left, right: right.get(column)

    def _literal(self, node: exp.Expr) -> Any:
        if isinstance(node, exp.Null):
            return None
        if isinstance(node, exp.Boolean):
            return bool(node.this)
        if isinstance(node, exp.Literal):
            text = str(node.this)
            if node.is_string:
                return text
            return float(text) if "." in text else int(text)
        raise self.refuse(f"unexpected {node.sql()!r}")


def _given(value: Any) -> bool:
    """Whether a node's optional argument was written (sqlglot leaves None, False or [])."""
    if value is None or value is False:
        return False
    return bool(value) if isinstance(value, list) else True


def _constant(value: Any) -> Evaluator:
    return lambda left, right: value


def _either(parts: list[Evaluator]) -> Evaluator:
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


def _both(parts: list[Evaluator]) -> Evaluator:
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


def _negate(inner: Evaluator) -> Evaluator:
    def negate(left: Record, right: Record) -> bool | None:
        value = inner(left, right)
        return None if value is None else not value

    return negate


def _compared(
    compare: Callable[[Any, Any], bool], first: Evaluator, second: Evaluator
) -> Evaluator:
    def compared(left: Record, right: Record) -> bool | None:
        a, b = first(left, right), second(left, right)
        return None if a is None or b is None else compare(a, b)

    return compared


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
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.SqlglotError as error:
        raise UnsupportedCondition(f"cannot read {sql!r}: {error}") from error
    translation = _Translation(sql)
    evaluator = translation.walk(tree)
    return evaluator, frozenset(translation.columns), frozenset(translation.function_columns)
