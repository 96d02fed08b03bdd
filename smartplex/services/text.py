"""Text as people search it: case and accents folded, so "deja" finds "Déjà", "amelie" finds "Amélie" and
"okami" finds "Ōkami". One function, used for stored search keys and for what people type alike."""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip but that people type as plain Latin.
_SPECIAL = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "þ": "th", "ð": "d",
                          "æ": "ae", "œ": "oe", "ß": "ss"})  # fmt: skip


def fold(text: str | None) -> str:
    """Lower case without accents: NFKD, combining marks dropped, case folded, a few letters spelt out; runs of
    white space become one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.translate(_SPECIAL).split())


def search_key(*parts: str | None) -> str:
    """The folded text an item is found by: its own title and the titles above it (season, show)."""
    return " | ".join(folded for part in parts if (folded := fold(part)))


def like_pattern(query: str) -> str:
    """A LIKE pattern (escape character "\\") matching `query`, folded, anywhere in a search key."""
    needle = fold(query)
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
