"""Outputs are written to a temporary file beside the target and moved into place, so a
failed or interrupted run never leaves half a file, and an old file survives a failure."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import XlcrmError


@contextlib.contextmanager
def atomic_output(target: Path, *, inputs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yields a temporary path to write; on success it replaces `target` in one step."""
    target = Path(target)
    for source in inputs:
        if (
            source is not None
            and Path(source).exists()
            and target.exists()
            and target.resolve() == Path(source).resolve()
        ):
            raise XlcrmError(
                f"输出文件 {target.name} 与输入文件相同；xlcrm 从不改写输入文件，请换一个输出文件名"
            )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise XlcrmError(f"无法创建输出文件夹 {target.parent}（{exc.strerror}）") from None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _permissions_like(target, tmp_path)
        try:
            os.replace(tmp_path, target)
        except PermissionError:
            raise XlcrmError(
                f"无法写入 {target}：文件正被其他程序（如 Excel 或 WPS）打开或没有写权限。"
                "请先关闭该文件再运行；原文件保持不变"
            ) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _permissions_like(target: Path, tmp: Path) -> None:
    """mkstemp makes owner-only files: take the old file's mode, else what a new file gets."""
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
