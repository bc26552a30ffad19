from tests.pages.conftest import live_demo  # noqa: F401 - the demo behind a live server
