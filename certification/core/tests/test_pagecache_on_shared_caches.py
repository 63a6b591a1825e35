"""The page cache's tests (test_pagecache.py) again, on the caches of production: the
database cache and Redis (see cache_backends.py)."""

import pytest

from certification.core.tests import test_pagecache
from certification.core.tests.cache_backends import collect_again

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

globals().update(collect_again(test_pagecache))
