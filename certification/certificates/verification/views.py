"""Certificate verification, for people and for machines.

- `/verify/` — a form; `?code=…` is normalised and redirected to the certificate's page.
- `/verify/<code>/` — the certificate's page, or JSON when the client asks for it
  (`Accept: application/json`); other spellings of a code redirect to the canonical one.
- `/verify/<code>.json` — the same data as JSON, always.

Anyone may look up any code, so failed lookups (malformed or unknown codes) are counted per
client address (`throttling.py`) to make guessing codes slow; an address that has failed too
often is refused every lookup for a while. Codes have over 60 random bits besides.

The page shows only what is printed on the certificate (its snapshot), never the email.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Case, CharField, F, Value, When
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_countries import countries

from certification.certificates.codes import normalise
from certification.certificates.links import verification_page_cache_key, verification_url
from certification.certificates.models import Certificate
from certification.certificates.verification.forms import MAX_CODE_INPUT, VerifyForm
from certification.certificates.verification.throttling import count_failure, refused
from certification.core import pagecache
from certification.organisations.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

JSON_TYPE = "application/json"
LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


# --- What a verification shows ------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """A certificate as the public sees it: the printed details, status, and links."""

    code: str
    status: str
    is_valid: bool
    holder: str
    kind: str
    kind_label: str
    course_title: str
    hours: int | None
    qgis_version: str
    starts_on: date | None
    ends_on: date | None
    online: bool
    place: str
    country_name: str
    trainers: list[str]
    organisation: str
    organisation_path: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str
    replaced_by: str
    verification_url: str
    print_language: str

    @property
    def title(self) -> str:
        """The certificate's name, in the language it is printed in (for LinkedIn)."""
        with translation.override(self.print_language):
            return self.page_title

    @property
    def page_title(self) -> str:
        """The certificate's name in the visitor's language (for the page and sharing)."""
        return str(
            _("%(course)s — %(kind)s")
            % {"course": self.course_title, "kind": Certificate.Kind(self.kind).label}
        )

    @property
    def organisation_url(self) -> str:
        return f"{settings.SITE_URL}{self.organisation_path}" if self.organisation_path else ""

    @property
    def replaced_by_path(self) -> str:
        return (
            reverse("verification:certificate", args=[self.replaced_by]) if self.replaced_by else ""
        )

    @property
    def json_path(self) -> str:
        return reverse("verification:certificate_json", args=[self.code])

    @property
    def linkedin_url(self) -> str:
        issued = timezone.localtime(self.issued_at)
        query = urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": self.title,
                "organizationName": self.organisation,
                "issueYear": issued.year,
                "issueMonth": issued.month,
                "certUrl": self.verification_url,
                "certId": self.code,
            },
            quote_via=quote,
        )
        return f"{LINKEDIN_ADD_URL}?{query}"

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "valid": self.is_valid,
            "holder": self.holder,
            "kind": self.kind,
            "course": {
                "title": self.course_title,
                "hours": self.hours,
                "qgis_version": self.qgis_version,
                "starts_on": self.starts_on.isoformat() if self.starts_on else None,
                "ends_on": self.ends_on.isoformat() if self.ends_on else None,
                "online": self.online,
                "place": self.place or None,
                "trainers": self.trainers,
            },
            "organisation": {"name": self.organisation, "url": self.organisation_url or None},
            "issued_at": self.issued_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revocation_reason": self.revocation_reason or None,
            "replaced_by": self.replaced_by or None,
            "verification_url": self.verification_url,
        }


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def describe(certificate: Certificate, *, organisation_slug: str) -> Verification:
    """Only the snapshot's printed fields are read: the email in it never leaves here.

    `organisation_slug` is that of the organisation's public page, or "" when it has none.
    """
    printed = certificate.snapshot
    country = printed.get("country", "")
    return Verification(
        code=certificate.code,
        status=certificate.status,
        is_valid=certificate.is_valid,
        holder=printed.get("name", ""),
        kind=certificate.kind,
        kind_label=certificate.get_kind_display(),
        course_title=printed.get("course_title", ""),
        hours=printed.get("hours"),
        qgis_version=printed.get("qgis_version", ""),
        starts_on=_date(printed.get("starts_on")),
        ends_on=_date(printed.get("ends_on")),
        online=bool(printed.get("online")),
        place=printed.get("place", ""),
        country_name=str(countries.name(country)) if country else "",
        trainers=list(printed.get("trainers") or []),
        organisation=printed.get("organisation", ""),
        organisation_path=reverse("directory:organisation_public", args=[organisation_slug])
        if organisation_slug
        else "",
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revocation_reason,
        replaced_by=certificate.replaced_by.code if certificate.replaced_by else "",
        verification_url=verification_url(certificate.code),
        print_language=printed.get("language") or settings.LANGUAGE_CODE,
    )


