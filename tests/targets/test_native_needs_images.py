"""Native needs in real images: an OS package purged on B, named with its fix, and the
fix applied on B for real.

Image A is the suite's bookworm image with a venv holding a wheel whose extension
module (compiled here with gcc) needs libsqlite3.so.0, which Debian's libsqlite3-0
ships (only Python's own _sqlite3 needs it there; the interpreter starts without it).
Image B is A after `dpkg --purge --force-depends libsqlite3-0`, as a slimmed image is.
The finding must name libsqlite3.so.0 first with `apt-get install 'libsqlite3-0'` to
run on B; installing that package in B (its .deb downloaded by the host with `apt-get
download`: containers have no network) makes the import work.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import native_builders as nb
import pytest

import images
from support import run_cli

pytestmark = pytest.mark.docker

VENV = "/opt/venv"
IMPORT = "import needsdemo; print(needsdemo.answer())"
SONAME = "libsqlite3.so.0"


def _image(client: Any, name: str, dockerfile: str, files: Path | None) -> str:
    digest = hashlib.sha256(dockerfile.encode())
    for wheel in sorted(files.iterdir()) if files else []:
        digest.update(wheel.read_bytes())
    tag = f"driftcheck-test/{name}:{digest.hexdigest()[:12]}"
    if not images.image_exists(client, tag):
        with images._build_lock():
            if not images.image_exists(client, tag):
                images.build_dockerfile(client, tag, dockerfile, files)
    return tag


@pytest.fixture(scope="module")
def sqlite_images(docker_client: Any, bookworm_image: str, tmp_path_factory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("sqlite")
    library = Path(f"/usr/lib/x86_64-linux-gnu/{SONAME}")
    if not library.exists():
        pytest.skip(f"the host has no {SONAME} to link the test extension against")
    module = nb.extension(root / "build", library, text_from="sqlite3_libversion")
    wheels = root / "wheels"
    nb.wheel(wheels, module)
    a = _image(
        docker_client,
        "bookworm-needs-sqlite",
        f"FROM {bookworm_image}\nCOPY wheels/ /tmp/wheels/\n"
        f"RUN python3 -m venv {VENV} && {VENV}/bin/pip install -q --no-index --no-deps "
        "/tmp/wheels/*.whl && rm -rf /tmp/wheels\n",
        wheels,
    )
    b = _image(
        docker_client,
        "bookworm-sqlite-purged",
        f"FROM {a}\nRUN dpkg --purge --force-depends libsqlite3-0\n",
        None,
    )
    return a, b


def _run(image: str, *command: str, volume: Path | None = None) -> subprocess.CompletedProcess:
    mount = ["-v", f"{volume}:/debs:ro"] if volume else []
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", *mount, image, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_purged_os_package_is_named_first_and_its_fix_works_on_b(sqlite_images, tmp_path):
    a, b = sqlite_images
    version = _run(a, f"{VENV}/bin/python", "-c", IMPORT).stdout.strip()
    assert version.startswith("3.")
    failed = _run(b, f"{VENV}/bin/python", "-c", IMPORT)
    assert f"{SONAME}: cannot open shared object file" in failed.stderr
    for name, image in (("A", a), ("B", b)):
        result = run_cli("snapshot", "--image", image, "--python", f"{VENV}/bin/python",
                         "-o", str(tmp_path / f"{name}.json"))  # fmt: skip
        assert result.returncode == 0, result.stderr
    result = run_cli("diff", "A.json", "B.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    first = findings[0]
    assert (first["category"], first["subject"]) == ("native-libraries", SONAME)
    assert first["severity"] == "high"
    assert "missing on B.json" in first["explanation"]
    assert f"/x86_64-linux-gnu/{SONAME} from libsqlite3-0." in first["explanation"]
    # The purged package is the same cause, told once, in this finding's evidence.
    assert "OS package dpkg:libsqlite3-0:amd64 removed on B.json" in first["evidence"]
    assert not [f for f in findings if f["category"] == "os"]
    label_b = json.loads((tmp_path / "B.json").read_text())["label"]
    assert first["fix"] == {  # run on the machine B was taken from: named by its label
        "command": "apt-get install 'libsqlite3-0'",
        "advice": None,
        "on": label_b,
    }

    # The fix, applied on B for real: the package it names, installed with dpkg.
    debs = images.cache_dir() / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    if not list(debs.glob("libsqlite3-0_*.deb")):
        if shutil.which("apt-get") is None:
            pytest.skip("no apt-get on the host to download libsqlite3-0")
        subprocess.run(["apt-get", "download", "libsqlite3-0"], cwd=debs, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    fixed = _run(b, "sh", "-c", f"dpkg -i /debs/libsqlite3-0_*.deb >/dev/null && "
                 f"{VENV}/bin/python -c '{IMPORT}'", volume=debs)  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == version
