"""Numbers in words as people write them: "once", "twice", "3 times"; "1 play", "2 plays"."""

from __future__ import annotations


def times(count: int) -> str:
    """How often something happened: "never", "once", "twice", "3 times"."""
    if count <= 0:
        return "never"
    return {1: "once", 2: "twice"}.get(count, f"{count:,} times")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` with the noun that fits it: "1 play", "2 plays", "1 person", "3 people" (with `plural_form`)."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {noun}"


def runtime(minutes: int | None) -> str:
    """A runtime as a title's page shows it: "1 h 52 min", "45 min"; "" when unknown."""
    if not minutes or minutes <= 0:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
