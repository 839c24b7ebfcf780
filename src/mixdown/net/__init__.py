"""Outbound HTTP: the SSRF guard, address-pinned connections and the URL fetcher."""
