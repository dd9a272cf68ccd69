"""ResNet-50 with dilated layers 3-4, as SiamRPN++ uses it (pysot ``resnet_atrous``).

Differences from torchvision's ResNet-50: the 7x7 stem convolution has no padding, layer 2
keeps stride 2 but layers 3 and 4 keep stride 1 with dilation 2 and 4, the first block of
layers 2-4 downsamples through a 3x3 convolution, and there is no pooling head.  Module
names follow pysot, so pysot state-dict keys load as they are (``backbone.layer3.0.conv2``).
Outputs: layers 2, 3, 4 (512, 1024, 2048 channels), all at stride 8.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Bottleneck", "ResNet50Atrous"]


class Bottleneck(nn.Module):
    """1x1 -> 3x3 (strided or dilated) -> 1x1 residual block, 4x channel expansion."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, dilation: int = 1):
        super().__init__()
        padding = 2 - stride  # 0 for the stride-2 block: pysot keeps the map at 15 / 31
        if downsample is not None and dilation > 1:
            dilation //= 2  # the first block of a dilated layer uses half the dilation
            padding = dilation
        if dilation > 1:
            padding = dilation
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=padding,
                               dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


def _downsample(inplanes: int, outplanes: int, stride: int, dilation: int) -> nn.Sequential:
    """Shortcut projection: 1x1 when neither strided nor dilated, else 3x3 (pysot's choice)."""
    if stride == 1 and dilation == 1:
        conv = nn.Conv2d(inplanes, outplanes, kernel_size=1, stride=stride, bias=False)
    else:
        dd = dilation // 2 if dilation > 1 else 1
        pad = dd if dilation > 1 else 0
        conv = nn.Conv2d(inplanes, outplanes, kernel_size=3, stride=stride, padding=pad,
                         dilation=dd, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(outplanes))


class ResNet50Atrous(nn.Module):
    """The SiamRPN++ backbone; ``forward`` returns the layer 2, 3 and 4 feature maps."""

    def __init__(self) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, 3)
        self.layer2 = self._make_layer(128, 4, stride=2)
        self.layer3 = self._make_layer(256, 6, stride=1, dilation=2)
        self.layer4 = self._make_layer(512, 3, stride=1, dilation=4)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * Bottleneck.expansion:
            downsample = _downsample(self.inplanes, planes * 4, stride, dilation)
        layers = [Bottleneck(self.inplanes, planes, stride, downsample, dilation)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        p2 = self.layer2(self.layer1(x))
        p3 = self.layer3(p2)
        p4 = self.layer4(p3)
        return [p2, p3, p4]
