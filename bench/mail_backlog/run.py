"""Benchmark: a synthetic SIV-desk inbox imported, matched, given cases and triaged, end to end.

    .venv/bin/python bench/mail_backlog/run.py                    # 50,000 messages, PostgreSQL
    .venv/bin/python bench/mail_backlog/run.py --messages 5000    # a quick look

A fresh PostgreSQL database (--pg-name, default haven_intake_mail_bench) with guidance
in force, so every new case is triaged by the pipeline. `haven import-mail` runs as its own
process, as an operator runs it; measured from outside: wall time and peak memory (maximum
resident set size). Then evaluate.py compares the result with the generator's truth.
Targets (issue 13): at least 90 messages a second on 2 cores, peak memory under 2 GB.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qtAc", sql], check=True
    )


def _backend_cpu(db: str, stop: threading.Event, seen: dict[int, float]) -> None:
    """CPU seconds (user+sys) of the PostgreSQL backends serving `db`, read from /proc twice a
    second while the import runs (a backend's last half second can be missed)."""
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.wait(0.5):
        done = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qtAc",
                f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'",
            ],
            capture_output=True,
            text=True,
        )
        for pid in done.stdout.split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seen[int(pid)] = (int(fields[11]) + int(fields[12])) / tick


def haven(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "haven"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--pg-name", default="haven_intake_mail_bench")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/haven-mail-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    mbox = args.dir / f"inbox-{args.messages}.mbox"
    truth = mbox.with_suffix(".truth.jsonl")
    if not mbox.exists() or not truth.exists():
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "mail_backlog" / "generate.py"),
                "--messages",
                str(args.messages),
                "--out",
                str(mbox),
            ],
            check=True,
            capture_output=True,
        )
        print(f"generated {args.messages:,} messages in {time.monotonic() - started:.0f} s")
    psql(f'DROP DATABASE IF EXISTS "{args.pg_name}"')
    psql(f'CREATE DATABASE "{args.pg_name}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.pg_name}",
        "DJANGO_SETTINGS_MODULE": "haven.config.settings",
        "HAVEN_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    haven(env, "migrate", "--noinput", "-v0")
    haven(
        env,
        "shell",
        "-c",
        "from haven.accounts.models import User; "
        "User.objects.create_user(username='bench-supervisor', role='supervisor')",
    )
    haven(
        env,
        "guidance",
        "activate",
        "us-afghan-2021@1",
        "--as",
        "bench-supervisor",
        "--reason",
        "benchmark",
    )
    load = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop, backends = threading.Event(), {}
    watcher = threading.Thread(target=_backend_cpu, args=(args.pg_name, stop, backends))
    watcher.start()
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "haven"), "import-mail", str(mbox), "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    stop.set()
    watcher.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = after.ru_maxrss / 1024
    app_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    db_cpu = sum(backends.values())
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    evaluation = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mail_backlog" / "evaluate.py"), str(truth)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    quality = json.loads(evaluation.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "messages": args.messages,
                "import_seconds": round(seconds, 1),
                "messages_per_second": round(args.messages / seconds, 1),
                "peak_rss_mb": round(peak_mb),
                "cpu_ms_per_message": {
                    "import_process": round(1000 * app_cpu / args.messages, 2),
                    "postgresql": round(1000 * db_cpu / args.messages, 2),
                    "total": round(1000 * (app_cpu + db_cpu) / args.messages, 2),
                },
                # One import process waits on its backend, so on an idle machine the two
                # mostly alternate: messages per CPU second is what the wall figure tends to.
                "messages_per_cpu_second": round(args.messages / max(app_cpu + db_cpu, 1e-9), 1),
                "load_before": [round(x, 2) for x in load],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "counts": counts,
                **quality,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
