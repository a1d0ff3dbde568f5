"""Draw the two icons Teams asks for, as PNG bytes with the standard library only.

Colour: 192x192, a white speech bubble on the accent colour. Outline: 32x32, the same bubble
in white on transparency (Teams tints it). Simple on purpose: replace with your own artwork.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

ACCENT = (0x1F, 0x6F, 0x78, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _bubble(size: int, x: int, y: int, stroke: int | None) -> bool:
    """A speech bubble in a `size` square: a box in the upper part, a tail at its lower left."""
    left, right, top, bottom = size * 0.18, size * 0.82, size * 0.2, size * 0.68
    inside_box = left <= x < right and top <= y < bottom
    tail = left + size * 0.12 <= x < left + size * 0.3 and bottom <= y < bottom + (
        left + size * 0.3 - x
    )
    if stroke is None:
        return inside_box or tail
    inner = left + stroke <= x < right - stroke and top + stroke <= y < bottom - stroke
    return (inside_box and not inner) or tail


def color_icon() -> bytes:
    return png(192, 192, lambda x, y: WHITE if _bubble(192, x, y, None) else ACCENT)


def outline_icon() -> bytes:
    return png(32, 32, lambda x, y: WHITE if _bubble(32, x, y, 2) else CLEAR)
