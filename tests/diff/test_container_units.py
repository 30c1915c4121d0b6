"""Container rules (and fix shapes) on edited snapshots: what no real pair here can show."""

from __future__ import annotations

from dataclasses import replace

from driftcheck.diff.engine import compare
from driftcheck.diff.model import Fix, Severity
from driftcheck.snapshot.model import ContainerInfo

from support import small_snapshot

IMAGE = ContainerInfo(
    image="registry.example/app:1",
    image_id="sha256:" + "a" * 64,
    platform="linux/amd64",
    repo_digests=("registry.example/app@sha256:" + "1" * 64,),
    user="app",
)


def _container(**fields):
    return replace(small_snapshot(), container=replace(IMAGE, **fields))


def test_a_host_against_a_container_is_context_not_drift():
    report = compare(small_snapshot(), _container(), left_label="A", right_label="B")
    [finding] = [f for f in report.findings if f.category == "container"]
    assert finding.severity == Severity.INFO
    assert finding.explanation.startswith("Only B runs in a container (image registry.example")


def test_the_same_image_under_another_registry_digest_is_info():
    report = compare(
        _container(),
        _container(image="mirror.example/app:1", repo_digests=("mirror.example/app@sha256:2",)),
    )
    [finding] = report.findings
    assert (finding.subject, finding.severity) == ("image", Severity.INFO)
    assert finding.fix is None


def test_a_moved_tag_is_low_with_both_digests_and_a_fix_by_digest():
    report = compare(
        _container(),
        _container(image_id="sha256:" + "b" * 64, platform="linux/arm64"),
        left_label="A",
        right_label="B",
    )
    [finding] = report.findings
    assert (finding.subject, finding.severity) == ("image", Severity.LOW)
    assert finding.explanation == (
        "The image registry.example/app:1 is sha256:aaaaaaaaaaaa on A but sha256:bbbbbbbbbbbb "
        "on B: the tag was rebuilt or moved, so the files inside can differ, built for "
        "linux/amd64 and linux/arm64."
    )
    assert finding.fix is not None and finding.fix.command is None
    assert finding.fix.advice == (
        "run B from registry.example/app@sha256:" + "1" * 64 + ", the image A runs, by digest"
    )


def test_no_user_means_root():
    report = compare(_container(user=None), _container(user="1000"), left_label="A")
    [finding] = report.findings
    assert finding.explanation.startswith("The container runs as root (the image sets no user)")
    assert finding.severity == Severity.MEDIUM


def test_a_variable_name_that_is_no_shell_name_gets_advice_not_a_command():
    """Names come from the target: `unset a;rm -rf ~` must never be offered to paste."""
    left = small_snapshot()
    right = replace(left, environment={**left.environment, "a;rm -rf ~": "1", "MODE": "x"})
    report = compare(left, right, left_label="A", right_label="B")
    fixes = {f.subject: f.fix for f in report.findings if f.category == "environment"}
    assert fixes["a;rm -rf ~"] == Fix.advise("unset a;rm -rf ~ on B")
    assert fixes["MODE"] == Fix.run("unset MODE", on="B")


def test_a_redacted_variable_set_on_one_side_only_is_unset_there():
    """A has no value to copy: the fix is to unset it on B, redacted or not."""
    left = small_snapshot()
    marker = {"redacted": True, "rule": "name:password", "fingerprint": None, "preview": None}
    right = replace(left, environment={**left.environment, "DB_PASSWORD": marker})
    report = compare(left, right, left_label="A", right_label="B")
    [fix] = [f.fix for f in report.findings if f.subject == "DB_PASSWORD"]
    assert fix == Fix.run("unset DB_PASSWORD", on="B")


def test_an_install_by_another_tool_gets_the_command_and_a_word_of_advice():
    left = small_snapshot()
    six = replace(left.distributions[0], version="1.17.0", installer="poetry")
    right = replace(left, distributions=(six,))
    findings = compare(left, right).findings
    [finding] = [f for f in findings if f.subject == "six" and f.right == "1.17.0"]
    assert finding.fix is not None
    assert finding.fix.command == "pip install 'six==1.16.0'"
    assert finding.fix.advice is not None and finding.fix.advice.startswith("poetry installed it")


LAYERS = tuple(f"sha256:{digit * 64}" for digit in "123")


def test_a_copy_with_a_rewritten_config_but_the_same_layers_is_the_same_files():
    """skopeo, crane and buildah copies rewrite the config: another image ID, same files."""
    report = compare(
        _container(diff_ids=LAYERS, created="2026-01-01T00:00:00Z", layers=3),
        _container(image_id="sha256:" + "b" * 64, diff_ids=LAYERS, history_entries=3, layers=3),
        left_label="A",
        right_label="B",
    )
    [finding] = report.findings
    assert (finding.subject, finding.severity) == ("image", Severity.INFO)
    assert finding.explanation.startswith(
        "A and B hold the same files (the same 3 layers, by diff_id) under other config "
        "digests (sha256:aaaaaaaaaaaa and sha256:bbbbbbbbbbbb)"
    )
    assert "rebuilt" not in finding.explanation and finding.fix is None


def test_a_rebuilt_tag_still_says_so_and_counts_the_shared_base_layers():
    report = compare(
        _container(diff_ids=LAYERS),
        _container(image_id="sha256:" + "b" * 64, diff_ids=(*LAYERS[:2], "sha256:" + "9" * 64)),
    )
    [finding] = report.findings
    assert finding.severity == Severity.LOW and "the tag was rebuilt" in finding.explanation
    assert "the bottom 2 layers of 3 and 3 are the same files (a common base)" in finding.evidence


def test_another_working_directory_is_low_and_medium_when_the_command_uses_it():
    plain = compare(
        _container(working_dir="/app"),
        _container(working_dir=None),
        left_label="A",
        right_label="B",
    )
    [finding] = plain.findings
    assert (finding.subject, finding.severity) == ("working directory", Severity.LOW)
    assert finding.explanation.startswith(
        "The container starts in /app on A but in / (the image sets none) on B:"
    )
    assert finding.fix is not None and "WORKDIR" in (finding.fix.advice or "")
    module = compare(
        _container(working_dir="/srv/app", command=("python3", "-m", "app")),
        _container(working_dir="/app", command=("python3", "-m", "app")),
    )
    [finding] = module.findings
    assert (finding.subject, finding.severity) == ("working directory", Severity.MEDIUM)
