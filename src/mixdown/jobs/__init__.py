"""The job domain: states, transitions, cost and retry policies (pure code)."""
