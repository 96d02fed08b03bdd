"""A coloured badge for a status word (health, sync runs, webhook outcomes)."""

from __future__ import annotations

import reflex as rx

COLORS = {
    "ok": "green",
    "succeeded": "green",
    "accepted": "green",
    "running": "blue",
    "degraded": "amber",
    "slow": "amber",  # an integration answering, slowly (services/integrations/probes.py)
    "cancelled": "amber",
    "duplicate": "gray",
}


def status_badge(status: rx.Var, size: str = "1") -> rx.Component:
    """Unknown words (error, failed, rejected) are red."""
    return rx.badge(status, color_scheme=rx.match(status, *COLORS.items(), "red"), variant="soft", size=size)
