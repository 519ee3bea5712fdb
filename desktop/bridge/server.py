"""The bridge's WebSocket server: loopback only, one asyncio loop for the sockets, one thread
for the store, the print queue's own worker per printer.

Nothing a client does can hold up printing or another client: every socket has its own
bounded outbox drained by its own task (a slow reader only fills its own outbox, and is
dropped when it is full - its notices stay in the store for ``resume``), store work runs on
one thread of its own, and keepalive pings close dead sockets.
"""

from __future__ import annotations

from desktop.i18n import _

import asyncio
import concurrent.futures
import ipaddress
import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from desktop.bridge.errors import BridgeError, BridgeRefusal
from desktop.bridge.limits import RateLimiter
from desktop.bridge.pairing import APPROVED, PENDING, Pairings, check_origin, clean_name
from desktop.bridge.printing import BridgePrinting
from desktop.bridge.protocol import (
    BRIDGE_PROTOCOL,
    HARD_MESSAGE_BYTES,
    MAX_DOCUMENTS,
    MAX_MESSAGE_BYTES,
    MAX_REQUESTS_PER_SECOND,
    PROTOCOL_VERSION,
    dumps,
    echo_of,
    failure,
    parse,
    success,
)
from desktop.bridge.tasks import Notice, Tasks
from desktop.store.db import Store

log = logging.getLogger(__name__)

OUTBOX = 5000  # messages waiting for one socket before it is dropped as too slow
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
RECONCILE_SECONDS = 1.0  # how often documents are compared with labels without a prompt


def check_hosts(hosts: list[str]) -> list[str]:
    """Loopback addresses only: anything else is refused before a socket is made."""
    out = []
    for host in hosts:
        name = "127.0.0.1" if host == "localhost" else host.strip("[]")
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            raise BridgeError(_("{host} is not a loopback address; the bridge listens on this computer only").format(host=host),
                              _("use 127.0.0.1 or ::1 (the default is both)")) from None
        if not address.is_loopback:
            raise BridgeError(_("{host} is not a loopback address; the bridge listens on this computer only").format(host=host),
                              _("use 127.0.0.1 or ::1 (the default is both); pages on other computers print "
                              "through a bridge on their own computer"))
        out.append(str(address))
    return out


@dataclass(eq=False)
class Client:
    """One socket: its origin, its outbox, what it is waiting for."""

    connection: Any
    origin: str | None
    outbox: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(OUTBOX))
    subscribed: bool = False
    pending_tokens: set = field(default_factory=set)
    held: list | None = None  # notices arriving while a resume replays, sent after it
    token: str | None = None  # the token its last accepted request carried

    def push(self, text: str) -> bool:
        try:
            self.outbox.put_nowait(text)
            return True
        except asyncio.QueueFull:
            return False


