"""The audit trail cannot be wiped, and is tamper-evident (issue 11, item 15)."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from haven.audit import chain
from haven.audit.models import AuditEvent
from haven.audit.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's REPLACE")


# Tampering needs the tables' owner; .ci/run also runs this module as the application's role
# (deploy/postgres-app-role.sql), which may not, and sets this (test_app_role is that side).
as_owner = pytest.mark.skipif(
    bool(os.environ.get("HAVEN_TEST_APP_ROLE")), reason="needs the tables' owner"
)


def _events(caseworker, count: int = 3) -> list[AuditEvent]:
    return [
        audit_record(
            actor=caseworker,
            action="view",
            object_type="cases.case",
            object_id=str(n),
            summary=f"Viewed case {n}",
            details={"n": n, "نام": "دری", "nested": {"b": [1, 2], "a": None}},
            ip_address="2001:DB8::1" if n % 2 else "10.0.0.1",
        )
        for n in range(count)
    ]


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@contextmanager
def _triggers_lifted() -> Iterator[None]:
    """As the table's owner: switch the append-only triggers off, as a tamperer would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Check the events' deferred foreign keys now: PostgreSQL alters no table with
            # checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_append_only_u")
            cursor.execute("DROP TRIGGER audit_event_append_only_d")
    yield
    # The test's transaction is rolled back (PostgreSQL: the ALTER too); SQLite's in-memory
    # database is rebuilt from migrations for each session, and no later test in this module
    # needs the triggers dropped here, so recreate them for the tests that follow.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "CREATE TRIGGER audit_event_append_only_u BEFORE UPDATE ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
            cursor.execute(
                "CREATE TRIGGER audit_event_append_only_d BEFORE DELETE ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def test_every_way_of_writing_an_event_extends_one_chain(caseworker, client_for, supervisor):
    _events(caseworker)
    audit_record_many(
        actor=caseworker,
        action="create",
        entries=[(caseworker, f"bulk {n}", {"row": n}) for n in range(20)],
    )
    with transaction.atomic():  # an event inside a caller's transaction
        audit_record(actor=None, action="login_failed", summary="Failed log-in as 'x'")
    client_for(supervisor).get("/audit/")  # and through a page
    hashes = list(AuditEvent.objects.order_by("id").values_list("chain_hash", flat=True))
    assert len(hashes) >= 24
    assert all(len(h) == 64 for h in hashes)
    assert len(set(hashes)) == len(hashes)
    assert f"{len(hashes)} audit events, chain intact" in _verify()


@as_owner
def test_verify_names_the_first_changed_event(caseworker):
    _first, second, _third = _events(caseworker)
    with _triggers_lifted():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET summary = 'nothing to see' WHERE id = %s",
                [second.pk],
            )
        with pytest.raises(CommandError, match=f"broken at event {second.pk} "):
            _verify()


@as_owner
def test_verify_names_the_event_after_a_removed_one(caseworker):
    _first, second, third = _events(caseworker)
    with _triggers_lifted():
        AuditEvent.objects.filter(pk=second.pk)._raw_delete(connection.alias)
        with pytest.raises(CommandError, match=f"broken at event {third.pk} "):
            _verify()


@as_owner
def test_verify_sees_a_rehashed_event_without_the_key(caseworker):
    # A tamperer who knows the algorithm but not the key cannot repair the chain.
    first, second, _third = _events(caseworker)
    forged = dict(AuditEvent.objects.filter(pk=second.pk).values(*chain.FIELDS).get())
    forged["summary"] = "nothing to see"
    guess = hmac.new(
        b"demo-hmac-key-change-me",
        first.chain_hash.encode() + b"\n" + chain.canonical(forged),
        hashlib.sha256,
    ).hexdigest()
    with _triggers_lifted():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET summary = %s, chain_hash = %s WHERE id = %s",
                [forged["summary"], guess, second.pk],
            )
        with pytest.raises(CommandError, match=f"broken at event {second.pk} "):
            _verify()


def test_the_database_refuses_changes_even_to_the_chain_hash(caseworker):
    event = _events(caseworker, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET chain_hash = 'x' WHERE id = %s", [event.pk])


@on_sqlite
def test_sqlite_refuses_insert_or_replace(caseworker):
    event = _events(caseworker, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO audit_auditevent (id, at, actor_label, action, object_type,"
            " object_id, summary, details, chain_hash) VALUES (%s, '2021-08-15 00:00:00', 'x',"
            " 'view', '', '', 'rewritten', '{}', '')",
            [event.pk],
        )
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed case 0"


@on_postgresql
@as_owner
def test_postgresql_refuses_truncate(caseworker):
    _events(caseworker, 1)
    refused = pytest.raises(DatabaseError, match="cannot be truncated")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        # The test settings allow TRUNCATE so that Django can empty tables between tests;
        # a real session has no such setting.
        cursor.execute("SET LOCAL haven.truncate_allowed = 'off'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
@as_owner
def test_concurrent_writers_do_not_fork_the_chain(caseworker):
    writers = 6
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(5):
                if i % 2:
                    audit_record(actor=None, action="view", summary=f"{n}-{i}")
                else:
                    audit_record_many(
                        actor=None, action="create", entries=[(caseworker, f"{n}-{i}", {})] * 3
                    )
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))
    assert AuditEvent.objects.count() == writers * (2 + 3 * 3)
    assert "chain intact" in _verify()


@pytest.mark.django_db(transaction=True)
@as_owner
def test_the_migration_chains_existing_events_and_unchains_them_back(caseworker):
    before = [("audit", "0002_audit_events_are_append_only")]
    after = [("audit", "0003_audit_events_are_hash_chained")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        Historical = executor.loader.project_state(before).apps.get_model("audit", "AuditEvent")
        for n in range(3):
            Historical.objects.create(action="view", actor_label="old", summary=f"old {n}")
        executor.loader.build_graph()
        executor.migrate(after)
        assert AuditEvent.objects.filter(chain_hash="").count() == 0
        assert "3 audit events, chain intact" in _verify()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    # Django empties the tables after this test; the append-only triggers would refuse it.
    with _triggers_lifted():
        AuditEvent.objects.all()._raw_delete(connection.alias)
