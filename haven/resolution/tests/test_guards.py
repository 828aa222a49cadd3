"""Placeholder values and giant clusters."""

from __future__ import annotations

from typing import Any

from haven.resolution.guards import Edge, clusters_build, placeholders_remove
from haven.resolution.records import record_prepare


def _records(n: int, **fields: str) -> list[dict[str, Any]]:
    return [
        record_prepare({"record_id": f"r{i}", "full_name": f"Person {i}", **fields})
        for i in range(n)
    ]


def test_it_ignores_a_sponsor_phone_on_hundreds_of_rows() -> None:
    records = _records(500, phone="0700 123 456")
    report = placeholders_remove(records)
    assert all(r["phone"] is None for r in records)
    assert report.dropped["phone"] == [("+93700123456", 500)]
    assert "placeholder_phone" in records[0]["flags"]


def test_it_ignores_a_default_birth_date_typed_for_everyone() -> None:
    records = _records(500, date_of_birth="1/1/1990")
    placeholders_remove(records)
    assert all(r["dob_year"] is None for r in records)


def test_it_keeps_a_household_phone() -> None:
    records = _records(8, phone="0700 123 456")
    placeholders_remove(records)
    assert all(r["phone"] == "+93700123456" for r in records)


def test_it_never_merges_two_members_of_one_request() -> None:
    edges = [Edge("a", "b", 20.0), Edge("b", "c", 15.0)]
    clustering = clusters_build(edges, groups={"a": "req1", "b": None, "c": "req1"})
    assert clustering.cluster_of["a"] == clustering.cluster_of["b"]
    assert clustering.cluster_of["c"] != clustering.cluster_of["a"]
    assert clustering.refused == [Edge("b", "c", 15.0)]


def test_it_caps_cluster_size() -> None:
    edges = [Edge(f"r{i}", f"r{i + 1}", 10.0) for i in range(100)]
    clustering = clusters_build(edges, max_size=30)
    sizes: dict[str, int] = {}
    for root in clustering.cluster_of.values():
        sizes[root] = sizes.get(root, 0) + 1
    assert max(sizes.values()) == 30
    assert clustering.refused


def test_it_never_makes_a_cluster_span_many_birth_years() -> None:
    # Mother and daughter both "Fatima" on one phone: each links to the record between them.
    edges = [Edge("mother", "middle", 9.0), Edge("middle", "daughter", 8.0)]
    years = {"mother": 1967, "middle": None, "daughter": 1990}
    clustering = clusters_build(edges, years=years)
    assert clustering.cluster_of["mother"] == clustering.cluster_of["middle"]
    assert clustering.cluster_of["daughter"] != clustering.cluster_of["mother"]
    assert clustering.refused == [Edge("middle", "daughter", 8.0)]
    # A year off by one or two (an age, a Solar Hijri year) is still one person.
    assert not clusters_build(edges, years={"mother": 1967, "daughter": 1969}).refused


def test_it_keeps_a_birth_year_with_its_decade_mistyped_in_one_cluster() -> None:
    # 1964 written 1974 (the date comparison's "year mistyped"), a year off by one beside it.
    edges = [Edge("a", "b", 9.0), Edge("b", "c", 8.0)]
    years = {"a": 1964, "b": 1974, "c": 1965}
    assert not clusters_build(edges, years=years).refused
    # Twenty years apart, or a decade and a half, is still two people.
    for other in (1984, 1979):
        clustering = clusters_build(edges, years={"a": 1964, "b": 1974, "c": other})
        assert clustering.refused == [Edge("b", "c", 8.0)]
    # Three groups a decade apart each: not one typo.
    three = clusters_build(edges, years={"a": 1954, "b": 1964, "c": 1974})
    assert three.refused == [Edge("b", "c", 8.0)]
