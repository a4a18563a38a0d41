"""deploy/: the files a sysadmin installs parse with the real tools and agree with the app.

``nginx -t`` checks the site file (inside a throw-away nginx.conf, with a self-signed
certificate and a temporary cache dir in place of the production paths) and
``systemd-analyze verify`` the unit (pointed at this checkout so its ExecStart exists); each
is skipped with the reason when the tool is not installed. The cross-checks hold always:
every ATLAS_ variable of the env example is a real setting, nginx's body limit lets the
app's own upload limit through, and nginx's server_name is the host the app trusts.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.settings import AtlasSettings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "ganzhou-atlas.service"
ENV = DEPLOY / "ganzhou-atlas.env.example"
SITE = DEPLOY / "nginx" / "ganzhou-atlas.conf"
PG = DEPLOY / "postgresql" / "ganzhou-atlas.conf"
INSTALL_DIR = "/opt/ganzhou-atlas"


def _env() -> dict[str, str]:
    """The env example's assignments, commented-out ones included (``# ATLAS_X=...``)."""
    found = {}
    for line in ENV.read_text("utf-8").splitlines():
        match = re.fullmatch(r"#? ?([A-Z_]+)=(.*)", line.strip())
        if match:
            found[match[1]] = match[2]
    return found


def _megabytes(size: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[unit.lower()] / 2**20


def test_the_env_example_names_only_real_settings():
    fields = {f"ATLAS_{name.upper()}" for name in AtlasSettings.model_fields}
    env = _env()
    unknown = {k for k in env if k.startswith("ATLAS_")} - fields
    # the PostgreSQL store's URL is documented before every checkout has the setting
    assert unknown <= {"ATLAS_DATABASE_URL"}, unknown
    active = {k: v for k, v in env.items() if k in fields}
    settings = AtlasSettings.model_validate(
        {k.removeprefix("ATLAS_").lower(): json.loads(v) if v.startswith("[") else v
         for k, v in active.items()})
    assert settings.demo_inventory is False  # production starts without synthetic sites


def test_nginx_lets_the_apps_upload_limit_through_and_serves_its_trusted_host():
    env = _env()
    site = "\n".join(line.split("#", 1)[0] for line in SITE.read_text("utf-8").splitlines())
    cap = _megabytes(re.search(r"client_max_body_size (\w+);", site)[1])  # type: ignore[index]
    app_limit = float(env["ATLAS_MAX_UPLOAD_MB"]) + 64 / 1024  # + multipart (api.security)
    assert app_limit < cap <= app_limit + 2, (cap, app_limit)
    names = set(re.findall(r"^\s*server_name ([^;]+);", site, re.M))
    assert names == set(json.loads(env["ATLAS_TRUSTED_HOSTS"]))
    port = re.search(r"server 127\.0\.0\.1:(\d+);", site)[1]  # type: ignore[index]
    assert port == env["ATLAS_PORT"]
    assert "proxy_cache_revalidate on" in site and "proxy_no_cache $http_authorization" in site


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx not installed (apt-get install nginx)")
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed: no test certificate for the TLS server")
    subprocess.run([openssl, "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "1",
                    "-subj", "/CN=atlas.test", "-keyout", tmp_path / "key.pem", "-out",
                    tmp_path / "cert.pem"], check=True, capture_output=True, timeout=60)
    site = (SITE.read_text("utf-8")
            .replace("/var/cache/nginx/ganzhou-atlas", str(tmp_path / "cache"))
            .replace("/etc/ssl/certs/ssl-cert-snakeoil.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/private/ssl-cert-snakeoil.key", str(tmp_path / "key.pem")))
    (tmp_path / "site.conf").write_text(site, "utf-8")
    mime = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n{f'include {mime};' if mime.exists() else ''}\n"
        f"client_body_temp_path {tmp_path}/body;\nproxy_temp_path {tmp_path}/proxy;\n"
        f"include {tmp_path}/site.conf;\n}}\n", "utf-8")
    done = subprocess.run([nginx, "-t", "-c", tmp_path / "nginx.conf", "-p", tmp_path],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr, done.stderr


def test_the_systemd_unit_parses(tmp_path):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    unit.read_string(UNIT.read_text("utf-8"))
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert re.search(r"ganzhou-atlas serve --workers \d+( |$)", service["ExecStart"])
    assert service["EnvironmentFile"] and service["User"] != "root"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert str(_env()["ATLAS_DATA_DIR"]) in service["ReadWritePaths"]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (the structural checks above passed)")
    # pointed at this checkout, so the ExecStart program exists
    local = tmp_path / UNIT.name
    local.write_text(UNIT.read_text("utf-8").replace(INSTALL_DIR, str(ROOT)), "utf-8")
    assert (ROOT / ".venv" / "bin" / "ganzhou-atlas").exists() or pytest.skip(
        "no .venv/bin/ganzhou-atlas to point the unit at")
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True,
                          timeout=60)
    complaints = [line for line in done.stderr.splitlines() if local.name in line]
    assert done.returncode == 0 and not complaints, done.stderr


