import pytest
from django.core.cache import caches

from tests.contributions.conftest import NICE, point  # noqa: F401
from tests.pages.conftest import live_demo  # noqa: F401


@pytest.fixture(autouse=True)
def _privacy_urls(settings):
    # The privacy pages beside the site's, whether or not mapping/urls.py includes them yet.
    settings.ROOT_URLCONF = "tests.privacy.urls"


@pytest.fixture(autouse=True)
def _no_cached_layers():
    """Responses cached by data version must not leak between rolled-back tests."""
    for cache in caches.all():
        cache.clear()
    yield
