"""Logging set-up: plain or JSON lines, with job ids carried in ``extra``."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, including any ``extra`` fields (job_id, task...)."""

    def __init__(self, process: str | None = None) -> None:
        super().__init__()
        self.process_name = process

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.process_name:
            data["process"] = self.process_name
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class KeyValueFormatter(logging.Formatter):
    """Human-readable lines ending in ``key=value`` pairs for extra fields."""

    def __init__(self, process: str | None = None) -> None:
        prefix = f"[{process}] " if process else ""
        super().__init__(f"%(asctime)s %(levelname)s %(name)s {prefix}%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        return f"{line} {extras}" if extras else line


def setup_logging(level: str = "info", *, json_format: bool = False, process: str | None = None) -> None:
    """Configure the root logger once per process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(process) if json_format else KeyValueFormatter(process))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
