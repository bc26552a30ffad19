import pytest

from contributions.synthetic import generate


@pytest.fixture(scope="module")
def dense(demo, django_db_blocker):
    """The demo plus 3,000 generated contributions (committed for the module)."""
    with django_db_blocker.unblock():
        generate(project=demo, count=3000, seed=42)
    return demo
