"""The load run's simulated people (bench/load_faults.py).

A resident is a browser: its own cookie jar, its own address on the loopback range (the
socket is bound to 127.0.0.N, which Linux routes for the whole of 127/8, so the rate limits
see one address per resident, as in production), the CSRF token read as a browser gets it
(the cookie for the map's API calls, the form's hidden field for the pages' forms). It reads
the map, then contributes (a point, a line or an area, with a photo or without), votes with
its email address and confirms through the link in the email, comments, follows (again
through the emailed link) and reports. After a handful of actions it leaves and a new
resident, on the next address, comes.

Staff are signed-in moderators (a session made beforehand on the load database): one
publishes the anonymous comments waiting for moderation, one answers contributions.

Writes are retried on 5xx and on connection errors when retrying cannot write twice
(submissions carry an Idempotency-Key; votes, follows, reports and publishing are one per
person by constraint; comments and answers only when the request never left). A 429 is
respected: the client waits for Retry-After, or leaves when that is past the run's end.
"""

import base64
import email
import io
import json
import os
import random
import re
import threading
import time
import uuid
import zlib
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from bench.load_ledger import Sample

SLUG = "piter-alpimed"
RETRYABLE = (500, 502, 503, 504)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/confirm/[^/\s]+/)")
# Around Sospel, well inside the PITER ALPIMED perimeter.
CENTRE = (7.4475, 43.8775)


def address(number: int) -> str:
    """The number-th client address of the loopback range, from 127.0.0.2 (never .0, .255)."""
    number += 2
    third, fourth = divmod(number, 254)
    second, third = divmod(third, 255)
    return f"127.{second}.{third}.{fourth + 1}"


class SourceAddress(HTTPAdapter):
    """Connects from a given local address."""

    def __init__(self, source, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(source: str) -> requests.Session:
    session = requests.Session()
    adapter = SourceAddress(source)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "Mozilla/5.0 (load run)"
    session.headers["Accept-Language"] = "fr"
    return session


class Leave(Exception):
    """The person stops here (told to wait past the end of the run)."""


class Mailbox:
    """The messages Django's file email backend writes, by recipient. The backend appends to
    a file named by the second and its connection object, so a file may get a second message
    after it was first read: each file is read on from where it was left."""

    SEPARATOR = b"\n" + b"-" * 79 + b"\n"

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()
        self.read_up_to = {}  # file name -> bytes parsed
        self.links = {}  # (recipient, purpose, contribution id) -> [confirmation paths]

    def _scan(self):
        for entry in os.scandir(self.folder):
            done = self.read_up_to.get(entry.name, 0)
            try:
                if entry.stat().st_size <= done:
                    continue
                with open(entry.path, "rb") as handle:
                    handle.seek(done)
                    raw = handle.read()
            except OSError:
                continue
            complete = raw.rfind(self.SEPARATOR)
            if complete < 0:
                continue  # a message still being written
            self.read_up_to[entry.name] = done + complete + len(self.SEPARATOR)
            for part in raw[:complete].split(self.SEPARATOR):
                if part.strip():
                    self._add(email.message_from_bytes(part.lstrip(b"\n")))

    def _add(self, message):
        to = (message.get("To") or "").strip().lower()
        body = (message.get_payload(decode=True) or b"").decode("utf-8", "replace")
        for path in CONFIRM_LINK.findall(body):
            purpose, contribution = link_content(path)
            self.links.setdefault((to, purpose, contribution), []).append(path)

    def link(self, to: str, purpose: str, contribution, used: set, timeout: float = 20):
        """A confirmation link for this purpose and contribution mailed to `to`, not in
        `used`; None when none came within `timeout` seconds."""
        key = (to.lower(), purpose, str(contribution))
        deadline = time.time() + timeout
        while True:
            with self.lock:
                self._scan()
                for path in self.links.get(key, []):
                    if path not in used:
                        return path
            if time.time() > deadline:
                return None
            time.sleep(0.1)


def link_content(path: str) -> tuple[str, str]:
    """(purpose, contribution id) of a confirmation link: a signed token is not encrypted
    (django.core.signing), so its content reads as a mail client's preview would."""
    token = path.rstrip("/").rsplit("/", 1)[1]
    payload = token.split(":", 1)[0]
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    content = json.loads(zlib.decompress(data) if compressed else data)
    return content.get("p", ""), content.get("c", "")


def jpeg(rng) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), 90, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


