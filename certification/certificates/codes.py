"""Certificate codes: short, unguessable, easy to read aloud and type, with a check character.

`QGIS-7K3M-9QX2-HT4R-5W`: 13 random characters (over 63 bits, from `secrets`) and one check
character, from an alphabet of 29 characters without look-alikes (no 0/O, 1/I/L, U/V).
The check character makes the position-weighted sum of all 14 characters 0 modulo 29; as 29
is prime, every mistyped character and every swap of two neighbours is caught.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = "QGIS"
RANDOM_LENGTH = 13
GROUPS = (4, 4, 4, 2)


def _weighted_sum(characters: str) -> int:
    return sum(position * ALPHABET.index(ch) for position, ch in enumerate(characters, start=1))


def _check_character(payload: str) -> str:
    base = len(ALPHABET)
    weight = len(payload) + 1
    # weight * value ≡ -sum (mod 29): multiply by the inverse of the weight.
    value = (-_weighted_sum(payload) * pow(weight, -1, base)) % base
    return ALPHABET[value]


def _group(characters: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(characters[start : start + size])
        start += size
    return "-".join([PREFIX, *parts])


def new_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _group(payload + _check_character(payload))


def normalise(text: str) -> str | None:
    """The canonical code for what someone typed (any case, spaces or dashes), or None."""
    characters = "".join(ch for ch in text.upper() if ch.isalnum())
    if characters.startswith(PREFIX):
        characters = characters[len(PREFIX) :]
    if len(characters) != RANDOM_LENGTH + 1 or any(ch not in ALPHABET for ch in characters):
        return None
    if _weighted_sum(characters) % len(ALPHABET):
        return None
    return _group(characters)
