"""A test client whose evaluation POSTs take the deployment's way in: the lean WSGI path first
(govwatch.public.leanpost, as govwatch.wsgi gives it), Django's handler for what that path hands
over. Django's own test client calls Django's handler directly, which would leave the lean path
untested. The evaluation form is posted as a browser posts it (urlencoded: the form has no file),
which is what the lean path reads."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from govwatch.public.leanpost import FORM, PATH, LeanEvaluationPost


class _LeanFirst:
    """The client's handler, with the lean path before it for the evaluation POST."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.taken = 0  # POSTs the lean path answered itself

    def __call__(self, environ: dict):
        if environ["REQUEST_METHOD"] != "POST" or not re.fullmatch(PATH, environ["PATH_INFO"]):
            return self.handler(environ)
        # As Django's test client does: the test's transaction is not a connection to close.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response, environ, request = LeanEvaluationPost().respond(
                environ, csrf_checks=self.handler.enforce_csrf_checks
            )
            if response is not None:
                response.wsgi_request = request
                response.close()  # sends request_finished, as the server's close() does
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        if response is None:
            return self.handler(environ)
        self.taken += 1
        return response


class LeanClient(Client):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.handler = _LeanFirst(self.handler)

    def post(self, path, data=None, content_type=None, **extra):
        if isinstance(data, dict) and content_type is None and re.fullmatch(PATH, path.split("?")[0]):
            return super().post(path, urlencode(data, doseq=True), content_type=FORM, **extra)
        return super().post(path, data, **({"content_type": content_type} if content_type else {}), **extra)
