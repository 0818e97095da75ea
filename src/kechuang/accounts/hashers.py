"""Password hashing: Argon2id at OWASP's recommended minimum, so that a fair morning's logins fit two cores.

Django's default PBKDF2 (1,000,000 SHA-256 iterations) costs about 330 ms of CPU per login here; 200
people arriving at a fair within seconds queued every page behind their logins (docs/operations.md,
"Load"). OWASP's Password Storage Cheat Sheet lists Argon2id with m = 19 MiB, t = 2, p = 1 as a minimum
configuration equivalent in strength to PBKDF2's 600,000 iterations; being memory-hard it resists GPU
guessing better, at about 40 ms of CPU. Hashes made with the older hasher stay valid and are rewritten
with this one at the next successful login (Django's ``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP minimum); the algorithm name stays ``argon2``."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
