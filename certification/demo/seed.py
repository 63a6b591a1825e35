"""Demo data: an account for every role and a few organisations. Safe to run again."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.organisations.models import Membership, Organisation

DEMO_PASSWORD = "qgis-demo-2026"  # noqa: S105 - demo accounts exist only with DEBUG on
# Base32 secret shared by the demo staff accounts; `manage.py demo_totp` prints its code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - DEBUG only


@dataclass(frozen=True)
class Persona:
    email: str
    name: str
    language: str = "en"
    role: GlobalRole | None = None
    superuser: bool = False


PERSONAS = [
    Persona("admin@example.org", "Ada Admin", superuser=True),
    Persona("alice@example.org", "Alice Andersson", "sv"),
    Persona("bob@example.org", "Bob Berg", "sv"),
    Persona("carol@example.org", "Carol Carter"),
    Persona("rita@example.org", "Rita Reviewer", role=GlobalRole.CERTIFICATION_TEAM),
    Persona("ugo@example.org", "Ugo Usergroup", role=GlobalRole.USER_GROUP_REVIEWER),
    Persona("paula@example.org", "Paula PSC", role=GlobalRole.PSC_MEMBER),
    Persona("tom@example.org", "Tom Treasurer", role=GlobalRole.TREASURER),
]


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    legal_name: str
    country: str
    address: str
    website: str
    status: Organisation.Status
    members: tuple[tuple[str, Membership.Role], ...]


ORGANISATIONS = [
    DemoOrganisation(
        "geoskolan",
        "Geoskolan AB",
        "SE",
        "Drottninggatan 12\n111 51 Stockholm",
        "https://geoskolan.example.org",
        Organisation.Status.CERTIFIED,
        (
            ("alice@example.org", Membership.Role.OWNER),
            ("bob@example.org", Membership.Role.TRAINER),
        ),
    ),
    DemoOrganisation(
        "carto-lab",
        "Carto Lab Ltd",
        "GB",
        "1 Map Street\nLondon EC1A 1AA",
        "https://cartolab.example.org",
        Organisation.Status.CERTIFIED,
        (("carol@example.org", Membership.Role.OWNER),),
    ),
    DemoOrganisation(
        "open-geo-training",
        "Open Geo Training GmbH",
        "DE",
        "Kartenweg 3\n10115 Berlin",
        "https://opengeo.example.org",
        Organisation.Status.CERTIFIED,
        (),
    ),
    DemoOrganisation(
        "instituto-geografico-abierto",
        "Instituto Geográfico Abierto",
        "ES",
        "Calle del Mapa 7\n28001 Madrid",
        "https://iga.example.org",
        Organisation.Status.APPLICANT,
        (("carol@example.org", Membership.Role.MANAGER),),
    ),
    DemoOrganisation(
        "kentro-chartografias",
        "Κέντρο Χαρτογραφίας Αθηνών",
        "GR",
        "Οδός Χάρτη 5\n105 57 Αθήνα",
        "https://kentro.example.org",
        Organisation.Status.APPLICANT,
        (),
    ),
]


def _ensure_user(persona: Persona, password_hash: str) -> User:
    user, created = User.objects.get_or_create(
        email=persona.email,
        defaults={
            "name": persona.name,
            "preferred_language": persona.language,
            "is_staff": persona.superuser,
            "is_superuser": persona.superuser,
        },
    )
    if created:
        # Demo passwords exist only on development machines.
        if settings.DEBUG:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if persona.role is not None and not user.groups.filter(name=persona.role.value).exists():
        grant_role(user, persona.role, by=None, notify=False)
    needs_totp = persona.superuser or persona.role in (
        GlobalRole.CERTIFICATION_TEAM,
        GlobalRole.PSC_MEMBER,
        GlobalRole.TREASURER,
    )
    if (
        needs_totp
        and settings.DEBUG
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _ensure_organisation(demo: DemoOrganisation, users: dict[str, User]) -> Organisation:
    organisation, _created = Organisation.objects.get_or_create(
        slug=demo.slug,
        defaults={
            "legal_name": demo.legal_name,
            "country": demo.country,
            "address": demo.address,
            "website": demo.website,
            "contact_email": f"info@{demo.slug}.example.org",
            "status": demo.status,
            "certified_at": timezone.now()
            if demo.status == Organisation.Status.CERTIFIED
            else None,
        },
    )
    for email, role in demo.members:
        Membership.objects.get_or_create(
            user=users[email], organisation=organisation, defaults={"role": role}
        )
    return organisation


@transaction.atomic
def seed() -> dict[str, int]:
    # Hashing is slow on purpose: hash the shared demo password once.
    password_hash = make_password(DEMO_PASSWORD)
    users = {persona.email: _ensure_user(persona, password_hash) for persona in PERSONAS}
    organisations = [_ensure_organisation(demo, users) for demo in ORGANISATIONS]
    return {"users": len(users), "organisations": len(organisations)}
