"""The nightly sync: Zendesk exports -> storage, one page per transaction, resumable."""
