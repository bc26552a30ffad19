"""Idempotency-Key: a retried POST (flaky mobile network) gets the first answer again.

The first request inserts the key and holds its row until it commits; concurrent retries
wait on the unique index, then read the stored answer. A failed first attempt (4xx raised)
rolls back with its key, so the retry runs for real. A request is the same request when its
body and its uploaded files (names and bytes) are: the same key with other photos is refused.
"""

import hashlib
import json

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from contributions.models import IdempotencyRecord
from core.errors import DomainError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def fingerprint(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            part = part.encode()
        digest.update(part if isinstance(part, bytes) else json.dumps(part).encode())
    return digest.hexdigest()


def with_uploads(request_hash: str, files) -> str:
    """`request_hash` extended with the uploaded files' field names, names and bytes.

    Each file is read in chunks (Django's UploadedFile.chunks()), so a photo is never held
    twice in memory; with no files the hash is unchanged."""
    if not files:
        return request_hash
    digest = hashlib.sha256(request_hash.encode())
    for field, uploads in sorted(files.lists()):
        for upload in uploads:
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)  # whoever reads it next starts at the beginning
            digest.update(json.dumps([field, upload.name, content.hexdigest()]).encode())
    return digest.hexdigest()


def run_once(request, *, scope: str, request_hash: str, run) -> HttpResponse:
    """Runs `run()` (returning an HttpResponse) once per key and scope; replays it after.

    `request_hash` fingerprints the body; the request's uploaded files are added to it here,
    so every caller compares photos too."""
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            "invalid_idempotency_key",
            _("The Idempotency-Key header must hold 1 to %(n)d characters.")
            % {"n": MAX_KEY_LENGTH},
        )
    request_hash = with_uploads(request_hash, request.FILES)
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"request_hash": request_hash}
        )
        if not created:
            if record.request_hash != request_hash:
                raise DomainError(
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used for a different request."),
                    status=422,
                )
            response = HttpResponse(
                record.response_body, status=record.status_code, content_type=record.content_type
            )
            response["Idempotent-Replayed"] = "true"
            return response
        response = run()
        record.status_code = response.status_code
        record.response_body = response.content.decode()
        record.content_type = response.get("Content-Type", "")
        record.save(update_fields=["status_code", "response_body", "content_type"])
        return response
