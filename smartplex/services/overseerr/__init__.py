"""Overseerr / Seerr: the HTTP client, the wire format read defensively, the gateway (connection and circuit
breaker), the mapping of people to Seerr users, posters, the webhook and the poll."""
