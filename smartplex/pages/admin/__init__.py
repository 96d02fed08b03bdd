"""Admin-only pages; each is guarded on load and each handler checks the role again."""
