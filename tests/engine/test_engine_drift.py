"""The fp32 engine against the single-stream tracker over a full real sequence, on the CPU.

They are not bit-identical on the CPU.  The one operation whose result depends on the batch is
the template branch's 3x3 convolution (``conv_kernel``, 7x7 -> 5x5): when the engine computes
several templates in one pass, the CPU library takes another convolution kernel (another
summation order) and the correlation kernels differ by ~1e-6..1e-5; the backbone, the neck and
the search branch gave identical values at batch 1, 2, 4 and 8.  The tracker feeds each box
back into the next crop, so the difference grows with the frame count.  The bound below is the
documented one (README, docs/engine.md and ``sotbench/trackers/siamrpnpp/engine/options.py`` say it in the same
words); ``python benchmarks/engine_fidelity.py --real`` measures every bundled sequence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from engine_helpers import KNOBS, params

from sotbench.jobs import Job, Stream
from sotbench.trackers.siamrpnpp.engine.core import Engine
from sotbench.trackers.siamrpnpp.engine.options import EngineOptions

REPO = Path(__file__).resolve().parents[2]
BOUND_PX = 2e-3
STATEMENT = ("On the CPU, fp32 boxes drift from the single-stream tracker's by float summation order (the engine "
             "computes several templates in one batch) and the drift grows with the frame count: within 2e-3 px "
             "over the 140 frames of OTB Couple (measured 1.08e-3 px, the most of six real sequences of 74 to 307 "
             "frames). On CUDA they were equal: 0.0 px over 60 frames × 2 videos × 2 settings (H200, "
             "benchmarks/RESULTS.md; not re-measured).")


def _words(text: str) -> str:
    return " ".join(text.replace("`", "").replace("*", "").replace("#", "").split())


def test_the_cpu_bound_is_documented_in_the_same_words():
    import sotbench.trackers.siamrpnpp.engine.options as options

    for name, text in (("README.md", (REPO / "README.md").read_text()),
                       ("docs/engine.md", (REPO / "docs/engine.md").read_text()),
                       ("sotbench/trackers/siamrpnpp/engine/options.py", options.__doc__)):
        assert _words(STATEMENT) in _words(text), f"{name} does not state the engine's CPU bound as tested here"


@pytest.mark.slow
def test_fp32_engine_stays_within_the_documented_bound_over_couple(randw_model, shared, reference):
    """Couple, all 140 frames, shares its template pass with a second sequence (as in ``sotbench run``)."""
    from sotbench.datasets import load_dataset
    from sotbench.frames import ImageFiles
    from sotbench.sequences import Sequence

    otb = load_dataset("otb100", root=shared / "data/sequences/OTB100")
    couple, crossing = otb["Couple"], otb["Crossing"]
    other = Sequence("Crossing-3", crossing.gt[:3], ImageFiles(crossing.frames.paths[:3]))
    engine = Engine(randw_model, params("pysot"), torch.device("cpu"), EngineOptions(batch=2))
    results = {r.job.seq.name: r for r in engine.run([Job(s, [Stream(params("pysot", KNOBS[0]))]) for s in (couple, other)])}
    assert engine.stats.templates == 2 and engine.stats.batches[2] == 2  # one template pass for both
    got = results["Couple"].outputs[0].boxes
    want = reference(randw_model, "pysot", KNOBS[0], couple)
    assert len(got) == len(want) == 140
    worst = float(np.abs(got - want).max())
    assert worst <= BOUND_PX, f"engine fp32 vs single stream over Couple: {worst:.2e} px"
