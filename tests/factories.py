"""Test data whose every text is hostile by default.

Titles, descriptions, comments, answers, names and file names carry script payloads unless a
test says otherwise, so any test that renders them (pages, API, emails, exports) also checks
that they come out escaped, never as live markup: see `assert_escaped`.
"""

import io
import itertools
import uuid

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from contributions.models import Comment, CommentStatus, Contribution, Follow, Photo, Status
from contributions.photos import process_photo
from contributions.services import save_photo, upsert_project
from staff.models import ProjectRole

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
PAYLOADS = (SCRIPT, IMG, SVG)
HOSTILE = f"{SCRIPT} {IMG} {SVG}"
# What must never reach a page, an email or a JSON body as it was sent. In JSON, "<" stays
# "<" inside a string (harmless there), so this is for HTML and plain text shown as HTML.
LIVE = ("<script>alert", "<img src=x", "<svg onload")

_serial = itertools.count(1)


def hostile(label: str = "") -> str:
    """A hostile text, made unique so a test can find it again."""
    return f"{label}#{next(_serial)} {HOSTILE}".strip()


def assert_escaped(html: str, *texts: str) -> None:
    """No payload is live markup in an HTML body, and each text is there, escaped."""
    for live in LIVE:
        assert live not in html, f"unescaped payload {live!r} in the page"
    for text in texts:
        assert escape(text) in html, f"{text[:30]!r} is not shown (escaped) in the page"


def make_user(username=None, *, email=None, staff=False, superuser=False, **extra):
    username = username or f"user-{next(_serial)}"
    model = get_user_model()
    maker = model.objects.create_superuser if superuser else model.objects.create_user
    return maker(
        username,
        email=email or f"{username}@example.org",
        password="x",
        first_name=extra.pop("first_name", hostile("first")),
        last_name=extra.pop("last_name", hostile("last")),
        is_staff=staff or superuser,
        **extra,
    )


def give_role(user, project, role):
    ProjectRole.objects.create(user=user, project=project, role=role)
    return user


def make_project(perimeter, *, slug=None, themes=None, **fields):
    slug = slug or f"project-{next(_serial)}"
    themes = themes or [
        {"slug": "roads", "name": {"fr": hostile("theme"), "en": hostile("theme")}},
    ]
    fields.setdefault("title", {"fr": hostile("project"), "en": hostile("project")})
    fields.setdefault("description", {"fr": hostile("about"), "en": hostile("about")})
    fields.setdefault("promise", {"fr": hostile("promise"), "en": hostile("promise")})
    _created, project = upsert_project(slug=slug, perimeter=perimeter, themes=themes, **fields)
    return project


def make_contribution(project, *, lonlat=(7.2620, 43.7030), status=Status.PUBLISHED, **fields):
    """A contribution written straight to the database (the perimeter trigger still applies)."""
    fields.setdefault("kind", "report")
    fields.setdefault("theme", project.themes.first())
    fields.setdefault("title", hostile("title")[:140])
    fields.setdefault("description", hostile("description"))
    fields.setdefault("email", f"private-{next(_serial)}@example.org")
    contribution = Contribution.objects.create(
        project=project, geom=Point(*lonlat, srid=4326), status=status, **fields
    )
    contribution.refresh_from_db()
    return contribution


def make_follow(contribution, *, email, language="", confirmed=True, **fields) -> Follow:
    """A follow written straight to the database; confirmed unless told (an unconfirmed one
    is emailed nothing)."""
    return Follow.objects.create(
        contribution=contribution,
        email=email,
        language=language,
        confirmed_at=timezone.now() if confirmed else None,
        **fields,
    )


def make_comment(contribution, *, body=None, status=CommentStatus.PUBLISHED, author=None):
    return Comment.objects.create(
        contribution=contribution, body=body or hostile("comment"), status=status, author=author
    )


def jpeg_bytes(size=(32, 24), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(content: bytes | None = None, *, name=None, content_type="image/jpeg"):
    """An uploaded file; its name is hostile (and ends in .jpg) unless given."""
    name = name or f"{SVG}{SCRIPT}photo-{uuid.uuid4().hex[:6]}.jpg"
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type=content_type)


def make_photo(contribution, *, position=0) -> Photo:
    """A photo stored as the service stores one (re-encoded, under contributions/<id>/)."""
    file = upload()
    save_photo(contribution, position, process_photo(file, filename=file.name))
    return contribution.photos.get(position=position)
