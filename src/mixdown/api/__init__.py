"""HTTP layer: FastAPI routers only, one module per resource."""
