"""An uploaded screenshot made safe to keep: checked by its first bytes, decoded in full by Pillow
behind a pixel limit (a decompression bomb is refused before it is decoded), turned upright, and
encoded again in its own format with nothing but the pixels — no EXIF (GPS, phone model), no text
chunks. The result's SHA-256 names the blob, so the same picture uploaded twice is stored once.

Refusals carry a Chinese message and a stable code: `file_too_large` (413), `image_unsupported`
(415: GIF, a ZIP renamed .png, anything not JPEG/PNG/WebP), `image_too_large` (422: too many pixels),
`image_invalid` (422: truncated or corrupt).
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import ApiError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a long phone screenshot (1,080 × 20,000) is 21.6 million
KINDS = {  # Pillow format: (content type, file extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {"compress_level": 1}, "WEBP": {"quality": 90, "method": 0}}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    extension: str

    @property
    def key(self) -> str:
        return f"screenshots/{self.sha256[:2]}/{self.sha256}.{self.extension}"


def sniff(data: bytes) -> str | None:
    """The Pillow format the first bytes announce, among those we keep; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean(data: bytes) -> CleanImage:
    """The upload as a metadata-free image, or `ApiError`."""
    if len(data) > MAX_BYTES:
        raise ApiError("file_too_large", f"截图不能超过{MAX_BYTES // (1024 * 1024)}MB", 413, {"max_bytes": MAX_BYTES})
    if not data:
        raise ApiError("image_invalid", "没有收到图片内容", 422)
    kind = sniff(data)
    if kind is None:
        refused = "不支持GIF动图" if data.startswith(b"GIF8") else "文件不是图片"
        raise ApiError("image_unsupported", f"{refused}，请上传JPG、PNG或WebP格式的截图", 415,
                       {"accepted": sorted(t for t, _ in KINDS.values())})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                _check_pixels(*image.size)
                image.load()
                upright = ImageOps.exif_transpose(image)
                width, height = upright.size
                encoded = _encode(upright, kind)
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ApiError("image_invalid", "图片已损坏或不完整，请重新截图上传", 422) from None
    content_type, extension = KINDS[kind]
    return CleanImage(encoded, content_type, width, height, hashlib.sha256(encoded).hexdigest(), extension)


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise _too_large()


def _too_large() -> ApiError:
    return ApiError("image_too_large", "图片尺寸过大，请截取需要的部分后上传", 422, {"max_pixels": MAX_PIXELS})


def _encode(image: Image.Image, kind: str) -> bytes:
    """Only the pixels: Pillow writes EXIF, XMP and text chunks only when asked to."""
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    if image.mode == "P":
        pixels.putpalette(image.getpalette() or [])
    out = io.BytesIO()
    pixels.save(out, format=kind, **_SAVE_OPTIONS[kind])
    return out.getvalue()
