"""findings.json is written by a thread of its own (`BackgroundFile`): the same bytes as a plain
file, every byte there when closed, and a write error is not lost in the thread."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reason_miner.report import background_file, json_out
from reason_miner.report.background_file import BackgroundFile


def test_many_writes_of_every_size_arrive_in_order(tmp_path: Path) -> None:
    pieces = [bytes([i % 251]) * (i * 977 % 300_000) for i in range(400)]  # small ones and batches of MBs
    mutable = bytearray(b"mutable")
    with BackgroundFile(tmp_path / "out.bin") as fh:
        for piece in pieces:
            assert fh.write(piece) == len(piece)
        fh.write(mutable)
        fh.write(memoryview(b"view"))
        mutable[:] = b"changed"  # copied when handed over: a later change does not reach the file
    assert (tmp_path / "out.bin").read_bytes() == b"".join(pieces) + b"mutable" + b"view"


def test_findings_json_is_the_document_write_stream_makes(tmp_path: Path) -> None:
    from reason_miner.analyze import analyze
    from reason_miner.sources import load_input

    result = analyze(load_input(None), tmp_path / "out")
    plain = io.BytesIO()
    json_out.write_stream(result, plain)
    assert len(plain.getvalue()) > 10_000
    assert (tmp_path / "out" / "findings.json").read_bytes() == plain.getvalue()


class _FullDisk(io.BytesIO):
    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.after:
            raise OSError(28, "磁盘已满 / No space left on device")
        return super().write(data)


@pytest.mark.parametrize("after", [0, 3 << 20])  # the first batch fails, or a later one
def test_a_write_error_in_the_thread_is_raised_to_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    monkeypatch.setattr(background_file, "open", lambda *a, **k: _FullDisk(after), raising=False)
    with pytest.raises(OSError, match="磁盘已满"), BackgroundFile(tmp_path / "x") as fh:
        for _ in range(64):  # 64 MB: more than the queue holds, so a stuck writer would hang here
            fh.write(b"x" * (1 << 20))


def test_the_callers_error_wins_and_the_thread_ends(tmp_path: Path) -> None:
    fh = BackgroundFile(tmp_path / "x")
    with pytest.raises(ValueError, match="encoder failed"), fh:
        fh.write(b"{")
        raise ValueError("encoder failed")
    assert not fh._thread.is_alive()
    assert (tmp_path / "x").read_bytes() == b"{"
