"""``make bench``: seed, serve, load and report (issue #16). Nothing here is routed in production."""
