"""``run --precision tf32|bf16 --audit N``: what the reduced precision does to the scores.

The first N finished sequences of the run are tracked again in fp32, as a run of their own
inside the run folder (``<run>/audit/<Dataset>/fp32``: resumable, and out of the way of
``report``, which reads ``<run>`` only).  Both runs are scored on the benchmark's headline
per-sequence metric (success AUC; VOT: accuracy, EAO having no per-sequence value) and
compared pairwise (``sotbench.metrics.paired``): each sequence's difference, the mean
difference and its 95 % paired-bootstrap interval.  The report is written to
``<run>/audit/audit.json`` and printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from sotbench.datasets.base import Dataset
from sotbench.metrics.paired import Comparison, few_sequences_warning
from sotbench.run import RunOptions, RunSummary, run_dataset
from sotbench.trackers import TrackerSpec

__all__ = ["AuditReport", "audit_precision", "audit_sequences", "audit_metric", "audit_file", "check_audit"]

AUDIT_FOLDER = "audit"
REFERENCE = "fp32"


@dataclass
class AuditReport:
    """The per-sequence scores of the run and of its fp32 re-run, and their paired comparison."""

    precision: str
    metric: str
    per_sequence: list[dict]  # sequence, value (the run's precision), fp32, difference
    comparison: Comparison
    reference_run: Path
    failed: dict[str, str]

    def to_json(self) -> dict:
        """Plain data (``audit.json``)."""
        c = self.comparison
        return {"precision": self.precision, "reference": REFERENCE, "metric": self.metric,
                "n_sequences": c.n_sequences, "mean": {self.precision: c.value_a, REFERENCE: c.value_b},
                "mean_difference": c.difference, "ci95": None if c.ci95 is None else list(c.ci95),
                "p_values": {"paired_bootstrap": c.p_value, "wilcoxon": c.p_wilcoxon},
                "bootstrap": c.bootstrap.as_dict(), "sequences": self.per_sequence,
                "reference_run": str(self.reference_run), "failed": self.failed,
                "warning": few_sequences_warning(c.n_sequences, c.p_wilcoxon)}

    def lines(self) -> list[str]:
        """The console report: one line per sequence, then the mean difference with its interval."""
        c, p = self.comparison, self.precision
        out = [f"precision audit: {p} vs {REFERENCE} on {c.n_sequences} sequences, {self.metric} "
               f"(fp32 run: {self.reference_run})",
               f"  {'sequence':24s} {p:>8s} {REFERENCE:>8s} {p + ' - ' + REFERENCE:>12s}"]
        for row in self.per_sequence:
            out.append(f"  {row['sequence'][:24]:24s} {row[p]:8.4f} {row[REFERENCE]:8.4f} {row['difference']:+12.5f}")
        ci = "" if c.ci95 is None else f"  95% CI [{c.ci95[0]:+.5f}, {c.ci95[1]:+.5f}]"
        out.append(f"  {'mean':24s} {c.value_a:8.4f} {c.value_b:8.4f} {c.difference:+12.5f}{ci}")
        warn = few_sequences_warning(c.n_sequences, c.p_wilcoxon)
        if warn:
            out.append(f"  note: {warn}")
        return out


def audit_file(run_dir: Path) -> Path:
    """Where the audit of the run in ``run_dir`` is written."""
    return run_dir / AUDIT_FOLDER / "audit.json"


def audit_metric(protocol: str) -> str:
    """The per-sequence metric the audit compares for a dataset protocol."""
    return "accuracy" if protocol == "vot_reset" else "success_auc"


def audit_sequences(dataset: Dataset, options: RunOptions, summary: RunSummary, n: int) -> list[str]:
    """The first ``n`` sequences of the run (in the run's order) that have results."""
    finished = set(summary.done) | set(summary.skipped)
    order = list(options.sequences) if options.sequences else list(dataset.names)
    return [s for s in order if s in finished][:n]


def check_audit(options: RunOptions) -> None:
    """Refuse an audit that would not compare a reduced precision with fp32 on the dataset's protocol."""
    if options.tracking.precision == REFERENCE:
        raise ValueError("--audit compares a tf32 or bf16 run with fp32; this run is fp32 already "
                         "(add --precision tf32 or --precision bf16)")
    if options.protocol not in (None, "ope", "vot_reset") or options.repeat:
        raise ValueError("--audit runs on the dataset's own protocol (not with --protocol tre/sre/longterm or --repeat)")


def audit_precision(spec: TrackerSpec, dataset: Dataset, options: RunOptions, summary: RunSummary,
                    n: int) -> AuditReport:
    """Re-run ``n`` sequences of a finished reduced-precision run in fp32 and compare their scores."""
    from sotbench.evaluate import evaluate
    from sotbench.metrics.bootstrap import Bootstrap
    from sotbench.metrics.paired import compare
    from sotbench.results import write_atomic
    from sotbench.scores import json_safe

    check_audit(options)
    names = audit_sequences(dataset, options, summary, n)
    if not names:
        raise ValueError("--audit: no sequence of the run has results to compare")
    ref_options = replace(options, out=summary.run_dir / AUDIT_FOLDER, name=REFERENCE, display_name=None,
                          sequences=tuple(names), force=False,
                          tracking=replace(options.tracking, precision=REFERENCE))
    ref = run_dataset(spec, dataset, ref_options)
    names = [s for s in names if s not in ref.failed]
    if not names:
        raise ValueError(f"--audit: every fp32 re-run failed: {ref.failed}")
    metric = audit_metric(dataset.protocol)
    stats_only = Bootstrap(resamples=0)  # the comparison draws its own, paired, resamples
    runs = [evaluate(dataset, d, write=False, sequences=names, bootstrap=stats_only)
            for d in (summary.run_dir, ref.run_dir)]
    a, b = (s.statistics[metric] for s in runs)
    comparison = compare(a, b, list(runs[0].per_sequence.index), list(runs[1].per_sequence.index), metric)
    ours, theirs = (s.per_sequence[metric] for s in runs)
    p = options.tracking.precision
    rows = [{"sequence": s, p: float(ours[s]), REFERENCE: float(theirs[s]), "difference": float(ours[s] - theirs[s])}
            for s in names]
    report = AuditReport(p, metric, rows, comparison, ref.run_dir, dict(ref.failed))
    write_atomic(audit_file(summary.run_dir), json.dumps(json_safe(report.to_json()), indent=2) + "\n")
    return report
