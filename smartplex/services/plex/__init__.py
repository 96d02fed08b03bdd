"""Everything that talks to a Plex Media Server: connect, sync, webhooks."""
