"""What the parts' SVG charts share (the checklist results' line and bar charts, the
inspections' score trend): round axis ticks."""
import math


def nice_ticks(lo: float, hi: float, decimals: int = 0, intervals: int = 4, cover: bool = False) -> list[float]:
    """Round values for an axis from lo to hi: a step of 1, 2, 2.5 or 5 times a power of ten
    giving about `intervals` intervals, never finer than the figures are written (a count's
    axis reads 0, 1, 2, 3, not 0, 1, 2, 2, 3). The ticks lie within [lo, hi]; with `cover`,
    the last one is at or above hi (a bar chart's top)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / intervals
    unit = 10 ** -decimals  # the finest step the figures can show
    mag = 10 ** math.floor(math.log10(raw))
    step = next((m * mag for m in (1, 2, 2.5, 5, 10)
                 if m * mag >= raw * (1 - 1e-9) and abs(round(m * mag / unit) * unit - m * mag) < unit / 1000), 10 * mag)
    step = max(step, unit)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, k = [], 0
    while first + k * step <= hi + step * 1e-9:
        ticks.append(round(first + k * step, decimals + 2))
        k += 1
    if cover and (not ticks or ticks[-1] < hi):
        ticks.append(round(first + k * step, decimals + 2))
    return ticks
