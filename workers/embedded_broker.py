"""The broker of the embedded defaults: kombu's SQLAlchemy transport on a SQLite
file, polled every 0.1 s instead of every second.

With ``acks_late`` and a prefetch of 1 a worker cannot take a message while
its task runs, so each poll during a task finds nothing and the next one waits
a full polling interval: at kombu's default of 1 s, a worker processes about
one document a second however small the documents are.
"""

from __future__ import annotations

from kombu.transport.sqlalchemy import Transport


class EmbeddedTransport(Transport):
    polling_interval = 0.1
