"""The Zendesk webhook receiver: verifies signatures and queues triage of new tickets."""
