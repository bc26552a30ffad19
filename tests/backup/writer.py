"""A resident's submissions, for the backup tests and bench: run against whatever database the
environment names (DB_PORT, DB_NAME, MEDIA_ROOT), outside pytest's test database.

    python tests/backup/writer.py setup                  migrate and load the demo
    python tests/backup/writer.py write SECONDS OUT      submit contributions with a photo
                                                         for SECONDS, one JSON line each in OUT

Each line says when the submission started and when it was acknowledged (the service
returned: its transaction had committed), and the sha256 of the photo files it stored.
"""

import hashlib
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapping.settings.development")

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import Point  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from contributions.models import Project  # noqa: E402
from contributions.photos import process_photo  # noqa: E402
from contributions.services.submission import Submission, submit_contribution  # noqa: E402
from core.postgis import STORAGE_SRID  # noqa: E402
from mapping.demo import SLUG, load_demo  # noqa: E402

# Around Sospel, well inside the PITER ALPIMED perimeter.
CENTRE = (7.4475, 43.8775)


def photo(rng):
    """A small JPEG whose pixels differ every time, processed as an upload is."""
    image = Image.new("RGB", (48, 32))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48 * 32)])
    data = io.BytesIO()
    image.save(data, "JPEG")
    data.seek(0)
    return process_photo(data, filename="photo.jpg")


def write(seconds, out):
    deadline = time.time() + seconds
    with open(out, "a", encoding="utf-8") as handle:
        for line in submissions(lambda: time.time() < deadline):
            handle.write(json.dumps(line) + "\n")
            handle.flush()


def write_count(count):
    """`count` submissions, as fast as one process goes (bench/backup.py)."""
    done = iter(range(count))
    for _line in submissions(lambda: next(done, None) is not None):
        pass


def submissions(go_on):
    project = Project.objects.get(slug=SLUG)
    rng = random.Random(os.getpid())
    while go_on():
        processed = photo(rng)
        lon = CENTRE[0] + rng.uniform(-0.005, 0.005)
        lat = CENTRE[1] + rng.uniform(-0.005, 0.005)
        started = time.time()
        contribution = submit_contribution(
            project=project,
            submission=Submission(
                kind="proposal",
                theme="infrastructure",
                title=f"Un banc, essai {rng.randrange(10**9)}",
                geometry=Point(lon, lat, srid=STORAGE_SRID),
                photos=[processed],
                consent=True,
            ),
        )
        acknowledged = time.time()
        yield {
            "id": str(contribution.pk),
            "started": started,
            "acknowledged": acknowledged,
            "large": hashlib.sha256(processed.large).hexdigest(),
            "thumbnail": hashlib.sha256(processed.thumbnail).hexdigest(),
        }


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        call_command("migrate", verbosity=0)
        load_demo()
    else:
        write(float(sys.argv[2]), sys.argv[3])
