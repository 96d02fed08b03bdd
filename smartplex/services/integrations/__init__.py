"""The outside services SmartPlex talks to (Plex servers, Overseerr / Seerr, Tautulli, an OpenAI-compatible
model), one `integration` row each: `store` keeps the household ones' configuration (secrets encrypted), `breaker`
the circuit every call counts into, `webhooks` the secrets of webhooks they send us, `ai_provider` the AI
endpoint's settings and check, `probes` the scheduled health probes and their alerts, `status` what the probes
found, as pages, the test API and /api/health show it."""
