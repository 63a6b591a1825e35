"""The static files storage of production: WhiteNoise's compressed files with hashed names,
the imports between the project's JavaScript modules rewritten to those names."""

from whitenoise.storage import (  # type: ignore[import-untyped]  # WhiteNoise has no types
    CompressedManifestStaticFilesStorage,
)


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # its base is untyped
    # A template loads js/map.<hash>.js; an `import ... from "./map.js"` left as it is would
    # fetch the unhashed file, which is a second module to the browser (the map would start
    # twice) and escapes the cache busting of the hashed names.
    support_js_module_import_aggregation = True