class Person:
    """What residents and staff share: the session, the samples, the retried writes."""

    def __init__(self, run, source: str, rng):
        self.run = run
        self.base = run.base
        self.recorder = run.recorder
        self.session = browser(source)
        self.random = rng

    def request(self, route, method, path, **kwargs):
        """One attempt, recorded; the response or None (no answer)."""
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        start = time.time()
        try:
            response = self.session.request(method, self.base + path, **kwargs)
        except requests.RequestException as error:
            self.recorder.add(
                Sample(start, route, (time.time() - start) * 1000, None, type(error).__name__)
            )
            raise
        self.recorder.add(Sample(start, route, (time.time() - start) * 1000, response.status_code))
        return response

    def read(self, route, path, **kwargs):
        """A read: one attempt; a 429 is waited for."""
        try:
            response = self.request(route, "GET", path, **kwargs)
        except requests.RequestException:
            return None
        if response.status_code == 429:
            self.wait(response)
        return response

    def form_token(self, path, route="page"):
        """Opens a page and reads its form's CSRF token, as the browser posts it."""
        response = self.read(route, path)
        if response is None or response.status_code != 200:
            return None
        found = CSRF_FIELD.search(response.text)
        return found.group(1) if found else None

    def wait(self, response):
        wait = float(response.headers.get("Retry-After") or 1)
        if time.time() + wait > self.run.stop_at:
            raise Leave
        time.sleep(wait)

    def write(self, kind, route, method, path, *, retry_after_send, **kwargs):
        """A write, retried where that cannot write twice; the response when it answered the
        route's documented status, else None (the error is in the samples)."""
        from bench.load_ledger import EXPECTED

        deadline = time.time() + 60
        while True:
            try:
                response = self.request(route, method, path, **kwargs)
            except requests.ConnectionError as error:
                text = repr(error)
                never_sent = "refused" in text.lower() or "NewConnectionError" in text
                if (never_sent or retry_after_send) and time.time() < deadline:
                    time.sleep(0.5)
                    continue
                self.recorder.give_up(kind)
                return None
            except requests.Timeout:
                if retry_after_send and time.time() < deadline:
                    continue
                self.recorder.give_up(kind)
                return None
            if response.status_code == 429:
                self.wait(response)
                continue
            if response.status_code in RETRYABLE and time.time() < deadline:
                time.sleep(float(response.headers.get("Retry-After") or 0.5))
                continue
            return response if response.status_code in EXPECTED[route] else None


class Resident(Person):
    def __init__(self, run, number: int):
        super().__init__(run, address(number), random.Random(number))
        self.email = f"resident-{number}-{uuid.uuid4().hex[:6]}@example.org"
        self.links_used = set()
        self.reported = set()
        self.emailed = 0  # links asked for: the address's budget is 5 an hour

    def live(self, actions: int):
        page = self.read("page", f"/fr/p/{SLUG}/")
        if page is None or page.status_code != 200:
            return
        for _ in range(actions):
            if time.time() >= self.run.stop_at:
                return
            roll = self.random.random()
            if roll < 0.35:
                self.map_read()
            elif roll < 0.45:
                self.read("detail", f"/api/projects/{SLUG}/contributions/{self.some_id()}/")
            else:
                writes = [self.submit, self.comment, self.report]
                if self.emailed < 4:
                    writes += [self.vote, self.follow]
                self.random.choice(writes)()

    def some_id(self):
        return self.random.choice(self.run.public_ids)

    def map_read(self):
        minx, miny, maxx, maxy = self.run.bbox
        if self.random.random() < 0.5:
            zoom = self.random.randint(8, 14)
            span = 360 / 2**zoom * 3
            x = self.random.uniform(minx, maxx - span / 2)
            y = self.random.uniform(miny, maxy - span / 3)
            bbox = f"{x:.5f},{y:.5f},{x + span:.5f},{y + span / 1.5:.5f}"
            self.read("clusters", f"/api/projects/{SLUG}/clusters/?bbox={bbox}&zoom={zoom}")
        else:
            import math

            z = self.random.randint(9, 15)
            lon = self.random.uniform(minx, maxx)
            lat = self.random.uniform(miny, maxy)
            n = 2**z
            tx = int((lon + 180) / 360 * n)
            ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            self.read("tile", f"/tiles/{SLUG}/{z}/{tx}/{ty}.pbf")

    def api_headers(self):
        # What the map's script sends: the token from the csrftoken cookie.
        return {"X-CSRFToken": self.session.cookies.get("csrftoken", "")}

    # ------------------------------------------------------------------ the writes

    def submit(self):
        rng = self.random
        shape, photo = self.run.next_variant()  # each shape, with and without, in turn
        lon = CENTRE[0] + rng.uniform(-0.01, 0.01)
        lat = CENTRE[1] + rng.uniform(-0.01, 0.01)
        if shape == "point":
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        elif shape == "line":
            geometry = {
                "type": "LineString",
                "coordinates": [[lon, lat], [lon + 0.002, lat + 0.001], [lon + 0.004, lat]],
            }
        else:
            ring = [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.0015], [lon, lat]]
            geometry = {"type": "Polygon", "coordinates": [ring]}
        title = f"Load {uuid.uuid4().hex[:12]}"
        feature = {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": rng.choice(("proposal", "report")),
                "theme": "infrastructure",
                "title": title,
            },
        }
        headers = {"Idempotency-Key": str(uuid.uuid4()), **self.api_headers()}
        path = f"/api/projects/{SLUG}/contributions/"
        if photo:
            picture = jpeg(rng)
            kwargs = {
                "data": {"feature": json.dumps(feature)},
                "files": {"photos": ("photo.jpg", picture, "image/jpeg")},
            }
        else:
            kwargs = {
                "data": json.dumps(feature),
                "headers": {**headers, "Content-Type": "application/geo+json"},
            }
        kwargs.setdefault("headers", headers)
        response = self.write(
            "contributions", "submit", "POST", path, retry_after_send=True, **kwargs
        )
        if response is not None:
            pk = response.json()["id"]
            self.recorder.acknowledge("contributions", pk, (title, shape, photo))
            with self.recorder.lock:
                self.recorder.variants[f"{shape}, {'photo' if photo else 'none'}"] += 1
            self.run.new_contributions.append(pk)

    def confirm(self, kind, route, pk):
        """Opens the link mailed to this address and presses its button."""
        purpose = "vote" if kind == "votes" else "follow"
        path = self.run.mailbox.link(self.email, purpose, pk, self.links_used)
        if path is None:
            self.recorder.add(Sample(time.time(), f"{route} link", 0, None, "no email"))
            return False
        self.links_used.add(path)
        token = self.form_token(path, route=f"{route} link")
        if token is None:
            return False
        response = self.write(
            kind,
            f"{route} confirm",
            "POST",
            path,
            retry_after_send=True,
            data={"csrfmiddlewaretoken": token, "do": purpose},
        )
        return response is not None

    def vote(self):
        pk = self.some_id()
        self.emailed += 1
        response = self.write(
            "votes",
            "vote request",
            "POST",
            f"/api/projects/{SLUG}/contributions/{pk}/vote/",
            retry_after_send=True,
            json={"email": self.email},
            headers=self.api_headers(),
        )
        if response is not None and self.confirm("votes", "vote", pk):
            self.recorder.acknowledge("votes", (pk, self.email))

    def comment(self):
        pk = self.some_id()
        body = f"Load comment {uuid.uuid4().hex}"
        response = self.write(
            "comments",
            "comment",
            "POST",
            f"/api/projects/{SLUG}/contributions/{pk}/comments/",
            retry_after_send=False,
            json={"body": body},
            headers=self.api_headers(),
        )
        if response is not None:
            comment = response.json()
            self.recorder.acknowledge("comments", str(comment["id"]), body)
            if comment.get("status") != "published":
                self.run.to_moderate.append(str(comment["id"]))

    def page_form(self, kind, route, pk, data):
        path = f"/fr/p/{SLUG}/c/{pk}/"
        token = self.form_token(path)
        if token is None:
            return None
        return self.write(
            kind,
            route,
            "POST",
            path,
            retry_after_send=True,
            data={"csrfmiddlewaretoken": token, **data},
        )

    def follow(self):
        pk = self.some_id()
        self.emailed += 1
        response = self.page_form(
            "follows", "follow request", pk, {"action": "follow", "email": self.email}
        )
        if response is not None and self.confirm("follows", "follow", pk):
            self.recorder.acknowledge("follows", (pk, self.email))

    def report(self):
        pk = self.some_id()
        if pk in self.reported:
            return  # a person reports an item once (a second one is thanked, not stored)
        self.reported.add(pk)
        reason = f"Load report {uuid.uuid4().hex[:16]}"
        response = self.page_form("reports", "report", pk, {"action": "report", "reason": reason})
        if response is not None:
            self.recorder.acknowledge("reports", (pk, reason))


