"""How many photos are decoded at once: a few per process, and a few across processes.

Decoding one photo may take up to contributions.photos.MAX_DECODE_BYTES of memory, so the
number of decodes at once is what bounds a worker's (and a server's) memory under a burst
of uploads. A process holds one of PHOTO_DECODES slots (a semaphore) and, when
PHOTO_DECODES_SHARED is set, one of that many slot keys in the shared cache (Redis: every
worker of every server). A slot key is a lease (`cache.add` with an expiry), so a worker
killed mid-decode frees its slot when the lease ends. Without a reachable cache the process
bound alone holds. An upload waits up to DECODE_WAIT seconds for its slots, then is answered
503 `photos_busy` with Retry-After.
"""

import contextlib
import logging
import random
import threading
import time
import uuid
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.utils.translation import gettext as _

from core.errors import DomainError

logger = logging.getLogger(__name__)

# Seconds an upload waits for a free decoding slot before it is answered 503.
DECODE_WAIT = 5
RETRY_AFTER = 5
# A slot in the shared cache is a lease: a worker killed mid-decode frees its slot when the
# lease ends. A decode takes about a second at worst, so this is far beyond one.
SLOT_LEASE = 60
SLOT_POLL = 0.05


@contextlib.contextmanager
def decode_slot():
    """Holds one of PHOTO_DECODES slots of this process and, when PHOTO_DECODES_SHARED is
    set, one of that many in the shared cache (every worker of every server); waits up to
    DECODE_WAIT seconds for them, then raises DomainError("photos_busy", 503)."""
    deadline = time.monotonic() + DECODE_WAIT
    local = _local_slots(max(1, settings.PHOTO_DECODES))
    if not local.acquire(timeout=DECODE_WAIT):
        raise busy()
    try:
        lease = _take_shared_slot(settings.PHOTO_DECODES_SHARED, deadline)
        try:
            yield
        finally:
            _give_back(lease)
    finally:
        local.release()


@cache
def _local_slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


def _take_shared_slot(count: int, deadline: float):
    """A (key, token) lease on one of `count` slot keys, or None when there is no shared
    bound or the cache cannot be reached (then the process bound alone holds)."""
    if count <= 0:
        return None
    token = uuid.uuid4().hex
    keys = [f"photos:decoding:{n}" for n in range(count)]
    while True:
        random.shuffle(keys)  # spread the workers over the slots: fewer failed adds
        try:
            for key in keys:
                # add() is atomic (SET NX with an expiry in Redis): one holder per key.
                if shared_cache.add(key, token, timeout=SLOT_LEASE):
                    return key, token
        except Exception:
            logger.warning("photo decoding slots: shared cache unavailable", exc_info=True)
            return None
        if time.monotonic() >= deadline:
            raise busy()
        time.sleep(SLOT_POLL)


def _give_back(lease) -> None:
    if lease is None:
        return
    key, token = lease
    # Only our own lease: after SLOT_LEASE the key may be someone else's.
    with contextlib.suppress(Exception):
        if shared_cache.get(key) == token:
            shared_cache.delete(key)


def busy() -> DomainError:
    return DomainError(
        "photos_busy",
        _(
            "Many photos are being processed right now. "
            "Please send yours again in %(seconds)d seconds."
        )
        % {"seconds": RETRY_AFTER},
        status=503,
        extra={"retry_after": RETRY_AFTER},
        headers={"Retry-After": str(RETRY_AFTER)},
    )
