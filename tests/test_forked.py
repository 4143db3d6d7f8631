"""Work done in a forked process beside the caller (pipeline/forked.py): what each step
returns comes back in order; an error comes back as the pipeline's own, one line naming where;
a process that dies is reported, never waited for."""

from __future__ import annotations

import os
import signal

import pytest

from pipeline.errors import PipelineError
from pipeline.forked import Forked

inherited = {"rows": [{"id": "2-1-1"}, {"id": "2-1-2"}]}      # set before the fork


def steps(table: str, mark: str):
    yield [row["id"] + mark for row in inherited[table]]     # read from the parent's memory
    yield os.getpid()


def failing(kind: str):
    yield "first"
    if kind == "pipeline":
        raise PipelineError("initiatives row 3 column summary: too long", "excel/initiatives.xlsx")
    raise ValueError("bad value")


def dying():
    os.kill(os.getpid(), signal.SIGKILL)
    yield "never"


def test_each_step_comes_back_in_order_from_another_process():
    with Forked(steps, "rows", "!") as side:
        assert side.next() == ["2-1-1!", "2-1-2!"]
        assert side.next() != os.getpid()


@pytest.mark.parametrize("kind, message", [
    ("pipeline", "excel/initiatives.xlsx: initiatives row 3 column summary: too long"),
    ("other", "out: ValueError: bad value")])
def test_an_error_comes_back_as_one_line(kind, message):
    with Forked(failing, kind, where="out") as side:
        assert side.next() == "first"
        with pytest.raises(PipelineError) as raised:
            side.next()
    assert str(raised.value) == message


def test_a_process_that_died_is_reported():
    with Forked(dying, where="out") as side:
        with pytest.raises(PipelineError, match="out: a writing process stopped unexpectedly "
                                                r"\(exit code -9\)"):
            side.next()
