"""--update-baseline never overwrites a lockfile or an SBOM, whatever its name."""

from __future__ import annotations

from pathlib import Path

from driftcheck.snapshot import files as snapshot_files

from support import assert_one_line_error, run_cli, small_snapshot


def test_an_sbom_or_a_lock_named_like_a_snapshot_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    snapshot_files.save(small_snapshot(), target)
    sbom = tmp_path / "baseline.json"
    exported = run_cli("export", str(target), "--format", "cyclonedx", "-o", str(sbom))
    assert exported.returncode == 0, exported.stderr
    before = sbom.read_bytes()
    result = run_cli("check", "--baseline", str(sbom), "--target", str(target), "--update-baseline")
    assert "is an SBOM: driftcheck does not rewrite it" in assert_one_line_error(result, 2)
    assert sbom.read_bytes() == before

    lock = tmp_path / "deps.toml"  # a PEP 751 lock under another name, known by its content
    lock.write_text('lock-version = "1.0"\ncreated-by = "hand"\n')
    result = run_cli("check", "--baseline", str(lock), "--target", str(target), "--update-baseline")
    assert "is a lockfile" in assert_one_line_error(result, 2)
    assert lock.read_text().startswith('lock-version = "1.0"')
