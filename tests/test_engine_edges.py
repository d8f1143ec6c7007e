"""Edges the type checker found in the pure engines: each was a silent wrong value before."""

from __future__ import annotations

import pytest

from addin.receivables.statement import StatementError
from addin.receivables.zengin import parse_zengin
from addin.yearend.declarations import relative_of


def test_a_zengin_file_of_only_an_end_record_is_refused_not_an_empty_statement():
    # before: parse_zengin returned None and the import failed later without a location
    with pytest.raises(StatementError) as raised:
        parse_zengin(b"9" + b" " * 199 + b"\r\n")
    assert raised.value.code == "no_header"


def test_a_relative_without_a_birth_date_is_refused_with_the_name():
    with pytest.raises(ValueError, match="山田 花子"):
        relative_of({"name": "山田 花子", "relationship": "child", "birth_date": None})
