"""Persistence: the database (jobs, keys, credits, webhooks) and the artifact store."""
