"""MS-OVBA 2.4.1 compression (the LZ77 variant VBA projects store their source and `dir` stream in).

ms-ovba-compression 1.0.1 garbles inputs longer than a few chunks (its copy tokens point at the
wrong bytes: checked against oletools' independent decompressor), so the add-in build uses this
straightforward implementation of the spec instead; a test round-trips it through oletools.
"""

from __future__ import annotations

CHUNK = 4096
MAX_CANDIDATES = 64  # positions tried per 3-byte prefix: plenty for source text


def compress(data: bytes) -> bytes:
    out = bytearray([0x01])  # CompressedContainer signature
    for start in range(0, len(data), CHUNK):
        out += _chunk(bytes(data[start : start + CHUNK]))
    return bytes(out)


def _chunk(block: bytes) -> bytes:
    tokens = _tokens(block)
    if len(tokens) > CHUNK:  # incompressible: a raw chunk of exactly 4096 bytes
        return (0x3000 | (CHUNK - 1)).to_bytes(2, "little") + block.ljust(CHUNK, b"\x00")
    header = 0x8000 | 0x3000 | (len(tokens) + 2 - 3)
    return header.to_bytes(2, "little") + tokens


def _tokens(block: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    i, n = 0, len(block)
    while i < n:
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if i >= n:
                break
            offset, length = _longest_match(block, i, seen)
            if length >= 3:
                bits = max(4, (i - 1).bit_length())
                out += (((offset - 1) << (16 - bits)) | (length - 3)).to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                step = length
            else:
                out.append(block[i])
                step = 1
            for k in range(i, i + step):
                seen.setdefault(block[k : k + 3], []).append(k)
            i += step
    return bytes(out)


def _longest_match(block: bytes, i: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier copy of the bytes at i that a copy token can hold."""
    if i == 0:
        return 0, 0
    bits = max(4, (i - 1).bit_length())
    longest = min((0xFFFF >> bits) + 3, len(block) - i)
    best_offset, best_length = 0, 0
    for candidate in reversed(seen.get(block[i : i + 3], [])[-MAX_CANDIDATES:]):
        length = 0
        while length < longest and block[candidate + length] == block[i + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = i - candidate, length
            if length == longest:
                break
    return best_offset, best_length
