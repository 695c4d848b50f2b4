"""The access log writes its lines in batches, never loses one, and keeps their order."""

from __future__ import annotations

import asyncio

import pytest

from shkg.web.app import AccessLog


def test_lines_wait_for_the_batch_and_all_arrive_in_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = AccessLog()

    async def requests() -> str:
        for n in range(5):
            log.write(f'{{"n": {n}}}')
        before = capsys.readouterr().err  # nothing yet: the batch waits
        await asyncio.sleep(AccessLog.FLUSH_SECONDS * 2)
        return before

    assert asyncio.run(requests()) == ""
    assert capsys.readouterr().err.splitlines() == [f'{{"n": {n}}}' for n in range(5)]


def test_a_full_batch_is_written_at_once_and_off_a_loop_each_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = AccessLog()

    async def burst() -> str:
        for n in range(AccessLog.MAX_LINES):
            log.write(str(n))
        return capsys.readouterr().err

    written = asyncio.run(burst())
    assert written.splitlines() == [str(n) for n in range(AccessLog.MAX_LINES)]
    log.write("alone")  # no event loop here: written at once
    assert capsys.readouterr().err == "alone\n"
