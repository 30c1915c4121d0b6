"""The explainers, in the order they claim changes (most specific first).

Dependencies run first and claim nothing (their findings can exist without a
change). Environment variables come before the runtime and the platform
before the runtime, because each explains interpreter fields it causes
(PYTHONPATH → sys.path; the architecture → the extension suffix). Package
versions come before install details, so a new release claims the metadata it
brought and only same-version differences reach the install rules.
"""

from __future__ import annotations

from driftcheck.diff.explainers.container import ContainerExplainer
from driftcheck.diff.explainers.dependencies import DependenciesExplainer
from driftcheck.diff.explainers.environment import EnvironmentExplainer
from driftcheck.diff.explainers.import_origins import ImportOriginsExplainer
from driftcheck.diff.explainers.installs import InstallsExplainer
from driftcheck.diff.explainers.interface import Explainer
from driftcheck.diff.explainers.interpreter_details import InterpreterDetailsExplainer
from driftcheck.diff.explainers.locations import LocationsExplainer
from driftcheck.diff.explainers.native_libraries import NativeLibrariesExplainer
from driftcheck.diff.explainers.native_needs import NativeNeedsExplainer
from driftcheck.diff.explainers.os_packages import OsPackagesExplainer
from driftcheck.diff.explainers.packages import PackagesExplainer
from driftcheck.diff.explainers.platform import PlatformExplainer
from driftcheck.diff.explainers.python_runtime import PythonRuntimeExplainer
from driftcheck.diff.explainers.shadowing import ShadowingExplainer
from driftcheck.diff.explainers.start_up_blockers import StartUpBlockersExplainer
from driftcheck.diff.explainers.startup_hooks import StartupHooksExplainer
from driftcheck.diff.explainers.startup_site import StartupSiteExplainer

EXPLAINERS: list[type[Explainer]] = [
    DependenciesExplainer,
    EnvironmentExplainer,
    PlatformExplainer,
    StartUpBlockersExplainer,
    PythonRuntimeExplainer,
    InterpreterDetailsExplainer,
    StartupSiteExplainer,  # before the package rules: it groups the packages it explains
    PackagesExplainer,
    InstallsExplainer,
    LocationsExplainer,
    ShadowingExplainer,
    NativeNeedsExplainer,
    ImportOriginsExplainer,
    StartupHooksExplainer,
    OsPackagesExplainer,
    NativeLibrariesExplainer,
    ContainerExplainer,
]
