"""SiamRPN++ R50 speed: template step, search step, full tracker step, vs a pysot-style loop.

    python benchmarks/siamrpnpp.py [--device cpu,cuda] [--frames 200] [--sizes 640x480,1280x720]
                                   [--flavour pysot] [--checkpoint PATH] [--repeat 3]

The baseline, measured in the same run on the same network and weights, is the loop pysot's
``SiamRPNTracker`` runs: crop with numpy + ``cv2.resize`` on the host, upload the crop,
recompute the template branch every frame, copy ``cls``/``loc`` back and post-process in
numpy.  "tracker step" is ``SiamRPNppTracker.update`` (frame upload, crop on the device,
network, post-processing, one copy of the box back; a CUDA graph on GPU).  Frames are
synthetic (textured noise, moving); weights are PyTorch's default init unless --checkpoint
is given.  Random weights do not track, so before every step the state is reset to the
initial box (all loops then crop the same windows; on CPU the cost of denormal floats
depends on the content, and they are flushed here).  fp32 everywhere, TF32 off.  Best of
--repeat passes.  CPU figures need a quiet machine (OMP_NUM_THREADS=1 gives steadier ratios
on a shared one); on a 2-core CPU all loops are bound by the network (~1 s/frame/thread).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sotbench.trackers.siamrpnpp.anchors import make_anchors, make_window  # noqa: E402
from sotbench.trackers.siamrpnpp.builder import build  # noqa: E402
from sotbench.trackers.siamrpnpp.flavours import Pysot  # noqa: E402


def make_frames(w: int, h: int, n: int) -> list[np.ndarray]:
    """Smooth colour texture plus noise, panning a few pixels per frame."""
    rng = np.random.default_rng(w)
    base = cv2.resize(rng.integers(0, 256, (h // 16 + 1, w // 16 + 1, 3), dtype=np.uint8), (w + 4 * n, h),
                      interpolation=cv2.INTER_CUBIC)
    return [np.ascontiguousarray(base[:, 4 * i:4 * i + w]) for i in range(n)]


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, n: int, repeat: int, device: torch.device) -> float:
    """Best seconds per call over ``repeat`` passes of ``n`` calls."""
    best = float("inf")
    for _ in range(repeat):
        sync(device)
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        sync(device)
        best = min(best, (time.perf_counter() - t0) / n)
    return best


class PysotStyleLoop:
    """The baseline: host crop (cv2), per-frame template branch, numpy post-processing."""

    def __init__(self, trk):
        self.trk, self.p, self.dev = trk, trk.p, trk.device
        self.anchors = make_anchors(self.p, 25).numpy()
        self.window = make_window(self.p, 25).numpy()

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        self.pos, self.size = np.array(box[:2], float), np.array(box[2:], float)
        self.avg = image.mean(axis=(0, 1))
        s_z = round(float(np.sqrt(np.prod(self.size + 0.5 * self.size.sum()))))
        z = self.crop(image, 127, s_z)
        with torch.no_grad():
            self.zf = self.trk.model.template_features(z)

    def crop(self, image: np.ndarray, out: int, sz: int) -> torch.Tensor:
        c = (sz + 1) / 2
        x0, y0 = int(np.floor(self.pos[0] - c + 0.5)), int(np.floor(self.pos[1] - c + 0.5))
        h, w = image.shape[:2]
        left, top = max(0, -x0), max(0, -y0)
        right, bottom = max(0, x0 + sz - w), max(0, y0 + sz - h)
        canvas = np.empty((h + top + bottom, w + left + right, 3), np.uint8)
        canvas[:] = self.avg
        canvas[top:top + h, left:left + w] = image
        patch = canvas[y0 + top:y0 + top + sz, x0 + left:x0 + left + sz]
        patch = cv2.resize(patch, (out, out)) if sz != out else patch
        return torch.from_numpy(patch.transpose(2, 0, 1)[None].astype(np.float32)).to(self.dev)

    def track(self, image: np.ndarray, reset: np.ndarray | None = None) -> np.ndarray:
        if reset is not None:
            self.pos, self.size = np.array(reset[:2], float), np.array(reset[2:], float)
        s_z = float(np.sqrt(np.prod(self.size + 0.5 * self.size.sum())))
        scale = 127 / s_z
        x = self.crop(image, 255, round(s_z * 255 / 127))
        with torch.no_grad():
            m = self.trk.model
            xf = m.search_features(x)
            rpns = m.rpn_head.levels()
            kernels = type(self.trk.kernels)([r.cls.conv_kernel(z) for r, z in zip(rpns, self.zf)],
                                             [r.loc.conv_kernel(z) for r, z in zip(rpns, self.zf)])
            cls, loc = m.head(xf, kernels)
        cls = cls.cpu().numpy().reshape(2, -1)
        d = loc.cpu().numpy().reshape(4, -1)
        e = np.exp(cls - cls.max(0))
        score = e[1] / e.sum(0)
        a = self.anchors
        pw, ph = np.exp(d[2]) * a[2], np.exp(d[3]) * a[3]

        def sz(w, h):
            pad = (w + h) * 0.5
            return np.sqrt((w + pad) * (h + pad))
        s_c = np.maximum(r := sz(pw, ph) / sz(*(self.size * scale)), 1 / r)
        r_c = np.maximum(q := (self.size[0] / self.size[1]) / (pw / ph), 1 / q)
        penalty = np.exp(-(r_c * s_c - 1) * self.p.penalty_k)
        pscore = penalty * score * (1 - self.p.window_influence) + self.window * self.p.window_influence
        best = int(np.argmax(pscore))
        lr = penalty[best] * score[best] * self.p.lr
        box = np.array([d[0, best] * a[2, best] + a[0, best], d[1, best] * a[3, best] + a[1, best],
                        pw[best], ph[best]]) / scale
        self.pos = np.clip(self.pos + box[:2], 0, [image.shape[1], image.shape[0]])
        self.size = np.clip(self.size * (1 - lr) + box[2:] * lr, 10, [image.shape[1], image.shape[0]])
        return np.r_[self.pos - self.size / 2, self.size]


def bench(device: str, size: tuple[int, int], args) -> list[tuple]:
    trk = build({"flavour": args.flavour}, device=device, checkpoint=args.checkpoint,
                allow_random_weights=args.checkpoint is None)
    dev = trk.device
    w, h = size
    frames = make_frames(w, h, args.frames)
    box = np.array([w / 2 - 40, h / 2 - 30, 80, 60], float)
    n = args.frames - 1
    rows = []
    state = Pysot.state_from_box(box)

    def template(i):
        trk.init_state(frames[0], state)
    rows.append(("template step (crop + template branch)", timed(template, 10, args.repeat, dev)))
    trk.init_state(frames[0], state)
    x = trk.flavour.search_crop(trk.frame_tensor(frames[1]), trk.state, trk.f32, trk.p, 255, trk.pad)[0]
    with torch.no_grad():
        rows.append(("network only (search branch + head)",
                     timed(lambda i: trk.model.track(x, trk.kernels), min(n, 50), args.repeat, dev)))
    def eager(i):
        trk.set_state(state)
        trk.step(frames[1 + i])

    def update(i):
        trk.set_state(state)
        trk.update(frames[1 + i])
    graphs, trk._graphs = trk._graphs, None
    rows.append(("search step, eager (upload, crop, network, post)", timed(eager, n, args.repeat, dev)))
    trk._graphs = graphs
    trk.init_state(frames[0], state)
    rows.append(("tracker step: update() (CUDA graph on GPU)", timed(update, n, args.repeat, dev)))
    base = PysotStyleLoop(trk)
    base.init(frames[0], state)
    rows.append(("baseline: pysot-style loop",
                 timed(lambda i: base.track(frames[1 + i], reset=state), n, args.repeat, dev)))
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    return [(name, f"{w}x{h}", what, s) for what, s in rows]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu,cuda", help="comma-separated devices (cuda skipped when absent)")
    p.add_argument("--frames", type=int, default=200)
    p.add_argument("--sizes", default="640x480,1280x720")
    p.add_argument("--flavour", default="pysot", choices=("pysot", "mmtracking"))
    p.add_argument("--checkpoint", help="a SiamRPN++ checkpoint (default: random weights)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cpu-frames", type=int, default=12, help="frames on CPU (slow)")
    args = p.parse_args()
    torch.set_flush_denormal(True)
    table = []
    for device in args.device.split(","):
        if device.startswith("cuda") and not torch.cuda.is_available():
            print(f"({device}: no CUDA here, skipped)")
            continue
        for size in args.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            a = argparse.Namespace(**{**vars(args), "frames": args.frames if device != "cpu" else args.cpu_frames,
                                      "repeat": args.repeat if device != "cpu" else 1})
            table += bench(device, (w, h), a)
    print(f"\nSiamRPN++ R50, flavour {args.flavour}, fp32 (TF32 off), batch 1, torch {torch.__version__}")
    print(f"{'device':28s} {'frame':9s} {'what':50s} {'ms':>8s} {'fps':>8s} {'x baseline':>10s}")
    for dev, size, what, s in table:
        base = next(b for d, z, w_, b in table if d == dev and z == size and w_.startswith("baseline"))
        print(f"{dev:28s} {size:9s} {what:50s} {s * 1e3:8.2f} {1 / s:8.1f} {base / s:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
