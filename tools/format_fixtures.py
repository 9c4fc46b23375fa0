"""The test images in HEIC, AVIF, JPEG XL, GIF, TIFF and BMP, and a Display P3 JPEG.

Made at setup from the shared photos, never committed. HEIC and AVIF come from libheif's
`heif-enc` (x265 and aom), JPEG XL from `cjxl`, tiled TIFF from `tiffcp`: the encoders of the
Debian packages `make setup` installs. Pillow writes the simple GIF, TIFF and BMP variants; the
layouts it cannot write (4- and 16-bit, bit-field, top-down and RLE BMPs, 16-bit RGB TIFF) are
written here by hand, field by field.

The per-photo files (`formats/<photo>.heic`, `.avif`, `.jxl`) take about a minute and a half to
encode on two cores, so a file already there is kept.
"""
import csv
import io
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

PHOTO_FORMATS = ("heic", "avif", "jxl")


def encode_photos(images: Path, out: Path) -> list[Path]:
    """Every labelled photo as HEIC, AVIF and JPEG XL, named `<photo file>.<format>`, and as a
    Display P3 JPEG with its profile, `<photo file>.p3.jpg`."""
    made = []
    out.mkdir(parents=True, exist_ok=True)
    with open(images / "labels.csv", newline="") as f:
        photos = [row["file"] for row in csv.DictReader(f)]
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(display_p3_profile()))
    srgb = ImageCms.createProfile("sRGB")
    for photo in photos:
        source = images / photo
        target = out / f"{photo}.p3.jpg"
        made.append(target)
        if not target.exists():
            image = Image.open(source).convert("RGB")
            converted = ImageCms.profileToProfile(image, srgb, p3, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                                  outputMode="RGB")
            converted.save(target, quality=95, icc_profile=p3.tobytes())
        for fmt in PHOTO_FORMATS:
            target = out / f"{photo}.{fmt}"
            made.append(target)
            if target.exists() and target.stat().st_size > 0:
                continue
            partial = target.with_suffix(target.suffix + ".partial")
            if fmt == "jxl":
                # cjxl 0.7 refuses some JPEGs' ICC profiles: go through pixels, as a camera would.
                with tempfile.TemporaryDirectory() as tmp:
                    png = Path(tmp) / "source.png"
                    Image.open(source).convert("RGB").save(png)
                    run(["cjxl", str(png), str(partial), "-d", "1.0", "--quiet"])
            else:
                run(["heif-enc", "-q", "85" if fmt == "heic" else "75", str(source), "-o", str(partial)]
                    + (["-A"] if fmt == "avif" else []))
            partial.rename(target)
    return made


def run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


def write_seeds(out: Path, coffee: Image.Image) -> None:
    """Small images of each new format, 64 pixels wide: the malformed-image generator's and the
    fuzz harness's seeds (Sources/MalformedImages), small so each of their cases is quick."""
    tiny = coffee.resize((64, 43), Image.BICUBIC)
    tiny.quantize(64).save(out / "tiny-64.gif")
    tiny.save(out / "tiny-64.bmp")
    tiny.save(out / "tiny-64.tiff", compression="tiff_lzw")
    tiny.save(out / "tiny-64.source.png")
    for fmt in ("heic", "avif"):
        target = out / f"tiny-64.{fmt}"
        if not target.exists():
            run(["heif-enc", "-q", "80", str(out / "tiny-64.source.png"), "-o", str(target)] + (["-A"] if fmt == "avif" else []))
    if not (out / "tiny-64.jxl").exists():
        run(["cjxl", str(out / "tiny-64.source.png"), str(out / "tiny-64.jxl"), "-d", "1.0", "--quiet"])
    (out / "tiny-64.source.png").unlink()


