"""Delivery: the outbox worker, publishing, digests, pacing and text splitting."""
