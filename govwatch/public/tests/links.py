"""The address of a window's QR page, as the printed sheet gives it (tests only)."""

from django.urls import reverse

from govwatch.public.tokens import window_token


def window_link(window_code: str) -> str:
    return reverse("public:window", args=[window_token(window_code)])
