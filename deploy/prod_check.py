"""The production smoke test (make prod-check): the application as an operator runs it.

On this machine, on loopback only, with nothing of the system's own set-up touched:

- a database of its own on the project-local PostgreSQL (DB_PORT, 54329), migrated, with a
  small demo, dropped at the end (the cluster itself is never stopped);
- Redis (scripts/localredis.sh, or REDIS_URL), under a key prefix of its own;
- an SMTP sink (aiosmtpd) that keeps every message;
- gunicorn with the production settings and deploy/gunicorn.conf.py;
- Debian's nginx with deploy/nginx/mapping.conf rendered for the run (its own pid, logs,
  temporary and cache folders, free high ports, a self-signed certificate made for the run);

then checks, through nginx: HTTP redirects to HTTPS, HTTP/2, HSTS and the CSP exactly once,
static files compressed and cached for long, tiles, clusters and the OGC API answered from
the proxy's cache the second time, the upload limit, a contribution with three photos sent as
the map's form sends it, its receipt at the SMTP sink with an https link to SITE_URL, its
photos served while public and refused at once when hidden, uploads never served from disk,
/healthz, the systemd units (systemd-analyze verify, where it can run), and two clients on
two loopback addresses getting separate rate-limit budgets that a forged X-Forwarded-For
cannot escape.

    .venv/bin/python deploy/prod_check.py                      # every check
    .venv/bin/python deploy/prod_check.py --only rate-limits   # some of them
    .venv/bin/python deploy/prod_check.py --break-forwarding   # nginx without the client's
                                                               # address: the rate-limit check fails

Exit status: 0 when every check passed, 1 otherwise, 2 when the set-up itself failed.
"""

import argparse
import contextlib
import email
import email.policy
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SLUG = "piter-alpimed"
CENTRE = (7.4475, 43.8775)  # Sospel, inside the demo perimeter
# Low enough to exhaust in a few requests, high enough for the other checks of one client.
API_READ_LIMIT = 30
CLIENT_A, CLIENT_B, CLIENT_MAIN, CLIENT_RESIDENT = (
    "127.0.0.2",
    "127.0.0.3",
    "127.0.0.1",
    "127.0.0.4",
)
BROTLI_MODULES = [
    Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so"),
    Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"),
]
CHECKS = [
    "redirect",
    "http2",
    "security-headers",
    "healthz",
    "static",
    "tile-cache",
    "cluster-cache",
    "ogc-cache",
    "upload-limit",
    "submission",
    "receipt",
    "hidden-photo",
    "media-not-public",
    "systemd",
    "rate-limits",
]
# The lines of the nginx site that hand the client's address to the application.
FORWARDING_MARK = "# client-address"


class SetupError(Exception):
    pass


def say(message):
    print(message, flush=True)  # noqa: T201 - a command-line check: printing is its output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process=None, timeout=60.0, what="server"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise SetupError(f"{what} exited with status {process.returncode}") from None
            time.sleep(0.1)
    raise SetupError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


# ---------------------------------------------------------------------------- rendering


def render_site(values: dict, *, forwarding=True, brotli=True) -> str:
    """deploy/nginx/mapping.conf with its ${NAME} placeholders filled in; without the
    client-address lines when `forwarding` is false, without brotli when `brotli` is false."""
    text = (DEPLOY / "nginx" / "mapping.conf").read_text()
    lines = []
    skip_continuation = False
    for line in text.splitlines():
        stripped = line.strip()
        if skip_continuation:
            skip_continuation = not stripped.endswith(";")
            continue
        if stripped.startswith("#"):
            continue  # comments (the install instructions name every placeholder)
        if not forwarding and FORWARDING_MARK in line:
            continue
        if not brotli and stripped.startswith("brotli"):
            skip_continuation = not stripped.endswith(";")
            continue
        lines.append(line)
    rendered = "\n".join(lines) + "\n"
    for name, value in values.items():
        rendered = rendered.replace("${" + name + "}", str(value))
    left = re.findall(r"\$\{[A-Z_]+\}", rendered)
    if left:
        raise SetupError(f"placeholders left in the nginx site: {sorted(set(left))}")
    return rendered


