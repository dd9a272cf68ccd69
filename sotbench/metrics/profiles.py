"""The named profiles: one per reference toolkit, each reproducing that toolkit's numbers.

Every value below is taken from the toolkit's source (named in ``source``); where a toolkit
cannot score an input at all (it crashes or asserts), the profile says what sotbench does
instead and the evaluation reports a warning.  ``docs/profiles.md`` has the table.
"""

from __future__ import annotations

from sotbench.metrics.profile import Profile

__all__ = ["PROFILES", "get_profile", "profile_names"]

# VOT conventions, as keyword values of sotbench.metrics.vot (pysot: the published VOT2018
# numbers of pysot's model zoo; votpy: the Python VOT toolkit, which mmtracking calls).
_PYSOT_VOT = dict(
    vot_overlap_mode="trax", vot_accuracy_bounds="size", vot_eao_bounds="size_minus_1", vot_burnin=10,
    vot_ignore_unknown=True, vot_repetition_rule="pysot", vot_fragment_rule="pysot", vot_fragment_weight="fragment",
    vot_empty_tag="pysot", vot_length_mismatch="truncate", vot_index_convention="pysot",
    vot_accuracy_aggregation="frame_pooled", vot_robustness="failures_per_100_frames",
)
_VOTPY_VOT = dict(
    vot_overlap_mode="votpy", vot_accuracy_bounds="size", vot_eao_bounds="size", vot_burnin=10,
    vot_ignore_unknown=True, vot_repetition_rule="all", vot_fragment_rule="votpy", vot_fragment_weight="fragment",
    vot_empty_tag="frames", vot_length_mismatch="error", vot_index_convention="votpy",
    vot_accuracy_aggregation="length_weighted", vot_robustness="length_weighted_failures",
)
# The official MATLAB kits (OTB tracker_benchmark and its descendant, the LaSOT kit).
_MATLAB = dict(
    first_frame="gt", fix_predictions="previous", gt_valid="all_positive", precision_valid="gt_valid",
    iou="inclusive", iou_clip=False, success_thresholds="matlab 0:0.05:1", norm_mode="centers",
    drop_zero_sequences=True,
)

