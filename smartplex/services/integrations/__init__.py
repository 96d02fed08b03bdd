"""The outside services SmartPlex talks to (Plex servers, Overseerr / Seerr, Tautulli, an OpenAI-compatible
model): their stored configuration, health and circuit breaker, one `integration` row each."""
