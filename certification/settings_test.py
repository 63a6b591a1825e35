"""Settings for the test suite: the real settings, with fast and deterministic parts.

The database still comes from DATABASE_URL (PostgreSQL in CI, SQLite otherwise).
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("CACHE_URL", "locmem://")
os.environ["DEBUG"] = "false"

from certification.settings import *  # noqa: F403
from certification.settings import BASE_DIR, STATIC_ROOT, STORAGES

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks for it

# Tests run tasks at once, in the test process.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/media/"},
}
TEST_OUTPUT_DIR = BASE_DIR / "var" / "test-output"
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django.tasks": {"level": "WARNING"}}}  # noqa: F405

# Pages are rendered for every request in tests; test_pagecache.py turns the cache on.
PUBLIC_PAGE_CACHE_SECONDS = 0
