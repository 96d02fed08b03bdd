"""Tautulli as an optional source of watch history: `client` speaks its API v2, `importer` turns its history into
watch events without counting a play twice."""
