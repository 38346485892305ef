"""Interoperability check with stomp.py's WebSocket connection (PyPI `stomp.py`).

Usage: python stomp_py_client.py http://127.0.0.1:PORT

Signs up two users over REST, pairs them, connects both with `?token=` on the URL,
subscribes (with receipts), sends, receives, exchanges heart-beats and disconnects
with a receipt. Exits non-zero with a message on the first failure.
"""

import json
import sys
import threading
import time
import urllib.request
import uuid

import stomp

BASE = sys.argv[1].rstrip("/")
HOST, PORT = BASE.split("://", 1)[1].split(":")
PORT = int(PORT)
TIMEOUT = 10


def rest(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def account(name):
    email = f"{name}-{uuid.uuid4().hex[:8]}@interop.test"
    rest("POST", "/auth/signup", {"email": email, "password": "interop-pass", "name": name})
    login = rest("POST", "/auth/login", {"email": email, "password": "interop-pass"})
    return login["accessToken"], login["user"]["id"]


class Collector(stomp.ConnectionListener):
    def __init__(self):
        self.cond = threading.Condition()
        self.messages = []
        self.receipts = []
        self.errors = []
        self.heartbeats = 0
        self.connected = None

    def _add(self, attr, value):
        with self.cond:
            getattr(self, attr).append(value)
            self.cond.notify_all()

    def on_connected(self, frame):
        with self.cond:
            self.connected = frame
            self.cond.notify_all()

    def on_message(self, frame):
        self._add("messages", frame)

    def on_receipt(self, frame):
        self._add("receipts", frame.headers.get("receipt-id"))

    def on_error(self, frame):
        self._add("errors", frame)

    def on_heartbeat(self):
        with self.cond:
            self.heartbeats += 1
            self.cond.notify_all()

    def wait(self, predicate, what):
        with self.cond:
            if not self.cond.wait_for(predicate, timeout=TIMEOUT):
                fail(f"timed out waiting for {what}")


def fail(why):
    print(f"stomp.py interop FAILED: {why}", file=sys.stderr)
    sys.exit(1)


def connect(token):
    conn = stomp.WSConnection(
        [(HOST, PORT)],
        ws_path=f"/ws/chat?token={token}",
        heartbeats=(1000, 1000),
        reconnect_attempts_max=1,
    )
    listener = Collector()
    conn.set_listener("collector", listener)
    conn.connect(wait=True, with_connect_command=True)
    listener.wait(lambda: listener.connected is not None, "CONNECTED")
    return conn, listener


def main():
    token_a, id_a = account("py-a")
    token_b, id_b = account("py-b")
    code = rest("POST", "/couples/invite", {}, token_a)["inviteCode"]
    room = rest("POST", "/couples/join", {"inviteCode": code}, token_b)["coupleId"]

    conn_a, la = connect(token_a)
    conn_b, lb = connect(token_b)
    if la.connected.headers.get("user-name") != id_a:
        fail(f"user-name header: {la.connected.headers}")
    if la.connected.headers.get("version") != "1.2":
        fail(f"version header: {la.connected.headers}")

    for conn, listener, name in ((conn_a, la, "a"), (conn_b, lb, "b")):
        conn.subscribe(f"/topic/couple/{room}", id=f"room-{name}", ack="auto",
                       headers={"receipt": f"sub-{name}"})
        listener.wait(lambda l=listener, n=name: f"sub-{n}" in l.receipts, "SUBSCRIBE receipt")
        conn.subscribe("/user/queue/errors", id=f"errors-{name}", ack="auto")

    def texts(listener):
        out = []
        for f in listener.messages:
            body = json.loads(f.body)
            if body.get("type") == "TEXT":
                out.append(body)
        return out

    conn_a.send(f"/app/chat/{room}",
                json.dumps({"type": "TEXT", "content": "안녕 from stomp.py", "tempId": "py-1"}),
                content_type="application/json", headers={"receipt": "send-1"})
    la.wait(lambda: "send-1" in la.receipts, "SEND receipt")
    lb.wait(lambda: len(texts(lb)) == 1, "the message on b")
    got = texts(lb)[0]
    if got["content"] != "안녕 from stomp.py" or got["senderId"] != id_a or got["tempId"] != "py-1":
        fail(f"message body: {got}")
    frame = [f for f in lb.messages if json.loads(f.body).get("type") == "TEXT"][0]
    if frame.headers.get("subscription") != "room-b" or not frame.headers.get("message-id"):
        fail(f"MESSAGE headers: {frame.headers}")

    # A read receipt from b reaches a.
    conn_b.send(f"/app/chat/{room}/read", json.dumps({"messageIds": [got["id"]]}),
                content_type="application/json")
    la.wait(lambda: any(json.loads(f.body).get("type") == "READ_RECEIPT" for f in la.messages),
            "READ_RECEIPT on a")

    # An invalid message: SEND_FAILED on b's error queue, with the tempId.
    conn_b.send(f"/app/chat/{room}", json.dumps({"type": "TEXT", "content": " ", "tempId": "bad"}),
                content_type="application/json")

    def errors(listener):
        return [json.loads(f.body) for f in listener.messages
                if f.headers.get("subscription", "").startswith("errors-")]
    lb.wait(lambda: len(errors(lb)) == 1, "SEND_FAILED")
    if errors(lb)[0]["code"] != "SEND_FAILED" or errors(lb)[0]["tempId"] != "bad":
        fail(f"error body: {errors(lb)[0]}")

    # Heart-beats: idle for a while, the server's beats arrive and nobody is dropped.
    time.sleep(3.5)
    if la.heartbeats < 1:
        fail("no server heart-beat received in 3.5 s at a 1 s interval")
    if not conn_a.is_connected() or not conn_b.is_connected():
        fail("a client was dropped while heart-beating")

    for conn, name in ((conn_a, "a"), (conn_b, "b")):
        conn.disconnect(receipt=f"bye-{name}")
    if la.errors or lb.errors:
        fail(f"unexpected ERROR frames: {la.errors + lb.errors}")
    print(f"stomp.py interop ok (stomp.py {stomp.__version__}, heart-beats seen: {la.heartbeats})")


if __name__ == "__main__":
    main()
