"""The `backoffice` command."""

from addin.cli.main import main

__all__ = ["main"]