class Staff(Person):
    """A signed-in moderator: publishes waiting comments, or answers contributions."""

    def __init__(self, run, number: int, session_key: str, duty: str):
        super().__init__(run, f"127.255.0.{number + 1}", random.Random(10_000 + number))
        self.session.cookies.set("sessionid", session_key)
        self.duty = duty

    def live(self):
        token = self.form_token(f"/fr/staff/{SLUG}/", route="staff page")
        while time.time() < self.run.stop_at:
            if token is None:
                time.sleep(0.5)
                token = self.form_token(f"/fr/staff/{SLUG}/", route="staff page")
                continue
            if self.duty == "moderate":
                self.moderate(token)
            else:
                self.answer()

    def moderate(self, token):
        try:
            pk = self.run.to_moderate.pop(0)
        except IndexError:
            time.sleep(0.2)
            return
        response = self.write(
            "moderation",
            "moderation",
            "POST",
            f"/fr/staff/{SLUG}/moderate/",
            retry_after_send=True,
            data={"csrfmiddlewaretoken": token, "action": "publish", "items": f"comment:{pk}"},
        )
        if response is not None:
            self.recorder.acknowledge("moderation", pk)

    def answer(self):
        try:
            pk = self.run.new_contributions.pop(0)
        except IndexError:
            pk = self.random.choice(self.run.public_ids)
            if pk in self.run.answered:
                time.sleep(0.05)
                return
        self.run.answered.add(pk)
        path = f"/fr/staff/{SLUG}/c/{pk}/"
        token = self.form_token(path, route="staff page")
        if token is None:
            return
        text = f"Load answer {uuid.uuid4().hex[:16]}"
        response = self.write(
            "answers",
            "answer",
            "POST",
            path,
            retry_after_send=False,
            data={"csrfmiddlewaretoken": token, "status": "accepted", "answer_fr": text},
        )
        if response is not None:
            self.recorder.acknowledge("answers", (pk, text))
