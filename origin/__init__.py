"""The Vimond Image Service origin: client serving, admin, platform invalidation APIs."""
