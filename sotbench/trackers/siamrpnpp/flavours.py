"""The two reproduced trackers around the same network: pysot and mmtracking.

Everything that differs between ``pysot.tracker.SiamRPNTracker`` (+ ``tools/test.py``) and
``mmtrack.models.sot.SiamRPN`` lives here, batched over streams:

=========================  ==========================================  ==========================================
step                       pysot                                       mmtracking
=========================  ==========================================  ==========================================
init box from a polygon    ``w = s (x2 - x1) + 1``                     no ``+ 1``
init box from x, y, w, h   centre ``x + w/2`` via ``[x+.5, y+.5, w, h]``  centre ``(x + (x + w)) / 2``
frame-0 output             ``(cx - (w-1)/2, cy - (h-1)/2, w, h)``      ``(cx - w/2, cy - h/2, w, h)``
padding colour             frame mean truncated to uint8               frame mean, float32
crop window                ``floor(c - (s+1)/2 + .5)``, s pixels       ``int(c - s/2) .. int(c + s/2)``: s+1 pixels,
                                                                       one fewer past the right/bottom edge
resize                     cv2 INTER_LINEAR on uint8                   torch bilinear on float32
anchors ratio 2, 3         40x80, 32x96                                40x88, 32x104
flat order                 anchor-major                                location-major
dw, dh                     not clamped                                 clamped to +-4.135
penalty arithmetic         float64                                     float32
state                      float64                                     float32 from frame 1 on
=========================  ==========================================  ==========================================

``state`` tensors are ``(B, 4)`` float64 ``(cx, cy, w, h)``; ``f32`` ``(B,)`` bool marks
streams whose state mmtracking would hold in float32 (then geometry is computed in float32).
Each flavour class offers ``init`` (region -> state, frame-0 box), ``template_crop``,
``search_crop``, ``select`` (best cell), ``update`` (new state, reported box) and
``postprocess`` (both), every one batched over streams.
"""

from __future__ import annotations

from sotbench.trackers.siamrpnpp.flavour_mmtracking import MMTracking
from sotbench.trackers.siamrpnpp.flavour_pysot import Pysot
from sotbench.trackers.siamrpnpp.postprocess import Knobs, per_dtype

__all__ = ["FLAVOUR_CLASSES", "Knobs", "MMTracking", "Pysot", "per_dtype"]

FLAVOUR_CLASSES = {"pysot": Pysot, "mmtracking": MMTracking}
