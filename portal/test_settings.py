"""The test run overrides only what it must: a key, plain HTTP for live_server, no manifest."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "t" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("EMAIL_URL", "locmem://")
# Each run stores uploads under a fresh private root, never the developer's own.
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="portal-test-private-"))

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the app folders, as in development, rather than a collected root.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
