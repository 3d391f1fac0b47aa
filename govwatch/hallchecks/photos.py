"""Photos of a hall inspection: checked to be images, resized, and stripped of their metadata.

A phone's photo is several megabytes and carries EXIF: the camera, the time and, where location
is on, the GPS position of the inspector, which in a secret inspection (暗访) must not travel with
the evidence. Each upload is decoded with Pillow (anything that does not decode as JPEG, PNG or
WebP is refused), turned upright by its EXIF orientation, scaled to at most MAX_SIDE pixels on its
long side and written again as a JPEG without any metadata.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
MAX_SIDE = 1600
QUALITY = 82
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
# Pillow refuses images over twice this many pixels as decompression bombs; a phone's 200-megapixel
# photo is 2e8, so the limit is set above any real camera and below what would exhaust memory.
MAX_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoRefused(Exception):
    """Not a photo GovWatch keeps; the message is for the user."""


@dataclass(frozen=True)
class Photo:
    name: str
    content: bytes
    width: int
    height: int
    sha256: str


def process_photo(name: str, content: bytes) -> Photo:
    """The photo as kept: an upright JPEG of at most MAX_SIDE pixels, without metadata."""
    if not content:
        raise PhotoRefused(f"“{name}”是空文件")
    if len(content) > MAX_UPLOAD_BYTES:
        raise PhotoRefused(f"照片“{name}”超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in FORMATS:
                raise PhotoRefused(f"“{name}”不是支持的照片格式（请上传 JPG、PNG 或 WebP 照片）")
            if image.format in ("JPEG", "MPO"):
                # Decode at a reduced scale straight away: a 20 MB photo never fills memory whole.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise PhotoRefused(f"“{name}”不是图片（请上传 JPG、PNG 或 WebP 照片）") from exc
        raise PhotoRefused(f"照片“{name}”像素过多，无法处理") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoRefused(f"照片“{name}”已损坏或不完整，无法读取") from exc
    out = io.BytesIO()
    # No exif=, no icc_profile=: nothing of the original's metadata is written.
    image.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    data = out.getvalue()
    stem = PurePath(name).stem[:150] or "photo"
    return Photo(f"{stem}.jpg", data, image.width, image.height, hashlib.sha256(data).hexdigest())
