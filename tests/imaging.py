"""Test images made with Pillow: every one is generated here, none is a real scan."""

from __future__ import annotations

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def two_tone(size=(60, 40), left=(200, 30, 30), right=(30, 30, 200), mode="RGB") -> Image.Image:
    """Left half one colour, right half another: shows where orientation put things."""
    image = Image.new(mode, size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def jpeg(size=(60, 40), **params) -> bytes:
    return encode(two_tone(size), "JPEG", quality=95, **params)


def png(size=(60, 40)) -> bytes:
    return encode(two_tone(size), "PNG")


def webp(size=(60, 40)) -> bytes:
    return encode(two_tone(size), "WEBP", lossless=True)


def grey16(fmt: str, value: int = 32768, size=(40, 30)) -> bytes:
    return encode(Image.new("I;16", size, value), fmt)


def multipage_tiff(pages: int = 3, size=(50, 70)) -> bytes:
    frames = [Image.new("RGB", size, (40 * i, 100, 200 - 40 * i)) for i in range(pages)]
    return encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")


def with_exif_orientation_and_gps(orientation: int = 6) -> bytes:
    """A 60 × 40 JPEG whose EXIF says to rotate it, with a GPS position and a camera make."""
    image = two_tone((60, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "TestCam"
    exif[GPS_IFD] = {1: "N", 2: (43.0, 7.0, 0.0), 3: "E", 4: (131.0, 54.0, 0.0)}
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


def _icc_header(size: int, device_class: bytes, colour_space: bytes, pcs: bytes) -> bytes:
    d50 = struct.pack(">iii", round(0.9642 * 65536), 65536, round(0.8249 * 65536))
    return (
        struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + device_class + colour_space + pcs
        + struct.pack(">6H", 2020, 1, 1, 0, 0, 0) + b"acsp" + b"APPL" + bytes(4) + bytes(4) + bytes(4)
        + bytes(8) + struct.pack(">I", 0) + d50 + b"lcms" + bytes(16) + bytes(28)
    )


def _profile(device_class: bytes, colour_space: bytes, pcs: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, blobs = [], b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        entries.append(struct.pack(">4sII", signature, offset + len(blobs), len(data)))
        blobs += data
    body = struct.pack(">I", len(tags)) + b"".join(entries) + blobs
    return _icc_header(128 + len(body), device_class, colour_space, pcs) + body


def _desc(text: str) -> bytes:
    ascii_text = text.encode() + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 2 + 1 + 67)


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + struct.pack(">iii", round(x * 65536), round(y * 65536), round(z * 65536))


def warm_paper_cmyk_profile() -> bytes:
    """A CMYK profile of a warm, yellowish paper: black ink comes out brown (b* > 0), not grey.

    A viewer that ignores the profile shows half black ink as neutral grey; one that honours it, as brown.
    """
    grid = 2
    clut = b""
    for c in range(grid):
        for m in range(grid):
            for y in range(grid):
                for k in range(grid):
                    ink = (c + m + y) / 3
                    lightness = 90 * (1 - k) * (1 - 0.7 * ink)
                    a = 40 * (m - c) / 2
                    b = 40 * (1 - ink) * (1 - k) + 40 * (y - c) / 2
                    clut += bytes([round(lightness * 255 / 100), round(a + 128), round(b + 128)])
    identity = bytes(range(256))
    lut = (
        b"mft1" + bytes(4) + bytes([4, 3, grid, 0])
        + struct.pack(">9i", 65536, 0, 0, 0, 65536, 0, 0, 0, 65536)
        + identity * 4 + clut + identity * 3
    )
    return _profile(b"prtr", b"CMYK", b"Lab ", [
        (b"desc", _desc("Test warm paper CMYK")), (b"wtpt", _xyz(0.9642, 1.0, 0.8249)), (b"A2B0", lut),
    ])


def swapped_primaries_rgb_profile() -> bytes:
    """sRGB with its red and green primaries swapped: a pixel stored as pure red means green."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    count = struct.unpack(">I", srgb[128:132])[0]
    table = bytearray(srgb)
    entries = {}
    for i in range(count):
        start = 132 + 12 * i
        signature, offset, length = struct.unpack(">4sII", srgb[start:start + 12])
        entries[signature] = (start, offset, length)
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    table[red[0] + 4:red[0] + 12] = struct.pack(">II", green[1], green[2])
    table[green[0] + 4:green[0] + 12] = struct.pack(">II", red[1], red[2])
    table[84:100] = bytes(16)  # the profile id no longer matches: leave it unset
    return bytes(table)


def cmyk_jpeg_with_profile(size=(40, 30), ink=(0, 0, 0, 128)) -> bytes:
    """Half black ink: plain conversion gives neutral grey, the profile a warm brown."""
    return encode(Image.new("CMYK", size, ink), "JPEG", quality=95, icc_profile=warm_paper_cmyk_profile())


def rgb_png_with_profile(size=(40, 30)) -> bytes:
    return encode(Image.new("RGB", size, (255, 0, 0)), "PNG", icc_profile=swapped_primaries_rgb_profile())


# Files that are not accepted images.
def psd() -> bytes:
    header = b"8BPS" + struct.pack(">H", 1) + bytes(6) + struct.pack(">HIIHH", 3, 4, 4, 8, 3)
    return header + struct.pack(">I", 0) * 3 + struct.pack(">H", 0) + bytes(48)


def eps() -> bytes:
    return encode(Image.new("RGB", (10, 10), "white"), "EPS")


def svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def fits() -> bytes:
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
             "NAXIS1  =                   10", "NAXIS2  =                   10", "END"]
    header = "".join(card.ljust(80) for card in cards).ljust(2880)
    return header.encode() + bytes(2880)


def gif() -> bytes:
    return encode(Image.new("P", (10, 10)), "GIF")


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


def rgb16_tiff(width: int = 4, height: int = 3, pixel=(65535, 32768, 0)) -> bytes:
    """An uncompressed 16-bit-per-channel RGB TIFF, written by hand (Pillow cannot write one)."""
    pixels = struct.pack("<3H", *pixel) * (width * height)
    bits_at = 8 + len(pixels)
    ifd_at = bits_at + 6
    entries = [
        (256, 3, 1, width), (257, 3, 1, height), (258, 3, 3, bits_at), (259, 3, 1, 1), (262, 3, 1, 2),
        (273, 4, 1, 8), (277, 3, 1, 3), (278, 3, 1, height), (279, 4, 1, len(pixels)), (284, 3, 1, 1),
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHIHH", tag, kind, count, value, 0) if kind == 3 and count == 1 else \
            struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_at) + pixels + struct.pack("<3H", 16, 16, 16) + ifd
