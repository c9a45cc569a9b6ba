"""File storage and content checks for uploads: the one place for both.

- Files are checked by content, never by name: images with Pillow (JPEG, PNG, WebP; HEIC
  refused with a clear message), documents by their signature (PDF, Office 97-2003, OOXML).
- Images are re-encoded: EXIF orientation applied, metadata (GPS included) dropped, stored
  as JPEG in three sizes: "full" (≤2048 px), "print" (≤1400 px, for PDFs) and "thumb"
  (≤400 px). A decompression bomb or a truncated file is refused.
- Stored under generated names below UPLOAD_FOLDER (outside static/), served only through
  routes that check permissions. The original name is kept for display only.
"""
import contextlib
import io
import os
import threading
import re
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

SIZES = {"full": 2048, "print": 1400, "thumb": 400}
JPEG_QUALITY = {"full": 85, "print": 80, "thumb": 75}
MAX_PIXELS = 60_000_000  # a 4000×3000 phone photo is 12 MP; far above that is refused
_pillow_lock = threading.Lock()


class UploadError(ValueError):
    """A refused file; the message is shown to the user next to the file's name."""


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


def _check_size(data: bytes) -> None:
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
    _check_size(data)
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


def store_image(data: bytes, sub: str) -> StoredImage:
    """Check, re-encode and store an image in three sizes; returns its generated key."""
    img = open_image(data)
    key = uuid.uuid4().hex
    written = []
    try:
        full_size = 0
        for size, edge in SIZES.items():
            copy = img.copy()
            copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            path = path_for(sub, f"{key}-{size}.jpg")
            copy.save(path, "JPEG", quality=JPEG_QUALITY[size], optimize=True, progressive=size == "full")
            written.append(path)
            if size == "full":
                full_size = os.path.getsize(path)
                width, height = copy.size
    except Exception:
        for path in written:
            os.remove(path)
        raise
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
OLE_EXT = {"doc", "xls", "ppt"}


def sniff_document(data: bytes, filename: str) -> str | None:
    """The MIME type of a PDF or Office file judged by content, or None."""
    if data.startswith(b"%PDF-"):
        return DOC_TYPES["pdf"]
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return DOC_TYPES[ext] if ext in OLE_EXT else "application/x-ole-storage"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, ext in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in names):
                return DOC_TYPES[ext]
    return None


def store_file(data: bytes, filename: str, sub: str) -> StoredFile:
    """A material: PDF, Word, Excel, PowerPoint or an image, stored byte for byte
    (images re-encoded like photos are not: materials are kept as handed in, but an image
    must still decode)."""
    _check_size(data)
    mime = sniff_document(data, filename)
    if mime is None:
        img = open_image(data)  # raises with a message for non-images
        mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
            Image.open(io.BytesIO(data)).format, "application/octet-stream")
        del img
    key = uuid.uuid4().hex
    with open(path_for(sub, f"{key}.bin"), "wb") as fh:
        fh.write(data)
    return StoredFile(key, mime, len(data))


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
