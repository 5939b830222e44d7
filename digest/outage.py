"""Telling the log once that a service is down, and once that it is back, not per request."""

import logging
import threading


class Outage:
    """The state of one service as this process last saw it.

    `failed()` logs the first failure of an outage as an error and the rest at debug level;
    `succeeded()` logs the recovery. Several threads may report at once: the lock keeps the
    two messages to one each per outage.
    """

    def __init__(self, logger: logging.Logger, service: str):
        self.logger = logger
        self.service = service
        self.down = False
        self._lock = threading.Lock()

    def failed(self, error, consequence):
        with self._lock:
            first, self.down = not self.down, True
        if first:
            self.logger.error("%s is unreachable (%s); %s", self.service, error, consequence)
        else:
            self.logger.debug("%s is still unreachable (%s)", self.service, error)

    def succeeded(self):
        if not self.down:  # the usual case: no lock on the way of every request
            return
        with self._lock:
            was_down, self.down = self.down, False
        if was_down:
            self.logger.warning("%s is back", self.service)
