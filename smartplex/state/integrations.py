"""Admin → Integrations: the outside services SmartPlex talks to, one card each. Overseerr / Seerr first: where it
is, its API key (kept encrypted, shown masked), a test, who each person is there, and its webhook."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex.models import IntegrationKind
from smartplex.services import preferences
from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import store
from smartplex.services.integrations import webhooks as integration_webhooks
from smartplex.services.overseerr import check, people, webhook
from smartplex.services.overseerr.client import OverseerrError
from smartplex.state.auth import admin_only
from smartplex.state.integration_health import IntegrationHealthState
from smartplex.state.urls import api_origin

KIND = IntegrationKind.OVERSEERR
NOT_LINKED = "0"


@dataclass(frozen=True)
class PersonLinkView:
    user_id: int = 0
    name: str = ""
    email: str = ""
    seerr_user_id: str = NOT_LINKED  # the picker's value
    how: str = ""  # "Matched by Plex account" | "Matched by email" | "Set by an admin" | ""


@dataclass(frozen=True)
class OptionView:
    value: str = ""
    label: str = ""


@dataclass(frozen=True)
class DeliveryView:
    received_at: str = ""
    event: str = ""
    status: str = ""
    reason: str = ""


HOW = {"plex": "Matched by Plex account", "email": "Matched by email", "admin": "Set by an admin"}


class IntegrationsState(rx.State):
    seerr_configured: bool = False
    seerr_url: str = ""
    seerr_key_mask: str = ""
    form_error: str = ""
    tested: bool = False
    reachable: bool = False
    authenticated: bool = False
    version: str = ""
    latency_ms: int = 0
    test_message: str = ""
    links: list[PersonLinkView] = []
    options: list[OptionView] = []
    webhook_url: str = ""
    webhook_auth_set: bool = False
    deliveries: list[DeliveryView] = []
    busy: bool = False

    async def _reload(self) -> None:
        view = await asyncio.to_thread(store.get, KIND)
        self.seerr_configured = view is not None and bool(view.secret_mask)
        self.seerr_url = view.base_url if view else ""
        self.seerr_key_mask = view.secret_mask if view else ""
        if not self.seerr_configured:
            self.links, self.options, self.webhook_url, self.deliveries = [], [], "", []
            return
        links, options, secret, auth_set, deliveries, public = await asyncio.gather(
            asyncio.to_thread(people.links),
            asyncio.to_thread(people.options),
            asyncio.to_thread(integration_webhooks.ensure_secret, KIND),
            asyncio.to_thread(integration_webhooks.has_authorization, KIND),
            asyncio.to_thread(webhook.recent_deliveries),
            asyncio.to_thread(preferences.public_url),
        )
        self.links = [PersonLinkView(p.user_id, p.name, p.email, str(p.seerr_user_id), HOW.get(p.how, "")) for p in links]
        self.options = [OptionView(NOT_LINKED, "Not linked"), *(OptionView(str(o.id), f"{o.name} · {o.email}" if o.email else o.name) for o in options)]
        self.webhook_url = f"{public or api_origin(self)}/api/webhooks/overseerr/{secret}"
        self.webhook_auth_set = auth_set
        self.deliveries = [DeliveryView(d.received_at, d.event, d.status, d.reason) for d in deliveries]

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.form_error, self.tested = "", False
        await self._reload()

    def _show(self, result: check.CheckResult) -> None:
        self.tested = True
        self.reachable, self.authenticated = result.reachable, result.authenticated
        self.version, self.latency_ms, self.test_message = result.version, result.latency_ms, result.message

    @rx.event
    @admin_only
    async def save_seerr(self, actor: UserView, form: dict) -> list | None:
        self.busy = True
        try:
            result = await asyncio.to_thread(check.connect, actor.id, str(form.get("url", "")), str(form.get("api_key", "")))
        except (store.IntegrationError, AuthError) as exc:
            self.busy, self.form_error = False, str(exc)
            return None
        self.form_error = ""
        self._show(result)
        if result.authenticated:
            try:
                await asyncio.to_thread(people.refresh, actor.id)
            except OverseerrError:
                pass  # the test said why; the poll tries again
        await self._reload()
        self.busy = False
        return [IntegrationHealthState.reload, *([rx.toast.success("Overseerr / Seerr connected.")] if result.authenticated else [])]

    @rx.event
    @admin_only
    async def test_seerr(self, actor: UserView) -> rx.event.EventHandler:
        self.busy = True
        self._show(await asyncio.to_thread(check.check, actor.id))
        await self._reload()
        self.busy = False
        return IntegrationHealthState.reload

    @rx.event
    @admin_only
    async def refresh_people(self, actor: UserView) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(people.refresh, actor.id)
        except OverseerrError as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success("Seerr's users read again; new matches linked.")

    @rx.event
    @admin_only
    async def link_person(self, actor: UserView, user_id: int, seerr_user_id: str) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(people.link, actor.id, int(user_id), int(seerr_user_id or 0))
        except (people.MappingError, ValueError) as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success("Link saved.")

    @rx.event
    @admin_only
    async def rotate_webhook(self, actor: UserView) -> rx.event.EventSpec:
        await asyncio.to_thread(integration_webhooks.rotate_secret, actor.id, KIND)
        await self._reload()
        return rx.toast.success("New webhook URL: paste it into Seerr's webhook settings.")

    @rx.event
    @admin_only
    async def save_webhook_auth(self, actor: UserView, form: dict) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(integration_webhooks.set_authorization, actor.id, KIND, str(form.get("authorization", "")))
        except store.IntegrationError as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success("Authorization header saved." if self.webhook_auth_set else "No Authorization header expected.")

    @rx.event
    @admin_only
    async def disconnect_seerr(self, actor: UserView) -> list:
        await asyncio.to_thread(store.remove, actor.id, KIND)
        self.tested = False
        await self._reload()
        return [IntegrationHealthState.reload, rx.toast.success("Overseerr / Seerr disconnected.")]
