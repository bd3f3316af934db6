"""Reading a screenshot's text offline: RapidOCR on ONNX Runtime, whose Chinese detection and
recognition models ship inside the wheel, so nothing leaves the machine and nothing is downloaded.

The engine takes about a second to load and holds ~200 MB, so each worker process builds it once,
on the first screenshot it reads (the web never imports it). Reading a phone screenshot takes
0.5–1.5 s on one core (bench/ocr_check.py).
"""

import io
import threading
from typing import Any

from PIL import Image

_engine = None
_lock = threading.Lock()


def _reader() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def read_text(image: bytes) -> str:
    """The text boxes found on the image, top to bottom, one per line ("" when there is none)."""
    import numpy

    with Image.open(io.BytesIO(image)) as opened:
        pixels = numpy.asarray(opened.convert("RGB"))[:, :, ::-1]  # RapidOCR wants OpenCV's BGR
    boxes, _ = _reader()(pixels)
    return "\n".join(text for _, text, _ in boxes or [])
