"""Worker processes: the job runner, the claim loop and the supervisor."""
