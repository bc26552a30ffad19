"""The kernel: domain errors, i18n, PostGIS wrappers and SRIDs, database helpers, rate limits.

Imports no application package; every app may import it."""
