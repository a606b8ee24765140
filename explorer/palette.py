"""Colours: NHS identity for the window's chrome, colour-blind-safe palettes for the charts, and a
colour-vision-deficiency simulation the tests use to check them (Qt-free).

Chrome: NHS Blue #005EB8 and its family (NHS identity guidelines). Categories: Okabe & Ito (2008),
designed to stay distinct for the common colour-vision deficiencies. Answer scales: a purple-orange
diverging scheme (ColorBrewer PuOr) whose two arms differ in hue *and* lightness, with a grey centre.
Simulation: Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB.
"""

from __future__ import annotations

import numpy as np

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_PALE_GREY = "#E8EDEE"
NHS_MID_GREY = "#768692"
NHS_TEXT = "#212B32"
NHS_WARM_YELLOW = "#FFB81C"  # focus highlight (NHS focus style)

CATEGORY = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
BAR = NHS_BLUE
WITHHELD = "#D9D9D9"
DIVERGING = {5: ("#B35806", "#F1A340", "#BDBDBD", "#998EC3", "#542788"),
             7: ("#B35806", "#E08214", "#FDB863", "#D0D0D0", "#B2ABD2", "#8073AC", "#542788")}
SEQUENTIAL = ("#DADAEB", "#BCBDDC", "#9E9AC8", "#807DBA", "#6A51A3", "#4A1486")
SPECIAL = ("#F0F0F0", "#C8C8C8", "#A0A0A0")

_MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
DEFICIENCIES = tuple(_MACHADO)


def ordinary_colours(count: int, diverge: bool) -> tuple[str, ...]:
    """Colours for ``count`` ordered answer options (diverging when the scale has a centre)."""
    if diverge and count in DIVERGING:
        return DIVERGING[count]
    if count <= len(SEQUENTIAL):
        step = (len(SEQUENTIAL) - 1) / max(1, count - 1)
        return tuple(SEQUENTIAL[round(i * step)] for i in range(count))
    return tuple(SEQUENTIAL[i % len(SEQUENTIAL)] for i in range(count))


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255.0


def _linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(hex_colour: str, deficiency: str | None) -> np.ndarray:
    """Linear RGB of the colour as seen with ``deficiency`` (None: normal vision)."""
    lin = _linear(_rgb(hex_colour))
    if deficiency is None:
        return lin
    return np.clip(_MACHADO[deficiency] @ lin, 0.0, 1.0)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear RGB colour."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = (m @ linear_rgb) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def difference(a: str, b: str, deficiency: str | None = None) -> float:
    """CIE76 colour difference between two colours as seen with ``deficiency``."""
    return float(np.linalg.norm(lab(simulate(a, deficiency)) - lab(simulate(b, deficiency))))


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio."""
    def luminance(c):
        return float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(_rgb(c)))
    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