def nginx_main_conf(work: Path, site: Path, brotli: bool) -> str:
    modules = "".join(f"load_module {m};\n" for m in BROTLI_MODULES) if brotli else ""
    temp = work / "nginx-temp"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}{modules}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/nginx-access.log;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def self_signed_certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "tls.crt", work / "tls.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


# ---------------------------------------------------------------------------- the SMTP sink


class Sink:
    """aiosmtpd on loopback, keeping every message it receives."""

    def __init__(self):
        self.messages = []  # (recipients, email.message.Message)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], message))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, recipient, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for recipients, message in self.messages:
                    if recipient.lower() in recipients:
                        return message
            time.sleep(0.2)
        return None


# ---------------------------------------------------------------------------- the run


class Run:
    def __init__(self, args):
        self.args = args
        self.checks = [c for c in CHECKS if not args.only or c in args.only]
        self.work = Path(args.workdir or tempfile.mkdtemp(prefix="prod-check-"))
        self.work.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.work.chmod(0o755)
        self.db_port = int(os.environ.get("DB_PORT", "54329"))
        self.db_name = f"prod_check_{os.getpid()}_{secrets.token_hex(3)}"
        self.https_port = int(os.environ.get("PROD_CHECK_HTTPS_PORT") or free_port())
        self.http_port = int(os.environ.get("PROD_CHECK_HTTP_PORT") or free_port())
        self.app_port = free_port()
        self.site_url = f"https://127.0.0.1:{self.https_port}"
        self.brotli = all(m.exists() for m in BROTLI_MODULES)
        self.processes = []
        self.results = []  # (name, ok (True, False or None: skipped), detail)
        self.timings = {}
        self.database_created = False
        self.sink = None

    # ------------------------------------------------------------------ set-up

    def env(self) -> dict:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))
            and k not in ("REDIS_URL", "EMAIL_URL", "RATE_LIMITS", "SITE_URL")
        }
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "mapping.settings.production",
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": f"postgis://mapping@127.0.0.1:{self.db_port}/{self.db_name}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.site_url,
            "SITE_URL": self.site_url,
            "TRUSTED_PROXIES": "127.0.0.1,::1",
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": f"prod-check-{uuid.uuid4().hex[:10]}",
            "RATE_LIMITS_ENABLED": "true",
            "RATE_LIMITS": f"api_read={API_READ_LIMIT}/m",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
            "DEFAULT_FROM_EMAIL": "participation@prod-check.invalid",
            "STATIC_ROOT": str(self.work / "static"),
            "MEDIA_ROOT": str(self.work / "media"),
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
        }

    def step(self, name, function, *args):
        started = time.monotonic()
        try:
            return function(*args)
        finally:
            self.timings[name] = time.monotonic() - started

    def set_up(self):
        self.secret_key = secrets.token_urlsafe(50)
        self.redis_url = os.environ.get("REDIS_URL") or self._local_redis()
        self.sink = Sink().start()
        os.environ.update(self.env())
        for folder in ("media", "nginx-temp", "nginx-cache"):
            (self.work / folder).mkdir(exist_ok=True)
        self.step("database", self._create_database)
        collect = None
        if "static" in self.checks:
            collect = subprocess.Popen(
                [str(PY), "manage.py", "collectstatic", "--no-input", "-v0"],
                cwd=ROOT,
                env=self.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            collect_started = time.monotonic()
        self.step("migrate and demo", self._prepare_database)
        if collect is not None:
            output, _ = collect.communicate(timeout=300)
            self.timings["collectstatic"] = time.monotonic() - collect_started
            if collect.returncode:
                raise SetupError(f"collectstatic failed:\n{output[-3000:]}")
        else:
            (self.work / "static").mkdir(exist_ok=True)
        self.step("gunicorn", self._start_gunicorn)
        self.step("nginx", self._start_nginx)

    def _local_redis(self) -> str:
        script = str(ROOT / "scripts" / "localredis.sh")
        subprocess.run([script, "start"], check=True, capture_output=True)
        found = subprocess.run([script, "url"], check=True, capture_output=True, text=True)
        return found.stdout.strip()

    def _admin_connection(self):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.db_port, user="mapping", dbname="postgres", autocommit=True
        )

    def _create_database(self):
        try:
            with self._admin_connection() as connection:
                self._drop_stale_databases(connection)
                connection.execute(f'CREATE DATABASE "{self.db_name}"')
        except Exception as error:
            raise SetupError(
                f"could not create a database on 127.0.0.1:{self.db_port} ({error}); start the "
                "project-local PostGIS with make db"
            ) from error
        self.database_created = True

    @staticmethod
    def _drop_stale_databases(connection):
        """The databases of earlier runs that were killed before they could drop theirs (the
        name carries the run's process id; that process is gone)."""
        names = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'prod\\_check\\_%'"
        ).fetchall()
        for (name,) in names:
            found = re.fullmatch(r"prod_check_(\d+)_[0-9a-f]{6}", name)
            if found and not Path(f"/proc/{found.group(1)}").exists():
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _prepare_database(self):
        os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"  # migrations and the demo load
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from mapping.demo import load_demo

        call_command("migrate", verbosity=0)
        load_demo(count=10)
        connections.close_all()
        del os.environ["DB_STATEMENT_TIMEOUT_MS"]

    def _start_gunicorn(self):
        env = {
            **self.env(),
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        log = open(self.work / "gunicorn.log", "wb")  # noqa: SIM115 - lives as long as gunicorn
        process = subprocess.Popen(
            [str(GUNICORN), "--config", str(DEPLOY / "gunicorn.conf.py"), "mapping.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(("gunicorn", process))
        wait_for_port(self.app_port, process, what="gunicorn")

    def _start_nginx(self):
        if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
            raise SetupError("nginx is not installed: apt-get install nginx (make prod-check does)")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        cert, key = self_signed_certificate(self.work)
        self.certificate = cert
        values = {
            "SERVER_NAME": "127.0.0.1",
            "SITE_URL": self.site_url,
            "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "TLS_CERTIFICATE": cert,
            "TLS_CERTIFICATE_KEY": key,
            "STATIC_ROOT": self.work / "static",
            "UPSTREAM": f"127.0.0.1:{self.app_port}",
            "CACHE_DIR": self.work / "nginx-cache",
            "ACME_ROOT": self.work / "acme",
        }
        site = self.work / "site.conf"
        site.write_text(
            render_site(values, forwarding=not self.args.break_forwarding, brotli=self.brotli)
        )
        main = self.work / "nginx.conf"
        main.write_text(nginx_main_conf(self.work, site, self.brotli))
        command = [nginx, "-p", str(self.work), "-e", str(self.work / "nginx-error.log")]
        command += ["-c", str(main)]
        tested = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if tested.returncode:
            raise SetupError(f"nginx -t refused the rendered site:\n{tested.stderr}")
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.work / "nginx.out", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        self.processes.append(("nginx", process))
        wait_for_port(self.https_port, process, what="nginx")

    def tear_down(self):
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self.sink is not None:
            self.sink.stop()
        if self.database_created:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001, S110 - Django may never have been set up
                pass
            with self._admin_connection() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        if not self.args.keep and not self.args.workdir:
            shutil.rmtree(self.work, ignore_errors=True)

    # ------------------------------------------------------------------ clients

    def client(self, source: str):
        import requests
        from requests.adapters import HTTPAdapter

        class SourceAddress(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs["source_address"] = (source, 0)
                super().init_poolmanager(*args, **kwargs)

        session = requests.Session()
        # Neither the environment's CA bundle nor its proxies: the run's own certificate, direct.
        session.trust_env = False
        session.mount("http://", SourceAddress())
        session.mount("https://", SourceAddress())
        session.verify = str(self.certificate)
        session.headers["User-Agent"] = "prod-check"
        session.headers["Accept-Language"] = "fr"
        return session

    def url(self, path: str) -> str:
        return self.site_url + path

    # ------------------------------------------------------------------ the checks

    def run_checks(self):
        for name in self.checks:
            started = time.monotonic()
            try:
                ok, detail = getattr(self, "check_" + name.replace("-", "_"))()
            except Exception as error:  # noqa: BLE001 - a check that crashes has failed
                ok, detail = False, f"{type(error).__name__}: {error}"
            self.timings["check " + name] = time.monotonic() - started
            self.results.append((name, ok, detail))
            mark = {True: "ok  ", False: "FAIL", None: "skip"}[ok]
            say(f"  {mark} {name}: {detail}")

    def check_redirect(self):
        response = self.client(CLIENT_MAIN).get(
            f"http://127.0.0.1:{self.http_port}/p/{SLUG}/?a=1", allow_redirects=False, timeout=10
        )
        expected = self.url(f"/p/{SLUG}/?a=1")
        location = response.headers.get("Location")
        ok = response.status_code == 301 and location == expected
        return ok, f"http:// answered {response.status_code} to {location}"

    def check_http2(self):
        context = ssl.create_default_context(cafile=str(self.certificate))
        context.set_alpn_protocols(["h2", "http/1.1"])
        with (
            socket.create_connection(("127.0.0.1", self.https_port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            protocol, version = tls.selected_alpn_protocol(), tls.version()
        return protocol == "h2", f"ALPN chose {protocol} over {version}"

    def check_security_headers(self):
        response = self.client(CLIENT_MAIN).get(self.url(f"/p/{SLUG}/"), timeout=20)
        hsts = response.raw.headers.getlist("Strict-Transport-Security")
        csp = response.raw.headers.getlist("Content-Security-Policy")
        ok = response.status_code == 200 and len(hsts) == 1 and len(csp) == 1
        return ok, (
            f"the map page: {response.status_code}, {len(hsts)} HSTS header(s) ({hsts[:1]}), "
            f"{len(csp)} CSP header(s)"
        )

    def check_healthz(self):
        response = self.client(CLIENT_MAIN).get(self.url("/healthz"), timeout=10)
        return response.status_code == 200, f"/healthz answered {response.status_code}"

    def check_static(self):
        manifest = json.loads((self.work / "static" / "staticfiles.json").read_text())
        name = manifest["paths"]["mapping/map.js"]
        session = self.client(CLIENT_MAIN)
        notes, ok = [], True
        encodings = ["gzip", "br"] if self.brotli else ["gzip"]
        for encoding in encodings:
            response = session.get(
                self.url(f"/static/{name}"),
                headers={"Accept-Encoding": encoding},
                stream=True,
                timeout=10,
            )
            control = response.headers.get("Cache-Control", "")
            got = response.headers.get("Content-Encoding")
            response.close()
            good = (
                response.status_code == 200
                and got == encoding
                and "max-age=31536000" in control
                and "immutable" in control
            )
            ok = ok and good
            notes.append(f"{encoding}: {response.status_code}, Content-Encoding {got}, {control}")
        if not self.brotli:
            notes.append("brotli modules not installed: br not checked")
        return ok, f"/static/{name}: " + "; ".join(notes)

    def _twice(self, path, headers=None):
        session = self.client(CLIENT_MAIN)
        first = session.get(self.url(path), headers=headers or {}, timeout=30)
        second = session.get(self.url(path), headers=headers or {}, timeout=30)
        statuses = [first.headers.get("X-Cache-Status"), second.headers.get("X-Cache-Status")]
        ok = first.status_code == 200 and second.status_code == 200 and statuses[1] == "HIT"
        detail = f"{path}: {first.status_code}, {second.status_code}; X-Cache-Status {statuses}"
        return ok, detail

    def check_tile_cache(self):
        z = 10
        n = 2**z
        x = int((CENTRE[0] + 180) / 360 * n)
        lat = math.radians(CENTRE[1])
        y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)
        return self._twice(f"/tiles/{SLUG}/{z}/{x}/{y}.pbf")

    def check_cluster_cache(self):
        return self._twice(f"/api/projects/{SLUG}/clusters/?bbox=7.2,43.7,7.7,44.0&zoom=10")

    def check_ogc_cache(self):
        return self._twice("/ogc/collections", {"Accept": "application/json"})

    def check_upload_limit(self):
        """A body over client_max_body_size is refused by nginx before it is read."""
        too_big = 40 * 1024 * 1024
        context = ssl.create_default_context(cafile=str(self.certificate))
        request = (
            f"POST /api/projects/{SLUG}/contributions/ HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.https_port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {too_big}\r\nConnection: close\r\n\r\n"
        )
        with (
            socket.create_connection(("127.0.0.1", self.https_port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(request.encode())
            status_line = tls.recv(200).split(b"\r\n", 1)[0].decode()
        return " 413 " in status_line, f"a 40 MiB body: {status_line}"

    def _photo(self, seed: int) -> bytes:
        """A JPEG of about a megabyte (noise does not compress): three of them are over
        nginx's default 1 MiB body limit, so the upload proves the site's own limit."""
        import io
        import random

        from PIL import Image

        rng = random.Random(seed)  # noqa: S311 - test data
        width, height = 900, 700
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        return buffer.getvalue()

    def check_submission(self):
        session = self.client(CLIENT_RESIDENT)
        page = session.get(self.url(f"/p/{SLUG}/"), timeout=20)
        token = session.cookies.get("csrftoken", "")
        if page.status_code != 200 or not token:
            return False, f"the map page: {page.status_code}, csrftoken cookie {bool(token)}"
        self.resident_email = f"resident-{uuid.uuid4().hex[:8]}@example.org"
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(CENTRE)},
            "properties": {
                "kind": "proposal",
                "theme": "infrastructure",
                "title": "Un banc à l'arrêt de bus",
                "description": "Envoyé par make prod-check.",
                "email": self.resident_email,
                "consent": True,
            },
        }
        photos = [self._photo(n) for n in range(3)]
        size = sum(len(p) for p in photos)
        response = session.post(
            self.url(f"/api/projects/{SLUG}/contributions/"),
            data={"feature": json.dumps(feature)},
            files=[("photos", (f"photo-{n}.jpg", p, "image/jpeg")) for n, p in enumerate(photos)],
            headers={
                "X-CSRFToken": token,
                "Referer": self.url(f"/p/{SLUG}/"),
                "Idempotency-Key": str(uuid.uuid4()),
            },
            timeout=60,
        )
        if response.status_code != 201:
            return False, f"POST answered {response.status_code}: {response.text[:300]}"
        body = response.json()
        self.contribution_id = body["id"]
        photo_count = len((body.get("properties") or {}).get("photos") or [])
        return photo_count == 3, (
            f"201, {photo_count} photos stored, a {size / 1024 / 1024:.1f} MiB multipart body "
            f"(Location {response.headers.get('Location')})"
        )

    def check_receipt(self):
        address = getattr(self, "resident_email", None)
        if address is None:
            return False, "no contribution was submitted"
        message = self.sink.wait_for(address)
        if message is None:
            return False, f"no email to {address} at the SMTP sink within 20 s"
        parts = [
            part.get_content()
            for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")
        ]
        links = re.findall(r"https?://[^\s\"'<>]+", "\n".join(parts))
        ours = [link for link in links if link.startswith(self.site_url + "/")]
        plain = [link for link in links if link.startswith("http://127.0.0.1")]
        ok = bool(ours) and not plain
        return ok, (
            f"'{message['Subject']}' to {address}: {len(ours)} link(s) to {self.site_url}/"
            + (f", {len(plain)} plain http link(s)" if plain else "")
        )

    def check_hidden_photo(self):
        if not getattr(self, "contribution_id", None):
            return False, "no contribution was submitted"
        from contributions.models import Contribution, Photo, Status

        photo = Photo.objects.filter(contribution_id=self.contribution_id).first()
        path = f"/photos/{photo.pk}/large.jpg"
        session = self.client(CLIENT_MAIN)
        contributions = Contribution.objects.filter(pk=self.contribution_id)
        contributions.update(status=Status.PUBLISHED)
        shown = session.get(self.url(path), timeout=10)
        contributions.update(status=Status.HIDDEN)
        hidden = session.get(self.url(path), timeout=10)
        ok = (
            shown.status_code == 200
            and shown.headers.get("Content-Type") == "image/jpeg"
            and hidden.status_code == 404
            and "X-Cache-Status" not in hidden.headers
        )
        return ok, (
            f"{path}: published {shown.status_code} ({shown.headers.get('Content-Type')}, "
            f"{shown.headers.get('Cache-Control')}), then hidden {hidden.status_code}"
        )

    def check_media_not_public(self):
        stored = sorted(p for p in (self.work / "media").rglob("*") if p.is_file())
        if not stored:
            return False, "no uploaded file on disk to ask for"
        relative = stored[0].relative_to(self.work / "media").as_posix()
        response = self.client(CLIENT_MAIN).get(self.url(f"/media/{relative}"), timeout=10)
        return response.status_code == 404, f"/media/{relative}: {response.status_code}"

    def check_systemd(self):
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            return None, "systemd-analyze is not installed here: not checked"
        folder = self.work / "systemd"
        folder.mkdir(exist_ok=True)
        env_file = folder / "mapping.env"
        env_file.write_text("")
        units = []
        for unit in sorted((DEPLOY / "systemd").iterdir()):
            if unit.suffix not in (".service", ".timer"):
                continue
            text = unit.read_text().replace("/etc/mapping/mapping.env", str(env_file))
            target = folder / unit.name
            target.write_text(text.replace("/srv/mapping", str(ROOT)))
            units.append(str(target))
        # A trivial unit first: where it fails too, verify cannot run in this container.
        probe = folder / "prod-check-probe.service"
        probe.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\n")
        try:
            tried = subprocess.run(
                [analyze, "verify", str(probe)], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"systemd-analyze cannot run here ({error}): not checked"
        if tried.returncode:
            return None, f"systemd-analyze verify cannot run here: {tried.stderr.strip()[:200]}"
        probe.unlink()
        verified = subprocess.run(
            [analyze, "verify", *units], capture_output=True, text=True, timeout=120
        )
        problems = verified.stderr.strip()
        ok = verified.returncode == 0 and not problems
        return ok, f"{len(units)} units verified" + (f": {problems[:600]}" if problems else "")

    def check_rate_limits(self):
        """Client A spends its API budget; client B, on another address, still has its own; A
        cannot get a fresh one by writing its own X-Forwarded-For."""
        path = "/api/projects/"
        first = self.client(CLIENT_A)
        spent = None
        for n in range(1, API_READ_LIMIT * 2 + 1):
            response = first.get(self.url(f"{path}?n={n}"), timeout=10)
            if response.status_code == 429:
                spent = n
                break
        if spent is None:
            return False, f"{CLIENT_A} was never limited in {API_READ_LIMIT * 2} requests"
        second = self.client(CLIENT_B).get(self.url(f"{path}?n=b"), timeout=10)
        forged = first.get(
            self.url(f"{path}?n=forged"), headers={"X-Forwarded-For": "10.9.8.7"}, timeout=10
        )
        ok = second.status_code == 200 and forged.status_code == 429
        return ok, (
            f"{CLIENT_A} limited at request {spent} (api_read={API_READ_LIMIT}/m); {CLIENT_B} then "
            f"answered {second.status_code} (expected 200: a budget of its own); {CLIENT_A} with "
            f"a forged X-Forwarded-For answered {forged.status_code} (expected 429)"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", type=lambda s: [c.strip() for c in s.split(",") if c.strip()], default=None
    )
    parser.add_argument(
        "--break-forwarding",
        action="store_true",
        default=os.environ.get("PROD_CHECK_BREAK") == "forwarding",
        help="render the nginx site without the lines that forward the client's address",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs)")
    parser.add_argument("--workdir", help="the run's folder (kept); default: a new temp folder")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only or []) - set(CHECKS))
    if unknown:
        parser.error(f"unknown checks {unknown}; known: {', '.join(CHECKS)}")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    # A SIGTERM (a test's timeout) unwinds like an error: the servers and the database go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    run = Run(args)
    say(
        f"prod-check: nginx on https://127.0.0.1:{run.https_port} (http {run.http_port}), "
        f"gunicorn on 127.0.0.1:{run.app_port}, database {run.db_name} on port {run.db_port}"
        + (" — nginx WITHOUT the client-address forwarding" if args.break_forwarding else "")
    )
    status = 0
    try:
        run.set_up()
        say("set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items()))
        run.run_checks()
        failed = [name for name, ok, _detail in run.results if ok is False]
        skipped = [name for name, ok, _detail in run.results if ok is None]
        passed = len(run.results) - len(failed) - len(skipped)
        say(
            f"prod-check: {passed} passed, {len(failed)} failed"
            + (f" ({', '.join(failed)})" if failed else "")
            + (f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else "")
        )
        status = 1 if failed else 0
    except SetupError as error:
        say(f"prod-check: set-up failed: {error}")
        status = 2
    finally:
        if status and args.keep or status == 2:
            say(f"logs kept in {run.work}")
            args.keep = True
        run.tear_down()
    say(f"prod-check: {time.monotonic() - started:.1f} s in all")
    return status


if __name__ == "__main__":
    sys.exit(main())