class _PublicSlug(TypedDict):
    public_organisation_slug: str


def find_verification(code: str) -> Verification | None:
    """One query: the certificate, its replacement's code and its organisation's public slug.

    The organisation is linked only while its public page exists, by its current slug.
    """
    public_slug = Case(
        When(
            course__organisation__status=Organisation.Status.CERTIFIED,
            then=F("course__organisation__slug"),
        ),
        default=Value(""),
        output_field=CharField(),
    )
    try:
        found = (
            Certificate.objects.for_verification()
            .annotate(public_organisation_slug=public_slug)
            .get(code=code)
        )
    except Certificate.DoesNotExist:
        return None
    # django-stubs forgets annotate() in get() on a custom queryset; the annotation is there.
    certificate = cast("WithAnnotations[Certificate, _PublicSlug]", found)
    return describe(certificate, organisation_slug=certificate.public_organisation_slug)


# --- Responses ----------------------------------------------------------------------------


def _json(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Public data, readable by other sites' scripts; kept out of search engines.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Robots-Tag"] = "noindex"
    return response


def _throttled(request: HttpRequest, retry_after: int, *, as_json: bool) -> HttpResponse:
    if as_json:
        response: HttpResponse = _json(
            {
                "error": str(_("Too many lookups. Try again in a moment.")),
                "retry_after": retry_after,
            },
            status=429,
        )
    else:
        response = render(
            request, "certificates/verify_throttled.html", {"retry_after": retry_after}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def _malformed(request: HttpRequest, code: str, *, as_json: bool) -> HttpResponse:
    if as_json:
        return _json({"error": str(_("This is not a valid certificate code."))}, status=404)
    form = VerifyForm(data={"code": code})
    form.is_valid()  # shows why
    return render(request, "certificates/verify.html", {"form": form}, status=404)


def _not_found(request: HttpRequest, code: str, *, as_json: bool) -> HttpResponse:
    if as_json:
        return _json({"error": str(_("No certificate with this code."))}, status=404)
    return render(
        request,
        "certificates/verify_not_found.html",
        {"code": code, "form": VerifyForm(initial={"code": code})},
        status=404,
    )


def _failed(request: HttpRequest, answer: HttpResponse, *, as_json: bool) -> HttpResponse:
    """The answer to a failed lookup, counted; a refusal instead when it was one too many."""
    if retry_after := count_failure(request):
        return _throttled(request, retry_after, as_json=as_json)
    return answer


def _lookup(request: HttpRequest, code: str, *, as_json: bool, url_name: str) -> HttpResponse:
    """The answer for a code in a URL, once the format is chosen; `url_name` is that URL's."""
    canonical = normalise(code) if len(code) <= MAX_CODE_INPUT else None
    if canonical is not None and canonical != code:
        # Neither counted nor refused: it reveals nothing, and the page it leads to is checked.
        return HttpResponsePermanentRedirect(reverse(url_name, args=[canonical]))
    # Before the page cache too: an address refused gets no page, cached or not.
    if retry_after := refused(request):
        return _throttled(request, retry_after, as_json=as_json)
    if canonical is None:
        return _failed(request, _malformed(request, code, as_json=as_json), as_json=as_json)
    cached, version = (
        pagecache.get(request, verification_page_cache_key(canonical))
        if not as_json
        else (None, "")
    )
    if cached is not None:
        return cached
    verification = find_verification(canonical)
    if verification is None:
        return _failed(request, _not_found(request, canonical, as_json=as_json), as_json=as_json)
    if as_json:
        return _json(verification.as_json())
    response = render(
        request, "certificates/verify_certificate.html", {"verification": verification}
    )
    # Forgotten as soon as the certificate is revoked or replaced (services).
    pagecache.put(request, verification_page_cache_key(canonical), version, response)
    return response


# --- Views --------------------------------------------------------------------------------


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """The form. A well-formed code goes to its page; a malformed one is explained here."""
    if "code" not in request.GET:
        return render(request, "certificates/verify.html", {"form": VerifyForm()})
    form = VerifyForm(data=request.GET)
    if form.is_valid():
        return redirect("verification:certificate", form.cleaned_data["code"])
    if form.has_error("code", "malformed") and (
        retry_after := refused(request) or count_failure(request)
    ):
        return _throttled(request, retry_after, as_json=False)
    return render(request, "certificates/verify.html", {"form": form})


@require_safe
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The page of one certificate, or its JSON for clients that prefer it."""
    as_json = request.get_preferred_type(["text/html", JSON_TYPE]) == JSON_TYPE
    response = _lookup(request, code, as_json=as_json, url_name="verification:certificate")
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def verify_certificate_json(request: HttpRequest, code: str) -> HttpResponse:
    return _lookup(request, code, as_json=True, url_name="verification:certificate_json")
