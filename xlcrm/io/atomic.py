"""Outputs are written to a temporary file beside the target and moved into place, so a
failed or interrupted run never leaves half a file, and an old file survives a failure."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..core.errors import XlcrmError


def refuse_inputs(targets: Iterable[Path], inputs: Iterable[Path | None]) -> None:
    """No output may land on an input (the same file by any path, link or name): checked for
    every output before the first is written."""
    sources = [Path(p) for p in inputs if p is not None and Path(p).exists()]
    for target in map(Path, targets):
        if not target.exists():
            continue
        for source in sources:
            if os.path.samefile(target, source):
                raise XlcrmError(
                    f"输出文件 {target} 就是输入文件 {source.name}；xlcrm 从不改写输入文件，"
                    "请换一个输出文件名或输出文件夹"
                )


@contextlib.contextmanager
def atomic_output(target: Path, *, inputs: Iterable[Path | None] = ()) -> Iterator[Path]:
    """Yields a temporary path to write; on success it replaces `target` in one step."""
    target = Path(target)
    refuse_inputs([target], inputs)
    if target.is_dir():
        raise XlcrmError(f"输出位置 {target} 是一个文件夹，不是文件；请给出文件名")
    output_folder(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _unwritable(target.parent, exc) from None
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


def output_folder(folder: Path) -> Path:
    """The folder outputs go to, made when missing; a clear message when it cannot be."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    return Path(folder)


def _unwritable(folder: Path, exc: OSError) -> XlcrmError:
    return XlcrmError(
        f"无法在文件夹 {folder} 中写入（{_reason(exc)}）；请换一个有写权限的输出位置，如“文档”或“桌面”"
    )


def _reason(exc: OSError) -> str:
    """The system's reason in Chinese for the usual cases."""
    if isinstance(exc, PermissionError):
        return "没有写权限"
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "路径中有同名的文件"
    if isinstance(exc, FileNotFoundError):
        return "路径不存在，也无法创建"
    if exc.errno == errno.ENOSPC:
        return "磁盘已满"
    if exc.errno == errno.EROFS:
        return "只读的磁盘"
    return exc.strerror or type(exc).__name__


def _permissions_like(target: Path, tmp: Path) -> None:
    """mkstemp makes owner-only files: take the old file's mode, else what a new file gets."""
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
