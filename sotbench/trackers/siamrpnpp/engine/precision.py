"""The network under a precision mode: fp32, tf32 or bf16 (+ optional ``torch.compile``).

``PrecisionNet`` offers the two calls a tracker makes, ``template(z) -> Kernels`` and
``track(x, kernels) -> cls, loc`` (always float32 out), so the single-stream tracker can use
it too (``SiamRPNppTracker(params, PrecisionNet(...), device)``).

* fp32 uses the loaded network as it is, with TF32 off during each call;
* tf32 and bf16 work on a private copy with every BatchNorm folded into the convolution before
  it (inference arithmetic, one kernel fewer per layer; not bit-identical, hence not in fp32);
  bf16 also makes the copy channels-last and runs under ``torch.autocast(bfloat16)``.

The TF32 switches are process-wide; they are set around each call and restored after, so a
single-stream tracker in the same process keeps its fp32 contract.  Every CUDA-only feature
falls back with a warning on stderr when it fails.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import sys
from collections.abc import Callable

import torch
from torch import nn

from sotbench.trackers.siamrpnpp.model import Kernels, SiamRPNpp

__all__ = ["PrecisionNet", "fold_batchnorm", "warn"]


def warn(message: str) -> None:
    """A fallback notice (one line on stderr)."""
    print(f"sotbench engine: {message}", file=sys.stderr, flush=True)


def _fuse_pair(owner: nn.Module, conv_name: str, bn_name: str) -> None:
    conv, bn = getattr(owner, conv_name), getattr(owner, bn_name)
    setattr(owner, conv_name, torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn))
    setattr(owner, bn_name, nn.Identity())


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """Fold every ``BatchNorm2d`` that directly follows a ``Conv2d`` into it (in place, eval
    mode): ``convN``/``bnN`` attribute pairs and consecutive entries of ``nn.Sequential``."""
    model.eval()
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            items = list(module._modules.items())
            for (cname, conv), (bname, bn) in itertools.pairwise(items):
                if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                    _fuse_pair(module, cname, bname)
        for i in range(1, 4):
            conv, bn = getattr(module, f"conv{i}", None), getattr(module, f"bn{i}", None)
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                _fuse_pair(module, f"conv{i}", f"bn{i}")
    return model


@contextlib.contextmanager
def _tf32(enabled: bool):
    cudnn, matmul = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = enabled
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = cudnn, matmul


class PrecisionNet:
    """SiamRPN++ ``template``/``track`` in one precision mode on one device."""

    def __init__(self, model: SiamRPNpp, precision: str, device: torch.device, compile: bool = False,
                 compile_batch: int | None = None):
        self.precision, self.device = precision, device
        if device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        net = model.to(device).eval()
        self.channels_last = False
        if precision != "fp32":
            net = fold_batchnorm(copy.deepcopy(net))
        if precision == "bf16":
            try:
                net = net.to(memory_format=torch.channels_last)
                self.channels_last = True
            except RuntimeError as exc:  # pragma: no cover - layout support is universal today
                warn(f"channels-last unavailable ({exc}); bf16 runs contiguous")
        self.model = net
        self._compiled: Callable | None = None
        self.compiled_batch = compile_batch  # None: the first batch size seen
        self.compile_requested = compile

    # the tracker contract asks for these
    def to(self, device) -> PrecisionNet:
        """Already on its device (kept for ``SiamRPNppTracker``)."""
        return self

    def eval(self) -> PrecisionNet:
        return self

    def context(self):
        """TF32 switches and autocast for one call."""
        stack = contextlib.ExitStack()
        if self.device.type == "cuda":
            stack.enter_context(_tf32(self.precision == "tf32"))
        if self.precision == "bf16":
            # no cast cache: each call casts each weight once anyway, and CUDA graph capture needs it off
            stack.enter_context(torch.autocast(self.device.type, dtype=torch.bfloat16, cache_enabled=False))
        return stack

    def _input(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    @torch.no_grad()
    def template(self, z: torch.Tensor) -> Kernels:
        """Exemplar crops -> correlation kernels (in the mode's dtype)."""
        with self.context():
            return self.model.template(self._input(z))

    def _eager_track(self, x: torch.Tensor, *kernels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(kernels) // 2
        cls, loc = self.model.track(self._input(x), Kernels(list(kernels[:n]), list(kernels[n:])))
        return cls.float(), loc.float()

    @torch.no_grad()
    def track(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """Search crops -> fused ``cls``, ``loc`` (float32).  With ``compile``, batches of
        ``compiled_batch`` streams run the compiled step; other sizes run eagerly."""
        args = (x, *kernels.cls, *kernels.loc)
        with self.context():
            if self.compile_requested and (self.compiled_batch in (None, x.shape[0])):
                out = self._run_compiled(args)
                if out is not None:
                    return out
            return self._eager_track(*args)

    def _run_compiled(self, args) -> tuple[torch.Tensor, torch.Tensor] | None:
        try:
            if self._compiled is None:
                self._compiled = torch.compile(self._eager_track, dynamic=False)
                self.compiled_batch = args[0].shape[0]
            return self._compiled(*args)
        except Exception as exc:  # compilation is an optimisation: never fatal
            warn(f"torch.compile failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); running eagerly")
            self.compile_requested, self._compiled = False, None
            return None

    def describe(self) -> dict:
        """What ran (for manifests and benchmark tables)."""
        return {"precision": self.precision, "channels_last": self.channels_last,
                "batchnorm_folded": self.precision != "fp32",
                "compiled": self.compile_requested and self._compiled is not None,
                "compiled_batch": self.compiled_batch if self.compile_requested else None}
