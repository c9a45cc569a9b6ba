"""File storage and content checks for uploads: the one place for both.

- Files are checked by content, never by name: images with Pillow (JPEG, PNG, WebP; HEIC
  refused with a clear message), documents by their signature (PDF, Office 97-2003, OOXML).
- Images are re-encoded: EXIF orientation applied, metadata (GPS included) dropped, stored
  as JPEG in three sizes: "full" (≤2048 px), "print" (≤1400 px, for PDFs) and "thumb"
  (≤400 px). A decompression bomb or a truncated file is refused.
- Stored under generated names below UPLOAD_FOLDER (outside static/), served only through
  routes that check permissions. The original name is kept for display only.
- Each file is written under a temporary name (`<name>.part`), flushed to disk and only
  then renamed to its final name, before the caller's row is flushed: a file under its
  final name is always complete, so a crash (kill -9, power) leaves at most whole files or
  `.part` files without a row, never a row without its file or a half file under a row's
  name; `flask uploads check --remove` (nightly in the worker) deletes those after an hour.
  A full disk ends the upload with StorageFull (a Chinese message), nothing left behind.
"""
import contextlib
import errno
import io
import os
import threading
import time
import re
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from app.responses import content_disposition

SIZES = {"full": 2048, "print": 1400, "thumb": 400}
JPEG_QUALITY = {"full": 85, "print": 80, "thumb": 75}
MAX_PIXELS = 50_000_000  # a 4000×3000 phone photo is 12 MP; past 50 MP the decoder's memory is the risk
_pillow_lock = threading.Lock()


class UploadError(ValueError):
    """A refused file; the message is shown to the user next to the file's name."""


class StorageFull(UploadError):
    """The disk (or the quota) is full: nothing of the file was kept."""

    def __init__(self):
        super().__init__("服务器存储空间已满，文件未能保存（已上传的部分已清除）。请联系管理员清理空间后重试。")


PART = ".part"  # suffix of a file being written; renamed to its final name once complete


def _write_part(final_path: str, write) -> str:
    """Writes a file through `write(fh)` into `final_path + PART`, flushed to disk; returns
    the temporary path. A full disk raises StorageFull, the partial file removed."""
    part = final_path + PART
    try:
        with open(part, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.remove(part)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull() from None
        raise
    return part


def _publish(parts: list[str]) -> None:
    """Renames complete temporary files to their final names (each rename atomic)."""
    done = []
    try:
        for part in parts:
            os.replace(part, part[:-len(PART)])
            done.append(part[:-len(PART)])
    except BaseException:
        for path in done + parts:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        raise


@dataclass
class StoredImage:
    key: str            # generated base name, e.g. "3f2a…"; files are key + "-full.jpg" etc.
    width: int
    height: int
    size: int           # bytes of the full rendition


@dataclass
class StoredFile:
    key: str
    mime: str
    size: int
    kind: str = ""  # the detected type, as an extension


def display_name(filename: str | None) -> str:
    """The user's file name made safe to show: no path, no control characters."""
    name = (filename or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name[:120] or "未命名文件"


def _root(sub: str) -> str:
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], sub)
    os.makedirs(path, exist_ok=True)
    return path


def path_for(sub: str, name: str) -> str:
    """Absolute path of a stored file; refuses anything that is not a generated name."""
    if not re.fullmatch(r"[0-9a-f]{32}(-(full|print|thumb)\.jpg|\.bin)", name):
        raise UploadError("无效的文件名。")
    return os.path.join(_root(sub), name)


def check_size(data: bytes) -> None:
    if not data:
        raise UploadError("文件是空的（0 字节）。")
    limit = current_app.config["MAX_FILE_MB"] * 1024 * 1024
    if len(data) > limit:
        raise UploadError(f"文件超过 {current_app.config['MAX_FILE_MB']} MB 的上限。")


def _is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")


@contextlib.contextmanager
def _strict_decoding():
    with _pillow_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def open_image(data: bytes) -> Image.Image:
    """A fully decoded, upright RGB image, or UploadError with the reason in Chinese."""
    check_size(data)
    if _is_heic(data):
        raise UploadError("暂不支持 iPhone 的 HEIC 格式照片。请在手机“设置-相机-格式”中选择“兼容性最佳”，或转为 JPG 后上传。")
    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES = True when imported, which would
    # let a truncated upload pass as a grey-filled picture: turn it off while we decode.
    # (Images WeasyPrint embeds are our own re-encoded, complete files.)
    with warnings.catch_warnings(), _strict_decoding():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            img = Image.open(io.BytesIO(data))
            if img.format not in ("JPEG", "PNG", "WEBP"):
                raise UploadError(f"不支持的图片格式（{img.format}），请上传 JPG、PNG 或 WebP。")
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError("图片像素过多，疑似异常文件，已拒绝。") from None
        except UnidentifiedImageError:
            raise UploadError("不是图片文件（按内容识别，与文件名无关）。") from None
        except (OSError, SyntaxError, ValueError) as exc:
            if isinstance(exc, UploadError):
                raise
            raise UploadError("图片文件不完整或已损坏。") from None
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, "white")
        background.paste(img, mask=img.getchannel("A"))
        img = background
    elif img.mode != "RGB":
        img = img.convert("RGB")
    return img


