"""`kechuang serve` stops its gunicorn and its background worker when it gets SIGTERM (issue #19: the
worker used to keep running, re-parented to init), and keeps idle connections open between clicks."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state != "Z"


def test_sigterm_to_serve_stops_server_and_worker(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KECHUANG_DATA_DIR": str(tmp_path),
        "KECHUANG_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    cli = [sys.executable, "-m", "kechuang.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    serve = subprocess.Popen([*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        else:
            raise AssertionError("serve did not start listening within 60 s")
        # A connection left idle for longer than gunicorn's 2 s default keep-alive (a reader's pause
        # between clicks) is still open for the next request: the load test's resets came from there.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/accounts/login/")
        first = conn.getresponse()
        first.read()
        assert first.status == 200 and first.getheader("Connection", "").lower() != "close"
        time.sleep(3)
        conn.request("GET", "/accounts/login/")
        again = conn.getresponse()
        again.read()
        assert again.status == 200
        conn.close()
        children = _children(serve.pid)
        assert len(children) == 2, children  # gunicorn and the worker
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) is not None
        time.sleep(0.5)
        assert not [pid for pid in children if _alive(pid)], "a child outlived kechuang serve"
    finally:
        if serve.poll() is None:
            serve.kill()
