"""The nightly unattended run: consistent copies, independent checks, change audit, backups, report."""
