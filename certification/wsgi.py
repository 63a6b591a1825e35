"""The WSGI application, checked and warmed up before it serves a request.

gunicorn (`gunicorn -c gunicorn.conf.py certification.wsgi`, with `preload_app`) imports this
module once, in its master process, before it forks the workers:

- a cache that does not work (Redis unreachable, its client library missing, no cache table)
  stops the start-up with a message naming it, instead of an error page on every request;
- the URLconf with every view and what the views import (WeasyPrint, factur-x…), the
  translations and the site's compiled templates are loaded here, and one request (a 404)
  goes through the middleware, so that every worker, a recycled one too, serves its first
  request as fast as its thousandth;
- no database connection opened here is left open for the workers to share, and what was
  loaded is frozen for the garbage collector, which then never walks it in a worker.

Under another server, or without `preload_app`, the same happens in each worker before it
serves.
"""

import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certification.settings")
application = get_wsgi_application()


def _compile_site_templates() -> int:
    """Load every template of the site's own folders into the cached template loader (the
    per-process cache that a forked worker inherits). Returns how many."""
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    compiled = 0
    for backend in engines.all():
        if not isinstance(backend, DjangoTemplates):
            continue
        for folder in map(Path, backend.engine.dirs):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    backend.engine.get_template(path.relative_to(folder).as_posix())
                    compiled += 1
    return compiled


def _discard(data: bytes) -> None:
    pass


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> Callable[[bytes], None]:
    return _discard  # Django returns the body as an iterable; it never calls write()


def _serve_a_missing_page() -> None:
    """One anonymous request through the whole stack: the middleware, the URL resolver and
    the 404 page with its context processors. It reads nothing from the database."""
    from django.conf import settings

    site = urlsplit(settings.SITE_URL)
    environ: dict[str, Any] = {
        "PATH_INFO": "/warm-up/",
        "HTTP_HOST": site.netloc,
        "wsgi.url_scheme": site.scheme,
        "REMOTE_ADDR": "127.0.0.1",
    }
    setup_testing_defaults(environ)
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # this "Not Found" is no visitor's
    try:
        response = application(environ, _start_response)
        b"".join(response)
        response.close()
    finally:
        request_log.setLevel(level)


def warm_up() -> None:
    """Check the caches, then load what the first request of each page would load."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connections
    from django.urls import reverse
    from django.utils import translation

    from certification.core.checks import require_working_caches

    require_working_caches()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # Imports every app's urls and views, and fills the language's map of names.
            reverse("core:live")
    _compile_site_templates()
    _serve_a_missing_page()
    staticfiles_storage.path("")  # reads the manifest of the hashed static files
    connections.close_all()
    # What is loaded now lives as long as the process: the collector of each worker need not
    # walk it again, nor write to (and so copy) the pages the workers share with the master.
    gc.collect()
    gc.freeze()


warm_up()