def store_image(data: bytes, sub: str, sizes: dict[str, int] | None = None) -> StoredImage:
    """Check, re-encode and store an image in three sizes; returns its generated key."""
    return save_image(open_image(data), sub, sizes)


def save_image(img: Image.Image, sub: str, sizes: dict[str, int] | None = None) -> StoredImage:
    """Store an image opened by open_image in the three renditions (edges from `sizes`,
    by default SIZES); nothing is left behind when a write fails."""
    key = uuid.uuid4().hex
    written = []
    try:
        source = img
        # largest first, each rendition made from the one before: a 12-MP photo is scaled
        # down once, not three times
        for size, edge in sorted((sizes or SIZES).items(), key=lambda kv: -kv[1]):
            copy = source.copy()
            copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            source = copy
            written.append(_write_part(path_for(sub, f"{key}-{size}.jpg"), lambda fh, c=copy, s=size: c.save(
                fh, "JPEG", quality=JPEG_QUALITY[s], optimize=True, progressive=s == "full")))
            if size == "full":
                full_size = os.path.getsize(written[-1])
                width, height = copy.size
    except BaseException:
        for path in written:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        raise
    _publish(written)
    return StoredImage(key, width, height, full_size)


DOC_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MATERIAL_MIME = {
    **DOC_TYPES, "txt": "text/plain; charset=utf-8", "jpg": "image/jpeg", "png": "image/png",
    "webp": "image/webp", "mp4": "video/mp4",
}
EXT_ALIASES = {"jpeg": "jpg"}
TYPE_NAMES = {"pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel", "ppt": "PowerPoint",
              "pptx": "PowerPoint", "txt": "文本", "jpg": "JPG 图片", "png": "PNG 图片", "webp": "WebP 图片",
              "mp4": "MP4 视频"}
ALLOWED_TEXT = "PDF、Word、Excel、PowerPoint、文本（txt）、JPG/PNG/WebP 图片或 MP4 视频"
# Markup a browser would run as a page or a script, wherever it hides in a file's start.
ACTIVE_MARKUP = (b"<html", b"<!doctype html", b"<script", b"<hta:", b"<svg", b"<iframe", b"<body", b"<?php",
                 b"<%@", b"javascript:")
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"MSNV", b"dash"}
OLE_STREAMS = {"doc": "WordDocument", "xls": "Workbook", "ppt": "PowerPoint Document"}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _active_markup(head: bytes) -> bool:
    head = head.lower()
    return any(tag in head for tag in ACTIVE_MARKUP)


def detect_material(data: bytes, filename: str) -> str:
    """The type (extension) of a training material judged by its content, or UploadError.
    Allowed: pdf, doc/docx, xls/xlsx, ppt/pptx, txt, jpg/png/webp, mp4. Executables, HTA,
    HTML, scripts and macro-enabled Office files are refused, and the name's extension
    must agree with the content."""
    if data[:2] == b"MZ" or data[:4] == b"\x7fELF" or data[:2] == b"#!" or data[:4] in (b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"):
        raise UploadError("可执行程序和脚本不能作为培训资料上传。")
    kind = None
    if data.startswith(b"%PDF-"):
        if _active_markup(data[:4096]) or b"%%EOF" not in data[-2048:]:
            raise UploadError("不是完整的 PDF 文件（疑似伪装成 PDF 的网页或损坏的文件）。")
        kind = "pdf"
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if _utf16("_VBA_PROJECT") in data or _utf16("Macros") in data:
            raise UploadError("含宏的 Office 文件不能上传，请另存为不含宏的格式（如 .docx、.xlsx）。")
        kind = next((ext for ext, stream in OLE_STREAMS.items() if _utf16(stream) in data), None)
        if kind is None:
            raise UploadError("无法识别的 Office 97-2003 文件。")
    elif data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = archive.namelist()
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError):
            raise UploadError("文件已损坏，无法读取。") from None
        if not types:
            raise UploadError(f"不支持的资料类型（压缩包等），请上传 {ALLOWED_TEXT}。")
        if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroenabled" in types.lower():
            raise UploadError("含宏的 Office 文件不能上传，请另存为不含宏的格式（如 .docx、.xlsx）。")
        kind = next((ext for prefix, ext in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
                     if any(n.startswith(prefix) for n in names)), None)
        if kind is None:
            raise UploadError(f"不支持的资料类型，请上传 {ALLOWED_TEXT}。")
    elif data[4:8] == b"ftyp":
        if data[8:12] not in MP4_BRANDS:
            raise UploadError(f"不支持的视频格式，请上传 MP4 视频（或 {ALLOWED_TEXT}）。")
        kind = "mp4"
    elif data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        open_image(data)  # decodes fully: a broken or oversized picture is refused here
        kind = {b"\xff\xd8": "jpg", b"\x89P": "png"}.get(data[:2], "webp")
    else:
        if b"\x00" in data[:8192] or _active_markup(data[:8192]):
            raise UploadError(f"不支持的资料类型（网页、程序等），请上传 {ALLOWED_TEXT}。")
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError:
            try:
                data[:65536].decode("gb18030")
            except UnicodeDecodeError:
                raise UploadError(f"不支持的资料类型，请上传 {ALLOWED_TEXT}。") from None
        kind = "txt"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = EXT_ALIASES.get(ext, ext)
    if ext and ext != kind:
        raise UploadError(f"文件扩展名 .{ext} 与内容（{TYPE_NAMES[kind]}）不符，请检查文件。")
    return kind


