"""The SiamRPN++ R50 network: backbone, neck (AdjustAllLayer), head (MultiRPN).

Module names follow pysot (``neck.downsample2.downsample.0``, ``rpn_head.rpn2.cls.head.3``);
mmtracking checkpoints are renamed on loading (``weights.py``).  Everything takes a leading
batch dimension, so a batched engine can run many streams through one forward:

* ``template(z)``: exemplar crops ``(B, 3, 127, 127)`` -> ``Kernels``, the per-stream
  correlation kernels (the template branch of every head, computed once per template —
  pysot recomputes them every frame; the values are the same);
* ``track(x, kernels)``: search crops ``(B, 3, 255, 255)`` -> ``cls (B, 2A, 25, 25)``,
  ``loc (B, 4A, 25, 25)`` (channel = class * A + anchor, coord * A + anchor).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from sotbench.trackers.siamrpnpp.backbone import ResNet50Atrous

__all__ = ["BACKBONE_CHANNELS", "Kernels", "SiamRPNpp", "xcorr_depthwise"]

BACKBONE_CHANNELS = (512, 1024, 2048)


def xcorr_depthwise(search: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Per-stream, per-channel cross-correlation: ``(B, C, H, W)`` * ``(B, C, k, k)``."""
    b, c = kernel.shape[:2]
    # reshape (not view): also valid for channels-last tensors at batch > 1
    x = search.reshape(1, b * c, search.shape[2], search.shape[3])
    k = kernel.reshape(b * c, 1, kernel.shape[2], kernel.shape[3])
    out = F.conv2d(x, k, groups=b * c)
    return out.reshape(b, c, out.shape[2], out.shape[3])


class AdjustLayer(nn.Module):
    """1x1 convolution + BatchNorm to the head's channel count."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
                                        nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x)


class AdjustAllLayer(nn.Module):
    """One ``AdjustLayer`` per backbone level (``downsample2/3/4``)."""

    def __init__(self, in_channels: tuple[int, ...], out_channels: tuple[int, ...]):
        super().__init__()
        for i, (cin, cout) in enumerate(zip(in_channels, out_channels)):
            self.add_module(f"downsample{i + 2}", AdjustLayer(cin, cout))

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        return [getattr(self, f"downsample{i + 2}")(f) for i, f in enumerate(feats)]


def _conv_bn_relu(cin: int, cout: int, k: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=k, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class DepthwiseXCorr(nn.Module):
    """Template branch, search branch, depthwise correlation, 1x1 head."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int):
        super().__init__()
        self.conv_kernel = _conv_bn_relu(in_channels, hidden, 3)
        self.conv_search = _conv_bn_relu(in_channels, hidden, 3)
        self.head = nn.Sequential(nn.Conv2d(hidden, hidden, kernel_size=1, bias=False),
                                  nn.BatchNorm2d(hidden), nn.ReLU(inplace=True),
                                  nn.Conv2d(hidden, out_channels, kernel_size=1))

    def forward(self, search: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """``kernel`` is the output of ``conv_kernel`` (see ``SiamRPNpp.template``)."""
        return self.head(xcorr_depthwise(self.conv_search(search), kernel))


class DepthwiseRPN(nn.Module):
    """One level's classification (2A) and regression (4A) branches."""

    def __init__(self, anchor_num: int, channels: int):
        super().__init__()
        self.cls = DepthwiseXCorr(channels, channels, 2 * anchor_num)
        self.loc = DepthwiseXCorr(channels, channels, 4 * anchor_num)


class MultiRPN(nn.Module):
    """Three ``DepthwiseRPN`` (``rpn2/3/4``) fused by softmax weights or a plain mean."""

    def __init__(self, anchor_num: int, channels: tuple[int, ...], weighted: bool):
        super().__init__()
        for i, c in enumerate(channels):
            self.add_module(f"rpn{i + 2}", DepthwiseRPN(anchor_num, c))
        self.weighted = weighted
        if weighted:
            self.cls_weight = nn.Parameter(torch.ones(len(channels)))
            self.loc_weight = nn.Parameter(torch.ones(len(channels)))

    def levels(self) -> list[DepthwiseRPN]:
        """The per-level heads, level 2 first."""
        return [m for name, m in self.named_children() if name.startswith("rpn")]

    def fuse(self, outs: list[torch.Tensor], weight: torch.Tensor | None) -> torch.Tensor:
        """pysot's fusion: ``sum(w_i * x_i)`` with softmaxed ``w``, else ``sum(x_i) / n``."""
        if weight is None:
            return sum(outs) / len(outs)
        w = F.softmax(weight, dim=0)
        total = outs[0] * w[0]
        for i in range(1, len(outs)):
            total = total + outs[i] * w[i]
        return total


@dataclass
class Kernels:
    """Per-stream correlation kernels: ``cls[i]``, ``loc[i]`` of level i, ``(B, C, 5, 5)``."""

    cls: list[torch.Tensor]
    loc: list[torch.Tensor]

    def select(self, index: torch.Tensor | slice) -> Kernels:
        """The kernels of some streams (for a batched engine)."""
        return Kernels([k[index] for k in self.cls], [k[index] for k in self.loc])


class SiamRPNpp(nn.Module):
    """SiamRPN++ R50 (layers 2-4, depthwise correlation, MultiRPN)."""

    def __init__(self, anchor_num: int = 5, neck_channels: tuple[int, ...] = (256, 256, 256),
                 weighted: bool = True, center_size: int = 7):
        super().__init__()
        self.center_size = center_size
        self.backbone = ResNet50Atrous()
        self.neck = AdjustAllLayer(BACKBONE_CHANNELS, tuple(neck_channels))
        self.rpn_head = MultiRPN(anchor_num, tuple(neck_channels), weighted)

    def template_features(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Neck features of exemplar crops, centre ``center_size`` cells (15 -> 7)."""
        feats = self.neck(self.backbone(z))
        out = []
        for f in feats:
            left = (f.shape[3] - self.center_size) // 2
            out.append(f[:, :, left:left + self.center_size, left:left + self.center_size])
        return out

    def template(self, z: torch.Tensor) -> Kernels:
        """Exemplar crops -> the correlation kernels of every head."""
        zf = self.template_features(z)
        levels = self.rpn_head.levels()
        return Kernels([rpn.cls.conv_kernel(f) for rpn, f in zip(levels, zf)],
                       [rpn.loc.conv_kernel(f) for rpn, f in zip(levels, zf)])

    def search_features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Neck features of search crops (31x31 for 255 px)."""
        return self.neck(self.backbone(x))

    def track(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """Search crops -> fused ``cls`` and ``loc`` maps."""
        return self.head(self.search_features(x), kernels)

    def head(self, xf: list[torch.Tensor], kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """The MultiRPN head on given search features."""
        head = self.rpn_head
        cls_out, loc_out = [], []
        for rpn, f, kc, kl in zip(head.levels(), xf, kernels.cls, kernels.loc):
            cls_out.append(rpn.cls(f, kc))
            loc_out.append(rpn.loc(f, kl))
        return (head.fuse(cls_out, head.cls_weight if head.weighted else None),
                head.fuse(loc_out, head.loc_weight if head.weighted else None))
