"""Notification settings: which kinds a person gets at all, where they go outside the app (Apprise URLs, masked; which
kinds go where; "Send test"), what the latest deliveries did; and, for admins, the limits of their alerts."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.notifications import channels, kinds, outbox, switches, watchdog, worker
from smartplex.state.auth import admin_only, member_only

TEST_POLL_SECONDS = 0.3
STATUS_LABELS = {"sent": "Sent", "retrying": "Will retry", "failed": "Failed", "pending": "Sending"}


@dataclass(frozen=True)
class SwitchView:
    kind: str = ""
    label: str = ""
    about: str = ""
    admin: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class KindOption:
    kind: str = ""
    label: str = ""


@dataclass(frozen=True)
class ChannelRowView:
    id: int = 0
    label: str = ""
    service: str = ""
    masked: str = ""
    kinds: list[str] = field(default_factory=list)
    last_sent_at: str = ""
    last_error: str = ""
    last_error_at: str = ""


@dataclass(frozen=True)
class DeliveryRowView:
    id: int = 0
    channel_label: str = ""
    title: str = ""
    status: str = ""
    status_label: str = ""
    attempts: int = 0
    error: str = ""
    created_at: str = ""
    next_attempt_at: str = ""


def _channel(c: channels.ChannelView) -> ChannelRowView:
    return ChannelRowView(c.id, c.label, c.service, c.masked, c.kinds, c.last_sent_at or "", c.last_error, c.last_error_at or "")


def _delivery(d: outbox.DeliveryView) -> DeliveryRowView:
    return DeliveryRowView(d.id, d.channel_label, d.title, d.status, STATUS_LABELS.get(d.status, d.status), d.attempts, d.error,
                           d.created_at, d.next_attempt_at or "")  # fmt: skip


class NotificationSettingsState(rx.State):
    switches: list[SwitchView] = []
    kind_options: list[KindOption] = []
    channels: list[ChannelRowView] = []
    deliveries: list[DeliveryRowView] = []
    add_error: str = ""
    adding: bool = False
    testing_channel: int = 0  # the destination a test is on its way to
    test_channel: int = 0  # the destination the last test result is about
    test_ok: bool = False
    test_result: str = ""
    webhook_hours: str = ""
    database_mb: str = ""
    disk_percent: str = ""
    limits_error: str = ""

    async def _reload(self, actor: UserView) -> None:
        on, mine, recent = await asyncio.gather(
            asyncio.to_thread(switches.current, actor.id, actor.is_admin),
            asyncio.to_thread(channels.mine, actor.id),
            asyncio.to_thread(outbox.recent, actor.id),
        )
        shown = kinds.for_role(actor.is_admin)
        self.switches = [SwitchView(k.key, k.label, k.about, k.admin, on[k.key]) for k in shown]
        self.kind_options = [KindOption(k.key, k.label) for k in shown]
        self.channels = [_channel(c) for c in mine]
        self.deliveries = [_delivery(d) for d in recent]

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        self.add_error, self.test_result, self.limits_error = "", "", ""
        await self._reload(actor)
        if actor.is_admin:
            chosen = await asyncio.to_thread(watchdog.limits)
            self.webhook_hours = str(chosen.webhook_silence_hours or "")
            self.database_mb = str(chosen.database_mb or "")
            self.disk_percent = str(chosen.disk_free_percent or "")

    @rx.event
    @member_only
    async def set_switch(self, actor: UserView, kind: str, enabled: bool) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(switches.set_enabled, actor.id, actor.is_admin, str(kind), bool(enabled))
        except switches.SwitchError as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return None

    @rx.event
    @member_only
    async def add_channel(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        self.adding = True
        try:
            added = await asyncio.to_thread(channels.add, actor.id, actor.is_admin, str(form.get("url", "")), str(form.get("label", "")))
        except channels.ChannelError as exc:
            self.add_error, self.adding = str(exc), False
            return None
        self.add_error, self.adding = "", False
        await self._reload(actor)
        return rx.toast.success(f"{added.label} added. Send a test to see that it arrives.")

    @rx.event
    @member_only
    async def set_channel_kind(self, actor: UserView, channel_id: int, kind: str, on: bool) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(channels.set_kind, actor.id, actor.is_admin, int(channel_id), str(kind), bool(on))
        except channels.ChannelError as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return None

    @rx.event
    @member_only
    async def remove_channel(self, actor: UserView, channel_id: int) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(channels.remove, actor.id, int(channel_id))
        except channels.ChannelError as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success("Destination removed.")

    @rx.event(background=True)
    @member_only
    async def send_test(self, actor: UserView, channel_id: int):  # noqa: ANN201 - an async generator of events
        """Queue a test message to the destination and show how it went, within the delivery deadline."""
        delivery_id = await asyncio.to_thread(outbox.enqueue_test, actor.id, int(channel_id))
        if delivery_id is None:
            yield rx.toast.error("That destination does not exist (any more).")
            return
        async with self:
            self.testing_channel, self.test_channel, self.test_result = int(channel_id), int(channel_id), ""
        if worker.running():
            worker.wake()
        else:  # no worker in this process (SMARTPLEX_NOTIFICATION_WORKER=0): send it here
            await outbox.process_due(owner="settings-page")
        deadline = time.monotonic() + outbox.DEADLINE_SECONDS + 5
        result = None
        while time.monotonic() < deadline:
            result = await asyncio.to_thread(outbox.one, actor.id, delivery_id)
            if result is None or result.status in (outbox.SENT, outbox.FAILED):
                break
            await asyncio.sleep(TEST_POLL_SECONDS)
        sent = result is not None and result.status == outbox.SENT
        words = "Sent: check that it arrived." if sent else f"Not sent: {result.error if result else 'the destination was removed'}"
        async with self:
            self.testing_channel, self.test_ok, self.test_result = 0, sent, words
            await self._reload(actor)
        yield rx.toast.success("Test sent.") if sent else rx.toast.error("The test was not delivered.")

    @rx.event
    @admin_only
    async def save_limits(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            chosen = await asyncio.to_thread(
                watchdog.save_limits, actor.id, form.get("webhook_hours"), form.get("database_mb"), form.get("disk_percent")
            )
        except watchdog.LimitError as exc:
            self.limits_error = str(exc)
            return None
        self.limits_error = ""
        self.webhook_hours = str(chosen.webhook_silence_hours or "")
        self.database_mb = str(chosen.database_mb or "")
        self.disk_percent = str(chosen.disk_free_percent or "")
        return rx.toast.success("Alert limits saved.")
