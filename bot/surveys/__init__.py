"""Conversational surveys: definitions, the per-invitation engine, and their shipped library."""
