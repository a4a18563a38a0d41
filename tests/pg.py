"""A throw-away PostgreSQL + PostGIS cluster for the tests, and stores of both kinds.

The cluster: ``initdb`` in a temp dir, listening on 127.0.0.1 at a free port only, started
by ``pg_ctl`` and stopped by ``pg_ctl`` at the end of the session (also when tests fail).
As root (CI), the server runs as the ``postgres`` OS user (PostgreSQL refuses root). The
store connects as ``atlas_app``: a login role that is neither superuser nor able to bypass
row-level security, owner of its database - the deployment docs/postgis.md describes, so
the policies are tested as they run in production. A template database, migrated and with
the counties loaded once, makes each test's database a cheap copy.

Without the binaries the PostGIS variants skip with the reason (and fail on CI, where
``.ci/run`` installs ``postgresql-15-postgis-3``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from geo.settings import AtlasSettings

STORE_KINDS = ("sqlite", "postgis")
APP_ROLE, APP_PASSWORD = "atlas_app", "atlas-test-password"
TEMPLATE = "atlas_template"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _postgis_installed(bindir: Path) -> bool:
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


def require_postgis() -> Path:
    """The PostgreSQL bin dir, or skip with a clear reason (fail on CI)."""
    bindir = _bindir()
    reason = None
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not installed"
    elif not _postgis_installed(bindir):
        reason = f"PostGIS is not installed for PostgreSQL {bindir.parent.name}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs postgresql-15-postgis-3 on CI")
        pytest.skip(f"{reason} (apt-get install postgresql-15-postgis-3)")
    assert bindir is not None
    return bindir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running throw-away cluster."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.root, self.user)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=128MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "120", "start")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.sql(f"CREATE ROLE {APP_ROLE} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS "
                 f"PASSWORD '{APP_PASSWORD}'")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=180)

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        url = self.admin_url.rsplit("/", 1)[0] + f"/{database}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement.encode())

    def url(self, database: str) -> str:
        return (f"postgresql://{APP_ROLE}:{APP_PASSWORD}@127.0.0.1:{self.port}/{database}")

    def new_database(self) -> str:
        """A fresh database copied from the migrated template; its app URL."""
        name = "t_" + uuid.uuid4().hex[:16]
        self.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {APP_ROLE}")
        return self.url(name)

    def empty_database(self) -> str:
        """A database with PostGIS but no schema (for migration tests); its app URL."""
        name = "e_" + uuid.uuid4().hex[:16]
        self.sql(f"CREATE DATABASE {name} OWNER {APP_ROLE}")
        self.sql("CREATE EXTENSION postgis", name)
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def running_cluster(settings: AtlasSettings) -> Iterator[Cluster]:
    """Start a cluster with a migrated template database; stop it whatever happens."""
    from geo.store.postgis import PostgisSiteStore

    cluster = Cluster(require_postgis())
    try:
        cluster.sql(f"CREATE DATABASE {TEMPLATE} OWNER {APP_ROLE}")
        cluster.sql("CREATE EXTENSION postgis", TEMPLATE)
        PostgisSiteStore(cluster.url(TEMPLATE), settings).close()
        yield cluster
    finally:
        cluster.stop()


def postgis_settings(settings: AtlasSettings, url: str, **changes: object) -> AtlasSettings:
    """``settings`` with ``ATLAS_DATABASE_URL`` = ``url`` (and any other changes)."""
    return settings.model_copy(update={"database_url": SecretStr(url), **changes})


def raw_rows(store, statement: str) -> list[tuple]:
    """Rows of raw SQL on ``store``'s own database (as its owner, unscoped)."""
    if hasattr(store, "path"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(store.path)) as db:
            return db.execute(statement).fetchall()
    import psycopg

    with psycopg.connect(store.url) as conn:
        return conn.execute(statement.encode()).fetchall()


def backend_settings(request, settings: AtlasSettings, tmp_path_factory,
                     **changes: object) -> AtlasSettings:
    """Settings of a module's own app on a store of kind ``request.param``.

    A data dir of its own (SQLite file, caches); for "postgis" also a fresh database of
    the session's cluster.
    """
    kind = request.param
    root = tmp_path_factory.mktemp(f"app-{kind}")
    own = settings.model_copy(update={"data_dir": root / "var", **changes})
    if kind == "postgis":
        own = postgis_settings(own, request.getfixturevalue("pg_cluster").new_database())
    return own


def both_stores_app():
    """A module's ``app`` fixture, once per store kind: ``app = both_stores_app()``."""

    @pytest.fixture(scope="module", params=STORE_KINDS, name="app")
    def app_fixture(request, settings, ctx, tmp_path_factory):
        from api.app import create_app

        return create_app(backend_settings(request, settings, tmp_path_factory), ctx)

    return app_fixture


def module_client():
    """The ``client`` of a module's own ``app`` (lifespan run): ``client = module_client()``."""

    @pytest.fixture(scope="module", name="client")
    def client_fixture(app):
        from fastapi.testclient import TestClient

        with TestClient(app) as c:
            yield c

    return client_fixture


def reopen(store, settings: AtlasSettings):
    """A second store object on ``store``'s database (what another process would open)."""
    if hasattr(store, "path"):
        from geo.store.sqlite import SqliteSiteStore

        return SqliteSiteStore(store.path)
    from geo.store.postgis import PostgisSiteStore

    return PostgisSiteStore(store.url, settings)


def module_live_url():
    """A real server process on the module's ``app``'s store: ``live_url = module_live_url()``."""

    @pytest.fixture(scope="module", name="live_url")
    def live_url_fixture(app):
        from tests.conftest import live_server_process

        own = app.state.service.settings
        environment = {} if own.database_url is None else {
            "ATLAS_DATABASE_URL": own.database_url.get_secret_value()}
        with live_server_process(own.data_dir, **environment) as (url, _proc):
            yield url

    return live_url_fixture
