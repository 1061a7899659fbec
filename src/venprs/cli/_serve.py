"""CLI command(s): serve (placeholder: filled in by its issue)."""

from __future__ import annotations


def register(app) -> None:
    """Add this module's commands to the Typer app."""
    return None
