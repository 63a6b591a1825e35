"""Settings of the QGIS Certification Platform.

Everything that differs between machines comes from environment variables, read through
`certification.env`, documented in `.env.example`. Outside development (DEBUG off) the site
refuses to start without a real SECRET_KEY, ALLOWED_HOSTS and SITE_URL.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from certification.env import (
    cache_settings,
    env_bool,
    env_choice,
    env_decimal,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

# --- Secrets and hosts --------------------------------------------------------------------

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEVELOPMENT_SECRET_KEY if DEBUG else "")


def _is_weak_secret(key: str) -> bool:
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")


if not DEBUG and _is_weak_secret(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list the site's host names when DEBUG is off, "
        "for example ALLOWED_HOSTS=certification.qgis.org."
    )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc:
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be the site's absolute address, "
        "for example https://certification.qgis.org."
    )
SITE_USES_HTTPS = _site.scheme == "https"
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "django_tasks_db",
    # The project's own apps: each imports only the apps listed above it.
    "certification.core",
    "certification.accounts",
    "certification.organisations",
    "certification.training",
    "certification.applications",
    "certification.billing",
    "certification.certificates",
    "certification.directory",
    "certification.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "certification.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "certification.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "certification.urls"
WSGI_APPLICATION = "certification.wsgi.application"
ASGI_APPLICATION = "certification.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "certification.core.context_processors.site",
                "certification.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the task worker share the file: WAL and IMMEDIATE transactions
    # keep them from failing with "database is locked".
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two caches of the same kind: "default" (rate limits, counters, figures) and "pages" (whole
# public pages, core.pagecache), kept apart so that many pages can never push out a counter.
CACHES = cache_settings(env_str("CACHE_URL", "db://"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task waiting longer than this makes /healthz report the queue as unhealthy.
TASK_BACKLOG_MAX_AGE_SECONDS = env_int("TASK_BACKLOG_MAX_AGE_SECONDS", 900, minimum=1)
EMAIL_TASK_MAX_ATTEMPTS = env_int("EMAIL_TASK_MAX_ATTEMPTS", 5, minimum=1)

# --- Files --------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

_storage_backend = env_choice("STORAGE_BACKEND", ("local", "s3"), "local")
_default_storage: dict[str, Any]
if _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "certification.core.staticfiles.HashedStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email --------------------------------------------------------------------------------

PROGRAMME_NAME = _("QGIS Certification Programme")
PROGRAMME_EMAIL = env_str("PROGRAMME_EMAIL", "QGIS Certification <certification@qgis.org>")
DEFAULT_FROM_EMAIL = PROGRAMME_EMAIL
SERVER_EMAIL = env_str("SERVER_EMAIL", PROGRAMME_EMAIL)
ADMINS = env_list("ADMIN_EMAILS")
_email_backend = env_choice(
    "EMAIL_BACKEND", ("smtp", "console", "file"), "console" if DEBUG else "smtp"
)
if _email_backend == "smtp":
    _use_tls = env_bool("EMAIL_USE_TLS", default=False)
    _use_ssl = env_bool("EMAIL_USE_SSL", default=False)
    if _use_tls and _use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25, minimum=1),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": _use_tls,
            "use_ssl": _use_ssl,
            "timeout": 30,
        },
    }
elif _email_backend == "file":
    _mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}

# --- Accounts -----------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "certification.accounts.permissions.RulesBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "organisations:dashboard"

ACCOUNT_ADAPTER = "certification.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "certification.accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QGIS Certification] "
# Failed log-ins are throttled per IP address and per account (allauth's rate limits, kept
# in the shared cache so that they hold across processes).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "QGIS Certification"

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SITE_USES_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_SECURE = SITE_USES_HTTPS
CSRF_COOKIE_SECURE = SITE_USES_HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = SITE_USES_HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0) if SITE_USES_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_USES_HTTPS
SECURE_HSTS_PRELOAD = SITE_USES_HTTPS and env_bool("SECURE_HSTS_PRELOAD", default=True)
if env_bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Buying credits by card posts a form that redirects to Stripe Checkout.
    "form-action": [CSP.SELF, "https://checkout.stripe.com"],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Logging ------------------------------------------------------------------------------

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "weasyprint": {"level": "WARNING"}},
}

# --- The programme ------------------------------------------------------------------------

QGIS_USER_GROUPS_URL = "https://qgis.org/community/groups/"
# Community review: user groups have this long to give their opinion, with reminders.
OPINION_PERIOD_DAYS = env_int("OPINION_PERIOD_DAYS", 30, minimum=1)
OPINION_REMINDER_DAYS = [7, 1]
# Drafts and unanswered change requests expire after this long without activity, with a
# warning email this many days before.
APPLICATION_DRAFT_EXPIRY_DAYS = env_int("APPLICATION_DRAFT_EXPIRY_DAYS", 90, minimum=1)
CHANGES_REQUEST_EXPIRY_DAYS = env_int("CHANGES_REQUEST_EXPIRY_DAYS", 60, minimum=1)
APPLICATION_EXPIRY_WARNING_DAYS = env_int("APPLICATION_EXPIRY_WARNING_DAYS", 7, minimum=1)
# Training material uploads.
MATERIAL_MAX_FILE_MB = env_int("MATERIAL_MAX_FILE_MB", 50, minimum=1)
APPLICATION_MAX_TOTAL_MB = env_int("APPLICATION_MAX_TOTAL_MB", 500, minimum=1)
# Signed links: outside reviewers and invitations to join an organisation.
REVIEWER_INVITATION_DAYS = env_int("REVIEWER_INVITATION_DAYS", 30, minimum=1)
MEMBER_INVITATION_DAYS = env_int("MEMBER_INVITATION_DAYS", 14, minimum=1)

# Certificates: one costs one credit, one credit costs this much (EUR, before VAT).
CERTIFICATE_PRICE_EUR = env_decimal("CERTIFICATE_PRICE_EUR", "20.00", minimum="0.01")
# Organisations may revoke their own certificates, and re-issue them free of charge to
# correct a name, within these many days of issuing; the certification team at any time.
CERTIFICATE_REVOCATION_DAYS = env_int("CERTIFICATE_REVOCATION_DAYS", 30, minimum=0)
CERTIFICATE_FREE_REISSUE_DAYS = env_int("CERTIFICATE_FREE_REISSUE_DAYS", 30, minimum=0)
# Certificate verification: failed lookups per client address (REMOTE_ADDR) per window.
VERIFY_RATE_LIMIT = env_int("VERIFY_RATE_LIMIT", 30, minimum=1)
VERIFY_RATE_WINDOW_SECONDS = env_int("VERIFY_RATE_WINDOW_SECONDS", 60, minimum=1)

# --- Payments and invoices ----------------------------------------------------------------
# The seller printed on every invoice; its VAT status decides the VAT on each invoice:
# not registered → no VAT; a buyer in the seller's country → VAT_RATE_PERCENT; an EU
# business buyer with a VAT number → reverse charge; anyone else → outside the scope of VAT.
SELLER_NAME = env_str("SELLER_NAME", "QGIS.ORG")
SELLER_STREET = env_str("SELLER_STREET", "Bahnhofstrasse 1")
SELLER_POSTCODE = env_str("SELLER_POSTCODE", "8001")
SELLER_CITY = env_str("SELLER_CITY", "Zürich")
SELLER_COUNTRY = env_str("SELLER_COUNTRY", "CH").upper()
SELLER_EMAIL = env_str("SELLER_EMAIL", "finance@qgis.org")
SELLER_VAT_REGISTERED = env_bool("SELLER_VAT_REGISTERED", True)
SELLER_VAT_NUMBER = env_str("SELLER_VAT_NUMBER", "CHE-116.281.710 MWST")
VAT_RATE_PERCENT = env_decimal("VAT_RATE_PERCENT", "8.1", places=2)
# Bank details for SEPA transfers, validated below.
BANK_IBAN = env_str("BANK_IBAN", "CH9300762011623852957").replace(" ", "").upper()
BANK_BIC = env_str("BANK_BIC", "POFICHBEXXX").replace(" ", "").upper()
BANK_NAME = env_str("BANK_NAME", "PostFinance")
INVOICE_NUMBER_PREFIX = env_str("INVOICE_NUMBER_PREFIX", "QGIS")
INVOICE_DUE_DAYS = env_int("INVOICE_DUE_DAYS", 30, minimum=1)
# Reminders for unpaid invoices: the first this many days after the due date, then every
# INVOICE_REMINDER_INTERVAL_DAYS, at most INVOICE_REMINDER_MAX.
INVOICE_REMINDER_FIRST_DAYS = env_int("INVOICE_REMINDER_FIRST_DAYS", 7, minimum=1)
INVOICE_REMINDER_INTERVAL_DAYS = env_int("INVOICE_REMINDER_INTERVAL_DAYS", 14, minimum=1)
INVOICE_REMINDER_MAX = env_int("INVOICE_REMINDER_MAX", 3, minimum=0)
# One order buys between 1 and this many credits.
CREDITS_PER_ORDER_MAX = 1000
# Stripe Checkout for card payments: without a secret key the card option is hidden.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
# How old a signed webhook may be before it is refused as a replay (seconds).
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300, minimum=1)
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: card payments would never "
        "be confirmed. Set both, or neither."
    )


def _check_bank_details() -> None:
    from stdnum import bic, iban
    from stdnum.ch import vat as swiss_vat
    from stdnum.eu import vat as eu_vat

    if not iban.is_valid(BANK_IBAN):
        raise ImproperlyConfigured(f"BANK_IBAN={BANK_IBAN!r} is not a valid IBAN.")
    if not bic.is_valid(BANK_BIC):
        raise ImproperlyConfigured(f"BANK_BIC={BANK_BIC!r} is not a valid BIC.")
    if SELLER_VAT_REGISTERED and not (
        swiss_vat.is_valid(SELLER_VAT_NUMBER) or eu_vat.is_valid(SELLER_VAT_NUMBER)
    ):
        raise ImproperlyConfigured(
            f"SELLER_VAT_NUMBER={SELLER_VAT_NUMBER!r} is not a valid VAT number; set it, or "
            "SELLER_VAT_REGISTERED=false."
        )


_check_bank_details()

# Public pages (home, organisations, courses) are cached whole for anonymous visitors.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60, minimum=0)

# --- The public map -----------------------------------------------------------------------
# The map needs no tile server: its base layer is Natural Earth's country outlines, served
# from this site. A tile server may be added (URL template and attribution, both required).
MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION")
if MAP_TILE_URL and not MAP_TILE_ATTRIBUTION:
    raise ImproperlyConfigured("MAP_TILE_URL needs MAP_TILE_ATTRIBUTION (the tiles' licence).")
if MAP_TILE_URL:
    # The tiles are images from that server ("{s}." stands for its subdomains).
    _tiles = urlsplit(MAP_TILE_URL.replace("{s}.", "tiles-subdomain."))
    if _tiles.scheme not in ("https", "http") or not _tiles.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL={MAP_TILE_URL!r} is not an http(s) address.")
    SECURE_CSP["img-src"].append(
        f"{_tiles.scheme}://{_tiles.netloc.replace('tiles-subdomain.', '*.')}"
    )
