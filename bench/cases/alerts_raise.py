"""How long the alerts job takes on a backlog: N open cases, each with an overdue task and
over its pathway's target, raised in runs of cases.alerts.BATCH breaches, then one more run
that finds nothing new (the steady state of `haven tick`).

    .venv/bin/python bench/cases/alerts_raise.py [--cases 10000]

Runs on a fresh SQLite database in a temporary folder (migrated first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CODE = """
import datetime as dt, time
from django.utils import timezone
from haven.accounts.models import Organization, User
from haven.cases import registry
from haven.cases.alerts import alerts_raise
from haven.cases.models import Alert, Case, Task
n = {n}
tf = Organization.objects.create(name="TF", kind="task_force")
sup = User.objects.create_user(username="sup", role="supervisor", organization=tf)
workers = [User.objects.create_user(username=f"w{{i}}", role="caseworker", organization=tf)
           for i in range(20)]
old = timezone.now() - dt.timedelta(days=60)
Case.objects.bulk_create([Case(pathway="p1", assignee=workers[i % 20]) for i in range(n)],
                         batch_size=2000)
Case.objects.update(created_at=old)
ids = list(Case.objects.values_list("pk", flat=True))
Task.objects.bulk_create([Task(case_id=i, title="t", due_date=old.date()) for i in ids],
                         batch_size=2000)
registry.register_pathway_targets(lambda: {{"p1": 21}})
runs, start = 0, time.perf_counter()
while True:
    breaches, alerts = alerts_raise()
    runs += 1
    if not breaches:
        break
total = time.perf_counter() - start
start = time.perf_counter()
alerts_raise()
idle = time.perf_counter() - start
print(f"cases={{n}} breaches={{2 * n}} alerts={{Alert.objects.count()}} runs={{runs}} "
      f"backlog={{total:.1f}}s ({{2 * n / total:.0f}} breaches/s) idle_run={{idle * 1000:.0f}}ms")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    n = parser.parse_args().cases
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "HAVEN_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        haven = [sys.executable, "-m", "haven.cli"]
        root = Path(__file__).resolve().parents[2]
        subprocess.run([*haven, "migrate", "-v0"], cwd=root, env=env, check=True)
        subprocess.run([*haven, "shell", "-c", CODE.format(n=n)], cwd=root, env=env, check=True)
    print("load average:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
