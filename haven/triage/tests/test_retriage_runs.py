"""Re-triage runs at scale: shards, shared outcomes, the data migration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from haven.accounts.models import User
from haven.cases.models import Case, CaseEvent
from haven.common import crypto
from haven.triage import services
from haven.triage.models import DecisionOutcome, GuidanceVersion, RetriageRun, TriageDecision

from .conftest import AFGHAN_IN_KABUL, store

pytestmark = pytest.mark.django_db


def test_a_run_in_shards_triages_every_open_case_once(
    guidance_dir: Any,
    make_case: Callable[..., Case],
    supervisor: User,
    settings: SettingsWrapper,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(services, "MIN_SHARD", 2)
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    settings.HAVEN_RETRIAGE_SHARDS = 3
    cases = [
        make_case({**AFGHAN_IN_KABUL, "siv_stage": "com_approved"}),
        make_case({**AFGHAN_IN_KABUL, "is_us_citizen": True}),
        *(make_case({**AFGHAN_IN_KABUL, "dependants": n}) for n in range(5)),
        make_case(None),
    ]
    closed = make_case({**AFGHAN_IN_KABUL}, status=Case.Status.CLOSED)
    version = store("us-afghan-2021@1")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.guidance_activate(version=version, actor=supervisor)
    run.refresh_from_db()
    shards = list(run.shards.order_by("number"))
    assert len(shards) == 3 and all(s.finished for s in shards)
    assert sum(s.done for s in shards) == run.done == run.total == len(cases)
    assert run.status == RetriageRun.Status.DONE and run.finished_at is not None
    assert run.changed == len(cases)
    decided = TriageDecision.objects.filter(run=run).values_list("case_id", flat=True)
    assert sorted(decided) == sorted(c.pk for c in cases)
    assert not TriageDecision.objects.filter(case=closed).exists()
    # The five Kabul cases differ only in dependants: one shared outcome, own facts.
    kabul = TriageDecision.objects.filter(case__in=cases[2:7]).select_related("outcome")
    assert len({d.outcome_id for d in kabul}) == 1
    assert sorted(d.facts_used["dependants"] for d in kabul) == [0, 1, 2, 3, 4]
    assert DecisionOutcome.objects.count() == 4
    decision = TriageDecision.objects.select_related("outcome").get(case=cases[0])
    assert (decision.rule, decision.pathway) == ("siv_com_approved", "siv_approved")
    assert decision.explanation and decision.next_action
    case = Case.objects.get(pk=cases[0].pk)
    assert (case.pathway, case.priority) == ("siv_approved", decision.priority)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.TRIAGED).count() == len(cases)


def test_a_superseded_run_stops_all_its_shards(
    guidance_dir: Any,
    make_case: Callable[..., Case],
    supervisor: User,
    settings: SettingsWrapper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "MIN_SHARD", 1)
    settings.HAVEN_RETRIAGE_SHARDS = 2
    for _ in range(4):
        make_case(dict(AFGHAN_IN_KABUL))
    version = store("us-afghan-2021@1")
    run = services.guidance_activate(version=version, actor=supervisor)  # not run yet
    version.status = version.Status.RETIRED
    version.save(update_fields=["status"])
    from haven.triage.tasks import retriage_shard

    for shard in run.shards.all():
        retriage_shard.call(shard.pk)
    run.refresh_from_db()
    assert run.status == RetriageRun.Status.SUPERSEDED
    assert not TriageDecision.objects.filter(run=run).exists()


OLD_COLUMNS = (
    "case_id, guidance_id, rule, pathway, next_action, evidence_missing, requires_third_country,"
    " priority, priority_breakdown, facts_used, explanation, reason, decided_at"
)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_stored_texts_into_shared_outcomes_and_back(
    make_case: Callable[..., Case],
) -> None:
    before, after = (
        [("triage", "0001_guidance_facts_decisions")],
        [("triage", "0004_decision_texts_in_outcomes_only")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    version = GuidanceVersion.objects.create(
        pack="p", version="1", effective_date=timezone.now().date(), source="x", sha256="0" * 64
    )
    cases = [make_case(None) for _ in range(3)]
    texts: list[Any] = ["p1", "p1", "Go to a third country.", '["referral_letter"]', True]
    rows: list[tuple[Any, ...]] = [
        (case.pk, version.pk, *texts, 0, "{}", '{"a": 1}', "Referred by UNHCR.", "manual")
        for case in cases
    ]
    rows.append((cases[0].pk, version.pk, "p1b", *texts[1:], 0, "{}", "{}", "Other.", "manual"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO triage_triagedecision ({OLD_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(*row, timezone.now()) for row in rows],
        )

    executor.loader.build_graph()
    executor.migrate(after)
    decisions = list(TriageDecision.objects.select_related("outcome").order_by("id"))
    assert DecisionOutcome.objects.count() == 2
    assert [d.rule for d in decisions] == ["p1", "p1", "p1", "p1b"]
    assert decisions[0].evidence_missing == ["referral_letter"]
    assert decisions[0].explanation == "Referred by UNHCR." and decisions[0].facts_used == {"a": 1}
    assert decisions[0].requires_third_country and decisions[3].explanation == "Other."

    executor.loader.build_graph()
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rule, next_action, requires_third_country, explanation"
            " FROM triage_triagedecision ORDER BY id"
        )
        back = cursor.fetchall()
    assert [r[0] for r in back] == ["p1", "p1", "p1", "p1b"]
    assert back[0][1:] == ("Go to a third country.", True, "Referred by UNHCR.")
    executor.loader.build_graph()
    executor.migrate(after)


def test_a_runs_history_lines_are_encrypted_at_rest_like_every_event(
    guidance_dir: Any,
    make_case: Callable[..., Case],
    supervisor: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cases = [make_case({**AFGHAN_IN_KABUL, "dependants": n}) for n in range(3)]
    version = store("us-afghan-2021@1")
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=version, actor=supervisor)
    events = {
        e.pk: e for e in CaseEvent.objects.filter(kind=CaseEvent.Kind.TRIAGED, case__in=cases)
    }
    assert len(events) == len(cases)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, description FROM {quote(CaseEvent._meta.db_table)} "
            f"WHERE id IN ({', '.join(['%s'] * len(events))})",
            list(events),
        )
        stored = dict(cursor.fetchall())
    for pk, event in events.items():
        assert "us-afghan-2021@1" in event.description  # read back in clear
        assert stored[pk] != event.description
        assert crypto.decrypt(stored[pk]) == event.description
