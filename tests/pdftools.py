"""PDF checks through poppler's command-line tools (installed by scripts/test.sh)."""
import subprocess
import tempfile


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run([tool, *args, fh.name, "-"] if tool == "pdftotext" else [tool, *args, fh.name],
                              check=True, capture_output=True, text=True).stdout


def pdftotext(data: bytes, layout: bool = False) -> str:
    return _run("pdftotext", data, *(["-layout"] if layout else []))


def pages_text(data: bytes) -> list[str]:
    """Text per page (pdftotext separates pages with a form feed)."""
    return pdftotext(data).split("\f")[:-1]


def pdffonts(data: bytes) -> list[dict]:
    lines = _run("pdffonts", data).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object-id gen
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def pdfimages_count(data: bytes) -> int:
    return max(len(_run("pdfimages", data, "-list").splitlines()) - 2, 0)


def assert_cjk_fonts_embedded(data: bytes) -> None:
    fonts = pdffonts(data)
    assert fonts, "no fonts in PDF"
    for f in fonts:
        assert f["emb"] == "yes", f
        assert "CJK" in f["name"], f"non-CJK font used: {f['name']}"


def pdfinfo(data: bytes) -> dict:
    """pdfinfo's fields (Title, Author, CreationDate, Tagged, Pages …) as a dict."""
    info = {}
    for line in _run("pdfinfo", data).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info
