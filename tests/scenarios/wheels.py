"""The wheels every scenario pair installs from, downloaded once into the test cache.

cp311 manylinux wheels where a package is compiled (numpy, pandas, MarkupSafe, PyYAML,
charset-normalizer); pure wheels otherwise, so that the 3.13 sides can use them too.
"""

from __future__ import annotations

from pathlib import Path

from support import wheelhouse

SCENARIO_WHEELS: tuple[str, ...] = (
    "numpy==1.23.5",
    "numpy==1.26.4",
    "numpy==2.1.0",
    "pandas==2.0.3",
    "python-dateutil==2.9.0.post0",
    "pytz==2024.1",
    "tzdata==2024.1",
    "six==1.16.0",
    "six==1.17.0",
    "urllib3==1.26.18",
    "urllib3==2.2.2",
    "requests==2.32.3",
    "idna==3.7",
    "idna==3.10",
    "certifi==2024.7.4",
    "certifi==2024.8.30",
    "charset-normalizer==3.3.2",
    "packaging==21.3",
    "packaging==24.1",
    "pyparsing==3.1.2",
    "attrs==21.2.0",
    "attrs==23.2.0",
    "typing_extensions==4.1.1",
    "typing_extensions==4.12.2",
    "Jinja2==3.0.3",
    "Jinja2==3.1.4",
    "MarkupSafe==2.1.5",
    "PyYAML==6.0.2",
    "PySocks==1.7.1",
    "importlib-metadata==4.13.0",
    "importlib-metadata==8.5.0",
    "zipp==3.20.2",
    "threadpoolctl==3.5.0",
    "pytest==8.3.3",
    "iniconfig==2.0.0",
    "pluggy==1.5.0",
    "colorama==0.4.6",
)


def scenario_wheels() -> Path:
    """The folder holding SCENARIO_WHEELS (downloaded on first use, then reused)."""
    return wheelhouse("scenario-wheels", SCENARIO_WHEELS)
