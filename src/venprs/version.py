"""The venprs version (one place; ``pyproject.toml`` holds the same number for packaging)."""

__version__ = "0.1.0"
