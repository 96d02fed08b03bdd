"""SmartPlex: a self-hosted companion app for a Plex Media Server and its people."""

__version__ = "0.1.0"
