"""The reconcile log: a rotating file, owner-only (it names books, people and cells)."""

from __future__ import annotations

import os
from logging.handlers import RotatingFileHandler

from addin.outputs.atomic import FILE_MODE


class PrivateRotatingFileHandler(RotatingFileHandler):
    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.chmod(self.baseFilename, FILE_MODE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
