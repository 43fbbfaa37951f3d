"""A minimal writer of [MS-CFB] Compound File Binary files (version 3, 512-byte sectors).

`build_compound_file({"VBA/dir": b"...", "PROJECT": b"..."})` returns the bytes of a compound
file whose storages are implied by the '/'-separated stream paths. The output is deterministic:
CLSIDs, state bits and timestamps are zero and the layout depends only on the names and data
(not on the order of the mapping)."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR_SIZE = 512  # [MS-CFB] 2.2: version 3 sector shift 9
MINI_SECTOR_SIZE = 64  # [MS-CFB] 2.2: mini sector shift 6
MINI_STREAM_CUTOFF = 4096  # [MS-CFB] 2.2: smaller streams live in the mini stream
ENTRIES_PER_SECTOR = SECTOR_SIZE // 4
DIR_ENTRY_SIZE = 128
HEADER_DIFAT_SLOTS = 109

# [MS-CFB] 2.1: special sector numbers
DIFSECT = 0xFFFFFFFC
FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

# [MS-CFB] 2.6.1: object types and colours
UNALLOCATED, STORAGE, STREAM, ROOT_STORAGE = 0x00, 0x01, 0x02, 0x05
BLACK = 0x01

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
FORBIDDEN_NAME_CHARS = set("/\\:!")


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[tuple[int, tuple[int, ...]], _Entry] = field(default_factory=dict)  # by [MS-CFB] 2.6.4 key
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def build_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """The compound file holding `streams`, keyed by '/'-separated paths below the root storage."""
    root = _tree(streams)
    entries = _flatten(root)
    sectors: list[bytes] = []
    fat: list[int] = []
    mini_fat = _padded(_place_streams(entries, sectors, fat), ENTRIES_PER_SECTOR)
    mini_fat_start = _allocate(_pack_u32(mini_fat), sectors, fat)
    directory_start = _allocate(b"".join(_directory_entry(e) for e in _padded_entries(entries)), sectors, fat)
    fat_sectors, difat_sectors = _place_fat(sectors, fat)
    header = _header(
        fat_sectors=fat_sectors,
        difat_sectors=difat_sectors,
        directory_start=directory_start,
        mini_fat_start=mini_fat_start,
        mini_fat_count=len(mini_fat) // ENTRIES_PER_SECTOR,
    )
    return header + b"".join(sectors)


def _tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", ROOT_STORAGE)  # [MS-CFB] 2.6.2: the root's name
    for path, data in streams.items():
        *storages, name = path.split("/")
        parent = root
        for storage in storages:
            parent = _child(parent, storage, STORAGE)
        if _name_key(name) in parent.children:
            raise ValueError(f"duplicate compound file entry {path!r} (names compare case-insensitively)")
        parent.children[_name_key(name)] = _Entry(_checked_name(name), STREAM, bytes(data), size=len(data))
    return root


def _child(parent: _Entry, name: str, kind: int) -> _Entry:
    existing = parent.children.setdefault(_name_key(name), _Entry(_checked_name(name), kind))
    if existing.kind != kind:
        raise ValueError(f"compound file entry {name!r} is used both as a stream and as a storage")
    return existing


def _checked_name(name: str) -> str:
    # [MS-CFB] 2.6.1: at most 31 UTF-16 code units plus the terminator; no '/', '\', ':', '!'
    if not name or len(name.encode("utf-16-le")) > 62 or FORBIDDEN_NAME_CHARS & set(name):
        raise ValueError(f"invalid compound file entry name {name!r}")
    return name


def _name_key(name: str) -> tuple[int, tuple[int, ...]]:
    """[MS-CFB] 2.6.4: shorter names first, then code-unit-wise comparison of the upper-cased names."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name).encode("utf-16-le")
    return len(upper) // 2, struct.unpack(f"<{len(upper) // 2}H", upper)


def _flatten(root: _Entry) -> list[_Entry]:
    """Directory order: root first, then each storage's children in [MS-CFB] 2.6.4 order, depth first."""
    entries = [root]

    def visit(storage: _Entry) -> None:
        children = [storage.children[key] for key in sorted(storage.children)]
        first = len(entries)
        entries.extend(children)
        storage.child = _link_siblings(entries, list(range(first, first + len(children))))
        for child in children:
            if child.kind == STORAGE:
                visit(child)

    visit(root)
    return entries


def _link_siblings(entries: list[_Entry], ids: list[int]) -> int:
    """Links sorted sibling ids into a balanced binary search tree; returns its root.

    [MS-CFB] 2.6.4 only asks for a black root, no two red nodes in a row and left < right:
    colouring every node black (as `_directory_entry` does) satisfies that."""
    if not ids:
        return NOSTREAM
    middle = len(ids) // 2
    node = entries[ids[middle]]
    node.left = _link_siblings(entries, ids[:middle])
    node.right = _link_siblings(entries, ids[middle + 1 :])
    return ids[middle]


