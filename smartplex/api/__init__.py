"""SmartPlex's own HTTP routes, mounted in front of Reflex's through `api_transformer`."""

from smartplex.api.app import create_api

__all__ = ["create_api"]
