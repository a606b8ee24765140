"""Draw the program's icon (resources/icons/staff-survey-explorer.ico and .png) with the standard
library only, so the icon is made here, never fetched, and can be redrawn by anyone.

    python packaging/make_icon.py

The design: a rounded square in NHS blue with three white bars of a bar chart. The .ico holds
16, 24, 32, 48 and 64 px images as 32-bit bitmaps (what every Windows shell and PyInstaller's icon
embedding read) and a 256 px image as PNG (Windows Vista and later), as Microsoft's icon format
guidance describes. Drawn 4x larger and averaged down, so the edges are smooth.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
NAME = "staff-survey-explorer"
BLUE = (0, 94, 184)  # NHS Blue, #005EB8
WHITE = (255, 255, 255)
SIZES_BMP = (16, 24, 32, 48, 64)
SUPERSAMPLE = 4
# bars as (left, top, right) in a 0..1 square; every bar stands on the same baseline
BARS = ((0.22, 0.52), (0.42, 0.30), (0.62, 0.42))
BAR_WIDTH, BASELINE = 0.16, 0.80


def _inside_rounded_square(x: float, y: float, radius: float = 0.2, margin: float = 0.04) -> bool:
    lo, hi = margin, 1 - margin
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + radius), hi - radius)
    cy = min(max(y, lo + radius), hi - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _colour_at(x: float, y: float) -> tuple[int, int, int, int]:
    if not _inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    for left, top in BARS:
        if left <= x <= left + BAR_WIDTH and top <= y <= BASELINE:
            return (*WHITE, 255)
    return (*BLUE, 255)


def draw(size: int) -> list[list[tuple[int, int, int, int]]]:
    """RGBA rows, top row first, averaged from SUPERSAMPLE x SUPERSAMPLE samples per pixel."""
    n = SUPERSAMPLE
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            samples = [_colour_at((px + (i + 0.5) / n) / size, (py + (j + 0.5) / n) / size)
                       for i in range(n) for j in range(n)]
            alpha = sum(s[3] for s in samples)
            if alpha == 0:
                row.append((0, 0, 0, 0))
                continue
            # colour weighted by coverage, so transparent samples do not darken the edge
            rgb = tuple(round(sum(s[k] * s[3] for s in samples) / alpha) for k in range(3))
            row.append((*rgb, round(alpha / len(samples))))
        rows.append(row)
    return rows


def png_bytes(rows: list[list[tuple[int, int, int, int]]]) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def dib_bytes(rows: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An icon image as a 32-bit BGRA DIB: header with doubled height, rows bottom-up, then the
    1-bit AND mask (rows padded to 32 bits), which 32-bit images keep all zero."""
    size = len(rows)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = b"".join(bytes(v for r, g, b, a in row for v in (b, g, r, a)) for row in reversed(rows))
    mask_row = ((size + 31) // 32) * 4
    return header + pixels + b"\x00" * (mask_row * size)


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image (a size of 256 is written as 0), then the images."""
    offset = 6 + 16 * len(images)
    directory, data = [struct.pack("<HHH", 0, 1, len(images))], []
    for size, blob in images:
        edge = 0 if size >= 256 else size
        directory.append(struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(blob), offset))
        data.append(blob)
        offset += len(blob)
    return b"".join(directory + data)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big_png = png_bytes(big)
    images = [(size, dib_bytes(draw(size))) for size in SIZES_BMP] + [(256, big_png)]
    (OUT / f"{NAME}.ico").write_bytes(ico_bytes(images))
    (OUT / f"{NAME}.png").write_bytes(big_png)
    print(f"Wrote {OUT / (NAME + '.ico')} and {OUT / (NAME + '.png')}")


if __name__ == "__main__":
    main()
