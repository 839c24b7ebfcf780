"""Webhooks: Standard Webhooks signing and the HTTP sender."""
