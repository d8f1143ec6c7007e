"""The demo company: realistic, deterministic data for people to try, and for tests and benchmarks."""

from addin.demo.generate import DemoCompany, PlantedError, generate

__all__ = ["DemoCompany", "PlantedError", "generate"]
