"""ingest: a news ingestion pipeline for Rudaw and sites built like it."""
