"""Leaflet comes from django-leaflet, configured once, and no page names a third party."""

from importlib.metadata import version
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

ROOT = Path(settings.BASE_DIR)


def test_no_vendored_leaflet_remains_and_django_leaflet_is_installed():
    assert not (ROOT / "mapping" / "static" / "vendor" / "leaflet").exists()
    assert version("django-leaflet")
    assert "leaflet" in settings.INSTALLED_APPS
    assert settings.LEAFLET_CONFIG["TILES"] == []  # no tile service unless the operator sets one
    plugin = settings.LEAFLET_CONFIG["PLUGINS"]["basemap"]
    assert plugin["auto-include"] and any("mapping/basemap.js" in str(js) for js in plugin["js"])
    # The vendored renderers carry their licences and where they come from.
    for name in ("protomaps-leaflet", "pmtiles"):
        assert (ROOT / "mapping" / "static" / "vendor" / name / "LICENSE").is_file()
    assert (ROOT / "tools" / "vendor" / "package-lock.json").is_file()


@pytest.mark.django_db
def test_the_admin_geometry_field_is_django_leaflets_widget(client, demo):
    admin = get_user_model().objects.create_superuser("map-admin", "map-admin@example.org")
    client.force_login(admin)
    contribution = demo.contributions.first()
    response = client.get(f"/admin/contributions/contribution/{contribution.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "L.Map.djangoMap" in html and "leaflet/leaflet.js" in html
    assert "mapping/basemap.js" in html  # the basemap reaches the admin's map too
    assert "openlayers" not in html.lower() and "cdn" not in html.lower()
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
