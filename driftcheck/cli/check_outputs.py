"""Where a check's result goes besides the terminal: report files and GitHub Actions."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from driftcheck.errors import OutputError, UsageError
from driftcheck.gate.baseline import repository_path
from driftcheck.gate.verdict import CheckResult
from driftcheck.regular_files import NotReadError, open_for_append
from driftcheck.render.formats import check_renderer
from driftcheck.snapshot.files import write_atomic
from driftcheck.snapshot.streams import writes_through

SUMMARY_LIMIT = 1024 * 1024  # what GitHub accepts per step summary
#: `-` for a report's FILE: standard output; the text report then goes to stderr.
STDOUT = Path("-")


@dataclass(frozen=True)
class ReportFiles:
    """The report files one check writes, by the option that asked for each."""

    junit: Path | None = None
    markdown: Path | None = None
    json: Path | None = None
    codequality: Path | None = None

    def requested(self) -> list[tuple[str, Path]]:
        pairs = [
            ("--junit", self.junit),
            ("--markdown", self.markdown),
            ("--json", self.json),
            ("--codequality", self.codequality),
        ]
        return [(option, path) for option, path in pairs if path is not None]

    def to_stdout(self) -> str | None:
        """The option whose report goes to standard output (FILE is `-`), if any."""
        return next((option for option, path in self.requested() if path == STDOUT), None)

    def verify(self, baseline: Path) -> None:
        """Before any probe runs: every folder exists, no file is asked for twice, and at
        most one report goes to standard output."""
        on_stdout = [option for option, path in self.requested() if path == STDOUT]
        if len(on_stdout) > 1:
            raise UsageError(
                f"{' and '.join(on_stdout)} {'both' if len(on_stdout) == 2 else 'all'} ask "
                "for standard output (-): one stream at a time; write the others to files"
            )
        seen: dict[Path, str] = {}
        for option, path in self.requested():
            if path == STDOUT:
                continue
            resolved = path.resolve()
            if resolved == baseline.resolve():
                raise UsageError(f"{option} {path} is the baseline; write the report elsewhere")
            if resolved in seen and not writes_through(path):  # two reports into /dev/null
                raise UsageError(f"{seen[resolved]} and {option} both write {path}; pick two files")
            seen[resolved] = option
            if path.parent.exists() and not path.parent.is_dir():
                raise OutputError(
                    f"cannot write {option} {path}: {path.parent} is not a folder; "
                    "choose another path"
                )

    def write(self, result: CheckResult, baseline: Path) -> list[Path]:
        location = repository_path(baseline) or baseline.name
        written = []
        for option, path in self.requested():
            text = check_renderer(option, location=location)(result)
            if path == STDOUT:
                sys.stdout.write(text)
                sys.stdout.flush()
                continue
            # Like --update-baseline, check makes the folders it writes into: a CI job's
            # workspace is fresh (reports/junit.xml); interactive -o options refuse a
            # missing folder instead (a typo there would scatter files).
            write_atomic(path, text, option=option, create_folder=True)
            written.append(path)
        return written


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def github_annotations(result: CheckResult, baseline: Path) -> str:
    from driftcheck.render.github import annotation_lines

    return annotation_lines(result, file=repository_path(baseline))


def append_step_summary(result: CheckResult) -> str | None:
    """Appends the Markdown report to $GITHUB_STEP_SUMMARY; a warning when that fails."""
    from driftcheck.render.check_report import check_markdown

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    text = check_markdown(result)
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        cut = text.encode("utf-8")[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        text = cut[: cut.rfind("\n") + 1] + "\n*(report cut to fit the job summary)*\n"
    try:  # a FIFO with no reader fails at once rather than holding the job
        with os.fdopen(open_for_append(Path(target)), "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except NotReadError as exc:
        return f"cannot append to $GITHUB_STEP_SUMMARY ({exc}); no job summary"
    except OSError as exc:
        return f"cannot append to $GITHUB_STEP_SUMMARY ({exc.strerror or exc}); no job summary"
    return None


def warn(message: str) -> None:
    """A warning quotes a baseline or a policy: no secret and no terminal escape gets through."""
    from driftcheck.redaction.rules import scrub_text
    from driftcheck.terminal import visible

    print(f"driftcheck: warning: {visible(scrub_text(message)[0])}", file=sys.stderr)
