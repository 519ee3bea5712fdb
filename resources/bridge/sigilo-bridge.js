/*
 * sigilo-bridge.js - print through the Sigilo print bridge from a web page.
 * No dependencies. Works as a plain <script> (window.SigiloBridge) or a CommonJS module.
 * Protocol: docs/bridge.md of Sigilo.
 *
 *   const bridge = new SigiloBridge({ name: "My WMS",
 *     onPairing: p => show(p.status, p.code),          // "pending" with the code to show, then "approved"
 *     onNotify: n => n.printStatus.forEach(d => mark(d.documentID, d.status)) });
 *   bridge.connect();
 *   await bridge.pair();                                 // once per browser: an operator approves the code
 *   const reply = await bridge.print({ taskID, documents: [{ documentID, contents: [{ data: shipment }] }] });
 *
 * What it does for you: keeps the token (bound to this page's origin) in localStorage; reconnects
 * with backoff after the socket drops; after each reconnect asks for the notifications it missed
 * (resume from the last seq it saw); sends again the requests that had no answer (print is
 * idempotent by taskID and documentID, so a resend never prints twice); waits out RATE_LIMITED.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.SigiloBridge = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DEFAULT_URL = "ws://127.0.0.1:17528";

  function SigiloBridge(options) {
    options = options || {};
    this.url = options.url || DEFAULT_URL;
    this.name = options.name || (typeof document !== "undefined" ? document.title : "") || "web page";
    this.storage = options.storage || (typeof localStorage !== "undefined" ? localStorage : null);
    this.onPairing = options.onPairing || function () {};
    this.onNotify = options.onNotify || function () {};
    this.onConnection = options.onConnection || function () {};
    this.minBackoff = options.minBackoff || 500;
    this.maxBackoff = options.maxBackoff || 15000;
    this.timeout = options.timeout || 30000;
    this.socket = null;
    this.open = false;
    this.attempt = 0;
    this.counter = 0;
    this.waiting = {};       // requestID -> {message, resolve, reject, timer}
    this.seen = {};          // seq -> true, for the notices already handed on
    this.stopped = true;
    this.pairing = null;     // {code, origin} while an approval is awaited
  }

  SigiloBridge.prototype._key = function (what) { return "sigilo-bridge:" + this.url + ":" + what; };
  SigiloBridge.prototype._get = function (what) {
    try { return this.storage ? this.storage.getItem(this._key(what)) : null; } catch (e) { return null; }
  };
  SigiloBridge.prototype._set = function (what, value) {
    try {
      if (!this.storage) return;
      if (value === null) this.storage.removeItem(this._key(what)); else this.storage.setItem(this._key(what), String(value));
    } catch (e) { /* storage full or blocked: the page pairs again next time */ }
  };
  Object.defineProperty(SigiloBridge.prototype, "token", {
    get: function () { return this._get("token"); },
    set: function (v) { this._set("token", v); }
  });
  Object.defineProperty(SigiloBridge.prototype, "lastSeq", {
    get: function () { return parseInt(this._get("seq") || "0", 10) || 0; },
    set: function (v) { this._set("seq", v); }
  });

  /* Open the socket and keep it open until close(). */
  SigiloBridge.prototype.connect = function () {
    this.stopped = false;
    this._open();
    return this;
  };

  SigiloBridge.prototype.close = function () {
    this.stopped = true;
    if (this.socket) this.socket.close(1000, "page closed the bridge");
  };

  SigiloBridge.prototype._open = function () {
    var self = this;
    var socket;
    try { socket = new WebSocket(this.url); } catch (e) { return this._retry(); }
    this.socket = socket;
    socket.onopen = function () {
      self.open = true;
      self.attempt = 0;
      self.onConnection({ connected: true });
      self._afterOpen();
    };
    socket.onmessage = function (event) { self._receive(event.data); };
    socket.onclose = function (event) {
      var was = self.open;
      self.open = false;
      if (self.socket === socket) self.socket = null;
      if (was || event.code !== 1006) self.onConnection({ connected: false, code: event.code, reason: event.reason });
      if (!self.stopped) self._retry();
    };
    socket.onerror = function () { /* onclose follows */ };
  };

  SigiloBridge.prototype._retry = function () {
    var self = this;
    var base = Math.min(this.maxBackoff, this.minBackoff * Math.pow(2, this.attempt++));
    var delay = base / 2 + Math.random() * base / 2;
    this.onConnection({ connected: false, retryInMs: Math.round(delay) });
    setTimeout(function () { if (!self.stopped) self._open(); }, delay);
  };

  SigiloBridge.prototype._afterOpen = function () {
    var self = this;
    // resend what never got an answer (idempotent by id), then pick up missed notices
    Object.keys(this.waiting).forEach(function (id) {
      var cmd = self.waiting[id].message.cmd;
      if (cmd === "pair" || cmd === "resume" || cmd === "getAgentInfo") {  // asked afresh below
        clearTimeout(self.waiting[id].timer);
        self.waiting[id].reject(new Error("the socket dropped; " + cmd + " is asked again"));
        delete self.waiting[id];
      } else {
        self._transmit(self.waiting[id].message);
      }
    });
    if (!this.token) return;
    this._call("getAgentInfo", {}).then(function (info) {
      if (info.pairing === "approved") return self._resume();
      if (info.pairing === "PAIRING_PENDING") return;
      if (info.pairing) { self.token = null; self.onPairing({ status: "unpaired", reason: info.pairing }); }
    }, function () {});
  };

  SigiloBridge.prototype._resume = function () {
    var self = this;
    return this._call("resume", { after: this.lastSeq }).then(function (reply) {
      if (reply.status === "success" && reply.more) return self._resume();
      return reply;
    }, function () {});
  };

  SigiloBridge.prototype._receive = function (text) {
    var message;
    try { message = JSON.parse(text); } catch (e) { return; }
    if (message.requestID !== undefined && this.waiting[message.requestID]) {
      var w = this.waiting[message.requestID];
      if (message.status === "failed" && message.code === "RATE_LIMITED") {
        var self = this;
        setTimeout(function () { if (self.waiting[message.requestID]) self._transmit(w.message); },
                   message.retryAfterMs || 100);
        return;
      }
      delete this.waiting[message.requestID];
      clearTimeout(w.timer);
      w.resolve(message);
      return;
    }
    if (message.cmd === "notifyPrintResult") {
      if (message.seq && this.seen[message.seq]) return;
      if (message.seq) {
        this.seen[message.seq] = true;
        if (message.seq > this.lastSeq) this.lastSeq = message.seq;
      }
      this.onNotify(message);
    } else if (message.cmd === "notifyPairResult") {
      this.pairing = null;
      if (message.status !== "approved") this.token = null;
      this.onPairing({ status: message.status, origin: message.origin });
      if (message.status === "approved") this._resume();
    }
  };

  SigiloBridge.prototype._transmit = function (message) {
    if (this.open && this.socket) this.socket.send(JSON.stringify(message));
  };

  SigiloBridge.prototype._call = function (cmd, fields) {
    var self = this;
    var id = "sb" + Date.now().toString(36) + "-" + (++this.counter);
    var message = { cmd: cmd, requestID: id, version: "1.0" };
    for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) message[k] = fields[k];
    if (this.token && cmd !== "pair") message.token = this.token;
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        delete self.waiting[id];
        reject(new Error("the Sigilo bridge did not answer " + cmd + " in time"));
      }, self.timeout);
      self.waiting[id] = { message: message, resolve: resolve, reject: reject, timer: timer };
      self._transmit(message);
    });
  };

  /* Ask to pair; resolves {status: "pending", code}; onPairing hears the operator's decision. */
  SigiloBridge.prototype.pair = function () {
    var self = this;
    return this._call("pair", { name: this.name }).then(function (reply) {
      if (reply.status === "success") {
        self.token = reply.token;
        self.lastSeq = 0;
        self.pairing = { code: reply.code, origin: reply.origin };
        self.onPairing({ status: "pending", code: reply.code, origin: reply.origin });
        return { status: "pending", code: reply.code, origin: reply.origin };
      }
      return reply;
    });
  };

  SigiloBridge.prototype.getAgentInfo = function () { return this._call("getAgentInfo", {}); };
  SigiloBridge.prototype.getPrinters = function () { return this._call("getPrinters", {}); };
  SigiloBridge.prototype.print = function (task) { return this._call("print", { task: task }); };
  SigiloBridge.prototype.getTaskStatus = function (taskIDs) {
    return this._call("getTaskStatus", { taskID: [].concat(taskIDs) });
  };
  SigiloBridge.prototype.forget = function () { this.token = null; this.lastSeq = 0; };

  return SigiloBridge;
});
