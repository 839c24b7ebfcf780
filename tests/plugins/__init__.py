"""Test-only tasks, registered through the ``extra_tasks`` setting like any plugin."""

PLUGIN_TASKS = ("tests.plugins.sleepy", "tests.plugins.explode", "tests.plugins.slowgen")
