#!/usr/bin/python3
"""An external dialing gateway for Parley's outbound campaigns, in plain Python.

It registers as a `dial_gateway` client on the interaction port (7120), offers its lines
(RegisterDialGateway) and places the calls the engine asks for (DialRequest) on a
simulated network: each call rings, then is answered (by a person or a machine), busy,
not answered within the request's timeout, or fails, as the --mix shares say; answered
calls end (`ended`) after an exponential talk time unless the engine hangs up first
(DialHangup). Text messages and emails (--media sms,email) are delivered, undeliverable
or opted out of, as the --message-mix shares say. Every step is reported with CallProgress. A real gateway puts a SIP stack
where `Network` is; the protocol part stays as it is. docs/outbound.md ("External dialing
gateways") explains the contract.

    PYTHONPATH=build/protocol/python /usr/bin/python3 protocol/python/dial_gateway.py \\
        --port 7120 --lines 30 --mix answered=0.6,busy=0.2,no_answer=0.2 --idle-exit-s 5

It stops by itself: after --duration-s, or --idle-exit-s without a call (after its first
one). It prints one summary line (`calls N answered A ...`) and exits 0; 1 when the engine
refused it or closed the connection.
"""
import argparse
import heapq
import random
import select
import socket
import struct
import sys
import time

import flatbuffers
from parley.wire import CallEvent, CallProgress, ClientType, DialHangup, DialRequest, Envelope
from parley.wire import Error, Message, Ping, Pong, RegisterDialGateway, Registered

from parley_example import MAX_FRAME, envelope, error_name, ping_frame, register_frame

LINES_REF = 2  # the RegisterDialGateway request's reference
FINAL = {"busy", "no_answer", "fax", "sit", "dropped", "ended", "failed", "delivered",
         "undeliverable", "opted_out"}
OUTCOMES = ["answered", "answered_machine", "busy", "no_answer", "fax", "sit", "dropped", "failed"]
MESSAGE_OUTCOMES = ["delivered", "undeliverable", "opted_out", "failed"]


def event_code(name):
    return getattr(CallEvent.CallEvent, name)


def register_gateway_frame(ref, media, lines):
    b = flatbuffers.Builder(128)
    names = [b.CreateString(m) for m in media]
    RegisterDialGateway.StartMediaVector(b, len(names))
    for n in reversed(names):
        b.PrependUOffsetTRelative(n)
    vec = b.EndVector()
    RegisterDialGateway.Start(b)
    RegisterDialGateway.AddMedia(b, vec)
    RegisterDialGateway.AddLines(b, lines)
    return envelope(b, ref, Message.Message.RegisterDialGateway, RegisterDialGateway.End(b))


def progress_frame(ref, call_id, event):
    b = flatbuffers.Builder(64)
    CallProgress.Start(b)
    CallProgress.AddCallId(b, call_id)
    CallProgress.AddEvent(b, event_code(event))
    return envelope(b, ref, Message.Message.CallProgress, CallProgress.End(b))


def parse_mix(text, names=OUTCOMES, option="--mix"):
    mix = {}
    for part in text.split(","):
        name, _, share = part.partition("=")
        if name not in names:
            raise ValueError(f"{option}: {name!r} is not one of {', '.join(names)}")
        mix[name] = float(share)
    if sum(mix.values()) <= 0:
        raise ValueError(f"{option}: the shares add up to nothing")
    return mix


class Network:
    """The simulated far end: when each call's next event happens."""

    def __init__(self, mix, message_mix, ring_ms, talk_ms, seed):
        self.rng = random.Random(seed)
        self.mix = (list(mix), list(mix.values()))
        self.message_mix = (list(message_mix), list(message_mix.values()))
        self.ring_ms = ring_ms
        self.talk_ms = talk_ms

    def message(self):
        """(delay in s, event) of a text message's or an email's one final event."""
        event = self.rng.choices(*self.message_mix)[0]
        return self.rng.uniform(0.5, 1.5) * self.ring_ms / 1000.0, event

    def outcome(self, timeout_ms):
        """(delay in s, event) of a new call's outcome."""
        event = self.rng.choices(*self.mix)[0]
        if event == "no_answer":
            return timeout_ms / 1000.0, event
        if event == "failed":
            return 0.0, event
        return self.rng.uniform(0.5, 1.5) * self.ring_ms / 1000.0, event

    def talk(self):
        return self.rng.expovariate(1000.0 / self.talk_ms)


