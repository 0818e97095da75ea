from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

import pytest

# Tests never write into the developer's ./var: each run gets its own data dir (uploads, secret key).
os.environ.setdefault("KECHUANG_DATA_DIR", tempfile.mkdtemp(prefix="kechuang-test-"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """SQLite tests use a file database, as production does, not Django's shared-cache memory one.

    In shared-cache memory SQLite, a second writer fails at once with "database table is locked" instead
    of waiting out the busy timeout, so concurrency tests (two approvals at the same instant) could not
    run there; a file in WAL mode behaves like the deployed platform.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        shm = "/dev/shm"  # noqa: S108 - memory-backed; the file goes in a private mkdtemp folder below
        folder = tempfile.mkdtemp(prefix="kechuang-db-", dir=shm if os.path.isdir(shm) else None)
        db.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: Any) -> Any:
    """A SQLite file migrated once by a `kechuang migrate` subprocess; tests that drive the real CLI in
    subprocesses (worker stops, kill -9 during an import) each copy it instead of migrating again."""
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path_factory.mktemp("migrated")
    env = {
        **os.environ,
        "KECHUANG_DATA_DIR": str(folder),
        "KECHUANG_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    subprocess.run([sys.executable, "-m", "kechuang.cli", "migrate", "-v0"], env=env, check=True)
    return folder / "db.sqlite3"


@pytest.fixture(scope="session")
def migrated_postgres() -> Any:
    """Name of a database on the test PostgreSQL server migrated once by a `kechuang migrate` subprocess:
    the template of the scratch databases of subprocess tests (`scratch_database`)."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from tests.core.crash_points import postgres_admin, postgres_url

    name = f"kechuang_migrated_{uuid.uuid4().hex[:8]}"
    postgres_admin(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "KECHUANG_DATABASE_URL": postgres_url(name),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    subprocess.run([sys.executable, "-m", "kechuang.cli", "migrate", "-v0"], env=env, check=True)
    yield name
    postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def scratch_database(tmp_path: Any, request: Any) -> Any:
    """A private migrated database and data dir for `kechuang` subprocesses (a `crash_points.Scratch`): a
    copy of `migrated_sqlite`, or under tests/run_with_postgres.py a database cloned from
    `migrated_postgres` on the test server, dropped afterwards."""
    import uuid
    from pathlib import Path

    from tests.core.crash_points import Scratch, on_postgres, postgres_admin, postgres_url
    from tests.core.test_worker_stop import scratch_env

    # One hash seed for every process, so that two uninterrupted runs in two processes compare equal even
    # where an order follows set iteration (explanations' tied terms did, until they were sorted by term).
    if not on_postgres():
        env = {**scratch_env(tmp_path, request.getfixturevalue("migrated_sqlite")), "PYTHONHASHSEED": "0"}
        yield Scratch(env, env["KECHUANG_DATABASE_URL"])
        return
    template = request.getfixturevalue("migrated_postgres")
    name = f"kechuang_scratch_{uuid.uuid4().hex[:8]}"
    postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    env = {
        **os.environ,
        "KECHUANG_DATA_DIR": str(tmp_path),
        "KECHUANG_DATABASE_URL": postgres_url(name),
        "KECHUANG_MATCHING_BACKEND": "lexical",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PYTHONHASHSEED": "0",
    }
    scratch = Scratch(env, env["KECHUANG_DATABASE_URL"])
    yield scratch
    for database in [*scratch.clones, name]:
        postgres_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    from django.core.cache import cache

    cache.clear()  # cached figures (the dashboard's tier pipeline) never leak from one test's data to another
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test gets its own data dir (matching index, uploads); background jobs are recorded, not run:
    # tests that need a job's effect call the service directly.
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.KECHUANG_MATCHING_BACKEND = "lexical"


@dataclass
class World:
    """Two of everything, so every object-level rule can be tested against 'own' and 'other'."""

    town: Any
    other_town: Any
    own_enterprise: Any
    same_town_enterprise: Any
    other_enterprise: Any
    institution: Any
    own_expert: Any
    other_expert: Any
    investor: Any
    own_enclave: Any
    other_enclave: Any
    achievement: Any
    private_achievement: Any
    qualification: Any
    users: dict[str, Any]
    own_demand: Any = None
    other_demand: Any = None
    public_demand: Any = None


@pytest.fixture
def world(db: Any) -> World:
    from kechuang.achievements.models import Achievement
    from tests import factories as f

    town, other_town = f.township("陈埭镇"), f.township("磁灶镇")
    own = f.enterprise("晋江市甲鞋业有限公司", town=town)
    same = f.enterprise("晋江市乙服饰有限公司", town=town)
    other = f.enterprise("晋江市丙陶瓷有限公司", town=other_town)
    for ent in (own, same, other):
        f.figure(ent, 2023, "10000", "300")
        f.figure(ent, 2024, "12000", "400")
    qual = f.qualification(other, "high_tech")
    inst = f.institution()
    own_expert, other_expert = f.expert("李教授", inst), f.expert("王研究员", inst)
    inv = f.investor()
    own_enclave, other_enclave = (
        f.enclave("晋江(武汉)测试飞地", "武汉"),
        f.enclave("晋江(西安)测试飞地", "西安"),
    )
    public = Achievement.objects.create(title="一种运动鞋底材料", abstract="公开成果", is_public=True)
    private = Achievement.objects.create(title="未公开成果", abstract="内部", is_public=False)
    users = {
        "bureau_admin": f.user("admin", "bureau_admin"),
        "bureau_staff": f.user("staff", "bureau_staff"),
        "township_officer": f.user("township", "township_officer", township=town),
        "enclave_operator": f.user("enclave", "enclave_operator", enclave=own_enclave, organization=None),
        "enterprise": f.user("enterprise", "enterprise", organization=own.organization),
        "expert": f.user("expert", "expert", expert=own_expert),
        "investor": f.user("investor", "investor", organization=inv.organization),
    }
    world = World(
        town,
        other_town,
        own,
        same,
        other,
        inst,
        own_expert,
        other_expert,
        inv,
        own_enclave,
        other_enclave,
        public,
        private,
        qual,
        users,
    )
    from tests.demands_factories import campaign_world, demand_world

    demand_world(world)
    campaign_world(world)
    return world


@pytest.fixture
def client_for(client: Any, world: World) -> Any:
    """client_for(role) -> a Django test client signed in as that role (or anonymous for 'public')."""
    from django.test import Client

    def make(role: str) -> Client:
        c = Client()
        if role != "public":
            c.force_login(world.users[role])
        return c

    return make
