"""Hooks for vendor API shapes: error bodies by path prefix, webhook formats by job shape."""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient

from mixdown.api.errors import install_error_handlers, register_error_shape
from mixdown.errors import NotFound
from mixdown.webhooks.formats import NATIVE_FORMAT, WebhookFormat, webhook_format


def vendor_error(status: int, error: dict[str, Any], headers: Mapping[str, str] | None) -> Response:
    return JSONResponse({"Error": error["message"]}, status_code=status, headers=headers)


def app_with_vendor_shape() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    register_error_shape(app, "/vendor/", vendor_error)

    @app.get("/vendor/thing")
    @app.get("/v1/thing")
    def thing() -> None:
        raise NotFound("No such thing.", field="thing")

    return app


def test_errors_under_a_vendor_prefix_take_its_shape_and_keep_the_status() -> None:
    client = TestClient(app_with_vendor_shape())
    vendor = client.get("/vendor/thing")
    assert vendor.status_code == 404 and vendor.json() == {"Error": "No such thing."}
    native = client.get("/v1/thing")
    assert native.status_code == 404 and native.json()["error"]["field"] == "thing"
    missing = client.get("/vendor/none")
    assert missing.status_code == 404 and "Error" in missing.json()


def test_webhook_format_comes_from_the_shapes_compat_module(monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = WebhookFormat(payload=lambda job, results, base, event: {"id": job.id}, headers=lambda *a: {})
    module = types.ModuleType("mixdown.api.compat.testshape")
    module.WEBHOOK_FORMAT = fmt  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mixdown.api.compat.testshape", module)
    webhook_format.cache_clear()
    try:
        assert webhook_format("testshape") is fmt
        assert webhook_format("native") is NATIVE_FORMAT
        assert webhook_format("nosuchshape") is NATIVE_FORMAT
    finally:
        webhook_format.cache_clear()