class Gateway:
    def __init__(self, sock, args):
        self.sock = sock
        self.args = args
        self.net = Network(parse_mix(args.mix),
                           parse_mix(args.message_mix, MESSAGE_OUTCOMES, "--message-mix"),
                           args.ring_ms, args.talk_ms, args.seed)
        self.inbuf = b""
        self.outbuf = b""
        self.ref = 10
        self.timers = []        # (when, seq, call_id, event)
        self.seq = 0
        self.calls = {}         # call_id -> generation (timers of an older one are void)
        self.counts = {name: 0 for name in OUTCOMES + MESSAGE_OUTCOMES + ["ended", "hung_up",
                                                                            "requests"]}
        self.errors = 0
        self.last_activity = time.monotonic()
        self.heartbeat_s = 5.0  # Registered.heartbeat_interval_ms, once registered

    # -- output --------------------------------------------------------------------------
    def send(self, frame):
        self.outbuf += frame

    def report(self, call_id, event):
        self.ref += 1
        self.send(progress_frame(self.ref, call_id, event))

    def later(self, delay_s, call_id, event):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + delay_s, self.seq, call_id, event,
                                     self.calls[call_id]))

    # -- input ---------------------------------------------------------------------------
    def on_envelope(self, env):
        kind = env.MessageType()
        msg = env.Message()
        if kind == Message.Message.Ping:
            ping = Ping.Ping()
            ping.Init(msg.Bytes, msg.Pos)
            self.send(pong_frame(env.Ref(), ping.Payload()))
        elif kind == Message.Message.DialRequest:
            req = DialRequest.DialRequest()
            req.Init(msg.Bytes, msg.Pos)
            self.dial(req)
        elif kind == Message.Message.DialHangup:
            h = DialHangup.DialHangup()
            h.Init(msg.Bytes, msg.Pos)
            if self.calls.pop(h.CallId(), None) is not None:
                self.counts["hung_up"] += 1
        elif kind == Message.Message.Ack and env.Ref() == LINES_REF:
            print(f"registered: {self.args.lines} line(s) for {self.args.media}", flush=True)
        elif kind == Message.Message.Error:
            err = Error.Error()
            err.Init(msg.Bytes, msg.Pos)
            if env.Ref() == LINES_REF:
                raise RuntimeError(f"lines refused: {error_name(err.Code())}: {err.Text().decode()}")
            # unknown_id: the engine ended the call while our report was on its way.
            if error_name(err.Code()) != "unknown_id":
                self.errors += 1
                print(f"dial_gateway: error {error_name(err.Code())}: {err.Text().decode()}",
                      file=sys.stderr)

    def dial(self, req):
        call_id = req.CallId()
        self.counts["requests"] += 1
        self.last_activity = time.monotonic()
        self.calls[call_id] = self.calls.get(call_id, 0) + 1
        media = req.Media().decode() if req.Media() else "voice"
        if media in ("sms", "email"):
            # A real gateway hands req.Text() (and req.Subject(), req.Email()) to its provider.
            delay, event = self.net.message()
            self.later(delay, call_id, event)
            return
        delay, event = self.net.outcome(req.TimeoutMs())
        if event != "failed":
            self.report(call_id, "ringing")
        self.later(delay, call_id, event)

    def fire(self, call_id, event, generation):
        if self.calls.get(call_id) != generation:
            return  # hung up by the engine meanwhile
        self.report(call_id, event)
        if event in ("answered", "answered_machine"):
            self.counts[event] += 1
            self.later(self.net.talk(), call_id, "ended")
            return
        self.counts[event] += 1
        if event in FINAL:
            del self.calls[call_id]

    # -- the loop ------------------------------------------------------------------------
    def run(self, deadline):
        last_ping = time.monotonic()
        while True:
            now = time.monotonic()
            if deadline and now >= deadline:
                return
            idle = not self.calls and self.counts["requests"] > 0
            if self.args.idle_exit_s and idle and now - self.last_activity >= self.args.idle_exit_s:
                return
            while self.timers and self.timers[0][0] <= now:
                _, _, call_id, event, generation = heapq.heappop(self.timers)
                self.fire(call_id, event, generation)
                self.last_activity = now
            if now - last_ping >= self.heartbeat_s:
                self.send(ping_frame(0, 0))
                last_ping = now
            wait = 0.2
            if self.timers:
                wait = max(0.0, min(wait, self.timers[0][0] - now))
            readable, writable, _ = select.select([self.sock], [self.sock] if self.outbuf else [],
                                                  [], wait)
            if writable:
                sent = self.sock.send(self.outbuf)
                self.outbuf = self.outbuf[sent:]
            if readable:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the engine closed the connection")
                envs, self.inbuf = take_frames(self.inbuf + chunk)
                for env in envs:
                    self.on_envelope(env)


