"""CSV imports with a preview (staff directory, equipment register): the file decoded
(UTF-8 or GBK, as Excel saves it in China), the header mapped by its Chinese or English
names, each data row with its values and the reasons it cannot be imported. The parts
say which columns they know and how a row is checked and applied."""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date


class ImportError_(ValueError):
    """A file that cannot be imported at all (its message is shown beside the file field)."""


@dataclass
class Row:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = "新增"

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK/GB18030 as Excel saves it in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def parse_date(value: str) -> date:
    value = value.strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", value)
    if not m:
        raise ValueError
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def map_header(header: list[str], headers: dict[str, tuple[str, ...]], required: tuple[str, ...],
               example: str) -> dict[str, int]:
    mapping = {}
    for idx, cell in enumerate(header):
        name = cell.strip().lower()
        for key, aliases in headers.items():
            if name in (a.lower() for a in aliases) and key not in mapping:
                mapping[key] = idx
    missing = [headers[k][0] for k in required if k not in mapping]
    if missing:
        raise ImportError_("缺少必填列：" + "、".join(missing) + "。第一行应为表头，如：" + example)
    return mapping


def read_rows(text: str, headers: dict[str, tuple[str, ...]], required: tuple[str, ...], example: str,
              max_rows: int, what: str) -> list[Row]:
    """Every data row as a Row with its cells by key (stripped; "" where the column is
    absent) and, already, a control character as its first error; raises ImportError_ for
    a file that is unusable."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline=""), dialect) if any(c.strip() for c in r)]
    except csv.Error:
        # a field over the csv module's limit (131,072 characters), a stray line break …
        raise ImportError_("无法读取此 CSV 文件：格式有误或某一格内容过长。请在 Excel 中检查后另存为 CSV。") from None
    if not records:
        raise ImportError_("文件是空的。")
    mapping = map_header(records[0], headers, required, example)
    if len(records) - 1 > max_rows:
        raise ImportError_(f"一次最多导入 {max_rows} 行。")
    if len(records) == 1:
        raise ImportError_(f"文件只有表头，没有{what}数据。")
    rows = []
    for line_no, record_ in enumerate(records[1:], start=2):
        values = {k: (record_[mapping[k]].strip() if k in mapping and mapping[k] < len(record_) else "") for k in headers}
        row = Row(line=line_no, values=values)
        if any(ch < " " for value in values.values() for ch in value):
            row.errors.append("含有换行或其他控制字符")
        rows.append(row)
    return rows
