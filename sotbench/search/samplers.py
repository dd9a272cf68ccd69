"""Optuna samplers and pruners from a sweep's settings."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import warnings

from sotbench.search.sweep import PrunerConfig, SamplerConfig

__all__ = ["build_sampler", "build_pruner", "trial_seed", "sampler_for_trial"]


def _quiet(build):
    """Optuna marks several of these as experimental; the warning is noise for users."""

    @functools.wraps(build)
    def wrapper(cfg):
        import optuna

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return build(cfg)

    return wrapper


@_quiet
def build_sampler(cfg: SamplerConfig):
    """Multivariate TPE with constant liar (batches and parallel workers do not sample the same
    point), GP, CMA-ES or random search, seeded by ``cfg.seed``."""
    import optuna

    if cfg.type == "tpe":
        return optuna.samplers.TPESampler(seed=cfg.seed, n_startup_trials=cfg.n_startup_trials,
                                          multivariate=True, constant_liar=True)
    if cfg.type == "gp":
        try:
            import torch  # noqa: F401  (GPSampler needs it)
        except ImportError:
            raise ValueError("sampler 'gp' needs PyTorch (pip install torch); "
                             "or use sampler tpe, cmaes or random") from None
        return optuna.samplers.GPSampler(seed=cfg.seed, n_startup_trials=cfg.n_startup_trials)
    if cfg.type == "cmaes":
        try:
            import cmaes  # noqa: F401
        except ImportError:
            raise ValueError("sampler 'cmaes' needs the cmaes package (pip install cmaes)") from None
        return optuna.samplers.CmaEsSampler(seed=cfg.seed, n_startup_trials=cfg.n_startup_trials,
                                            warn_independent_sampling=False)
    if cfg.type == "random":
        return optuna.samplers.RandomSampler(seed=cfg.seed)
    raise ValueError(f"unknown sampler {cfg.type!r}, known: tpe, gp, cmaes, random")


def trial_seed(seed: int, ordinal: int) -> int:
    """The sampler seed of the ``ordinal``-th trial of a study seeded with ``seed`` (32 bits)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{ordinal}".encode()).digest()[:4], "little")


def sampler_for_trial(cfg: SamplerConfig, ordinal: int):
    """The sampler that draws the ``ordinal``-th trial: seeded from (seed, ordinal), so what it
    draws depends on the study's history and that ordinal only, not on how many processes (a
    killed one, its resumption) asked before; unseeded when the sweep has no seed."""
    if cfg.seed is None:
        return None
    return build_sampler(dataclasses.replace(cfg, seed=trial_seed(cfg.seed, ordinal)))


@_quiet
def build_pruner(cfg: PrunerConfig):
    """Wilcoxon (paired per-sequence test against the best trial), median, or none."""
    import optuna

    if cfg.type == "wilcoxon":
        return optuna.pruners.WilcoxonPruner(p_threshold=cfg.p_threshold, n_startup_steps=cfg.n_startup_steps)
    if cfg.type == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=cfg.n_startup_trials,
                                           n_warmup_steps=cfg.n_warmup_steps)
    if cfg.type == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"unknown pruner {cfg.type!r}, known: wilcoxon, median, none")
