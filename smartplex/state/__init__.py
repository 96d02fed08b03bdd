"""Reflex state: one class per feature. Handlers call services; every privileged one checks the role."""