class BridgeServer:
    def __init__(self, store: Store, printing: BridgePrinting, *, port: int = 17528,
                 hosts: list[str] | None = None, tls: ssl.SSLContext | None = None, tls_port: int | None = None,
                 rate: float = MAX_REQUESTS_PER_SECOND, on_pairing: Callable[[], None] | None = None) -> None:
        self.store = store
        self.printing = printing
        self.pairings = Pairings(store)
        self.tasks = Tasks(store, printing)
        self.port = port
        self.hosts = check_hosts(hosts or list(LOOPBACK_HOSTS))
        self.tls = tls
        self.tls_port = tls_port
        self.limiter = RateLimiter(rate)
        self.on_pairing = on_pairing or (lambda: None)
        self.clients: set[Client] = set()
        self._db = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="bridge-store")
        self._servers: list = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kick: asyncio.Event | None = None
        self._background: list[asyncio.Task] = []
        self._closing: set[asyncio.Future] = set()
        self.bound: list[tuple[str, int]] = []
        self.bound_tls: list[tuple[str, int]] = []

    # --- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        from websockets.asyncio.server import serve

        self._loop = asyncio.get_running_loop()
        self._kick = asyncio.Event()
        self._unsubscribe = self.printing.queue.on_event(
            lambda event: self.poke() if event.kind in ("label", "job") else None)
        await self._run(self._prepare)
        self.printing.start()
        # its own logger at INFO: websockets logs every frame at DEBUG, and frames carry shipments
        frames_log = logging.getLogger("desktop.bridge.sockets")
        frames_log.setLevel(logging.INFO)
        options = dict(max_size=HARD_MESSAGE_BYTES, ping_interval=20, ping_timeout=60, max_queue=64,
                       compression=None, server_header="Sigilo bridge", logger=frames_log)
        for port_setting, context, bound in ((self.port, None, self.bound), (self.tls_port, self.tls, self.bound_tls)):
            if context is None and bound is self.bound_tls:
                continue
            port = port_setting
            for host in self.hosts:
                sock = _bind(host, port)
                if sock is None:
                    continue
                port = sock.getsockname()[1]
                server = await serve(self._handle, sock=sock, ssl=context, **options)
                self._servers.append(server)
                bound.append((host, port))
            if not bound:
                raise BridgeError(_("the bridge cannot listen on port {port_setting} of this computer").format(port_setting=port_setting),
                                  _("another program uses the port: start with --port N, or stop that program"))
        self._background.append(asyncio.create_task(self._reconcile_loop()))
        self._background.append(asyncio.create_task(self._pairing_loop()))

    def _prepare(self) -> list[Notice]:
        self.tasks.purge_old_notices()
        return self.tasks.repair_after_restart() + self.tasks.reconcile()

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        for server in self._servers:
            server.close()
        for server in self._servers:
            try:
                await asyncio.wait_for(server.wait_closed(), 5)
            except (asyncio.TimeoutError, Exception):
                pass
        self._servers.clear()
        self._unsubscribe()
        await asyncio.get_running_loop().run_in_executor(None, self.printing.stop)
        self._db.shutdown(wait=True)

    @property
    def url(self) -> str:
        host, port = self.bound[0]
        return f"ws://{'[' + host + ']' if ':' in host else host}:{port}"

    def poke(self) -> None:
        """Look at the documents again soon (safe from any thread)."""
        loop, kick = self._loop, self._kick
        if loop is not None and kick is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(kick.set)
            except RuntimeError:
                pass

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    # --- background -----------------------------------------------------------------
    async def _reconcile_loop(self) -> None:
        assert self._kick is not None
        while True:
            try:
                await asyncio.wait_for(self._kick.wait(), RECONCILE_SECONDS)
            except asyncio.TimeoutError:
                pass
            self._kick.clear()
            try:
                notices = await self._run(self.tasks.reconcile)
            except Exception:  # noqa: BLE001 - keep serving; the next pass tries again
                log.exception("reconciling bridge documents failed")
                await asyncio.sleep(0.5)
                continue
            self._broadcast(notices)

    async def _pairing_loop(self) -> None:
        """Tell waiting pages when an operator decided (in this process or from the CLI)."""
        rounds = 0
        while True:
            await asyncio.sleep(0.3)
            rounds += 1
            if rounds % 5 == 0:
                await self._drop_revoked()
            waiting = [(c, t) for c in list(self.clients) for t in list(c.pending_tokens)]
            if not waiting:
                continue
            try:
                states = await self._run(lambda pairs=waiting: [self.pairings.state_of(t) for _, t in pairs])
            except Exception:  # noqa: BLE001
                log.exception("reading pairing states failed")
                continue
            for (client, token), state in zip(waiting, states):
                if state == PENDING:
                    continue
                client.pending_tokens.discard(token)
                if state == APPROVED:
                    client.subscribed = True
                client.push(dumps({"cmd": "notifyPairResult", "status": state, "origin": client.origin}))

    async def _drop_revoked(self) -> None:
        """A socket whose token was revoked hears no more notices (its next request is refused)."""
        listening = [c for c in list(self.clients) if c.subscribed and c.token]
        if not listening:
            return
        try:
            states = await self._run(lambda cs=listening: [self.pairings.state_of(c.token) for c in cs])
        except Exception:  # noqa: BLE001
            log.exception("reading pairing states failed")
            return
        for client, state in zip(listening, states):
            if state != APPROVED:
                client.subscribed = False
                client.push(dumps({"cmd": "notifyPairResult", "status": state or "revoked", "origin": client.origin}))

    def _broadcast(self, notices: list[Notice]) -> None:
        for notice in notices:
            text = None
            for client in list(self.clients):
                if not client.subscribed or client.origin != notice.origin:
                    continue
                if client.held is not None:
                    client.held.append(notice)
                    continue
                text = text or dumps(notice.body)
                if not client.push(text):
                    self._drop_slow(client)

    def _drop_slow(self, client: Client) -> None:
        """A socket that cannot keep up is closed; its page reconnects and resumes."""
        self.clients.discard(client)
        closing = asyncio.ensure_future(client.connection.close(1013, "too slow: reconnect and resume"))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    # --- one socket -----------------------------------------------------------------
    async def _handle(self, connection) -> None:
        raw_origin = connection.request.headers.get("Origin") if connection.request else None
        try:
            origin = check_origin(raw_origin)
        except BridgeRefusal:
            origin = None
        client = Client(connection, origin)
        self.clients.add(client)
        writer = asyncio.create_task(self._write(client))
        try:
            async for raw in connection:
                reply = await self._answer(client, raw)
                if reply is not None and not client.push(dumps(reply)):
                    self._drop_slow(client)
                    break
        except Exception as exc:  # noqa: BLE001 - a socket error ends this socket only
            from websockets.exceptions import ConnectionClosed

            if not isinstance(exc, ConnectionClosed):
                log.exception("bridge connection failed")
        finally:
            self.clients.discard(client)
            writer.cancel()

    async def _write(self, client: Client) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                text = await client.outbox.get()
                await client.connection.send(text)
        except (ConnectionClosed, asyncio.CancelledError):
            pass

    async def _answer(self, client: Client, raw) -> dict | None:
        request: dict = {}
        try:
            wait = self.limiter.take(client.origin or "(no origin)")
            if wait:
                request = echo_of(raw)
                raise BridgeRefusal("RATE_LIMITED", f"more than {MAX_REQUESTS_PER_SECOND:g} requests a second "
                                    "from this origin; wait and send again", retryAfterMs=int(wait * 1000) + 1)
            try:
                request = parse(raw)
            except BridgeRefusal:
                request = echo_of(raw)
                raise
            cmd = request["cmd"]
            if cmd == "getAgentInfo":
                return success(request, **await self._agent_info(client, request))
            if client.origin is None:
                check_origin(client.connection.request.headers.get("Origin"))  # raises NO_ORIGIN with the reason
            if cmd == "pair":
                return await self._pair(client, request)
            origin = client.origin
            await self._run(self.pairings.check, origin, request.get("token"))
            client.subscribed = True
            client.token = request.get("token")
            if cmd == "getPrinters":
                printers = await self._run(self.printing.printer_list)
                return success(request, defaultPrinter=self.printing.default,
                               printers=[{"name": p["name"], "status": p["status"], "reason": p["reason"]}
                                         for p in printers])
            if cmd == "print":
                task = request.get("task")
                if isinstance(task, dict) and task.get("preview") is True:
                    return success(request, **await self._run(self._preview, task))
                fields, notices = await self._run(self.tasks.print_task, origin, task)
                reply = success(request, **fields)
                client.push(dumps(reply))
                self._broadcast(notices)
                self.poke()
                return None
            if cmd == "getTaskStatus":
                return success(request, tasks=await self._run(self._statuses, origin, request.get("taskID")))
            if cmd == "resume":
                return await self._resume(client, request)
            raise BridgeRefusal("UNKNOWN_COMMAND", "not a command of the Sigilo bridge", "cmd")
        except BridgeRefusal as refusal:
            return failure(request, refusal)
        except Exception:  # noqa: BLE001 - a page never sees a traceback; the log has it
            log.exception("bridge request failed")
            return failure(request, BridgeRefusal("BUSY", "the station could not answer this request; "
                                                  "send it again, and if it keeps failing, look at the station"))

    async def _agent_info(self, client: Client, request: dict) -> dict:
        from desktop import __version__

        info = {"agent": "Sigilo", "version": __version__, "bridgeProtocol": BRIDGE_PROTOCOL,
                "messageVersion": PROTOCOL_VERSION, "origin": client.origin,
                "limits": {"messageBytes": MAX_MESSAGE_BYTES, "documentsPerTask": MAX_DOCUMENTS,
                           "requestsPerSecond": MAX_REQUESTS_PER_SECOND}}
        token = request.get("token")
        if isinstance(token, str) and token and client.origin:
            try:
                await self._run(self.pairings.check, client.origin, token)
                info["pairing"] = APPROVED
            except BridgeRefusal as refusal:
                info["pairing"] = refusal.code
        return info

    async def _pair(self, client: Client, request: dict) -> dict:
        name = clean_name(request.get("name"))
        code, token = await self._run(self.pairings.request, client.origin, name)
        client.pending_tokens.add(token)
        self.on_pairing()
        return success(request, pairing=PENDING, code=code, token=token, origin=client.origin)

    def _statuses(self, origin: str, ids) -> list[dict]:
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, list) or not ids or len(ids) > MAX_DOCUMENTS:
            raise BridgeRefusal("BAD_TASK", f"taskID must be a list of 1 to {MAX_DOCUMENTS} taskIDs", "taskID")
        out = []
        for task_id in ids:
            try:
                out.append(self.tasks.status_of(origin, str(task_id)))
            except BridgeRefusal as refusal:
                out.append({"taskID": str(task_id)[:128], "taskStatus": "unknown", "code": refusal.code,
                            "msg": refusal.msg})
        return out

    async def _resume(self, client: Client, request: dict) -> dict | None:
        after = request.get("after", 0)
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise BridgeRefusal("BAD_TASK", "after must be the seq of the last notice the page saw (0 for all)",
                                "after")
        client.held = []
        try:
            replay = await self._run(self.tasks.notices_after, client.origin, after)
            last = await self._run(self.tasks.last_seq, client.origin)
            client.push(dumps(success(request, replayed=len(replay), lastSeq=last,
                                      more=bool(replay) and replay[-1].seq < last)))
            sent = after
            for notice in replay:
                client.push(dumps(notice.body))
                sent = notice.seq
            held, client.held = client.held, None
            for notice in held:
                if notice.seq > sent:
                    client.push(dumps(notice.body))
        finally:
            client.held = None
        return None

    def _preview(self, task: dict) -> dict:
        """Render the documents as PNG images; nothing is queued, printed or kept."""
        import base64

        from desktop.compose import compose_label
        from desktop.compose.outputs import render_label
        from desktop.validation import validate

        documents = task.get("documents")
        if not isinstance(documents, list) or not documents or len(documents) > 20:
            raise BridgeRefusal("BAD_TASK", "a preview takes 1 to 20 documents", "task.documents")
        out = []
        for n, doc in enumerate(documents):
            doc_id = str(doc.get("documentID", n)) if isinstance(doc, dict) else str(n)
            try:
                data = dict(doc["contents"][0]["data"])
                template = data.pop("template", None) or "waybill-100x150"
                data.pop("copies", None)
                result = validate(data)
                if not result.ok:
                    e = result.errors[0]
                    out.append({"documentID": doc_id, "status": "failed", "code": "INVALID_DOCUMENT",
                                "field": e.field, "msg": e.message})
                    continue
                label = compose_label(result.shipment, template, sealer=self.printing.sealer, dpi=203)
                png = render_label(label, "png")
                out.append({"documentID": doc_id, "status": "rendered",
                            "previewImage": "data:image/png;base64," + base64.b64encode(png).decode()})
            except Exception:  # noqa: BLE001
                out.append({"documentID": doc_id, "status": "failed", "code": "INVALID_DOCUMENT",
                            "msg": "the document cannot be previewed; see docs/bridge.md for its shape"})
        return {"taskID": str(task.get("taskID", "")), "preview": True, "printStatus": out}


def _bind(host: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None  # no IPv6 on this computer
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
        return sock
    except OSError as exc:
        sock.close()
        if family == socket.AF_INET6 and port != 0:
            log.info("not listening on [%s]:%s: %s", host, port, exc)
            return None
        if family == socket.AF_INET6:
            return None
        raise BridgeError(_("the bridge cannot listen on {host}:{port}: {value}").format(host=host, port=port, value=exc.strerror or exc),
                          _("another program (or another Sigilo bridge) uses the port: start with --port N")) from None


async def _cancel_rest() -> None:
    """Cancel what is left on the loop (sockets' tasks) and let it finish before it closes."""
    rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


class BridgeThread:
    """The server on a loop of its own thread: for the GUI, tests and benchmarks."""

    def __init__(self, server: BridgeServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sigilo-bridge", daemon=True)

    def start(self) -> "BridgeThread":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(30)
        return self

    def stop(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(30)
            asyncio.run_coroutine_threadsafe(_cancel_rest(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    def __enter__(self) -> "BridgeThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