def material_name(filename: str, kind: str) -> str:
    """The display name with the extension of the detected type."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem}.{kind}"


def store_file(data: bytes, filename: str, sub: str, kind: str | None = None) -> StoredFile:
    """A material (see detect_material), stored byte for byte under a generated name.
    `kind`: the type detect_material already found for these bytes."""
    check_size(data)
    kind = kind or detect_material(data, filename)
    key = uuid.uuid4().hex
    _publish([_write_part(path_for(sub, f"{key}.bin"), lambda fh: fh.write(data))])
    return StoredFile(key, MATERIAL_MIME[kind], len(data), kind)


def store_scan(upload, sub: str) -> tuple[str, str, str, list]:
    """A scanned document (a certificate, a verification certificate): an image
    (re-encoded, metadata dropped) or a PDF, both checked by content, whatever the name.
    Returns (key, kind "image"/"pdf", display name, what was written, for discard)."""
    data, name = upload.read(), display_name(upload.filename)
    if data[:5] == b"%PDF-":
        if detect_material(data, name) != "pdf":
            raise UploadError("扫描件应为图片或 PDF。")
        stored = store_file(data, name, sub, kind="pdf")
        return stored.key, "pdf", material_name(name, "pdf"), [("file", stored.key)]
    try:
        img = store_image(data, sub)
    except UploadError as exc:
        if "不是图片" in str(exc):
            raise UploadError("扫描件应为图片（JPG、PNG、WebP）或 PDF（按内容识别，与文件名无关）。") from None
        raise
    return img.key, "image", name, [("image", img.key)]


def remove_image(sub: str, key: str) -> None:
    for size in SIZES:
        try:
            os.remove(path_for(sub, f"{key}-{size}.jpg"))
        except FileNotFoundError:
            pass


def remove_file(sub: str, key: str) -> None:
    try:
        os.remove(path_for(sub, f"{key}.bin"))
    except FileNotFoundError:
        pass


def discard(sub: str, stored: list) -> None:
    """Remove what a failed transaction wrote: (kind, key) pairs, kind "image" for the
    three renditions of a picture, anything else for a stored file."""
    for kind, key in stored:
        (remove_image if kind == "image" else remove_file)(sub, key)


def send_stored(path: str, mimetype: str, download_name: str | None = None):
    """A stored upload as a response: a picture inline, anything else as a download with
    its display name; never run as a page (nosniff, a sandboxing CSP). The browser keeps a
    copy but asks again every time (no-cache; a 304 when unchanged), so someone whose access
    ends cannot go on opening it from the cache."""
    from flask import send_file

    if download_name is None:
        response = send_file(path, mimetype=mimetype, max_age=3600)
    else:
        response = send_file(path, mimetype=mimetype, as_attachment=True, max_age=0)
        response.headers["Content-Disposition"] = content_disposition(download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- files no row refers to (left by a crash between writing a file and its commit) --------

def stored_keys(folder: str) -> dict[str, list[str]]:
    """{key: [file names]} of the files in one upload folder (`<key>-<size>.jpg`, `<key>.bin`)."""
    root = os.path.join(current_app.config["UPLOAD_FOLDER"], folder)
    out: dict[str, list[str]] = {}
    if os.path.isdir(root):
        for entry in os.scandir(root):
            if entry.is_file():
                key = re.split(r"[-.]", entry.name, maxsplit=1)[0]
                out.setdefault(key, []).append(entry.name)
    return out


def orphans(referenced: dict[str, set[str]], older_than_seconds: float = 3600) -> list[str]:
    """Paths (relative to UPLOAD_FOLDER) of files whose key no row refers to, and of
    temporary files never finished, older than `older_than_seconds` (an upload still in
    its request has written files before its commit). `referenced`: {folder: keys the
    database refers to}."""
    now, found = time.time(), []
    root = current_app.config["UPLOAD_FOLDER"]
    for folder, keys in referenced.items():
        for key, names in stored_keys(folder).items():
            for name in names if key not in keys else [n for n in names if n.endswith(PART)]:
                path = os.path.join(folder, name)
                if now - os.path.getmtime(os.path.join(root, path)) > older_than_seconds:
                    found.append(path)
    return sorted(found)
