"""Real image files for upload tests, made with Pillow."""
import functools
import io

from PIL import Image


def jpeg(size=(800, 600), color=(200, 60, 40), exif=None, quality=90) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    img.save(out, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png_with_alpha(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 100)).save(out, "PNG")
    return out.getvalue()


def webp(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


@functools.lru_cache(maxsize=None)
def phone_photo(seed: int) -> bytes:
    """A 4000×3000 JPEG of phone-like size: gradients plus sensor-like noise. Made once per
    seed and session (1.5 s each; the same bytes again for the same seed)."""
    noise = Image.effect_noise((4000, 3000), 30 + seed)
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    img = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def exif_rotated_with_gps() -> bytes:
    """800×600 pixels with EXIF orientation 6 (shown 600×800) and a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    exif[0x8825] = gps
    return jpeg((800, 600), exif=exif.tobytes())


def bomb() -> bytes:
    """A small PNG of 72 million pixels: above the limit, below Pillow's own error."""
    out = io.BytesIO()
    Image.new("1", (12000, 6000)).save(out, "PNG")
    return out.getvalue()
