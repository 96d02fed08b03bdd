"""Every page's path, in one place: pages register under these, links and redirects point at them."""

HOME = "/"
HISTORY = "/history"
STATS = "/stats"
SEARCH = "/search"
PROFILE = "/profile"
CHAT = "/chat"
LOGIN = "/login"
SETUP = "/setup"
JOIN = "/join"
ONBOARDING = "/onboarding"
REQUESTS = "/requests"
NOTIFICATIONS = "/notifications"
NOTIFICATION_SETTINGS = "/notifications/settings"
ADMIN_PLEX = "/admin/plex"
ADMIN_MEMBERS = "/admin/members"
ADMIN_SYSTEM = "/admin/system"
ADMIN_INTEGRATIONS = "/admin/integrations"
ADMIN_REQUESTS = "/admin/requests"
ADMIN_AI = "/admin/ai"


def login_for(path: str) -> str:
    """The sign-in page, coming back to `path` afterwards (home needs no `next`)."""
    return LOGIN if path in (HOME, "") else f"{LOGIN}?next={path}"


def join_link(origin: str, invite_token: str) -> str:
    return f"{origin}{JOIN}?invite={invite_token}"
