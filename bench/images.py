"""WebP conversion of a 12-megapixel photo: the project's Pillow pipeline beside `cwebp -q 80`.

Prints images per second, output sizes and the ratio (goal: Pillow >= 0.8 of cwebp's speed at
a comparable size). The project's conversion also caps the long side at 2048 px, so cwebp is
run twice: plain (full size, the goal's comparison) and with `-resize` to the same dimensions, which
is the like-for-like figure. Run: `uv run python bench/images.py` (or `make bench`).
"""

from __future__ import annotations

import io
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traino.settings")
django.setup()

from PIL import Image, ImageDraw, ImageFilter, features  # noqa: E402

from storage import images  # noqa: E402
from storage.images import WEBP_METHOD, convert_to_webp  # noqa: E402

WIDTH, HEIGHT = 4000, 3000
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def photo_like_jpeg() -> bytes:
    """Gradients, soft shapes, hard edges and sensor-like noise: closer to a photo than a
    flat test card, so the encoders see texture as well as smooth areas."""
    rng = random.Random(12)
    red = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    green = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    blue = red.transpose(Image.Transpose.ROTATE_180)
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        r = rng.randrange(20, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x, y, x + r * 2, y + r), fill=colour)
    for _ in range(200):
        points = [(rng.randrange(WIDTH), rng.randrange(HEIGHT)) for _ in range(2)]
        draw.line(points, fill=tuple(rng.randrange(256) for _ in range(3)), width=3)
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((WIDTH, HEIGHT), 40).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Timing:
    """Wall and CPU seconds per run. CPU time (ours, or the cwebp child's) is what the ratio
    uses: on a shared machine other processes stretch wall time, not CPU time."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def per_second(self) -> tuple[float, float]:
        return 1 / statistics.median(self.wall), 1 / statistics.median(self.cpu)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pillow(data: bytes, method: int, timing: Timing):
    wall, cpu = time.perf_counter(), time.process_time()
    converted = convert_to_webp(data, "JPEG", method=method)
    timing.wall.append(time.perf_counter() - wall)
    timing.cpu.append(time.process_time() - cpu)
    return converted


def run_cwebp(command: list[str], timing: Timing) -> None:
    wall, cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, check=True)
    timing.wall.append(time.perf_counter() - wall)
    timing.cpu.append(children_cpu() - cpu)


def show(label: str, timing: Timing, size: int, note: str = "") -> None:
    wall, cpu = timing.per_second()
    print(f"{label:<44} {wall:5.2f}/s wall {cpu:5.2f}/s CPU  {size / 1024:7.1f} KiB{note}")


def main() -> None:
    data = photo_like_jpeg()
    print(
        f"source: {WIDTH}x{HEIGHT} JPEG ({WIDTH * HEIGHT / 1e6:.0f} MP), {len(data) / 1e6:.2f} MB;"
        f" median of {RUNS} runs; Pillow {Image.__version__} with libwebp"
        f" {features.version('webp')}; images per second (Pillow: image + 400 px thumbnail)"
    )
    project_filter = images.RESAMPLE
    variants = [(m, project_filter) for m in (0, 2, 3, 6)] + [
        (WEBP_METHOD, f) for f in (Image.Resampling.LANCZOS, Image.Resampling.BICUBIC)
    ]
    for method, resample in variants:
        if (method, resample) == (WEBP_METHOD, project_filter):
            continue
        images.RESAMPLE = resample
        timing = Timing()
        run_pillow(data, method, Timing())  # warm-up
        for _ in range(RUNS):
            converted = run_pillow(data, method, timing)
        show(f"Pillow method={method} {resample.name.lower()}", timing, len(converted.image.data))
    images.RESAMPLE = project_filter

    cwebp = shutil.which("cwebp")
    project = Timing()
    run_pillow(data, WEBP_METHOD, Timing())
    if not cwebp:
        for _ in range(RUNS):
            converted = run_pillow(data, WEBP_METHOD, project)
        show(f"Pillow method={WEBP_METHOD}, the project", project, len(converted.image.data))
        print("cwebp not found: install Debian's webp package (sudo apt-get install webp)")
        return
    version = subprocess.run([cwebp, "-version"], capture_output=True, text=True).stdout.strip()
    full, same = Timing(), Timing()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "photo.jpg"
        source.write_bytes(data)
        full_out, same_out = Path(tmp) / "full.webp", Path(tmp) / "same.webp"
        sample = convert_to_webp(data, "JPEG").image
        width, height = sample.width, sample.height
        base = [cwebp, "-quiet", "-q", "80", str(source), "-o"]
        full_cmd = [*base, str(full_out)]
        same_cmd = [*base, str(same_out), "-resize", str(width), str(height)]
        run_cwebp(same_cmd, Timing())
        for _ in range(RUNS):  # interleaved, so a busy moment hits all three alike
            converted = run_pillow(data, WEBP_METHOD, project)
            run_cwebp(same_cmd, same)
            run_cwebp(full_cmd, full)
        show(
            f"Pillow method={WEBP_METHOD} {project_filter.name.lower()}",
            project,
            len(converted.image.data),
            "  <- the project",
        )
        show(f"cwebp {version} -q 80 -resize {width} {height}", same, same_out.stat().st_size)
        show(f"cwebp {version} -q 80 (full {WIDTH}x{HEIGHT})", full, full_out.stat().st_size)
        size_ratio = len(converted.image.data) / same_out.stat().st_size
    (p_wall, p_cpu), (s_wall, s_cpu), (f_wall, f_cpu) = (
        project.per_second(),
        same.per_second(),
        full.per_second(),
    )
    print(
        f"ratio Pillow/cwebp at the same {width}x{height} output: {p_cpu / s_cpu:.2f} by CPU,"
        f" {p_wall / s_wall:.2f} by wall time (goal >= 0.80); output bytes {size_ratio:.2f}x"
    )
    print(
        f"ratio Pillow/`cwebp -q 80` at full size (the goal's comparison): {p_cpu / f_cpu:.2f}"
        f" by CPU, {p_wall / f_wall:.2f} by wall time"
    )


if __name__ == "__main__":
    main()
