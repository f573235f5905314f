#!/usr/bin/env python3
"""Makes the camera-like photo set of yinxin presentation codes (test-vectors/photos).

The QR codes are drawn by segno, an encoder independent of yinxin's (qrcode crate), at error
correction M as yinxin draws them, on a phone-like screen; each photo then gets what a counter
camera adds: perspective (the phone held at an angle), rotation, scale, contrast 0.45-0.9,
a light gradient (a window on one side), screen glare, defocus blur, sensor noise and JPEG
compression. 1,280 x 800 pixels (1.02 megapixels). Deterministic: the same seed gives the
same pictures.

    pip install pillow numpy segno
    python3 test-vectors/photos/make.py           # rewrites NN.jpg and expected.tsv here
"""

import io
import math
import pathlib
import random

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter

HERE = pathlib.Path(__file__).resolve().parent
WIDTH, HEIGHT = 1280, 800
PER_CODE = 12


def screen(text, rng):
    """A phone screen showing the code: light background, a title bar, the code, a caption."""
    qr = segno.make(text, error="m", boost_error=False, micro=False)
    scale = 6
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=scale, border=4, dark="#111", light="#fff")
    code = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    w = code.width + 80
    h = int(code.height * 1.9)
    shot = Image.new("L", (w, h), 245)
    draw = ImageDraw.Draw(shot)
    draw.rectangle([0, 0, w, int(h * 0.12)], fill=rng.choice([40, 60, 90, 200]))
    for i in range(4):
        y = int(h * 0.78) + i * 22
        draw.rectangle([40, y, 40 + rng.randint(w // 3, w - 80), y + 10], fill=150)
    shot.paste(code, (40, int(h * 0.16)))
    # The phone: a dark bezel around the screen.
    bezel = 30
    phone = Image.new("L", (w + 2 * bezel, h + 2 * bezel), 20)
    phone.paste(shot, (bezel, bezel))
    return phone


def perspective_coeffs(src, dst):
    """PIL's PERSPECTIVE coefficients mapping output points dst back to input points src."""
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for p in src for c in p], dtype=float)
    return np.linalg.solve(a, b).tolist()


def photo(text, rng):
    phone = screen(text, rng)
    pw, ph = phone.size
    # Where the phone lands in the frame: scaled to 80-125% of the frame height, rotated,
    # and its corners pulled toward a vanishing point (tilt up to ~35 degrees).
    target_h = HEIGHT * rng.uniform(0.8, 1.25)
    s = target_h / ph
    angle = math.radians(rng.uniform(-25, 25))
    # The code (in the upper part of the screen) near the middle of the frame.
    cx = WIDTH / 2 + rng.uniform(-120, 120)
    cy = HEIGHT / 2 + 0.1 * ph * s + rng.uniform(-40, 40)
    corners = [(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)]
    tilt_x = rng.uniform(-0.16, 0.16)
    tilt_y = rng.uniform(-0.14, 0.14)
    dst = []
    for x, y in corners:
        # Foreshortening: the far side is smaller.
        f = 1 + tilt_x * (x / (pw / 2)) + tilt_y * (y / (ph / 2))
        x, y = x * s * f, y * s * f
        xr = x * math.cos(angle) - y * math.sin(angle)
        yr = x * math.sin(angle) + y * math.cos(angle)
        dst.append((cx + xr, cy + yr))
    src = [(0, 0), (pw, 0), (pw, ph), (0, ph)]
    coeffs = perspective_coeffs(src, dst)
    # A desk behind the phone.
    desk = np.full((HEIGHT, WIDTH), rng.uniform(90, 170)) + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 12, (HEIGHT, WIDTH))
    frame = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8), "L")
    warped = phone.transform((WIDTH, HEIGHT), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=0)
    mask = Image.new("L", phone.size, 255).transform((WIDTH, HEIGHT), Image.PERSPECTIVE, coeffs, Image.BILINEAR, fillcolor=0)
    frame.paste(warped, (0, 0), mask)

    a = np.asarray(frame, dtype=float) / 255.0
    # Contrast 0.45-0.9 around mid-grey, a light gradient across the frame, a glare spot.
    contrast = rng.uniform(0.45, 0.9)
    a = 0.5 + (a - 0.5) * contrast
    gx = np.linspace(0, 1, WIDTH)[None, :]
    gy = np.linspace(0, 1, HEIGHT)[:, None]
    theta = rng.uniform(0, 2 * math.pi)
    grad = math.cos(theta) * gx + math.sin(theta) * gy
    grad = (grad - grad.min()) / (grad.max() - grad.min() + 1e-9)
    strength = rng.uniform(0.15, 0.45)
    a = a * (1 - strength) + a * strength * 2 * grad
    if rng.random() < 0.5:
        gxc, gyc = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)
        r = rng.uniform(80, 220)
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
        a = a + rng.uniform(0.1, 0.25) * np.exp(-((xx - gxc) ** 2 + (yy - gyc) ** 2) / (2 * r * r))
    img = Image.fromarray(np.clip(a * 255, 0, 255).astype(np.uint8), "L")
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.6)))
    a = np.asarray(img, dtype=float)
    a = a + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, rng.uniform(2, 9), a.shape)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L").convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=rng.randint(55, 85))
    return out.getvalue()


def main():
    rng = random.Random(20261207)
    codes = [line.rstrip("\n") for line in (HERE / "codes.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    n = 0
    for text in codes:
        for _ in range(PER_CODE):
            n += 1
            name = f"{n:02d}.jpg"
            (HERE / name).write_bytes(photo(text, rng))
            rows.append(f"{name}\t{text}")
    (HERE / "expected.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{n} photos")


if __name__ == "__main__":
    main()
