"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping what it receives
and answering addresses the test names with the refusal the test gives (e.g. `550 ...`)."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.received = []  # (recipients, message)
        self.raw = []  # the bytes of each, as they came
        self.refusals = {}  # address → SMTP answer to its RCPT
        self.on_data = None  # called with the count so far, before the 250 answer
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
            self.raw.append(envelope.original_content)
            count = len(self.received)
        if self.on_data is not None:
            self.on_data(count)
        return "250 Message accepted for delivery"

    def messages_to(self, address):
        return [message for recipients, message in self.received if address in recipients]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(handler):
    """aiosmtpd's Controller checks its server by connecting to the port it was given, so it
    is given a free one rather than 0."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
