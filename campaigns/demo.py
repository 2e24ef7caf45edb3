"""Demo data of the campaigns app (filled in below)."""
