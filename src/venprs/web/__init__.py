"""The web calculator and HTTP API (``venprs serve``): see :mod:`venprs.web.app`."""

from .app import create_app

__all__ = ["create_app"]
