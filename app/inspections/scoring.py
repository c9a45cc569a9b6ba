"""Answers and scores: what an answer means for its item, and the score of an inspection.

Each answered item earns a fraction (0..1) of its weight; 不适用 (na) leaves the item out
of both the earned and the possible points. A section's score and the overall score are
percentages of the weighted points (overall over all items, not an average of sections),
compared with the version's pass mark. An item fails (a finding) when it is 不合格, below
its lowest good score, the wrong yes/no, or a number that misses its target."""
from dataclasses import dataclass, field

from app.inspections.errors import Refused

NA = "na"
VALUE_LABELS = {"pass": "合格", "fail": "不合格", "na": "不适用", "yes": "是", "no": "否"}


def parse_value(item: dict, raw: str | None) -> str:
    """The stored form of an answer to `item`, or Refused with the reason in Chinese."""
    text = (raw or "").strip()
    kind, q = item["type"], item["question"]
    if text == NA:
        if not item.get("na", True):
            raise Refused(f"「{q}」不能选择不适用。", "value", items=[item["key"]])
        return NA
    if kind == "pass_fail":
        if text not in ("pass", "fail"):
            raise Refused(f"「{q}」请选择合格、不合格或不适用。", "value", items=[item["key"]])
        return text
    if kind == "yes_no":
        if text not in ("yes", "no"):
            raise Refused(f"「{q}」请选择是或否。", "value", items=[item["key"]])
        return text
    if kind == "score":
        if not (text.isascii() and text.lstrip("-").isdigit()) or not item["min"] <= int(text) <= item["max"]:
            raise Refused(f"「{q}」的评分应为 {item['min']} 到 {item['max']} 之间的整数。", "value", items=[item["key"]])
        return str(int(text))
    if kind == "number":
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or value != value or abs(value) > 1e9 or len(text) > 20:
            raise Refused(f"「{q}」请填写数字。", "value", items=[item["key"]])
        low, high = item.get("low"), item.get("high")
        if (low is not None and value < low) or (high is not None and value > high):
            raise Refused(f"「{q}」{_range(low, high)}（填写了 {text}），请核对。", "value", items=[item["key"]])
        return text
    raise Refused(f"「{q}」的类型未知。", "value", items=[item["key"]])


def evaluate(item: dict, value: str) -> tuple[float | None, bool]:
    """(fraction of the weight earned, or None for 不适用/unanswered; whether it fails)."""
    if not value or value == NA:
        return None, False
    kind = item["type"]
    if kind == "pass_fail":
        return (1.0, False) if value == "pass" else (0.0, True)
    if kind == "yes_no":
        good = value == item.get("good", "yes")
        return (1.0 if good else 0.0), not good
    if kind == "score":
        v, lo, hi = int(value), item["min"], item["max"]
        return ((v - lo) / (hi - lo) if hi > lo else 1.0), v < item["pass_min"]
    if kind == "number":
        v, target = float(value), item["target"]
        ok = v >= target if item.get("target_dir", "ge") == "ge" else v <= target
        return (1.0 if ok else 0.0), not ok
    return None, False


def label(item: dict, value: str) -> str:
    """An answer in words: 合格, 4 分, 26 ℃."""
    if not value:
        return "未作答"
    if value in VALUE_LABELS and item["type"] in ("pass_fail", "yes_no") or value == NA:
        return VALUE_LABELS[value]
    if item["type"] == "score":
        return f"{value} 分（{item['min']}–{item['max']}）"
    if item["type"] == "number":
        return f"{value}{(' ' + item['unit']) if item.get('unit') else ''}"
    return value


def target_text(item: dict) -> str:
    if item["type"] == "number":
        sign = "≥" if item.get("target_dir", "ge") == "ge" else "≤"
        return f"目标 {sign} {item['target']:g}{item.get('unit', '')}"
    if item["type"] == "score":
        return f"{item['min']}–{item['max']} 分，{item['pass_min']} 分及以上为合格"
    if item["type"] == "yes_no":
        return f"应为“{VALUE_LABELS[item.get('good', 'yes')]}”"
    return ""


@dataclass
class SectionScore:
    title: str
    earned: float = 0.0
    possible: float = 0.0
    failed: int = 0

    @property
    def percent(self) -> float | None:
        return round(self.earned / self.possible * 100, 1) if self.possible else None


@dataclass
class Score:
    sections: list[SectionScore] = field(default_factory=list)
    pass_mark: int = 0
    unanswered: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    answered: int = 0

    @property
    def total(self) -> int:
        return self.answered + len(self.unanswered)

    @property
    def complete(self) -> bool:
        """Every item answered: only then is the score the inspection's, and `passed` a
        verdict; before, it is provisional (over the answered items only)."""
        return not self.unanswered

    @property
    def earned(self) -> float:
        return sum(s.earned for s in self.sections)

    @property
    def possible(self) -> float:
        return sum(s.possible for s in self.sections)

    @property
    def percent(self) -> float | None:
        return round(self.earned / self.possible * 100, 1) if self.possible else None

    @property
    def passed(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.pass_mark


def score(content: dict, answers: dict[str, str], pass_mark: int) -> Score:
    """The score of a version's `content` for `answers` ({item key: stored value})."""
    result = Score(pass_mark=pass_mark)
    for section in content["sections"]:
        s = SectionScore(section["title"])
        for item in section["items"]:
            value = answers.get(item["key"], "")
            if not value:
                result.unanswered.append(item)
                continue
            result.answered += 1
            fraction, failed = evaluate(item, value)
            if fraction is not None:
                s.earned += fraction * item["weight"]
                s.possible += item["weight"]
            if failed:
                s.failed += 1
                result.failed.append(item)
        result.sections.append(s)
    return result


def _range(low: float | None, high: float | None) -> str:
    """应在 -10 到 50 之间 / 不应低于 0 / 不应高于 100."""
    def plain(x: float) -> str:
        return f"{x:g}"
    if low is not None and high is not None:
        return f"应在 {plain(low)} 到 {plain(high)} 之间"
    return f"不应低于 {plain(low)}" if low is not None else f"不应高于 {plain(high)}"
