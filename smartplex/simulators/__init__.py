"""Real HTTP servers that speak Plex's, plex.tv's, Overseerr's and OpenAI's wire formats on 127.0.0.1.

Used by tests, benchmarks and the demo; application code never imports them.
"""
