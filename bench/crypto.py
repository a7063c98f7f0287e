"""Cost of personal-data encryption: AES-GCM writes and reads, and the blind index.

Figures, not pass/fail: they tell whether encrypting every email on sign-up and decrypting
it on every page that shows it is noticeable (it should be microseconds).
"""

import time

from _setup import percentiles, setup_django

setup_django()

from marketplace import crypto  # noqa: E402

ROUNDS = 20_000


def measure(label: str, fn) -> None:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(samples)
    print(f"{label:<28} p50 {p50 * 1000:7.1f} µs   p95 {p95 * 1000:7.1f} µs")


def main() -> None:
    aad = b"marketplace.user:00000000-0000-0000-0000-000000000000:email"
    token = crypto.encrypt("anna.lindqvist@example.se", aad=aad)
    measure("encrypt (AES-256-GCM)", lambda: crypto.encrypt("anna.lindqvist@example.se", aad=aad))
    measure("decrypt (AES-256-GCM)", lambda: crypto.decrypt(token, aad=aad))
    measure("blind index (HMAC-SHA256)", lambda: crypto.blind_index("Anna.Lindqvist@Example.se"))


if __name__ == "__main__":
    main()
