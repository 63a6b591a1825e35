"""The named pages' cache tests (test_pagecache_named_pages.py) again, on the caches of
production: the database cache and Redis (see cache_backends.py)."""

import pytest

from certification.core.tests import test_pagecache_named_pages
from certification.core.tests.cache_backends import collect_again

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

globals().update(collect_again(test_pagecache_named_pages))
