"""The domain: aggregates that decide, events that record. No persistence, views or I/O here."""
