"""Package layout that pyproject.toml alone cannot say: the repo's `rules/` and `workbooks/templates/`
stay where people edit them, and ship inside the package as `addin.rules` / `addin.templates`
(read through addin/resources.py with importlib.resources). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["addin", "addin.*"]) + ["addin.rules", "addin.templates"],
    package_dir={"addin.rules": "rules", "addin.templates": "workbooks/templates"},
    package_data={
        "addin.rules": ["*.yaml", "**/*.yaml", "**/*.csv", "**/*.md"],
        "addin.templates": ["*.xlsx"],
        "addin.excel": ["backoffice.xlam", "addin_src/*"],
    },
)
