"""Pieces of HTTP responses shared by the parts that send files (PDFs, CSV exports,
stored uploads)."""
from urllib.parse import quote


def content_disposition(filename: str, attachment: bool = True) -> str:
    """Content-Disposition with the original (Chinese) name per RFC 5987 and an ASCII
    fallback ("download.pdf" when the name has no ASCII letters) for old clients."""
    stem, dot, ext = filename.rpartition(".") if "." in filename else (filename, "", "")
    ascii_stem = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "-_ ")).strip("-_ ")
    ascii_ext = "".join(c for c in ext if c.isascii() and c.isalnum())
    if not any(c.isalnum() for c in ascii_stem):
        ascii_stem = "download"
    ascii_name = ascii_stem + ("." + ascii_ext if ascii_ext else "")
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
