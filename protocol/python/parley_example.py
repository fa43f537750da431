#!/usr/bin/python3
"""Register with a Parley engine and ping it, using nothing but flatc's Python output.

The engine's wire protocol is FlatBuffers schemas (protocol/schema/*.fbs); any language
binding can speak it. This script uses Debian's python3-flatbuffers and the modules that
`flatc --python` generates into the build tree (build/protocol/python):

    PYTHONPATH=build/protocol/python /usr/bin/python3 protocol/python/parley_example.py \
        --port 7120 --pings 3

It prints one line per answer and exits 0 when the engine registered it and answered
every ping; any error frame or a closed connection exits 1.
"""
import argparse
import socket
import struct
import sys

import flatbuffers
from parley.wire import ClientType, Envelope, Error, ErrorCode, Message, Ping, Pong, Register
from parley.wire import Registered

PROTOCOL_VERSION = 1
MAX_FRAME = 16 * 1024 * 1024


def envelope(builder, ref, msg_type, msg):
    Envelope.Start(builder)
    Envelope.AddVersion(builder, 1)
    Envelope.AddRef(builder, ref)
    Envelope.AddMessageType(builder, msg_type)
    Envelope.AddMessage(builder, msg)
    builder.FinishSizePrefixed(Envelope.End(builder), b"PRLY")
    return bytes(builder.Output())


def register_frame(ref, name, client_type, credential):
    b = flatbuffers.Builder(256)
    name_off = b.CreateString(name)
    cred_off = b.CreateString(credential)
    Register.Start(b)
    Register.AddClientName(b, name_off)
    Register.AddClientType(b, client_type)
    Register.AddProtocolVersion(b, PROTOCOL_VERSION)
    Register.AddCredential(b, cred_off)
    return envelope(b, ref, Message.Message.Register, Register.End(b))


def ping_frame(ref, payload):
    b = flatbuffers.Builder(64)
    Ping.Start(b)
    Ping.AddPayload(b, payload)
    return envelope(b, ref, Message.Message.Ping, Ping.End(b))


def pong_frame(payload):
    b = flatbuffers.Builder(64)
    Pong.Start(b)
    Pong.AddPayload(b, payload)
    return envelope(b, 0, Message.Message.Pong, Pong.End(b))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the engine closed the connection")
        data += chunk
    return data


def read_envelope(sock):
    (length,) = struct.unpack("<I", read_exact(sock, 4))
    if length > MAX_FRAME:
        raise ConnectionError(f"frame of {length} bytes is too large")
    body = read_exact(sock, length)
    if not Envelope.Envelope.EnvelopeBufferHasIdentifier(body, 0):
        raise ConnectionError("not a Parley envelope")
    return Envelope.Envelope.GetRootAs(body, 0)


def error_name(code):
    for name, value in vars(ErrorCode.ErrorCode).items():
        if value == code and not name.startswith("_"):
            return name
    return str(code)


def answer(sock, ref):
    """Reads until the answer to `ref`, answering engine heartbeats on the way."""
    while True:
        env = read_envelope(sock)
        msg = env.Message()
        if env.MessageType() == Message.Message.Ping and env.Ref() == 0:
            ping = Ping.Ping()
            ping.Init(msg.Bytes, msg.Pos)
            sock.sendall(pong_frame(ping.Payload()))
            continue
        if env.MessageType() == Message.Message.Error:
            err = Error.Error()
            err.Init(msg.Bytes, msg.Pos)
            raise RuntimeError(f"error {error_name(err.Code())}: {err.Text().decode()}")
        if env.Ref() == ref:
            return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7120)
    ap.add_argument("--name", default="python-example")
    ap.add_argument("--credential", default="")
    ap.add_argument("--pings", type=int, default=3)
    args = ap.parse_args()

    with socket.create_connection((args.host, args.port), timeout=10) as sock:
        sock.sendall(register_frame(1, args.name, ClientType.ClientType.media_gateway,
                                    args.credential))
        env = answer(sock, 1)
        if env.MessageType() != Message.Message.Registered:
            raise RuntimeError(f"expected Registered, got message type {env.MessageType()}")
        reg = Registered.Registered()
        reg.Init(env.Message().Bytes, env.Message().Pos)
        print(f"registered: session {reg.SessionId()} on {reg.ServerName().decode()} "
              f"{reg.ServerVersion().decode()}, heartbeat {reg.HeartbeatIntervalMs()} ms")
        for i in range(args.pings):
            ref = 2 + i
            sock.sendall(ping_frame(ref, 1000 + i))
            env = answer(sock, ref)
            pong = Pong.Pong()
            pong.Init(env.Message().Bytes, env.Message().Pos)
            if env.MessageType() != Message.Message.Pong or pong.Payload() != 1000 + i:
                raise RuntimeError(f"bad answer to ping {ref}")
            print(f"pong {ref}: payload {pong.Payload()}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ConnectionError) as e:
        print(f"parley_example: {e}", file=sys.stderr)
        sys.exit(1)
