from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from certification.accounts import views as account_views
from certification.core import views as core_views

# The admin logs people in through allauth, so two-factor authentication applies there too.
# (allauth's documented set-up replaces the bound method, which mypy cannot follow.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("QGIS Certification administration")
admin.site.site_title = _("QGIS Certification")

# The site's own addresses, which belong to no page of an app: named "core:…".
site_urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/live", core_views.live, name="live"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
]

urlpatterns = [
    path("", include((site_urlpatterns, "core"))),
    path("accounts/", include("certification.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("certification.applications.urls")),
    path("review/", include("certification.applications.review.urls")),
    path("", include("certification.organisations.urls")),
    path("", include("certification.training.urls")),
    path("", include("certification.directory.urls")),
    path("", include("certification.certificates.verification.urls")),
    path("", include("certification.certificates.urls")),
    path("", include("certification.billing.urls")),
    path("", include("certification.billing.treasury.urls")),
]
