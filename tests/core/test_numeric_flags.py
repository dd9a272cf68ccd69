"""Every numeric flag of every command is checked against a range its help states; out-of-range
values are a one-line usage error, never silently accepted."""

from __future__ import annotations

import argparse

import pytest

from sotbench.cli import build_parser, main


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _numeric(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.type in (int, float)
            or getattr(a.type, "__qualname__", "").startswith(("int_range", "float_range"))]


NUMERIC = [(cmd, action.option_strings[0]) for cmd, p in _commands().items() for action in _numeric(p)]


def test_the_numeric_flags_are_found():
    assert {("run", "--repetitions"), ("run", "--jobs"), ("search", "--heartbeat"), ("search", "--grace"),
            ("run", "--batch"), ("report", "--dpi"), ("datasets", "--show-missing"), ("show", "--fps")} <= set(NUMERIC)


@pytest.mark.parametrize("command,flag", NUMERIC)
def test_every_numeric_flag_has_a_range_in_its_help(command, flag):
    action = next(a for a in _commands()[command]._actions if flag in a.option_strings)
    assert action.type not in (int, float), f"{command} {flag}: bare {action.type.__name__}, no range checked"
    assert ">=" in action.help or "<=" in action.help, f"{command} {flag}: the help does not say the range"


@pytest.mark.parametrize("command,flag", NUMERIC)
def test_out_of_range_values_are_refused(command, flag, capsys):
    parser = _commands()[command]
    action = next(a for a in parser._actions if flag in a.option_strings)
    for bad in ("-2", "99999999", "x"):
        try:
            action.type(bad)
        except argparse.ArgumentTypeError as exc:
            assert "expected an integer" in str(exc) or "expected a number" in str(exc)
        else:
            assert bad == "99999999", f"{command} {flag} accepted {bad}"


@pytest.mark.parametrize("argv,message", [
    (["run", "--tracker", "identity", "--dataset", "synthetic", "--repetitions", "-2"],
     "argument --repetitions: expected an integer >= 1, got -2"),
    (["search", "--heartbeat", "0"], "argument --heartbeat: expected an integer >= 1, got 0"),
    (["search", "--trials", "0"], "argument --trials: expected an integer >= 1, got 0"),
    (["report", "--dataset", "otb100", "--dpi", "100000"], "argument --dpi: expected an integer in [10, 2400]"),
])
def test_the_cli_refuses_in_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err


def test_grace_must_exceed_the_heartbeat(capsys):
    assert main(["search", "--heartbeat", "60", "--grace", "30"]) == 2
    assert "--grace (30 s) must exceed --heartbeat (60 s)" in capsys.readouterr().err


def test_library_repetitions_are_checked():
    from sotbench.run import RunOptions

    with pytest.raises(ValueError, match="repetitions must be an integer >= 1, got -2"):
        RunOptions(repetitions=-2)
