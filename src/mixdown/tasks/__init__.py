"""Tasks: one module per task, each exposing ``TASK: TaskSpec``."""
