"""``sigilo serve --example``: the example WMS page and the client library, served over http on
another loopback port, so a web team sees the bridge work before writing a line."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FILES = {"/": ("example.html", "text/html; charset=utf-8"),
         "/example.html": ("example.html", "text/html; charset=utf-8"),
         "/sigilo-bridge.js": ("sigilo-bridge.js", "text/javascript; charset=utf-8")}


def bridge_resources() -> Path:
    from desktop.paths import resources_dir

    return resources_dir() / "bridge"


class ExampleServer:
    def __init__(self, bridge_url: str, host: str = "127.0.0.1", port: int = 17530) -> None:
        folder = bridge_resources()
        config = ("window.SIGILO_BRIDGE_URL = " + json.dumps(bridge_url) + ";\n").encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                if path == "/config.js":
                    body, kind = config, "text/javascript; charset=utf-8"
                elif path in FILES:
                    name, kind = FILES[path]
                    body = (folder / name).read_bytes()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        from desktop.bridge.server import check_hosts

        check_hosts([host])
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sigilo-bridge-example", daemon=True)

    def start(self) -> "ExampleServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
