import os

import pytest

# pytest-playwright runs an event loop in the test thread; Django's ORM calls from the live-server tests
# are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    from guatu.testing import make_world

    return make_world()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """The default hasher is slow on purpose; tests create many users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
