"""Repositories: small async functions named for intent, each taking an AsyncSession."""
