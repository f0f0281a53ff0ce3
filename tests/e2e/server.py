"""Starting a real `tousu serve` process on a free loopback port for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, port: int, workdir: Path, workers: int = 1, **env: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "TOUSU_DATABASE_URL": database_url, "TOUSU_SCHEDULER_INTERVAL_SECONDS": "0", **env}
    log = (workdir / f"server-{port}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "tousu", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=workdir,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not become healthy within 30 s")
