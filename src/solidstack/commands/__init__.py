"""CLI command modules. Each module here defines ``register(app: typer.Typer) -> None`` and is picked up by
:mod:`solidstack.cli`; commands stay thin shells over the Python API."""