PROFILES: dict[str, Profile] = {
    "pysot": Profile(
        name="pysot", toolkit="pysot toolkit (STVIR/pysot toolkit/)", protocols=("ope", "vot_reset", "longterm"),
        source="STVIR/pysot@d04028f toolkit/utils/statistics.py, toolkit/evaluation/*_benchmark.py",
        notes="Scores the first frame as written; valid GT = w>0 and h>0; invalid GT frames fail "
              "success but count as correct for (normalized) precision; LaSOT absent frames fail.",
        **_PYSOT_VOT,
    ),
    "pysot-toolkit": Profile(
        name="pysot-toolkit", toolkit="pysot-toolkit (StrangerZhang 2019)", protocols=("ope", "vot_reset", "longterm"),
        source="StrangerZhang/pysot-toolkit@8b5ced3 pysot/utils/statistics.py",
        notes="As pysot, except that a GT box is valid only when all of x, y, w, h are > 0.",
        gt_valid="all_positive", **_PYSOT_VOT,
    ),
    "otb-matlab": Profile(
        name="otb-matlab", toolkit="OTB benchmark MATLAB kit (Wu, Lim, Yang)",
        source="tracker_benchmark v1.0 util/calcSeqErrRobust.m, calcRectInt.m, perfPlot.m, plotDrawSave.m",
        notes="+1 pixel IoU, first frame = GT, all-NaN or non-positive-size predictions replaced by the "
              "previous box, GT valid iff all 4 numbers > 0, sequences with an all-zero curve dropped. "
              "The kit has no normalized precision: it is computed as the LaSOT kit does.",
        **{**_MATLAB, "fix_predictions": "previous_otb"},
    ),
    "lasot-matlab": Profile(
        name="lasot-matlab", toolkit="LaSOT evaluation toolkit (MATLAB, HengLan)",
        source="HengLan/LaSOT_Evaluation_Toolkit@95bf38a utils/calc_seq_err_robust.m, eval_tracker.m, "
               "plot_draw_save.m",
        notes="The OTB kit's rules, except that a box with any NaN is replaced by the previous one, plus: "
              "absent frames removed from the numerator (denominator = all frames), over-long result "
              "files truncated, normalized precision at 0.20.",
        **_MATLAB,
    ),
    "got10k": Profile(
        name="got10k", toolkit="got10k toolkit (got-10k/toolkit, pip got10k)",
        source="got-10k/toolkit (pip got10k 0.1.3) got10k/experiments/{otb,uav123,got10k}.py, "
               "got10k/utils/metrics.py",
        notes="OTB/UAV123 experiments (applied to every OPE benchmark: got10k has no LaSOT experiment): "
              "first frame = GT, GT rows with NaN dropped entirely, linspace thresholds, normalized "
              "precision = mean of its curve, a result file of another length than the GT refused "
              "(got10k asserts equal lengths). GOT-10k: average overlap pooled over all frames, frame 0 "
              "and cover==0 frames excluded, boxes clipped to the image.",
        first_frame="gt", gt_valid="finite", invalid_gt="ignore", precision_valid="gt_valid",
        invalid_gt_precision="ignore", invalid_gt_norm_precision="ignore", absent="score",
        longer_results="error", shorter_results="error",
        iou_eps=float(2.220446049250313e-16), success_thresholds="np.linspace(0, 1, 21)",
        norm_mode="diff_max1", norm_thresholds="np.linspace(0, 0.5, 51)", norm_score="mean",
        overrides={
            "got10k": dict(first_frame="drop", absent_from_cover=True, absent="ignore", iou_bound=True,
                           success_thresholds="np.linspace(0, 1, 101)", success_score="average_overlap",
                           sequence_weight="frames"),
        },
    ),
    "pytracking": Profile(
        name="pytracking", toolkit="pytracking analysis (visionml/pytracking)",
        source="visionml/pytracking@7eb9e74 pytracking/analysis/extract_results.py",
        notes="+1 pixel IoU, first frame = GT; zero-size predictions replaced by the previous box, NaN "
              "or negative sizes rejected; invalid GT fails precision (UAV: counts as correct) but "
              "counts as correct for normalized precision; denominator = valid frames (UAV/LaSOT: all).",
        first_frame="gt", fix_predictions="previous_zero", shorter_results="pad_zeros",
        precision_valid="gt_valid", invalid_gt_precision="fail", denominator="valid", iou="inclusive",
        iou_clip=False, norm_mode="centers",
        overrides={
            "uav123": dict(invalid_gt_precision="correct", denominator="all"),
            "uav20l": dict(invalid_gt_precision="correct", denominator="all"),
            "lasot": dict(denominator="all", shorter_results="error"),
        },
    ),
    "mmtracking": Profile(
        name="mmtracking", toolkit="mmtracking 0.x (open-mmlab/mmtracking)", protocols=("ope", "vot_reset"),
        source="open-mmlab/mmtracking@e79491e mmtrack/core/evaluation/eval_sot_ope.py, eval_sot_vot.py; "
               "mmdet bbox_overlaps",
        notes="Boxes as x1,y1,x2,y2 (x2 = x+w); IoU in float32 with the union clamped to >= 1e-6 and no "
              "[0, 1] clip; valid GT iff x2>x1 and y2>y1; tracker output of frame 0 is the GT box.",
        first_frame="gt", gt_valid="corners_ordered", union_min=1e-6, iou_clip=False, iou_float32=True,
        center_offset=0.0,
        **{**_VOTPY_VOT, "vot_repetition_rule": "first", "vot_robustness": "failures_per_100_frames"},
    ),
    "trackingnet": Profile(
        name="trackingnet", toolkit="TrackingNet devkit (SilvioGiancola/TrackingNet-devkit)",
        source="SilvioGiancola/TrackingNet-devkit@79783f2 metrics.py",
        notes="All boxes rounded to integers, +1 pixel IoU, success IoU >= t, scores = trapezoid area "
              "under 21-point curves; a missing file scores as all-zero boxes (frame 0 = GT), missing "
              "rows of a short file count as failures.",
        first_frame="gt", shorter_results="pad_nan", missing_sequence="zeros", round_boxes=True,
        gt_valid="any", precision_valid="any", absent="score", iou="inclusive", iou_clip=False,
        success_thresholds="np.linspace(0, 1, 21)", success_compare=">=", success_score="trapz",
        center_offset=0.5, precision_thresholds="np.linspace(0, 50, 21)", precision_score="trapz",
        norm_mode="diff", norm_thresholds="np.linspace(0, 0.5, 21)", norm_score="trapz",
    ),
    "vot-python": Profile(
        name="vot-python", toolkit="VOT toolkit (Python, votchallenge/toolkit)", protocols=("vot_reset",),
        source="votchallenge/toolkit vot/analysis/supervised.py, vot/region/raster.py",
        notes="Rasterised overlaps (rounded rectangles, w columns, bounds 0..W-1), accuracy weighted by "
              "sequence length, robustness = length-weighted failures, EAO over Φ[low..high].",
        **_VOTPY_VOT,
    ),
    "vot-legacy": Profile(
        name="vot-legacy", toolkit="VOT legacy MATLAB toolkit (as reproduced by pysot)", protocols=("vot_reset",),
        source="votchallenge/toolkit-legacy analysis/*.m; pysot toolkit/evaluation/eao_benchmark.py",
        notes="pysot's VOT conventions, which follow the legacy MATLAB kit (frame-pooled accuracy, "
              "failures per 100 frames, EAO weights on lengths low..high 1-based, restart fragments), "
              "with every repetition used and each fragment weighted 1/(runs of its sequence).",
        **{**_PYSOT_VOT, "vot_repetition_rule": "all", "vot_fragment_weight": "per_run"},
    ),
}


