"""Atomic file writes: write to a temporary file beside the target, then rename.

A crash or an error halfway never leaves a half-written output, and the previous version stays
intact until the new one is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the caller that has a frame; `ivb run` does not need it
    import pandas as pd


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp_path)` and move the result onto `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes(target: Path, data: bytes) -> Path:
    return write_atomic(target, lambda p: p.write_bytes(data))


def write_text(target: Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


def write_parquet(frame: pd.DataFrame, target: Path) -> Path:
    return write_atomic(target, lambda p: frame.to_parquet(p, index=False))
