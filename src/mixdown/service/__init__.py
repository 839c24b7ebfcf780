"""Application services between the HTTP routers and the storage and queue layers."""
