"""Stand-in batch backends for the search tests: outputs computed from the ground truth, so only
the search machinery runs (they plug into the same seam as SiamRPN++'s engine)."""

from __future__ import annotations

import numpy as np

from sotbench.jobs import JobResult, OpeOutput


class TruthBackend:
    """Each stream's boxes: the ground truth shifted right by ``shift(params)`` pixels."""

    capacity = None
    deterministic = True

    def __init__(self, shift):
        self.shift = shift
        self.calls: list[tuple[str, int]] = []

    def boxes(self, seq, params) -> np.ndarray:
        gt = np.asarray(seq.gt[:, :4], dtype=float)
        return gt + [self.shift(params), 0, 0, 0]

    def run(self, jobs, progress=None):
        for job in jobs:
            if job is None:
                continue
            self.calls.append((job.seq.name, len(job.streams)))
            n = job.length
            outputs = [OpeOutput(self.boxes(job.seq, s.params), np.full(n, np.nan), np.zeros(n)) for s in job.streams]
            yield JobResult(job, outputs, errors=[None] * len(outputs))

    def describe(self) -> dict:
        return {"backend": "truth"}

    def tracker_info(self) -> dict:
        return {}
