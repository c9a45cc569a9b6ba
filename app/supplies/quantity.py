"""Quantities as exact integers of thousandths ("milli-units"): no float sums, the same
arithmetic on SQLite and PostgreSQL. Each item says how many decimals its unit allows
(件, 双, 副 … none; 米, 千克 … up to 3)."""
import re
import unicodedata
from decimal import Decimal

SCALE = 1000
MAX_QUANTITY = Decimal(10) ** 9  # a billion of any unit: beyond what a store holds
# A plain decimal, after full-width characters became ASCII (NFKC): "12", "2.5", ".5".
# No exponent ("1e3"), no digit grouping ("1_000"), no NaN or Infinity; a comma is a
# decimal comma, as in "1，5".
PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class QuantityError(ValueError):
    """A quantity that cannot be accepted; the message is shown to the user."""


def parse(text, decimals: int = 0, *, allow_zero: bool = False, allow_negative: bool = False) -> int:
    raw = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()
    raw = raw.replace("。", ".").replace(",", ".")  # "1，5" and "1,5" mean 1.5 (a decimal comma)
    if not raw:
        raise QuantityError("请填写数量。")
    if len(raw) > 40 or not PLAIN.fullmatch(raw):
        raise QuantityError(f"“{raw[:20]}”不是有效的数量，请填写数字，如 2 或 2.5。")
    value = Decimal(raw)
    if value < 0 and not allow_negative:
        raise QuantityError("数量不能为负数。")
    if value == 0 and not allow_zero:
        raise QuantityError("数量必须大于零。")
    exponent = value.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    if places > decimals:
        raise QuantityError("该物品的数量必须是整数。" if decimals == 0 else f"该物品的数量最多保留 {decimals} 位小数。")
    if abs(value) >= MAX_QUANTITY:
        raise QuantityError("数量过大。")
    return int(value * SCALE)


def fmt(milli: int | None) -> str:
    """12500 -> "12.5"; 3000 -> "3"; -2000 -> "-2"."""
    if milli is None:
        return ""
    return format((Decimal(milli) / SCALE).normalize(), "f")
