"""Print what the GPU check runs on: Python, torch, CUDA, the GPU, torchvision, nvJPEG, the
engine's automatic batch size.  ``python benchmarks/env_report.py``"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402


def main() -> int:
    print("python", sys.version.split()[0], "| torch", torch.__version__, "| cuda", torch.version.cuda,
          "| available", torch.cuda.is_available())
    if torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        print("device", torch.cuda.get_device_name(0), "| bf16", torch.cuda.is_bf16_supported(),
              f"| memory {free / 2**30:.1f} GiB free of {total / 2**30:.1f}")
    try:
        import torchvision
        print("torchvision", torchvision.__version__)
    except Exception as exc:  # optional
        print("torchvision unavailable:", exc)
    from sotbench.trackers.siamrpnpp.engine.decode import nvjpeg_available
    from sotbench.trackers.siamrpnpp.engine.options import auto_batch

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print("nvJPEG:", nvjpeg_available(dev) or "ok", "| engine auto batch:", auto_batch(dev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
