"""Dated parameters: "the value of X in force on date D", or a clear refusal naming the file."""

from addin.rulebook.book import DatedValue, Parameter, Rulebook, RuleNotInForce, UnknownRule
from addin.rulebook.loader import RULES_DIR, RulesFileError, load_rulebook, load_yaml_documents

__all__ = [
    "DatedValue",
    "Parameter",
    "RULES_DIR",
    "RuleNotInForce",
    "Rulebook",
    "RulesFileError",
    "UnknownRule",
    "load_rulebook",
    "load_yaml_documents",
]
