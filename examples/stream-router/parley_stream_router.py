#!/usr/bin/python3
"""An example external router for Parley's routing over Redis Streams (docs/streams.md).

It joins the consumer group (default "routers") on <prefix><tenant>:to-route, decides each
routing request and writes its instruction to <prefix><tenant>:instructions, then
acknowledges the request. Any number of them may run: Redis shares the requests out, and
each one claims the requests another member took and left unanswered for --claim-idle-ms
(a router that died), so none is lost while the engine waits (routing.router_timeout_ms).

Decisions, in this order (a starting point to replace with your own):
  1. property route_to_agent = A: route to A when A is among the ready agents, else wait
     for A (the engine asks again when an agent becomes free; after router_timeout_ms its
     own router decides);
  2. property route_to_queue = Q: move the interaction to queue Q;
  3. property stop = REASON: stop it;
  4. any ready agent: the first one (the longest idle);
  5. none: wait.

Needs Debian's python3-redis. Run: parley_stream_router.py --tenant default
"""

import argparse
import logging
import os
import signal
import socket
import sys
import time

import redis

log = logging.getLogger("stream-router")


def decide(fields):
    """The instruction for one request: a dict of the fields to write besides version/iid."""
    ready = [a for a in fields.get("ready_agents", "").split(",") if a]
    agent = fields.get("prop.route_to_agent")
    if agent:
        return {"action": "route", "agent": agent} if agent in ready else {"action": "wait"}
    if fields.get("prop.route_to_queue"):
        return {"action": "queue", "queue": fields["prop.route_to_queue"]}
    if "prop.stop" in fields:
        return {"action": "stop", "reason": fields["prop.stop"]}
    if ready:
        return {"action": "route", "agent": ready[0]}
    return {"action": "wait"}


class Router:
    def __init__(self, args):
        self.args = args
        self.db = redis.Redis(host=args.redis_host, port=args.redis_port, decode_responses=True,
                              socket_timeout=5, socket_connect_timeout=2)
        self.requests = {args.prefix + t + ":to-route": t for t in args.tenant}
        self.answered = 0
        self.running = True
        self.next_claim = 0.0
        self.cursors = {s: "0-0" for s in self.requests}

    def join(self):
        for stream in self.requests:
            try:
                self.db.xgroup_create(stream, self.args.group, id="$", mkstream=True)
            except redis.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise

    def answer(self, stream, entry_id, fields):
        if self.args.die_after is not None and self.answered >= self.args.die_after:
            # Test aid: die holding requests it read and never answered, as a crash would.
            log.warning("dying with request %s unanswered (--die-after %d)", entry_id, self.args.die_after)
            sys.stderr.flush()
            os._exit(3)
        tenant = self.requests[stream]
        instruction = {"version": fields["version"], "iid": fields["iid"], "router": self.args.consumer}
        instruction.update(decide(fields))
        pipe = self.db.pipeline(transaction=False)
        pipe.xadd(self.args.prefix + tenant + ":instructions", instruction, maxlen=self.args.max_len,
                  approximate=True)
        pipe.xack(stream, self.args.group, entry_id)
        pipe.execute()
        self.answered += 1
        log.debug("%s %s -> %s", stream, fields.get("iid"), instruction)

    def claim(self):
        """Takes the requests other members left pending longer than --claim-idle-ms."""
        for stream in self.requests:
            reply = self.db.xautoclaim(stream, self.args.group, self.args.consumer,
                                       self.args.claim_idle_ms, start_id=self.cursors[stream], count=100)
            self.cursors[stream] = reply[0]
            entries = [e for e in reply[1] if e and e[1]]
            if entries:
                log.info("claimed %d request(s) another router left pending in %s", len(entries), stream)
            for entry_id, fields in entries:
                self.answer(stream, entry_id, fields)

    def run(self):
        self.join()
        log.info("routing %s as %s in group %s", ", ".join(self.requests), self.args.consumer, self.args.group)
        # Requests this consumer took before a restart come first.
        pending = self.db.xreadgroup(self.args.group, self.args.consumer, {s: "0" for s in self.requests}, count=100)
        for stream, entries in pending or []:
            for entry_id, fields in entries:
                if fields:
                    self.answer(stream, entry_id, fields)
        while self.running:
            now = time.monotonic()
            if now >= self.next_claim:
                self.next_claim = now + self.args.claim_idle_ms / 2000.0
                self.claim()
            reply = self.db.xreadgroup(self.args.group, self.args.consumer, {s: ">" for s in self.requests},
                                       count=100, block=200)
            for stream, entries in reply or []:
                for entry_id, fields in entries:
                    self.answer(stream, entry_id, fields)


def main():
    p = argparse.ArgumentParser(description="An example Parley router over Redis Streams.")
    p.add_argument("--redis-host", default="127.0.0.1")
    p.add_argument("--redis-port", type=int, default=6379)
    p.add_argument("--prefix", default="parley:", help="streams.prefix of the engine")
    p.add_argument("--tenant", action="append", help="a tenant to route for (repeat; default: default)")
    p.add_argument("--group", default="routers", help="streams.router_group of the engine")
    p.add_argument("--consumer", default=f"{socket.gethostname()}-{os.getpid()}",
                   help="this router's name in the group (default: host-pid)")
    p.add_argument("--claim-idle-ms", type=int, default=1000,
                   help="claim requests another router left pending this long")
    p.add_argument("--max-len", type=int, default=100000, help="entries each instructions stream keeps, about")
    p.add_argument("--die-after", type=int, default=None,
                   help="test aid: after answering N requests, exit holding the next ones unanswered")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    args.tenant = args.tenant or ["default"]
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    router = Router(args)

    def stop(*_):
        router.running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while router.running:
        try:
            router.run()
        except redis.ConnectionError as e:
            log.warning("Redis: %s; trying again", e)
            time.sleep(0.5)
    log.info("stopped after %d answer(s)", router.answered)


if __name__ == "__main__":
    main()
