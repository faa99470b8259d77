"""The domain of weekly posts: slots and timezones, rotation, the delivery ledger."""
