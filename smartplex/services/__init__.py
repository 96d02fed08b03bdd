"""The domain. Plain Python callable from tests, the CLI, the scheduler and routes; no Reflex imports."""
