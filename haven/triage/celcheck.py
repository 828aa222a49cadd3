"""Static checks on a rule's CEL condition: unknown facts, type errors, bad values.

cel-python parses CEL but does not type-check it, so this pass walks the parse
tree cel-python's own parser builds (we never parse CEL ourselves). It also
records how each fact is used, which lets the engine memoise evaluation on
the few value classes a pack distinguishes (see engine.FactAbstraction).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import celpy
from celpy import celtypes
from celpy.celparser import CELParseError, tree_dump
from celpy.evaluation import CELEvalError
from lark import Token, Tree

from .facts import FACTS

NUMERIC = frozenset({"int", "uint", "double"})
DYN = "dyn"
_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member", "primary", "paren_expr"}
)
_METHODS_ON_STRING = frozenset({"contains", "startsWith", "endsWith"})
_MACROS = frozenset({"exists", "all", "exists_one"})
_ENVIRONMENT = celpy.Environment()


@dataclass(frozen=True)
class CelIssue:
    # 1-based, relative to the expression text.
    line: int
    column: int
    message: str


@dataclass
class CelCheck:
    issues: list[CelIssue] = field(default_factory=list)
    # Facts the condition reads, in order of first use.
    facts: list[str] = field(default_factory=list)
    # Literals each fact is compared with, for memoising on value classes.
    literals: dict[str, set[Any]] = field(default_factory=dict)
    # Facts used in a way other than a comparison with literals.
    raw_facts: set[str] = field(default_factory=set)


def parse(text: str) -> Tree[Any]:
    """Parse with cel-python's parser; raises CELParseError."""
    return _ENVIRONMENT.compile(text)


def check(text: str) -> tuple[Tree[Any] | None, CelCheck]:
    """Parse and check a condition; the tree is None when it does not parse."""
    result = CelCheck()
    try:
        tree = parse(text)
    except CELParseError as exc:
        line = getattr(exc, "line", None) or 1
        column = getattr(exc, "column", None) or 1
        lines = text.splitlines()
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        near = source_line[column - 1 : column + 9].strip()
        where = f"near '{near}'" if near else "at the end of the condition"
        result.issues.append(CelIssue(line, column, f"CEL syntax error {where} (column {column})"))
        return None, result
    _Checker(result).check_condition(tree)
    return tree, result


def _pos(node: Tree[Any] | Token) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 1, node.column or 1
    meta = node.meta
    if getattr(meta, "empty", True):
        return 1, 1
    return meta.line, meta.column


def _leaf(node: Tree[Any]) -> Tree[Any]:
    """Descend through single-child wrappers to the node that means something."""
    while node.data in _PASS_THROUGH and len(node.children) == 1:
        child = node.children[0]
        if not isinstance(child, Tree):
            break
        node = child
    return node


def _literal_value(token: Token) -> tuple[str, Any]:
    text = str(token)
    if token.type == "BOOL_LIT":
        return "bool", text == "true"
    if token.type == "NULL_LIT":
        return "null", None
    if token.type == "INT_LIT":
        return "int", int(text, 0)
    if token.type == "UINT_LIT":
        return "uint", int(text[:-1], 0)
    if token.type == "FLOAT_LIT":
        return "double", float(text)
    if token.type in ("STRING_LIT", "MLSTRING_LIT"):
        simple = text[:1] in "'\"" and "\\" not in text and text[:3] not in ('"""', "'''")
        return "string", text[1:-1] if simple else None
    return "bytes", None


