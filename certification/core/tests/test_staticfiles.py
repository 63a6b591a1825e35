import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from certification.core.staticfiles import HashedStaticFilesStorage

SCRIPTS = ["js/map.js", "js/centre-picker.js", "js/site.js"]


def collect(target: Path) -> HashedStaticFilesStorage:
    """The project's own scripts, collected as `collectstatic` does in production."""
    source = FileSystemStorage(location=settings.BASE_DIR / "static")
    storage = HashedStaticFilesStorage(location=target, base_url="/static/")
    for name in SCRIPTS:
        with source.open(name) as original:
            storage.save(name, ContentFile(original.read()))
    for name, _, processed in storage.post_process({name: (source, name) for name in SCRIPTS}):
        assert not isinstance(processed, Exception), (name, processed)
    return storage


def test_the_picker_imports_the_same_hashed_map_module_the_templates_load(
    tmp_path: Path,
) -> None:
    storage = collect(tmp_path)

    hashed_map = storage.stored_name("js/map.js")
    assert re.fullmatch(r"js/map\.[0-9a-f]{12}\.js", hashed_map)
    picker = Path(storage.path(storage.stored_name("js/centre-picker.js"))).read_text()
    imports = re.findall(r'^import .* from "(.*)";$', picker, re.MULTILINE)
    assert imports == ["./" + hashed_map.removeprefix("js/")]


def test_production_collects_with_the_storage_that_rewrites_module_imports() -> None:
    # The tests serve unhashed files: production's settings are read in a fresh interpreter.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certification.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://localhost",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from certification import settings; "
            "print(settings.STORAGES['staticfiles']['BACKEND'])",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "certification.core.staticfiles.HashedStaticFilesStorage"
