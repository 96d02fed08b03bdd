"""Which titles an answer talks about: the ones the tools showed that the answer names (poster cards), and
title searches that found nothing that it names (not on the server: "Request it" when requests are set up)."""

from __future__ import annotations

import re

from smartplex.services.ai.tools import Findings
from smartplex.services.text import fold

MAX_CARDS = 8
SHORT_TITLE = 3  # titles this short ("Up", "It") count only in bold or quotes, not as a stray word


def _mentioned_at(title: str, folded_answer: str, raw_answer: str) -> int:
    """Where the answer first names `title` (whole words, case and accents folded); -1 when it does not."""
    needle = fold(title)
    if not needle:
        return -1
    if len(needle) <= SHORT_TITLE:
        marked = re.search(r"(\*\*|[\"“'‘_])" + re.escape(title) + r"(\*\*|[\"”'’_])", raw_answer, re.IGNORECASE)
        return marked.start() if marked else -1
    for match in re.finditer(re.escape(needle), folded_answer):
        start, end = match.span()
        if (start == 0 or not folded_answer[start - 1].isalnum()) and (end == len(folded_answer) or not folded_answer[end].isalnum()):
            return start
    return -1


def cards(answer: str, findings: Findings) -> list[int]:
    """Ids of the titles the tools showed that the answer names, in the order it names them."""
    folded = fold(answer)
    spots = []
    for item in findings.titles.values():
        at = _mentioned_at(item.title, folded, answer)
        if at >= 0:
            spots.append((at, -len(item.title), item.id))
    ordered = [item_id for _, _, item_id in sorted(spots)]
    return list(dict.fromkeys(ordered))[:MAX_CARDS]


def missing(answer: str, findings: Findings) -> list[str]:
    """Titles searched for in vain that the answer names (as the member typed them)."""
    folded = fold(answer)
    return list(dict.fromkeys(t for t in findings.missing if _mentioned_at(t, folded, answer) >= 0))
