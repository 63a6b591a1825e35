import math

import pytest

from certification.certificates import codes


def test_a_code_has_over_60_random_bits_and_reads_in_groups() -> None:
    code = codes.new_code()

    assert code.startswith("QGIS-")
    assert [len(part) for part in code.split("-")] == [4, 4, 4, 4, 2]
    assert math.log2(len(codes.ALPHABET)) * codes.RANDOM_LENGTH > 60
    assert not set("01ILOUV") & set(code[5:])


def test_codes_do_not_repeat() -> None:
    assert len({codes.new_code() for _ in range(2000)}) == 2000


@pytest.mark.parametrize(
    "typed",
    ["{code}", "{lower}", "{spaced}", "{bare}", "  {lower}  "],
)
def test_it_accepts_the_code_in_any_case_with_or_without_spaces_or_dashes(typed: str) -> None:
    code = codes.new_code()
    bare = code.replace("-", "")[4:]
    text = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " "), bare=bare)

    assert codes.normalise(text) == code


def test_every_single_typo_and_every_swap_of_neighbours_is_caught() -> None:
    for _ in range(50):
        code = codes.new_code()
        characters = code.replace("-", "")[4:]
        for position, original in enumerate(characters):
            for replacement in codes.ALPHABET.replace(original, ""):
                typo = characters[:position] + replacement + characters[position + 1 :]
                assert codes.normalise(typo) is None
        for position in range(len(characters) - 1):
            a, b = characters[position], characters[position + 1]
            if a != b:
                swapped = characters[:position] + b + a + characters[position + 2 :]
                assert codes.normalise(swapped) is None


@pytest.mark.parametrize("text", ["", "QGIS", "QGIS-0000-0000-0000-00", "hello world", "Q" * 40])
def test_malformed_input_is_not_a_code(text: str) -> None:
    assert codes.normalise(text) is None
