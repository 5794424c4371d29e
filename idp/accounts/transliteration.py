"""Russian names in Latin letters: ICAO 9303 (as in Russian foreign passports and on bank
cards) and the popular variant people type (й -> y, х -> h, ю -> yu, я -> ya)."""

from __future__ import annotations

ICAO = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
POPULAR = {**ICAO, "й": "y", "х": "h", "ю": "yu", "я": "ya", "ъ": ""}


def transliterate(text: str, table: dict[str, str] = ICAO) -> str:
    """``text`` with each Cyrillic letter in ``table`` replaced (lower case; others kept)."""
    return "".join(table.get(char, char) for char in text)
