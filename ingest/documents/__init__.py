"""What a file is and what it says: bytes in, facts out, no database, network or broker.

The service sniffs an upload's kind, prechecks it while the client waits, opens archives
entry by entry, and analyses each document in a worker.
"""

from ingest.documents.analyse import DocumentFacts, analyse, precheck
from ingest.documents.archives import ArchiveEntry, iter_archive
from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import SNIFF_BYTES, Kind, sniff

__all__ = [
    "SNIFF_BYTES",
    "ArchiveEntry",
    "DocumentFacts",
    "DocumentRejected",
    "Kind",
    "Limits",
    "Reason",
    "analyse",
    "iter_archive",
    "precheck",
    "sniff",
]
