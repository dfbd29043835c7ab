"""From invoices to the books: purchase-journal entries of a dossier, the suppliers' accounts, the
entries held for review, and their exports (the FEC and a plain CSV), streamed.

Pure rules, no database and no clock: `chart` (accounts and who a supplier is), `entries` (one
invoice's balanced entry, or why it is held), `layouts` (the FEC and CSV lines). The rest reads and
writes this wing's tables: `suppliers`, `period` (the invoices of a period, page by page), `export`,
`review`.
"""
