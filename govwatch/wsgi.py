"""The WSGI application: Django's, with the requests of settings.LEAN_PATHS answered first by a path
of their own (a method, a path pattern, the dotted path of a handler class). A handler is called
with the environ, start_response and Django's application, to which it hands what it does not
answer itself (govwatch.public.leanpost, the public evaluation POST)."""

import os
import re

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govwatch.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (set up by get_wsgi_application)
from django.utils.module_loading import import_string  # noqa: E402

_LEAN = [
    (method, re.compile(path), import_string(handler)()) for method, path, handler in settings.LEAN_PATHS
]


def application(environ, start_response):
    method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
    for lean_method, pattern, handler in _LEAN:
        if method == lean_method and pattern.fullmatch(path):
            return handler(environ, start_response, django_application)
    return django_application(environ, start_response)