def test_the_postgresql_settings_are_plain_name_value_lines():
    seen = {}
    for line in PG.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, value = line.partition("=")
            assert re.fullmatch(r"[a-z_]+", name.strip()), line
            seen[name.strip()] = value.strip()
    for name in ("shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size",
                 "max_connections", "random_page_cost"):
        assert name in seen, name


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1] if found else None


def test_postgresql_reads_the_settings():
    """A throw-away cluster includes the file and reports the values it set."""
    postgres = _postgres_bin()
    if postgres is None:
        pytest.skip("PostgreSQL not installed (apt-get install postgresql-15-postgis-3)")
    import pwd
    import tempfile

    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as its own user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no postgres user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="atlas-pgconf-"))
    try:
        shutil.copy(PG, root / "atlas.conf")
        if as_user:
            shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        os.chmod(root / "atlas.conf", 0o644)
        subprocess.run([*as_user, str(postgres.parent / "initdb"), "-D", str(root / "data"),
                        "-A", "trust"], check=True, capture_output=True, timeout=120)
        with (root / "data" / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude '{root / 'atlas.conf'}'\n")
        for name, value in (("shared_buffers", "262144"), ("work_mem", "32768"),
                            ("jit", "off"), ("synchronous_commit", "on")):
            done = subprocess.run([*as_user, str(postgres), "-D", str(root / "data"), "-C",
                                   name], capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == value, (name, done.stdout)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nginx_caches_public_tiles_and_never_keyed_answers(tmp_path, live_url):
    """The site in front of the real service: a tile is a MISS, then a HIT with the same
    ETag; a request with a key bypasses the cache; an oversize body gets problem+json."""
    import http.client
    import ssl
    import time
    import urllib.error
    import urllib.request

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx or openssl not installed (apt-get install nginx)")
    subprocess.run([openssl, "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "1",
                    "-subj", "/CN=atlas.example.gov.cn", "-keyout", tmp_path / "key.pem",
                    "-out", tmp_path / "cert.pem"], check=True, capture_output=True, timeout=60)
    tls, plain = _free_port(), _free_port()
    app_port = live_url.rsplit(":", 1)[1]
    site = (SITE.read_text("utf-8")
            .replace("/var/cache/nginx/ganzhou-atlas", str(tmp_path / "cache"))
            .replace("/etc/ssl/certs/ssl-cert-snakeoil.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/private/ssl-cert-snakeoil.key", str(tmp_path / "key.pem"))
            .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl;")
            .replace("listen 80;", f"listen 127.0.0.1:{plain};"))
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (tmp_path / "site.conf").write_text(site, "utf-8")
    user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\nerror_log {tmp_path}/error.log;\n"
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\naccess_log off;\n"
        f"client_body_temp_path {tmp_path}/body;\nproxy_temp_path {tmp_path}/proxy;\n"
        f"include {tmp_path}/site.conf;\n}}\n", "utf-8")
    proc = subprocess.Popen([nginx, "-c", tmp_path / "nginx.conf", "-p", tmp_path],
                            stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=tmp_path / "cert.pem")
    context.check_hostname = False
    base = f"https://127.0.0.1:{tls}"

    def ask(path: str, headers: dict | None = None):
        request = urllib.request.Request(base + path, headers={
            "Host": "atlas.example.gov.cn", **(headers or {})})
        try:
            with urllib.request.urlopen(request, context=context, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ask("/conformance")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, \
                    proc.stderr.read().decode() if proc.poll() is not None else "no answer"
                time.sleep(0.2)
        tile = "/tiles/counties/8/209/108.mvt"
        # a fresh service renders its pyramid first (tippecanoe): wait for it directly
        urllib.request.urlopen(live_url + tile, timeout=600).close()
        first = ask(tile)
        second = ask(tile)
        assert first[0] == second[0] == 200
        assert (first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]) == ("MISS", "HIT")
        assert first[1]["ETag"] == second[1]["ETag"] and first[2] == second[2]
        keyed = ask(tile, headers={"Authorization": "Bearer not-a-key"})
        assert keyed[1]["X-Cache-Status"] == "BYPASS"
        # a declared length over the cap is refused before any of the body is sent
        conn = http.client.HTTPSConnection("127.0.0.1", tls, context=context, timeout=60)
        conn.putrequest("POST", "/imports/base-stations", skip_host=True)
        conn.putheader("Host", "atlas.example.gov.cn")
        conn.putheader("Content-Type", "text/csv")
        conn.putheader("Content-Length", str(52 * 2**20))
        conn.endheaders()
        refused = conn.getresponse()
        assert refused.status == 413
        assert refused.getheader("Content-Type") == "application/problem+json"
        assert json.loads(refused.read())["status"] == 413
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
