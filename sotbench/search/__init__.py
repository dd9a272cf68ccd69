"""Hyperparameter search with Optuna: sweep files, batched trials with per-sequence pruning,
journal or PostgreSQL storage, local or distributed workers, preset export.

Entry points: ``load_sweep`` (a sweep file), ``prepare`` (check it against its preset, dataset and
objective), ``run_search`` (run or continue the study and write its outputs).
"""

from __future__ import annotations

from sotbench.search.driver import SearchAborted
from sotbench.search.prepare import PlanError, SearchPlan, prepare
from sotbench.search.runner import SearchOptions, SearchResult, run_search
from sotbench.search.storage import StorageError
from sotbench.search.study import StudyMismatch
from sotbench.search.sweep import Sweep, SweepFileError, load_sweep, sweep_from_dict
from sotbench.search.trials import TrialFailure, TrialRunner
from sotbench.search.workers import WorkerFailed

__all__ = ["Sweep", "load_sweep", "sweep_from_dict", "prepare", "SearchPlan", "run_search", "SearchOptions",
           "SearchResult", "TrialRunner", "TrialFailure", "USER_ERRORS",
           "SweepFileError", "PlanError", "StorageError", "StudyMismatch", "SearchAborted", "WorkerFailed"]

# Errors that are the user's to fix (printed as one line by the CLI).
USER_ERRORS = (SweepFileError, PlanError, StorageError, StudyMismatch, SearchAborted, WorkerFailed)
