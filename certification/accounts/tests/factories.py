from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from factory.declarations import Sequence
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker
from factory.helpers import post_generation

from certification.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"person{n}@example.org")
    name = Faker("name")
    preferred_language = "en"
    password = Password(PASSWORD)

    @post_generation  # type: ignore[untyped-decorator]  # factory_boy does not type it
    def verified_email(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


def enable_totp(user: User) -> str:
    """Give the user a TOTP authenticator; returns its secret to compute codes from."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
