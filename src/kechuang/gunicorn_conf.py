"""Gunicorn hooks for `kechuang serve` (loaded with ``--config python:kechuang.gunicorn_conf``)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("kechuang.serve")


def post_worker_init(worker: Any) -> None:
    """Warm each worker before it takes requests (see kechuang.matching.services.warm_up)."""
    from kechuang.matching.services import warm_up

    try:
        warm_up()
    except Exception:  # a broken index must not stop the server: search reports it on its page
        log.exception("预热检索索引失败")