def write_variants(out: Path, cat: Image.Image, coffee: Image.Image, add) -> None:
    """The GIF, TIFF, BMP and colour-profile variants, each listed through `add`."""
    write_seeds(out, coffee)
    coffee.quantize(256).save(out / "still.gif", interlace=False)
    add("still.gif", "coffee.png", "GIF, one frame, not interlaced")
    coffee.quantize(256).save(out / "interlaced.gif", interlace=True)
    add("interlaced.gif", "coffee.png", "interlaced GIF")
    frames = [coffee.quantize(256), coffee.transpose(Image.Transpose.FLIP_LEFT_RIGHT).quantize(256),
              cat.resize(coffee.size).quantize(256)]
    frames[0].save(out / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    add("animated.gif", "coffee.png", "animated GIF, three frames; the first is the photo")

    # HEIF's own transforms, which libheif applies: `avifenc` (libavif) writes `irot` and `imir`
    # (heif-enc 1.15 writes neither). Stored turned clockwise and rotated back by `irot` 1 (90°
    # anticlockwise); stored mirrored and mirrored back by `imir`.
    with tempfile.TemporaryDirectory() as tmp:
        for name, transpose, flags in [("irot.avif", Image.Transpose.ROTATE_270, ["--irot", "1"]),
                                       ("imir.avif", Image.Transpose.FLIP_LEFT_RIGHT, ["--imir", "1"])]:
            if not (out / name).exists():
                stored = Path(tmp) / "stored.png"
                cat.transpose(transpose).save(stored)
                run(["avifenc", "-s", "8", "--min", "0", "--max", "10"] + flags + [str(stored), str(out / name)])
            add(name, "chelsea.png", f"AVIF stored {'on its side' if 'irot' in name else 'mirrored'}, put right by {flags[0][2:]}")

    coffee.save(out / "lzw.tiff", compression="tiff_lzw")
    add("lzw.tiff", "coffee.png", "8-bit RGB TIFF, LZW strips")
    run(["tiffcp", "-t", "-w", "64", "-l", "64", "-c", "zip", str(out / "lzw.tiff"), str(out / "tiled.tiff")])
    add("tiled.tiff", "coffee.png", "8-bit RGB TIFF, 64×64 deflate tiles")
    write_tiff16(out / "rgb16.tiff", np.asarray(coffee))
    add("rgb16.tiff", "coffee.png", "16-bit RGB TIFF, big-endian, uncompressed")
    coffee.save(out / "multipage.tiff", save_all=True, append_images=[cat])
    add("multipage.tiff", "coffee.png", "two-page TIFF; the first page is the photo")
    cat.transpose(Image.Transpose.ROTATE_90).save(out / "rotated.tiff", tiffinfo={274: 6})
    add("rotated.tiff", "chelsea.png", "TIFF stored on its side with orientation 6")

    rgb = np.asarray(coffee)
    coffee.convert("1").save(out / "bmp1.bmp")
    add("bmp1.bmp", "coffee.png", "1-bit BMP")
    palette16 = coffee.quantize(16)
    write_bmp_indexed(out / "bmp4.bmp", np.asarray(palette16), palette16.getpalette()[:48], bits=4)
    add("bmp4.bmp", "coffee.png", "4-bit palette BMP")
    coffee.quantize(256).save(out / "bmp8.bmp")
    add("bmp8.bmp", "coffee.png", "8-bit palette BMP")
    palette256 = coffee.quantize(256)
    write_bmp_rle8(out / "rle8.bmp", np.asarray(palette256), palette256.getpalette()[:768])
    add("rle8.bmp", "coffee.png", "RLE8 BMP")
    write_bmp_direct(out / "bmp16.bmp", rgb, bits=16, masks=None)
    add("bmp16.bmp", "coffee.png", "16-bit 5-5-5 BMP")
    write_bmp_direct(out / "bmp565.bmp", rgb, bits=16, masks=(0xF800, 0x07E0, 0x001F))
    add("bmp565.bmp", "coffee.png", "16-bit 5-6-5 bit-field BMP")
    coffee.save(out / "bmp24.bmp")
    add("bmp24.bmp", "coffee.png", "24-bit BMP, bottom-up")
    write_bmp_direct(out / "topdown.bmp", rgb, bits=24, masks=None, top_down=True)
    add("topdown.bmp", "coffee.png", "24-bit BMP, top-down")
    write_bmp_direct(out / "bmp32.bmp", rgb, bits=32, masks=(0x00FF0000, 0x0000FF00, 0x000000FF))
    add("bmp32.bmp", "coffee.png", "32-bit bit-field BMP (BITMAPV5HEADER)")

    # Display P3: the photo's colours re-expressed in P3 and tagged with a P3 profile. Decoded
    # right, it looks like the sRGB original; read as sRGB, it is visibly duller.
    p3 = display_p3_profile()
    srgb = ImageCms.createProfile("sRGB")
    for name, image, source in [("p3-chelsea.jpg", cat, "chelsea.png"), ("p3-coffee.jpg", coffee, "coffee.png")]:
        converted = ImageCms.profileToProfile(image, srgb, ImageCms.ImageCmsProfile(io.BytesIO(p3)),
                                              renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, outputMode="RGB")
        converted.save(out / name, quality=95, icc_profile=p3)
        add(name, source, "JPEG in Display P3, tagged with its ICC profile")
        converted.save(out / name.replace(".jpg", ".png"), icc_profile=p3)
        add(name.replace(".jpg", ".png"), source, "PNG in Display P3, tagged with its ICC profile (iCCP)")
        converted.save(out / name.replace(".jpg", ".webp"), quality=95, icc_profile=p3)
        add(name.replace(".jpg", ".webp"), source, "WebP in Display P3, tagged with its ICC profile (ICCP)")
        converted.save(out / name.replace(".jpg", ".untagged.jpg"), quality=95)
        add(name.replace(".jpg", ".untagged.jpg"), source, "the same P3 numbers with no profile: what a decoder without colour management sees")


def display_p3_profile() -> bytes:
    """An ICC v2 matrix/TRC profile for Display P3: DCI-P3 primaries, D65 white, the sRGB curve.

    Pillow's littleCMS builds only sRGB and Lab profiles, and Debian ships no P3 one, so it is
    written here. The colorants are the primaries' XYZ adapted to the D50 connection space with
    the Bradford transform, as the ICC specification requires.
    """
    def xyz(x, y):
        return np.array([x / y, 1.0, (1 - x - y) / y])
    white = xyz(0.3127, 0.3290)
    primaries = np.stack([xyz(0.680, 0.320), xyz(0.265, 0.690), xyz(0.150, 0.060)], axis=1)
    scale = np.linalg.solve(primaries, white)
    to_xyz = primaries * scale
    bradford = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    d50 = np.array([0.9642, 1.0, 0.8249])
    adapt = np.linalg.inv(bradford) @ np.diag((bradford @ d50) / (bradford @ white)) @ bradford
    colorants = adapt @ to_xyz

    def s15(v):
        return struct.pack(">i", int(round(v * 65536)))

    def xyz_tag(v):
        return b"XYZ " + b"\0" * 4 + b"".join(s15(c) for c in v)

    def text_desc(text):
        ascii_ = text.encode() + b"\0"
        return b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 12 + b"\0" * 67

    levels = np.linspace(0, 1, 1024)
    curve = np.where(levels <= 0.04045, levels / 12.92, ((levels + 0.055) / 1.055) ** 2.4)
    trc = b"curv" + b"\0" * 4 + struct.pack(">I", 1024) + b"".join(struct.pack(">H", int(round(v * 65535))) for v in curve)
    tags = [(b"desc", text_desc("Display P3 (Lenscale test profile)")), (b"cprt", b"text" + b"\0" * 4 + b"No copyright\0"),
            (b"wtpt", xyz_tag(d50)), (b"rXYZ", xyz_tag(colorants[:, 0])), (b"gXYZ", xyz_tag(colorants[:, 1])),
            (b"bXYZ", xyz_tag(colorants[:, 2])), (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x40, 0, 0]) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp"
              + b"\0" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data


def write_tiff16(path: Path, rgb8: np.ndarray) -> None:
    """A big-endian, uncompressed 16-bit RGB TIFF in one strip (Pillow writes no 16-bit RGB)."""
    height, width, _ = rgb8.shape
    pixels = (rgb8.astype(">u2") * 257).tobytes()
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 2),
               (273, 4, 1, None), (277, 3, 1, 3), (278, 4, 1, height), (279, 4, 1, len(pixels)), (284, 3, 1, 1)]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_at = 8 + ifd_size
    data_at = bits_at + 6
    ifd = struct.pack(">H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 258:
            ifd += struct.pack(">HHII", tag, kind, count, bits_at)
        elif tag == 273:
            ifd += struct.pack(">HHII", tag, kind, count, data_at)
        elif kind == 3:
            ifd += struct.pack(">HHIHH", tag, kind, count, value, 0)
        else:
            ifd += struct.pack(">HHII", tag, kind, count, value)
    path.write_bytes(b"MM\0*" + struct.pack(">I", 8) + ifd + struct.pack(">I", 0) + struct.pack(">HHH", 16, 16, 16) + pixels)


def bmp_file(width: int, height: int, bits: int, compression: int, extra_header: bytes, palette: bytes, data: bytes,
             header_size: int = 40) -> bytes:
    info = struct.pack("<IiiHHIIiiII", header_size, width, height, 1, bits, compression, len(data), 2835, 2835,
                       len(palette) // 4, 0)
    info += extra_header
    info += b"\0" * (header_size - len(info)) if len(info) < header_size else b""
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset) + info + palette + data


def bmp_palette(rgb_flat: list[int]) -> bytes:
    return b"".join(bytes([rgb_flat[i + 2], rgb_flat[i + 1], rgb_flat[i], 0]) for i in range(0, len(rgb_flat), 3))


def write_bmp_indexed(path: Path, indices: np.ndarray, palette: list[int], bits: int) -> None:
    height, width = indices.shape
    stride = (width * bits + 31) // 32 * 4
    rows = []
    for y in range(height - 1, -1, -1):
        packed = bytearray(stride)
        for x, index in enumerate(indices[y]):
            bit = x * bits
            packed[bit // 8] |= int(index) << (8 - bits - bit % 8)
        rows.append(bytes(packed))
    path.write_bytes(bmp_file(width, height, bits, 0, b"", bmp_palette(palette), b"".join(rows)))


def write_bmp_rle8(path: Path, indices: np.ndarray, palette: list[int]) -> None:
    """RLE8: runs of one index where they repeat, literal runs (padded to even) elsewhere."""
    height, width = indices.shape
    data = bytearray()
    for y in range(height - 1, -1, -1):
        row, x = indices[y], 0
        while x < width:
            run_length = 1
            while x + run_length < width and run_length < 255 and row[x + run_length] == row[x]:
                run_length += 1
            if run_length >= 3 or width - x < 3:
                data += bytes([run_length, int(row[x])])
                x += run_length
                continue
            end = x
            while end < width and end - x < 255 and not (end + 2 < width and row[end] == row[end + 1] == row[end + 2]):
                end += 1
            literal = [int(v) for v in row[x:end]]
            if len(literal) < 3:
                data += b"".join(bytes([1, v]) for v in literal)
            else:
                data += bytes([0, len(literal)]) + bytes(literal) + (b"\0" if len(literal) % 2 else b"")
            x = end
        data += b"\0\0"
    data += b"\0\1"
    path.write_bytes(bmp_file(width, height, 8, 1, b"", bmp_palette(palette), bytes(data)))


def write_bmp_direct(path: Path, rgb: np.ndarray, bits: int, masks, top_down: bool = False) -> None:
    height, width, _ = rgb.shape
    stride = (width * bits + 31) // 32 * 4
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    if bits == 24:
        pixels = rgb[..., ::-1].astype(np.uint8)
        flat = [pixels[y].tobytes() for y in range(height)]
    else:
        red, green, blue = masks or (0x7C00, 0x03E0, 0x001F)

        def place(channel, mask):
            shift = (mask & -mask).bit_length() - 1
            maximum = mask >> shift
            return ((channel * maximum + 127) // 255) << shift
        value = place(r, red) | place(g, green) | place(b, blue)
        dtype = "<u2" if bits == 16 else "<u4"
        flat = [value[y].astype(dtype).tobytes() for y in range(height)]
    rows = [row + b"\0" * (stride - len(row)) for row in flat]
    if not top_down:
        rows.reverse()
    data = b"".join(rows)
    if masks is None:
        path.write_bytes(bmp_file(width, -height if top_down else height, bits, 0, b"", b"", data))
        return
    extra = struct.pack("<IIII", *masks, 0) + b"sRGB"  # V5 header: masks, alpha mask, colour space
    path.write_bytes(bmp_file(width, -height if top_down else height, bits, 3, extra, b"", data, header_size=124))