def _place_streams(entries: list[_Entry], sectors: list[bytes], fat: list[int]) -> list[int]:
    """Puts small streams in the mini stream and the others in sectors; returns the MiniFAT."""
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind != STREAM or entry.size == 0:
            continue  # [MS-CFB] 2.6.3: an empty stream keeps ENDOFCHAIN as start sector
        if entry.size < MINI_STREAM_CUTOFF:
            # [MS-CFB] 2.4: MiniFAT chains of 64-byte mini sectors inside the mini stream
            entry.start = len(mini_fat)
            count = -(-entry.size // MINI_SECTOR_SIZE)
            mini_fat.extend(range(entry.start + 1, entry.start + count))
            mini_fat.append(ENDOFCHAIN)
            mini_stream += entry.data.ljust(count * MINI_SECTOR_SIZE, b"\0")
        else:
            entry.start = _allocate(entry.data, sectors, fat)
    # [MS-CFB] 2.6.2: the root entry's start sector and size describe the mini stream
    entries[0].start = _allocate(bytes(mini_stream), sectors, fat)
    entries[0].size = len(mini_stream)
    return mini_fat


def _allocate(data: bytes, sectors: list[bytes], fat: list[int]) -> int:
    """Appends `data` as a chain of sectors ([MS-CFB] 2.3 FAT); returns its first sector."""
    if not data:
        return ENDOFCHAIN
    first = len(sectors)
    for offset in range(0, len(data), SECTOR_SIZE):
        sectors.append(data[offset : offset + SECTOR_SIZE].ljust(SECTOR_SIZE, b"\0"))
        fat.append(len(sectors))
    fat[-1] = ENDOFCHAIN
    return first


def _place_fat(sectors: list[bytes], fat: list[int]) -> tuple[list[int], list[int]]:
    """Appends the FAT sectors and, past 109 FAT sectors, the DIFAT sectors ([MS-CFB] 2.5)."""
    fat_count = difat_count = 0
    while True:
        needed = -(-(len(sectors) + fat_count + difat_count) // ENTRIES_PER_SECTOR)
        needed_difat = -(-max(0, needed - HEADER_DIFAT_SLOTS) // (ENTRIES_PER_SECTOR - 1))
        if (needed, needed_difat) == (fat_count, difat_count):
            break
        fat_count, difat_count = needed, needed_difat
    fat_sectors = list(range(len(sectors), len(sectors) + fat_count))
    difat_sectors = list(range(fat_sectors[-1] + 1, fat_sectors[-1] + 1 + difat_count))
    entries = fat + [FATSECT] * fat_count + [DIFSECT] * difat_count
    sectors.extend(_sector_runs(_pack_u32(_padded(entries, ENTRIES_PER_SECTOR))))
    sectors.extend(_difat_sectors(fat_sectors[HEADER_DIFAT_SLOTS:], difat_sectors))
    return fat_sectors, difat_sectors


def _difat_sectors(fat_sectors: list[int], difat_sectors: list[int]) -> list[bytes]:
    """[MS-CFB] 2.5: 127 FAT sector numbers per DIFAT sector, then the next DIFAT sector."""
    per_sector = ENTRIES_PER_SECTOR - 1
    result = []
    for index in range(len(difat_sectors)):
        chunk = fat_sectors[index * per_sector : (index + 1) * per_sector]
        following = difat_sectors[index + 1] if index + 1 < len(difat_sectors) else ENDOFCHAIN
        result.append(_pack_u32(chunk + [FREESECT] * (per_sector - len(chunk)) + [following]))
    return result


def _header(
    *,
    fat_sectors: list[int],
    difat_sectors: list[int],
    directory_start: int,
    mini_fat_start: int,
    mini_fat_count: int,
) -> bytes:
    """[MS-CFB] 2.2 Compound File Header, version 3: 512 bytes."""
    difat = fat_sectors[:HEADER_DIFAT_SLOTS]
    return b"".join(
        [
            SIGNATURE,
            bytes(16),  # header CLSID
            struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6),  # minor, major, byte order, shifts
            bytes(6),  # reserved
            struct.pack("<III", 0, len(fat_sectors), directory_start),  # directory sector count is 0 in v3
            struct.pack("<II", 0, MINI_STREAM_CUTOFF),  # transaction signature, cutoff
            struct.pack("<II", mini_fat_start, mini_fat_count),
            struct.pack("<II", difat_sectors[0] if difat_sectors else ENDOFCHAIN, len(difat_sectors)),
            _pack_u32(difat + [FREESECT] * (HEADER_DIFAT_SLOTS - len(difat))),
        ]
    )


def _directory_entry(entry: _Entry) -> bytes:
    """[MS-CFB] 2.6.1 Compound File Directory Entry: 128 bytes, zero CLSID, state bits and times."""
    if entry.kind == UNALLOCATED:
        return bytes(68) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + bytes(48)
    name = entry.name.encode("utf-16-le") + b"\0\0"
    start = entry.start if entry.kind != STORAGE else 0  # storages have no data
    return b"".join(
        [
            name.ljust(64, b"\0"),
            struct.pack("<HBB", len(name), entry.kind, BLACK),
            struct.pack("<III", entry.left, entry.right, entry.child),
            bytes(16 + 4 + 8 + 8),  # CLSID, state bits, creation and modified time
            struct.pack("<IQ", start, entry.size),
        ]
    )


def _padded_entries(entries: list[_Entry]) -> list[_Entry]:
    """[MS-CFB] 2.6: the directory fills whole sectors with unallocated entries."""
    per_sector = SECTOR_SIZE // DIR_ENTRY_SIZE
    return entries + [_Entry("", UNALLOCATED)] * (-len(entries) % per_sector)


def _padded(values: list[int], multiple: int) -> list[int]:
    return values + [FREESECT] * (-len(values) % multiple)


def _pack_u32(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


def _sector_runs(data: bytes) -> list[bytes]:
    return [data[offset : offset + SECTOR_SIZE] for offset in range(0, len(data), SECTOR_SIZE)]