class _Checker:
    def __init__(self, result: CelCheck) -> None:
        self.result = result
        self.scopes: list[dict[str, str]] = []
        self.occurrences: list[tuple[str, int]] = []
        self.handled: set[int] = set()
        self.literals: dict[str, set[Any]] = defaultdict(set)

    def error(self, node: Tree[Any] | Token, message: str) -> str:
        line, column = _pos(node)
        self.result.issues.append(CelIssue(line, column, message))
        return DYN

    def check_condition(self, tree: Tree[Any]) -> None:
        kind = self.check(tree)
        if kind not in ("bool", DYN):
            self.error(tree, f"the condition must be true or false, but it is {kind}")
        for name, node_id in self.occurrences:
            if node_id not in self.handled:
                self.result.raw_facts.add(name)
        self.result.literals = dict(self.literals)

    def check(self, node: Tree[Any]) -> str:
        handler = getattr(self, f"_{node.data}", None)
        if handler is None:
            return self.error(node, f"'{node.data}' is not supported in guidance rules")
        kind: str = handler(node)
        return kind

    # -- structure -------------------------------------------------------------
    def _expr(self, node: Tree[Any]) -> str:
        if len(node.children) == 1:
            return self.check(node.children[0])
        condition, then, otherwise = node.children
        self.expect_bool(condition, "the condition of ?:")
        left, right = self.check(then), self.check(otherwise)
        if DYN in (left, right) or left == right:
            return left if right == DYN else right
        return self.error(node, f"the branches of ?: differ in type ({left} and {right})")

    def _logical(self, node: Tree[Any], operator: str) -> str:
        if len(node.children) == 1:
            return self.check(node.children[0])
        for child in node.children:
            self.expect_bool(child, f"each side of {operator}")
        return "bool"

    def _conditionalor(self, node: Tree[Any]) -> str:
        return self._logical(node, "||")

    def _conditionaland(self, node: Tree[Any]) -> str:
        return self._logical(node, "&&")

    def expect_bool(self, node: Tree[Any], what: str) -> None:
        kind = self.check(node)
        if kind not in ("bool", DYN):
            self.error(node, f"{what} must be true or false, but it is {kind}")

    def _pass(self, node: Tree[Any]) -> str:
        return self.check(node.children[0])

    _member = _pass
    _primary = _pass
    _paren_expr = _pass

    # -- relations -------------------------------------------------------------
    def _relation(self, node: Tree[Any]) -> str:
        if len(node.children) == 1:
            return self.check(node.children[0])
        operator, right = node.children
        left = operator.children[0]
        op = operator.data.removeprefix("relation_")
        if op == "in":
            return self.check_in(node, left, right)
        left_kind, right_kind = self.check(left), self.check(right)
        self.note_comparison(left, right, op)
        self.note_comparison(right, left, op)
        if "null" in (left_kind, right_kind):
            return self.error(node, "do not compare with null: an unknown fact is absent, not null")
        if DYN in (left_kind, right_kind) or left_kind == right_kind:
            comparable = True
        else:
            comparable = left_kind in NUMERIC and right_kind in NUMERIC
        if not comparable:
            return self.error(node, f"cannot compare {left_kind} with {right_kind}")
        if op in ("lt", "le", "gt", "ge") and left_kind not in NUMERIC | {"string", DYN}:
            return self.error(node, f"cannot order values of type {left_kind}")
        return "bool"

    def fact_of(self, node: Tree[Any]) -> str | None:
        leaf = _leaf(node)
        if leaf.data == "ident":
            name = str(leaf.children[0])
            if name in FACTS and not self.bound(name):
                return name
        return None

    def literal_of(self, node: Tree[Any]) -> tuple[str, Any] | None:
        leaf = _leaf(node)
        if leaf.data == "literal" and isinstance(leaf.children[0], Token):
            return _literal_value(leaf.children[0])
        return None

    def list_literals(
        self, node: Tree[Any]
    ) -> list[tuple[Tree[Any], tuple[str, Any] | None]] | None:
        leaf = _leaf(node)
        if leaf.data != "list_lit":
            return None
        items = leaf.children[0].children if leaf.children else []
        return [(item, self.literal_of(item)) for item in items]

    def note_comparison(self, fact_node: Tree[Any], other: Tree[Any], op: str) -> None:
        name = self.fact_of(fact_node)
        literal = self.literal_of(other)
        if name is None or literal is None or literal[1] is None:
            return
        spec = FACTS[name]
        if spec.choices is not None and spec.kind != "list" and op in ("eq", "ne"):
            self.check_choice(other, name, literal[1])
        ordered = op not in ("eq", "ne")
        if ordered and spec.cel_type == "string":
            return  # a string ordering depends on the whole value: no classes.
        self.literals[name].add(literal[1])
        self.handled.add(id(_leaf(fact_node)))

    def check_choice(self, node: Tree[Any], fact: str, value: Any) -> None:
        choices = FACTS[fact].choices or ()
        if isinstance(value, str) and value not in choices:
            hint = difflib.get_close_matches(value, choices, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            self.error(node, f"'{value}' is not a value of {fact}{suggestion}")

    def check_in(self, node: Tree[Any], left: Tree[Any], right: Tree[Any]) -> str:
        left_kind, right_kind = self.check(left), self.check(right)
        if right_kind == DYN:
            return "bool"
        if not right_kind.startswith("list<"):
            return self.error(node, f"'in' needs a list on its right, not {right_kind}")
        item_kind = right_kind[5:-1]
        if DYN not in (left_kind, item_kind) and left_kind != item_kind:
            return self.error(node, f"cannot look for a {left_kind} in a list of {item_kind}")
        self.note_membership(left, right)
        return "bool"

    def note_membership(self, left: Tree[Any], right: Tree[Any]) -> None:
        fact = self.fact_of(left)
        items = self.list_literals(right)
        if fact is not None and items is not None:
            values = [literal for _, literal in items]
            if all(v is not None and v[1] is not None for v in values):
                for item, value in items:
                    if FACTS[fact].choices is not None and value is not None:
                        self.check_choice(item, fact, value[1])
                    if value is not None:
                        self.literals[fact].add(value[1])
                self.handled.add(id(_leaf(left)))
            return
        list_fact = self.fact_of(right)
        literal = self.literal_of(left)
        is_list = list_fact is not None and FACTS[list_fact].kind == "list"
        if is_list and list_fact is not None and literal is not None and literal[1] is not None:
            self.check_choice(left, list_fact, literal[1])
            self.literals[list_fact].add(literal[1])
            self.handled.add(id(_leaf(right)))

    # -- arithmetic ------------------------------------------------------------
    def _arithmetic(self, node: Tree[Any], allowed_strings: bool) -> str:
        if len(node.children) == 1:
            return self.check(node.children[0])
        operator, right = node.children
        op = operator.data.split("_", 1)[1]
        left_kind, right_kind = self.check(operator.children[0]), self.check(right)
        if DYN in (left_kind, right_kind):
            return DYN
        if left_kind == right_kind and left_kind in NUMERIC:
            return left_kind
        joinable = left_kind == "string" or left_kind.startswith("list<")
        if op == "add" and allowed_strings and left_kind == right_kind and joinable:
            return left_kind
        return self.error(node, f"cannot {op} {left_kind} and {right_kind}")

    def _addition(self, node: Tree[Any]) -> str:
        return self._arithmetic(node, allowed_strings=True)

    def _multiplication(self, node: Tree[Any]) -> str:
        return self._arithmetic(node, allowed_strings=False)

    def _unary(self, node: Tree[Any]) -> str:
        if len(node.children) == 1:
            return self.check(node.children[0])
        operator, operand = node.children
        kind = self.check(operand)
        if operator.data == "unary_not":
            if kind not in ("bool", DYN):
                return self.error(node, f"'!' needs true or false, not {kind}")
            return "bool"
        if kind not in NUMERIC | {DYN}:
            return self.error(node, f"'-' needs a number, not {kind}")
        return kind

    # -- names, calls, literals ----------------------------------------------
    def bound(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def _ident(self, node: Tree[Any]) -> str:
        token = node.children[0]
        name = str(token)
        bound = self.bound(name)
        if bound is not None:
            return bound
        spec = FACTS.get(name)
        if spec is None:
            hint = difflib.get_close_matches(name, list(FACTS), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            return self.error(token, f"unknown fact '{name}'{suggestion}")
        if name not in self.result.facts:
            self.result.facts.append(name)
        self.occurrences.append((name, id(node)))
        return spec.cel_type

    def _literal(self, node: Tree[Any]) -> str:
        token = node.children[0]
        if not isinstance(token, Token):
            return self.error(node, "unexpected literal")
        kind, _ = _literal_value(token)
        return kind

    def _list_lit(self, node: Tree[Any]) -> str:
        items = node.children[0].children if node.children else []
        kinds = {self.check(item) for item in items} - {DYN}
        if len(kinds) > 1:
            return self.error(node, f"a list mixes types: {', '.join(sorted(kinds))}")
        return f"list<{kinds.pop() if kinds else DYN}>"

    def _ident_arg(self, node: Tree[Any]) -> str:
        name = str(node.children[0])
        args = node.children[1].children if len(node.children) > 1 else []
        if name == "size" and len(args) == 1:
            return self.sized(node, self.check(args[0]))
        return self.error(node, f"unsupported function '{name}'")

    def sized(self, node: Tree[Any], kind: str) -> str:
        if kind != DYN and kind != "string" and not kind.startswith("list<"):
            return self.error(node, f"size() needs a list or a string, not {kind}")
        return "int"

    def _member_dot_arg(self, node: Tree[Any]) -> str:
        target, method_token = node.children[0], node.children[1]
        method = str(method_token)
        args = node.children[2].children if len(node.children) > 2 else []
        if method in _MACROS:
            return self.macro(node, target, method, args)
        target_kind = self.check(target)
        if method == "size" and not args:
            return self.sized(node, target_kind)
        if method in _METHODS_ON_STRING and len(args) == 1:
            if target_kind not in ("string", DYN) or self.check(args[0]) not in ("string", DYN):
                return self.error(node, f"{method}() works on strings")
            return "bool"
        return self.error(method_token, f"unsupported function '{method}'")

    def macro(self, node: Tree[Any], target: Tree[Any], method: str, args: list[Tree[Any]]) -> str:
        target_kind = self.check(target)
        variable = _leaf(args[0]) if len(args) == 2 else None
        if variable is None or variable.data != "ident":
            return self.error(node, f"{method}() needs a variable name and a condition")
        name = str(variable.children[0])
        if name in FACTS:
            return self.error(variable, f"'{name}' is a fact: pick another variable name")
        if target_kind != DYN and not target_kind.startswith("list<"):
            return self.error(node, f"{method}() works on lists, not {target_kind}")
        item_kind = target_kind[5:-1] if target_kind != DYN else DYN
        self.scopes.append({name: item_kind})
        try:
            self.expect_bool(args[1], f"the condition of {method}()")
        finally:
            self.scopes.pop()
        return "bool"

    def _member_index(self, node: Tree[Any]) -> str:
        target_kind = self.check(node.children[0])
        index_kind = self.check(node.children[1])
        if index_kind not in ("int", "uint", DYN):
            return self.error(node, f"a list index must be a whole number, not {index_kind}")
        if target_kind.startswith("list<"):
            return target_kind[5:-1]
        return DYN if target_kind == DYN else self.error(node, f"cannot index {target_kind}")

    def _member_dot(self, node: Tree[Any]) -> str:
        return self.error(node, f"'.{node.children[1]}': facts are plain values with no fields")


def conjuncts(tree: Tree[Any]) -> frozenset[str]:
    """The parts of a top-level `a && b && c`, each as canonical CEL text.

    If an earlier rule's parts are a subset of a later rule's, the earlier rule
    matches whenever the later one would, so the later one can never match.
    """
    node = _leaf(tree)
    if node.data == "conditionaland" and len(node.children) == 2:
        left, right = node.children
        return conjuncts(left) | conjuncts(right)
    return frozenset({" ".join(tree_dump(node).split())})


def always_matches(tree: Tree[Any]) -> bool:
    """True when the condition holds whatever the facts, even all unknown.

    CEL's `||` and `&&` forgive an error on one side when the other side decides,
    so evaluating with no facts at all is true only for a rule that needs none.
    """
    program = _ENVIRONMENT.program(tree)
    try:
        result = program.evaluate({})
    except CELEvalError:
        return False
    return isinstance(result, celtypes.BoolType) and bool(result)


def compile_program(text: str) -> celpy.Runner:
    """Compile a checked condition once, for evaluating over many cases."""
    return _ENVIRONMENT.program(parse(text))
