"""A Stripe API test double for the real SDK (see README.md in this folder)."""