def take_frames(buf):
    """The whole envelopes at the start of `buf`, and what is left of it."""
    envs = []
    while len(buf) >= 4:
        (length,) = struct.unpack_from("<I", buf)
        if length > MAX_FRAME:
            raise ConnectionError(f"frame of {length} bytes is too large")
        if len(buf) < 4 + length:
            break
        body, buf = buf[4:4 + length], buf[4 + length:]
        if not Envelope.Envelope.EnvelopeBufferHasIdentifier(body, 0):
            raise ConnectionError("not a Parley envelope")
        envs.append(Envelope.Envelope.GetRootAs(body, 0))
    return envs, buf


def pong_frame(ref, payload):
    b = flatbuffers.Builder(64)
    Pong.Start(b)
    Pong.AddPayload(b, payload)
    return envelope(b, ref, Message.Message.Pong, Pong.End(b))


def read_answer(sock, ref):
    """Blocks for the answer to request `ref` (Register), answering heartbeats."""
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the engine closed the connection")
        envs, buf = take_frames(buf + chunk)
        for env in envs:
            if env.MessageType() == Message.Message.Error:
                err = Error.Error()
                err.Init(env.Message().Bytes, env.Message().Pos)
                raise RuntimeError(f"error {error_name(err.Code())}: {err.Text().decode()}")
            if env.MessageType() == Message.Message.Ping and env.Ref() == 0:
                ping = Ping.Ping()
                ping.Init(env.Message().Bytes, env.Message().Pos)
                sock.sendall(pong_frame(0, ping.Payload()))
            elif env.Ref() == ref:
                return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7120)
    ap.add_argument("--name", default="python-dial-gateway")
    ap.add_argument("--credential", default="")
    ap.add_argument("--media", default="voice", help="comma-separated media it dials")
    ap.add_argument("--lines", type=int, default=30, help="simultaneous calls")
    ap.add_argument("--mix", default="answered=0.3,answered_machine=0.1,busy=0.2,no_answer=0.4",
                    help="outcome shares: " + ", ".join(OUTCOMES))
    ap.add_argument("--message-mix", default="delivered=0.95,undeliverable=0.04,opted_out=0.01",
                    help="sms and email outcome shares: " + ", ".join(MESSAGE_OUTCOMES))
    ap.add_argument("--ring-ms", type=float, default=2000, help="mean ring time to an outcome")
    ap.add_argument("--talk-ms", type=float, default=30000, help="mean talk time of answers")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration-s", type=float, default=0, help="stop after this (0: no limit)")
    ap.add_argument("--idle-exit-s", type=float, default=0,
                    help="stop after this long without a call, once it had one (0: never)")
    args = ap.parse_args()
    parse_mix(args.mix)  # a bad mix is refused before connecting
    parse_mix(args.message_mix, MESSAGE_OUTCOMES, "--message-mix")

    deadline = time.monotonic() + args.duration_s if args.duration_s else None
    with socket.create_connection((args.host, args.port), timeout=10) as sock:
        sock.sendall(register_frame(1, args.name, ClientType.ClientType.dial_gateway,
                                    args.credential))
        env = read_answer(sock, 1)
        if env.MessageType() != Message.Message.Registered:
            raise RuntimeError(f"expected Registered, got message type {env.MessageType()}")
        reg = Registered.Registered()
        reg.Init(env.Message().Bytes, env.Message().Pos)
        # Dial requests may come before the Ack: the loop takes both.
        sock.sendall(register_gateway_frame(LINES_REF, [m for m in args.media.split(",") if m],
                                            args.lines))
        sock.setblocking(False)
        gw = Gateway(sock, args)
        gw.heartbeat_s = max(0.1, reg.HeartbeatIntervalMs() / 1000.0)
        gw.run(deadline)
    c = gw.counts
    print(f"calls {c['requests']} answered {c['answered']} machine {c['answered_machine']} "
          f"busy {c['busy']} no_answer {c['no_answer']} failed {c['failed']} "
          f"ended {c['ended']} hung_up {c['hung_up']} delivered {c['delivered']} "
          f"undeliverable {c['undeliverable']} opted_out {c['opted_out']} errors {gw.errors}",
          flush=True)
    return 0 if gw.errors == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ConnectionError, ValueError) as e:
        print(f"dial_gateway: {e}", file=sys.stderr)
        sys.exit(1)
