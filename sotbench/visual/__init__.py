"""See what a tracker did: runs drawn on the real frames (``sotbench show``), failure galleries.

``tracks.load_track`` reads one run's result for one sequence (``import_results``) with its
per-frame overlap (``metrics.frame_overlap``); ``draw`` draws regions, labels and legends with
OpenCV; ``gallery`` picks the frames where the overlap drops or the target is lost and lays out
contact sheets; ``render`` writes videos, sheets and galleries through ``media``.
"""
