"""From invoices to the books: purchase-journal entries of a dossier, the suppliers' accounts, the
entries held for review, their exports (the FEC and a plain CSV, streamed), a person's corrections
of invoice fields, and each invoice as an EN 16931 invoice (CII XML, Factur-X PDF).

Pure rules, no database, no store and no clock: `chart` (accounts and who a supplier is), `entries`
(one invoice's balanced entry, or why it is held), `layouts` (the FEC and CSV lines), `corrected`
(what a corrected field may be), `cii` (the EN 16931 XML). The rest reads and writes this wing's
tables: `suppliers`, `period` (the invoices of a period, page by page), `export`, `review`,
`corrections`, `einvoices`.
"""
