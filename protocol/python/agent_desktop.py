#!/usr/bin/python3
"""An agent desktop that survives a failover of an HA pair (docs/ha.md), in plain Python.

It logs one agent in and keeps it logged in: it is given every engine it may use
(--endpoints, "host:port" each), answers heartbeats and pings when idle, and when the
connection is lost goes on to the next endpoint — or straight to the primary that a backup
names in its not_primary answer — registers again and logs the agent in again (not ready,
as after any new login: the agent makes itself ready). Like parley_example.py it uses only
Debian's python3-flatbuffers and flatc's output in the build tree:

    PYTHONPATH=build/protocol/python:protocol/python /usr/bin/python3 \\
        protocol/python/agent_desktop.py --endpoints 10.0.0.1:7120,10.0.0.2:7120 --agent ann

It prints a line per login, loss and redirection, stops after --seconds (0: never) and
exits 0 — or 1 when an engine refuses the agent (a wrong credential, an unknown agent).
"""
import argparse
import socket
import struct
import sys
import time

import flatbuffers
from parley.wire import AgentLogin, ClientType, Envelope, Error, ErrorCode, Message, Ping, Registered

from parley_example import MAX_FRAME, envelope, error_name, ping_frame, pong_frame, register_frame


def login_frame(ref, agent, place):
    b = flatbuffers.Builder(128)
    agent_off = b.CreateString(agent)
    place_off = b.CreateString(place)
    AgentLogin.Start(b)
    AgentLogin.AddAgent(b, agent_off)
    AgentLogin.AddPlace(b, place_off)
    return envelope(b, ref, Message.Message.AgentLogin, AgentLogin.End(b))


def parse_endpoint(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"endpoint {text!r} is not host:port")
    return host.strip("[]"), int(port)


class Refused(Exception):
    """The engine will not take this agent: trying elsewhere will not help."""


class NotPrimary(Exception):
    def __init__(self, primary):
        super().__init__(f"not the primary; the primary is {primary or 'not known yet'}")
        self.primary = primary


class Connection:
    """One registered connection: frames in, frames out, heartbeats answered."""

    def __init__(self, endpoint, timeout):
        self.sock = socket.create_connection(endpoint, timeout=timeout)
        self.buf = b""
        self.heartbeat = 1.0

    def close(self):
        self.sock.close()

    def read(self, until):
        """The next envelope before `until` (a time.monotonic()), or None when none came."""
        while True:
            if len(self.buf) >= 4:
                (length,) = struct.unpack_from("<I", self.buf)
                if length > MAX_FRAME:
                    raise ConnectionError(f"frame of {length} bytes is too large")
                if len(self.buf) >= 4 + length:
                    body = self.buf[4:4 + length]
                    self.buf = self.buf[4 + length:]
                    if not Envelope.Envelope.EnvelopeBufferHasIdentifier(body, 0):
                        raise ConnectionError("not a Parley envelope")
                    return Envelope.Envelope.GetRootAs(body, 0)
            left = until - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise ConnectionError("closed by the engine")
            self.buf += chunk

    def answer(self, ref, limit):
        """The answer to `ref`; engine pings are answered on the way, events skipped."""
        until = time.monotonic() + limit
        while True:
            env = self.read(until)
            if env is None:
                raise ConnectionError(f"no answer to request {ref} within {limit} s")
            if env.MessageType() == Message.Message.Ping and env.Ref() == 0:
                ping = Ping.Ping()
                ping.Init(env.Message().Bytes, env.Message().Pos)
                self.sock.sendall(pong_frame(ping.Payload()))
            elif env.Ref() == ref:
                return env

    def register(self, name, credential):
        self.sock.sendall(register_frame(1, name, ClientType.ClientType.agent_desktop, credential))
        env = self.answer(1, 10)
        if env.MessageType() == Message.Message.Error:
            err = Error.Error()
            err.Init(env.Message().Bytes, env.Message().Pos)
            if err.Code() == ErrorCode.ErrorCode.not_primary:
                raise NotPrimary((err.Primary() or b"").decode())
            why = f"registration refused: {error_name(err.Code())}: {(err.Text() or b'').decode()}"
            if err.Code() in (ErrorCode.ErrorCode.bad_credential, ErrorCode.ErrorCode.unsupported_version):
                raise Refused(why)
            raise ConnectionError(why)
        reg = Registered.Registered()
        reg.Init(env.Message().Bytes, env.Message().Pos)
        self.heartbeat = max(reg.HeartbeatIntervalMs(), 100) / 1000.0

    def login(self, agent, place):
        self.sock.sendall(login_frame(2, agent, place))
        env = self.answer(2, 10)
        if env.MessageType() == Message.Message.Error:
            err = Error.Error()
            err.Init(env.Message().Bytes, env.Message().Pos)
            raise Refused(f"login refused: {error_name(err.Code())}: {(err.Text() or b'').decode()}")

    def stay(self, until):
        """Keeps the connection alive until `until`: pings when idle, answers the engine's."""
        ref = 3
        while time.monotonic() < until:
            self.sock.sendall(ping_frame(ref, ref))
            self.answer(ref, max(3 * self.heartbeat, 2))
            ref += 1
            nap_until = min(time.monotonic() + self.heartbeat, until)
            while (env := self.read(nap_until)) is not None:
                if env.MessageType() == Message.Message.Ping and env.Ref() == 0:
                    ping = Ping.Ping()
                    ping.Init(env.Message().Bytes, env.Message().Pos)
                    self.sock.sendall(pong_frame(ping.Payload()))
                # other events (an invite would go to the agent's screen) are not this example's


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoints", required=True, help="host:port,host:port (both nodes of the pair)")
    ap.add_argument("--agent", required=True)
    ap.add_argument("--place", default="")
    ap.add_argument("--name", default="python-desktop")
    ap.add_argument("--credential", default="")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (0: never)")
    args = ap.parse_args()
    endpoints = [parse_endpoint(e) for e in args.endpoints.split(",") if e]
    deadline = time.monotonic() + args.seconds if args.seconds > 0 else float("inf")
    next_index, redirect, backoff, logins = 0, None, 0.05, 0
    while time.monotonic() < deadline:
        if redirect:
            target, redirect = redirect, None
        else:
            target = endpoints[next_index]
            next_index = (next_index + 1) % len(endpoints)
        where = f"{target[0]}:{target[1]}"
        try:
            conn = Connection(target, timeout=2)
        except OSError as e:
            print(f"cannot connect to {where}: {e}", flush=True)
        else:
            try:
                conn.register(args.name, args.credential)
                conn.login(args.agent, args.place)
                logins += 1
                backoff = 0.05
                print(f"logged in {args.agent} on {where} (not ready)", flush=True)
                conn.stay(deadline)
                continue
            except NotPrimary as e:
                print(f"{where}: {e}", flush=True)
                if e.primary and parse_endpoint(e.primary) != target:
                    redirect = parse_endpoint(e.primary)
                    continue
            except (OSError, ConnectionError) as e:
                print(f"lost {where}: {e}", flush=True)
            finally:
                conn.close()
        if next_index == 0:  # a whole round without a primary: wait longer
            backoff = min(backoff * 2, 2.0)
        time.sleep(min(backoff, max(deadline - time.monotonic(), 0)))
    print(f"done: {logins} login(s)", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Refused, ValueError) as e:
        print(f"agent_desktop: {e}", file=sys.stderr)
        sys.exit(1)
