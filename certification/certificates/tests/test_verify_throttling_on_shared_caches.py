"""The verification's throttling tests (test_verify_throttling.py) again, on the caches of
production: the database cache and Redis (see core/tests/cache_backends.py)."""

import pytest

from certification.certificates.tests import test_verify_throttling
from certification.core.tests.cache_backends import collect_again

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

globals().update(collect_again(test_verify_throttling))
