"""Demo data: a deterministic, realistic-looking Jinjiang registry for trying the platform out."""
