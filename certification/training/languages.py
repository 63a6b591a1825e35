"""The languages a course can be taught in: ISO 639-1 codes Django knows names for."""

from django.conf.locale import LANG_INFO
from django.utils.translation import get_language_info

COURSE_LANGUAGE_CODES: list[str] = sorted(
    code for code, info in LANG_INFO.items() if "-" not in code and "name" in info
)


def course_language_choices() -> list[tuple[str, str]]:
    """(code, name in the visitor's language), sorted by name."""
    choices = [
        (code, str(get_language_info(code)["name_translated"])) for code in COURSE_LANGUAGE_CODES
    ]
    return sorted(choices, key=lambda choice: choice[1].lower())


def language_names(codes: list[str]) -> list[str]:
    return [str(get_language_info(code)["name_translated"]) for code in codes if code in LANG_INFO]
