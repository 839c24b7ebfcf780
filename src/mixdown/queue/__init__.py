"""Job queues: one ``JobQueue`` interface; ``local`` on the job table, a memory twin for tests."""
