"""The HTTP API (FastAPI) under /api/v1: routes decide nothing, services do."""
