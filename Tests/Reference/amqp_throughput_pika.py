"""Peer of `reasoner-bench amqp-throughput`: the same workload through pika, for a side-by-side rate.

Workload: COUNT persistent messages of SIZE bytes into a fresh quorum queue on the default exchange,
published with publisher confirms pipelined in windows of WINDOW (acks with `multiple` handled), then
consumed with basic.qos PREFETCH and one basic.ack per message. Prints one JSON line with the rates.

The broker URL comes from the environment (REASONER_AMQP_URL), never argv, so passwords stay out of `ps`.
Run: REASONER_AMQP_URL=amqp://guest:guest@127.0.0.1:5679/%2F python amqp_throughput_pika.py --count 20000
"""

import argparse
import json
import os
import time
import uuid

import pika


def quorum_arguments():
    return {"x-queue-type": "quorum"}


def publish_pipelined(params, queue, count, body, window):
    """Publishes with confirms through pika's asynchronous SelectConnection: windows of `window` in flight."""
    state = {"sent": 0, "outstanding": set(), "next_tag": 1, "channel": None, "error": None}
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/octet-stream")

    def publish_window():
        channel = state["channel"]
        while state["sent"] < count and len(state["outstanding"]) < window:
            channel.basic_publish("", queue, body, properties, mandatory=True)
            state["outstanding"].add(state["next_tag"])
            state["next_tag"] += 1
            state["sent"] += 1

    def on_confirm(frame):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            state["error"] = "nack for %d" % method.delivery_tag
        if method.multiple:
            state["outstanding"] = {t for t in state["outstanding"] if t > method.delivery_tag}
        else:
            state["outstanding"].discard(method.delivery_tag)
        if not state["outstanding"]:
            if state["sent"] >= count or state["error"]:
                connection.close()
            else:
                publish_window()

    def on_return(_channel, _method, _properties, _body):
        state["error"] = "message returned (unroutable)"

    def on_channel_open(channel):
        state["channel"] = channel
        channel.add_on_return_callback(on_return)
        channel.confirm_delivery(on_confirm, callback=lambda _frame: publish_window())

    def on_open(conn):
        conn.channel(on_open_callback=on_channel_open)

    def on_open_error(_conn, error):
        state["error"] = "connect failed: %s" % error

    def on_close(_conn, _reason):
        connection.ioloop.stop()

    connection = pika.SelectConnection(params, on_open_callback=on_open, on_open_error_callback=on_open_error,
                                       on_close_callback=on_close)
    start = time.perf_counter()
    connection.ioloop.start()
    elapsed = time.perf_counter() - start
    if state["error"]:
        raise SystemExit("pika publish failed: " + state["error"])
    return elapsed


def consume_acking(params, queue, count, prefetch, size):
    """Consumes `count` messages with a blocking connection, acking each one."""
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=prefetch)
    received = {"n": 0}

    def on_message(ch, method, _properties, body):
        if len(body) != size:
            raise SystemExit("pika received a body of %d bytes, expected %d" % (len(body), size))
        ch.basic_ack(method.delivery_tag)
        received["n"] += 1
        if received["n"] >= count:
            ch.stop_consuming()

    channel.basic_consume(queue, on_message)
    start = time.perf_counter()
    channel.start_consuming()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="messages to send and receive")
    parser.add_argument("--size", type=int, default=1024, help="body size in bytes")
    parser.add_argument("--window", type=int, default=256, help="publishes in flight before waiting for confirms")
    parser.add_argument("--prefetch", type=int, default=256, help="basic.qos prefetch count of the consumer")
    args = parser.parse_args()

    url = os.environ.get("REASONER_AMQP_URL", "amqp://guest:guest@127.0.0.1:5679/%2F")
    params = pika.URLParameters(url)
    queue = "reasoner-bench.pika.%s" % uuid.uuid4().hex
    body = bytes(i % 251 for i in range(args.size))

    setup = pika.BlockingConnection(params)
    setup_channel = setup.channel()
    setup_channel.queue_declare(queue, durable=True, arguments=quorum_arguments())
    try:
        publish_seconds = publish_pipelined(params, queue, args.count, body, args.window)
        consume_seconds = consume_acking(params, queue, args.count, args.prefetch, args.size)
    finally:
        setup_channel.queue_delete(queue)
        setup.close()
    print(json.dumps({
        "client": "pika %s" % pika.__version__,
        "publish_seconds": publish_seconds,
        "consume_seconds": consume_seconds,
        "publish_per_second": args.count / publish_seconds,
        "consume_per_second": args.count / consume_seconds,
        "round_trip_per_second": args.count / (publish_seconds + consume_seconds),
    }))


if __name__ == "__main__":
    main()
