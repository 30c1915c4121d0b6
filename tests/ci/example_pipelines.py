"""Reading the example pipelines: their YAML, their shell steps, their driftcheck commands."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import typer
import yaml

from driftcheck.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GITLAB = EXAMPLES / "gitlab-ci.yml"
GITHUB = EXAMPLES / "github-actions.yml"


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


def github_triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), triggers
    return triggers


def driftcheck_invocations(script: str) -> list[list[str]]:
    """The argument lists of every `driftcheck` command (or `python3 driftcheck.pyz`)
    in a shell script."""
    words = shlex.split(script.replace("\\\n", " "), comments=True)
    found: list[list[str]] = []
    for index, word in enumerate(words):
        if word.endswith(("/driftcheck", ".pyz")) or word in {"driftcheck", "$DRIFTCHECK_PYZ"}:
            rest = words[index + 1 :]
            end = next((i for i, w in enumerate(rest) if w in {"&&", "||", ";", "|"}), len(rest))
            if rest[:1] and re.fullmatch(r"[a-z]+", rest[0]):  # a subcommand, not a path
                found.append(rest[:end])
    return found


def gitlab_scripts(pipeline: dict[str, Any]) -> dict[str, str]:
    """Each job's shell lines (before_script, script), `extends` resolved one level deep."""
    out: dict[str, str] = {}
    for name, job in pipeline.items():
        if not isinstance(job, dict) or name.startswith(".") or name == "variables":
            continue
        merged = {**pipeline.get(job.get("extends", ""), {}), **job}
        lines = [*merged.get("before_script", []), *merged.get("script", [])]
        out[name] = "\n".join(lines)
    return out


@cache
def check_options() -> frozenset[str]:
    """The options `driftcheck check` accepts, from the CLI itself."""
    command = typer.main.get_command(app)
    check = command.commands["check"]  # type: ignore[attr-defined]
    return frozenset(opt for param in check.params for opt in param.opts)
