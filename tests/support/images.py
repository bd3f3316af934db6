"""Images for upload tests, made with Pillow: real files of each kind, and the bad ones the upload
must refuse (a ZIP named .png, a truncated PNG, a GIF, a decompression bomb)."""

import io
import random
import zipfile

from PIL import Image, ImageDraw

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (64, 48), seed: int = 0, **save) -> bytes:
    """A small picture unique to `seed`, saved as `kind`."""
    rnd = random.Random(seed)
    image = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.rectangle((x, y, x + 9, y + 7), fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    image.save(out, format=kind, **save)
    return out.getvalue()


def png_bytes(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    return image_bytes("PNG", size, seed)


def zip_named_png() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("screenshot.png", png_bytes())
    return out.getvalue()


def truncated_png() -> bytes:
    whole = image_bytes("PNG", (400, 300), seed=3)
    return whole[: len(whole) * 2 // 3]


def gif_bytes() -> bytes:
    return image_bytes("GIF")


def bomb_png() -> bytes:
    """A 20,000 × 20,000 black PNG: a few hundred KB on disk, 400 million pixels decoded."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG", optimize=True)
    return out.getvalue()
