"""The AI provider the admin set up on Admin → Integrations: any OpenAI-compatible endpoint (OpenAI itself, or
Ollama, LM Studio, vLLM, llama.cpp's server), kept as the household's `openai` integration
(services.integrations.store: the key encrypted at rest, pages see it only masked). Its health probe is
services.integrations.ai_provider."""

from __future__ import annotations

from dataclasses import dataclass

from smartplex.models import IntegrationKind
from smartplex.services.ai.client import Provider
from smartplex.services.integrations import store
from smartplex.services.integrations.store import IntegrationError

DEFAULT_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class ProviderView:
    """The provider as the admin page shows it: the key only masked."""

    configured: bool = False
    base_url: str = ""
    model: str = ""
    key_mask: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    health_status: str = "unknown"
    last_error: str = ""
    circuit_state: str = "closed"


def current() -> Provider | None:
    """The configured provider with its key (for the client only), or None when no model is set up."""
    found = store.connection(IntegrationKind.OPENAI)
    if found is None or not found.settings.get("model"):
        return None
    return Provider(found.base_url, found.secret or "", str(found.settings["model"]), _timeout(found.settings.get("timeout_s")))


def view() -> ProviderView:
    found = store.get(IntegrationKind.OPENAI)
    if found is None:
        return ProviderView()
    return ProviderView(
        configured=bool(found.base_url and found.settings.get("model")),
        base_url=found.base_url,
        model=str(found.settings.get("model") or ""),
        key_mask=found.secret_mask,
        timeout_s=_timeout(found.settings.get("timeout_s")),
        health_status=found.health_status,
        last_error=found.last_error,
        circuit_state=found.circuit_state,
    )


def _timeout(value: object) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT_S
    return min(max(seconds, 1.0), MAX_TIMEOUT_S) if seconds == seconds else DEFAULT_TIMEOUT_S


def save(actor_id: int, *, base_url: str, model: str, api_key: str | None, timeout_s: float = DEFAULT_TIMEOUT_S) -> ProviderView:
    """Set up or change the provider (admins only). `api_key` None keeps the stored key, "" removes it (local
    servers need none). IntegrationError says what is wrong with a value."""
    url = store.normalize_base_url(base_url, "the AI provider", DEFAULT_URL, strip="/chat/completions")
    name = model.strip()
    if not name or len(name) > 128 or any(ch.isspace() for ch in name):
        raise IntegrationError("Enter the model's name, like gpt-4o-mini or llama3.1 (no spaces, at most 128 characters).")
    key = api_key.strip() if api_key is not None else None
    if key and (len(key) > 512 or any(ch.isspace() for ch in key)):
        raise IntegrationError("That does not look like an API key.")
    if not 1 <= timeout_s <= MAX_TIMEOUT_S:
        raise IntegrationError(f"Use a timeout between 1 and {MAX_TIMEOUT_S:.0f} seconds.")
    store.save(
        actor_id,
        IntegrationKind.OPENAI,
        base_url=url,
        secret=key,
        settings={"model": name, "timeout_s": float(timeout_s)},
    )
    return view()


def remove(actor_id: int) -> None:
    store.remove(actor_id, IntegrationKind.OPENAI)
