"""The health part of every card on Admin → Integrations: status in words, version, last check and failure, the
circuit, a 24-hour latency sparkline, and "Test now"; refreshed while the page is open whenever a probe lands."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx

from smartplex import routes
from smartplex.models import IntegrationKind
from smartplex.services.auth import UserView
from smartplex.services.integrations import probes, status
from smartplex.state.auth import acting_user, admin_only, public

WATCH_SECONDS = 3.0
WATCH_MAX_SECONDS = 4 * 3600


@dataclass(frozen=True)
class SparkPoint:
    at: str = ""
    ok: int = 0
    slow: int = 0
    down: int = 0


@dataclass(frozen=True)
class HealthView:
    id: int = 0  # 0: not configured
    kind: str = ""
    name: str = ""
    status: str = "unknown"
    summary: str = ""
    version: str = ""
    checked_at: str = ""
    circuit: str = "closed"
    circuit_words: str = ""
    last_failure: str = ""
    last_failure_at: str = ""
    points: list[SparkPoint] = field(default_factory=list)


def circuit_words(report: status.Report) -> str:
    if report.circuit == "open" and report.retry_at:
        return f"Circuit open: calls paused until {datetime.fromisoformat(report.retry_at):%H:%M} UTC"
    if report.circuit == "half_open":
        return "Circuit half-open: the next call decides"
    return "Circuit closed"


def health_view(report: status.Report, points: list[status.Point]) -> HealthView:
    return HealthView(
        report.id, report.kind, report.name, report.status, report.summary, report.version, report.checked_at or "",
        report.circuit, circuit_words(report), report.last_failure, report.last_failure_at or "",
        [SparkPoint(p.at, p.ok, p.slow, p.down) for p in points],
    )  # fmt: skip


async def checked_after_save(kind: str, name: str) -> list:
    """Probe a household integration just saved, as the scheduler does (so its card and alerts agree with the
    test); the events that show the outcome."""
    outcome = await probes.probe_kind(kind)
    if outcome.status == probes.OK:
        told = rx.toast.success(f"{name} {outcome.version} connected." if outcome.version else f"{name} connected.")
    else:
        told = rx.toast.error(f"Saved, but: {status.words(outcome.status, outcome.latency_ms, outcome.error)}")
    return [IntegrationHealthState.reload, told]


class IntegrationHealthState(rx.State):
    cards: list[HealthView] = []
    testing: list[int] = []  # integrations being tested now

    _marker: str = ""
    _generation: int = 0

    @rx.var
    def plex_cards(self) -> list[HealthView]:
        return [c for c in self.cards if c.kind == IntegrationKind.PLEX]

    def _one(self, kind: str) -> HealthView:
        return next((c for c in self.cards if c.kind == kind), HealthView())

    @rx.var
    def seerr(self) -> HealthView:
        return self._one(IntegrationKind.OVERSEERR)

    @rx.var
    def tautulli(self) -> HealthView:
        return self._one(IntegrationKind.TAUTULLI)

    @rx.var
    def ai(self) -> HealthView:
        return self._one(IntegrationKind.OPENAI)

    async def _reload(self) -> None:
        reports, history, marker = await asyncio.gather(
            asyncio.to_thread(status.reports), asyncio.to_thread(status.history), asyncio.to_thread(status.marker)
        )
        self.cards = [health_view(r, history.get(r.id, [])) for r in reports]
        self._marker = marker

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        await asyncio.to_thread(probes.targets)  # every connected Plex server has its row (and card) from the start
        await self._reload()

    @rx.event
    @admin_only
    async def reload(self, actor: UserView) -> None:
        """After a card saved or removed its integration."""
        await self._reload()

    @rx.event(background=True)
    @admin_only
    async def test_now(self, actor: UserView, integration_id: int):  # noqa: ANN201 - an async generator of events
        target = await asyncio.to_thread(probes.target, int(integration_id))
        if target is None:
            yield rx.toast.error("That integration is not configured any more.")
            return
        async with self:
            self.testing = [*self.testing, target.integration_id]
        outcome = await probes.probe(target)
        async with self:
            self.testing = [i for i in self.testing if i != target.integration_id]
            await self._reload()
        words = status.words(outcome.status, outcome.latency_ms, outcome.error)
        yield (rx.toast.success if outcome.status == probes.OK else rx.toast.warning)(f"{target.name}: {words}")

    @rx.event(background=True)
    @admin_only
    async def test_all(self, actor: UserView):  # noqa: ANN201 - an async generator of events
        async with self:
            self.testing = [c.id for c in self.cards]
        found = await probes.probe_all()
        async with self:
            self.testing = []
            await self._reload()
        failing = [t.name for t, o in found if o.status in (probes.DOWN, probes.REJECTED)]
        yield rx.toast.warning(f"Not healthy: {', '.join(failing)}") if failing else rx.toast.success("Everything answers.")

    @rx.event
    @public
    def start_watching(self) -> rx.event.EventSpec:
        """on_mount: start this page's live refresh (`watch` is admin-guarded); a newer mount or an unmount ends it."""
        self._generation += 1
        return IntegrationHealthState.watch(self._generation)

    @rx.event
    @public
    def stop_watching(self) -> None:
        self._generation += 1

    @rx.event(background=True)
    @admin_only
    async def watch(self, actor: UserView, generation: int) -> None:
        """While the page is open, show what each scheduled probe found within seconds."""
        deadline = time.monotonic() + WATCH_MAX_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(WATCH_SECONDS)
            async with self:
                if generation != self._generation or self.router.url.path.rstrip("/") != routes.ADMIN_INTEGRATIONS:
                    return
                known = self._marker
            if await asyncio.to_thread(status.marker) == known:
                continue
            async with self:
                if await acting_user(self) is None:
                    return
                await self._reload()
