"""`govwatch serve`: the web application under gunicorn (contract section 5).

Static files come from the installed packages through WhiteNoise (WHITENOISE_USE_FINDERS), so no
`collectstatic` step and no internet are needed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from govwatch.core.console import EXIT_OK, UsageError

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise UsageError(f"环境变量 {name} 应为正整数: {value!r}")
    return number


def gunicorn_options(host: str, port: int) -> dict:
    """The gunicorn settings of `govwatch serve`; logs (access log included) go to standard error."""
    stderr_only = {"level": "INFO", "handlers": ["error_console"], "propagate": False}
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": _env_int("GOVWATCH_WEB_WORKERS", 2),
        "threads": _env_int("GOVWATCH_WEB_THREADS", 4),
        "worker_class": "gthread",
        "timeout": _env_int("GOVWATCH_WEB_TIMEOUT", 120),
        "graceful_timeout": 20,
        # Idle keep-alive connections (nginx's upstream `keepalive`) are closed by nginx first (its
        # keepalive_timeout, 60 s, in the rendered site): with gunicorn's default of 2 s, gunicorn
        # closed a connection just as nginx sent a request on it, and nginx, which does not send a
        # POST again, answered 502.
        "keepalive": _env_int("GOVWATCH_WEB_KEEPALIVE", 75),
        "proc_name": "govwatch-web",
        "logconfig_dict": {
            "root": {"level": "WARNING", "handlers": ["error_console"]},
            "loggers": {"gunicorn.error": stderr_only, "gunicorn.access": stderr_only},
        },
    }


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    if not 0 < args.port < 65536:
        raise UsageError(f"端口应在 1–65535 之间: {args.port}")
    options = gunicorn_options(args.host, args.port)
    # WhiteNoise serves from the finders; an absent STATIC_ROOT only makes it warn at each start.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    class GovWatchApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            # gunicorn >= 25.1 opens a control socket in $HOME; two servers on one machine would
            # fight over it and GovWatch does not use it.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from govwatch.wsgi import application

            return application

    # Runs until SIGTERM (graceful) or SIGINT (quick); gunicorn exits the process itself.
    GovWatchApplication(prog="govwatch serve").run()
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动 Web 应用（gunicorn）")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"监听地址（默认 {DEFAULT_HOST}）")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"端口（默认 {DEFAULT_PORT}）")
    p.set_defaults(func=cmd_serve)
