"""The `expertise` command line: the same plain functions the Celery tasks call."""
