"""Telling people what happened, in the app and outside it.

- `kinds`: what a notification can be about; each person can switch each kind off (`switches`).
- `centre`: the rows (written by the features that have news, in their own transaction), read newest first by
  the bell of every open page (state/live.py) and the notifications page, marked read.
- `channels`: each person's Apprise URLs (encrypted, shown masked) and which kinds go where; `outbox` holds the
  deliveries a `worker` sends off the request path, with retries, recording each outcome.
- `digest`: the daily "new in your genres"; `alerts` and `watchdog`: the admins' alerts, once per change.
"""

from smartplex.services.notifications.centre import (
    ItemRef,
    Marker,
    NotificationPage,
    NotificationView,
    add,
    add_for_admins,
    mark,
    mark_all_read,
    marker,
    notify,
    page,
    recent,
)

__all__ = [
    "ItemRef",
    "Marker",
    "NotificationPage",
    "NotificationView",
    "add",
    "add_for_admins",
    "mark",
    "mark_all_read",
    "marker",
    "notify",
    "page",
    "recent",
]
