"""Photos through the API: EXIF (GPS, serial) never reaches the served bytes."""

import io
import json

import pytest
from PIL import Image

from contributions.models import Contribution
from tests.contributions.conftest import NICE, point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/contributions/"
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_gps():
    image = Image.new("RGB", (1200, 800), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0xA431] = "SERIAL-123456789"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (43.0, 42.0, 11.0), 3: "E", 4: (7.0, 15.0, 43.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the input really has GPS
    return data


def upload(client, files):
    return client.post(URL, {"feature": json.dumps(point(*NICE)), "photos": files})


def named(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_photo_with_gps_exif_is_served_without_it(client, demo):
    response = upload(client, [named(jpeg_with_gps(), "IMG_0001.JPG")])
    assert response.status_code == 201, response.content
    photos = response.json()["properties"]["photos"]
    assert len(photos) == 1
    for size in ("large", "thumbnail"):
        served = client.get(photos[0][size])
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        data = b"".join(served.streaming_content)
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "exif" not in image.info
        assert b"SERIAL-123456789" not in data and b"PhoneMaker" not in data
    assert Image.open(
        io.BytesIO(b"".join(client.get(photos[0]["large"]).streaming_content))
    ).size == (
        1200,
        800,
    )


def test_a_file_that_is_not_an_image_gets_400_and_writes_nothing(client, demo):
    before = Contribution.objects.count()
    response = upload(client, [named(b"MZ\x90\x00 not a picture", "holiday.jpg")])
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image"
    assert Contribution.objects.count() == before


def test_more_than_three_photos_is_refused(client, demo):
    files = [named(jpeg_with_gps(), f"p{i}.jpg") for i in range(4)]
    response = upload(client, files)
    assert (response.status_code, response.json()["code"]) == (400, "too_many_photos")


def test_photos_of_hidden_contributions_are_not_served(client, demo):
    response = upload(client, [named(jpeg_with_gps(), "p.jpg")])
    photo_url = response.json()["properties"]["photos"][0]["large"]
    Contribution.objects.filter(pk=response.json()["id"]).update(status="hidden")
    assert client.get(photo_url).status_code == 404
