"""Qualified invoices (適格請求書): billing periods, drafts, documents and their settings (pure, no I/O)."""
