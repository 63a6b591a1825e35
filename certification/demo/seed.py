"""Demo data: an account for every role and a few organisations. Safe to run again."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.core.emails import quiet
from certification.core.mapversion import map_changed
from certification.demo.applications import ensure_applications, ensure_user_groups
from certification.demo.billing import ensure_billing
from certification.demo.courses import ensure_courses
from certification.demo.directory import ensure_directory
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
    Persona("dora@example.org", "Dora Dietrich"),
    Persona("nikos@example.org", "Νίκος Παπαδόπουλος"),
    Persona("ola@example.org", "Ola Nordmann"),
    Persona("ines@example.org", "Inês Sousa"),
    Persona("amani@example.org", "Amani Mwakyusa"),
    Persona("jana@example.org", "Jana Nováková"),
    Persona("luc@example.org", "Luc Martin", "en"),
    Persona("aino@example.org", "Aino Virtanen"),
    Persona("sean@example.org", "Seán Murphy"),
    Persona("pablo@example.org", "Pablo García"),
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
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        # Staff act only with two-factor authentication, the demo's staff included: the shared,
        # published secret on development machines, a secret nobody knows everywhere else.
        TOTP.activate(user, DEMO_TOTP_SECRET if settings.DEBUG else generate_totp_secret())
    return user


@transaction.atomic
def seed() -> dict[str, int]:
    # Hashing is slow on purpose: hash the shared demo password once.
    password_hash = make_password(DEMO_PASSWORD)
    with quiet():  # the people in the demo have no inbox
        users = {persona.email: _ensure_user(persona, password_hash) for persona in PERSONAS}
        ensure_user_groups(users)
        created = ensure_applications(users)
        # Bob teaches at Geoskolan; Carol also manages the Spanish applicant.
        for email, slug, role in [
            ("bob@example.org", "geoskolan", Membership.Role.TRAINER),
            ("carol@example.org", "instituto-geografico-abierto", Membership.Role.MANAGER),
        ]:
            Membership.objects.get_or_create(
                user=users[email],
                organisation=Organisation.objects.get(slug=slug),
                defaults={"role": role},
            )
        courses = ensure_courses(users)
        world = ensure_directory()
        billing = ensure_billing(users)
        map_changed()  # made without the services, which would say so
    return {
        "users": len(users),
        "new courses": courses,
        "new organisations around the world": world,
        "new orders": billing,
        "organisations": Organisation.objects.count(),
        "new applications": created,
    }