def profile_names() -> list[str]:
    """Names of the built-in profiles."""
    return list(PROFILES)


def get_profile(name: str | Profile) -> Profile:
    """The profile called ``name`` (a ``Profile`` is returned as is); unknown names list the known."""
    if isinstance(name, Profile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown metric profile {name!r}, known: {', '.join(PROFILES)}") from None


def profile_table(names: list[str] | None = None) -> str:
    """Markdown table of every field of the named profiles (one column per profile).

    ``docs/profiles.md`` embeds its output (a test keeps the two equal).  Values that a
    profile's protocols never read are shown as "·".
    """
    from dataclasses import fields

    profs = [PROFILES[n] for n in (names or PROFILES)]
    lines = ["| field | " + " | ".join(p.name for p in profs) + " |",
             "|---|" + "---|" * len(profs)]
    for f in fields(Profile):
        if f.name in ("name", "toolkit", "source", "notes", "overrides"):
            continue
        cells = []
        for p in profs:
            unused = (f.name.startswith("vot_") and "vot_reset" not in p.protocols) or (
                not f.name.startswith("vot_") and f.name != "protocols" and "ope" not in p.protocols)
            value = getattr(p, f.name)
            cells.append("·" if unused else ("/".join(value) if isinstance(value, tuple) else f"`{value}`"))
        lines.append(f"| `{f.name}` | " + " | ".join(cells) + " |")
    over = [f"`{p.name}` on `{key}`: " + ", ".join(f"{k}=`{v}`" for k, v in changes.items())
            for p in profs for key, changes in p.overrides.items()]
    return "\n".join(lines) + "\n\nPer-benchmark rules of the toolkits themselves (`overrides`):\n\n" + \
        "\n".join(f"* {o}" for o in over) + "\n"
