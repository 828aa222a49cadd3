"""CI: the background worker carries on after PostgreSQL restarts (issue 11, item 20).

Outside the pytest suite on purpose: restarting the cluster would break every test running
beside it. Steps: a fresh database migrated as the owner, the application's role granted
(deploy/postgres-app-role.sql), a worker (`haven db_worker`) started as that role; requests
accepted and processed; the cluster restarted under the running worker; more requests
accepted; then every accepted request must be processed, by the same worker process.

    .venv/bin/python .ci/worker_reconnect.py --owner-url postgres://postgres@127.0.0.1:5432/haven_ci_worker
"""

# ruff: noqa: S603, S607 -- a CI script: it runs PostgreSQL's tools and haven, from its own arguments

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HAVEN = str(ROOT / ".venv" / "bin" / "haven")

# Accepted as the public form and spreadsheets accept: stored, answered, matched later by
# the worker (run_pipeline=False queues intake.tasks.pipeline_drain after commit).
SUBMIT = """
import sys
from haven.intake.models import Channel
from haven.intake.services import PersonInput, RequestInput, request_create
for n in range(int(sys.argv[1])):
    data = RequestInput(channel=Channel.API, people=(
        PersonInput(given_name=f"Synthetic{sys.argv[2]}{n}", father_name="Test",
                    date_of_birth="1990"),))
    request_create(data=data, raw_input="{}", run_pipeline=False)
"""
COUNT = (
    "from haven.intake.models import Request;"
    "print(Request.objects.count(), Request.objects.filter(pipeline_pending=True).count())"
)


def _url_as(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _env(url: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "haven.config.settings",
        "HAVEN_VAR_DIR": var_dir,
        "HAVEN_LOG_LEVEL": "INFO",
    }


def _haven(args: list[str], env: dict[str, str], *, attempts: int = 1) -> str:
    for attempt in range(1, attempts + 1):
        done = subprocess.run(
            [HAVEN, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout
        if attempt == attempts:
            sys.exit(f"haven {args[0]} failed:\n{done.stdout}{done.stderr}")
        time.sleep(1)  # the database may still be starting
    raise AssertionError("unreachable")


def _submit(count: int, tag: str, env: dict[str, str]) -> None:
    _haven(
        [
            "shell",
            "--no-imports",
            "-c",
            f"import sys; sys.argv = ['', '{count}', '{tag}']\n{SUBMIT}",
        ],
        env,
        attempts=30,
    )


def _counts(env: dict[str, str]) -> tuple[int, int]:
    total, pending = _haven(["shell", "--no-imports", "-c", COUNT], env, attempts=30).split()
    return int(total), int(pending)


def _wait_processed(env: dict[str, str], expected: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        total, pending = _counts(env)
        if total == expected and pending == 0:
            return time.monotonic() - started
        time.sleep(1)
    total, pending = _counts(env)
    sys.exit(f"FAIL: {pending} of {total} accepted requests still pending after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owner-url", required=True, help="postgres://OWNER@HOST:PORT/DBNAME")
    parser.add_argument("--app-role", default="haven_app")
    parser.add_argument("--requests", type=int, default=20, help="before and after the restart")
    parser.add_argument(
        "--restart-command",
        default="pg_ctlcluster --skip-systemctl-redirect "
        f"{sorted(os.listdir('/etc/postgresql'))[0] if os.path.isdir('/etc/postgresql') else '15'}"
        " main restart",
    )
    args = parser.parse_args()
    owner = urlsplit(args.owner_url)
    db, host, port = owner.path.lstrip("/"), owner.hostname or "127.0.0.1", str(owner.port or 5432)
    pg = ["-h", host, "-p", port, "-U", owner.username or "postgres"]

    subprocess.run(["dropdb", *pg, "--if-exists", db], check=True)
    subprocess.run(["createdb", *pg, db], check=True)
    var_dir = tempfile.mkdtemp(prefix="haven-worker-")
    _haven(["migrate", "--noinput", "-v0"], _env(args.owner_url, var_dir))
    subprocess.run(
        [
            "psql",
            "-q",
            *pg,
            "-d",
            db,
            "-v",
            f"app_role={args.app_role}",
            "-f",
            str(ROOT / "deploy" / "postgres-app-role.sql"),
        ],
        check=True,
    )
    app = _env(_url_as(args.owner_url, args.app_role), var_dir)

    log_path = Path(var_dir) / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [HAVEN, "db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.5"],
            env=app,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _submit(args.requests, "before", app)
        first = _wait_processed(app, args.requests, timeout=120)
        print(f"{args.requests} requests processed before the restart in {first:.1f} s")

        started = time.monotonic()
        subprocess.run(args.restart_command.split(), check=True)
        print(f"PostgreSQL restarted in {time.monotonic() - started:.1f} s")
        _submit(args.requests, "after", app)
        second = _wait_processed(app, 2 * args.requests, timeout=180)
        if worker.poll() is not None:
            sys.exit(f"FAIL: the worker exited ({worker.returncode})")
        print(
            f"{args.requests} requests accepted after the restart processed in {second:.1f} s,"
            " by the same worker process"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log_text = log_path.read_text()
        reconnects = log_text.count("Lost the database")
        print(f"worker log: {reconnects} lost-connection warning(s)")
        if worker.returncode not in (0, -15):
            print(log_text[-4000:])
    print("OK: the worker carried on after PostgreSQL restarted")


if __name__ == "__main__":
    main()
