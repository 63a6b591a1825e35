"""The failed-lookup limit's tests (test_verify_failed_lookups.py) again, on the caches of
production, where the counters live: the database cache and Redis (see
core/tests/cache_backends.py)."""

import pytest

from certification.certificates.tests import test_verify_failed_lookups
from certification.core.tests.cache_backends import collect_again

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

globals().update(collect_again(test_verify_failed_lookups))
