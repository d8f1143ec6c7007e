"""The embedded SQLite store (.backoffice/state.db): the source of truth for what was issued and run."""

from addin.state.register import InvoiceRegister, RegisterProblem

__all__ = ["InvoiceRegister", "RegisterProblem"]
