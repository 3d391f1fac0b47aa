"""LeanStacks: a listed request goes through its own middleware stack, any other through the whole."""

from __future__ import annotations

from django.test import Client


def test_a_listed_request_skips_the_middleware_its_stack_leaves_out(settings):
    settings.LEAN_STACKS = [("GET", r"/healthz", ["django.middleware.security.SecurityMiddleware"])]
    client = Client()  # a new handler: the stacks are built when it loads its middleware
    lean = client.get("/healthz")
    assert lean.status_code == 200
    assert lean["X-Content-Type-Options"] == "nosniff"  # in its stack
    assert "X-Frame-Options" not in lean and "Content-Security-Policy" not in lean  # left out
    whole = client.head("/healthz")  # another method: the whole stack
    assert whole["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in whole


def test_the_whole_stack_is_kept_for_the_rest_after_a_stack_is_built(settings):
    settings.LEAN_STACKS = [("GET", r"/healthz", [])]
    Client().get("/healthz")
    assert "govwatch.core.middleware.LeanStacks" in settings.MIDDLEWARE
    assert len(settings.MIDDLEWARE) > 5  # the loader was lent the short list, and gave it back
