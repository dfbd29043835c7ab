"""Layout-aware reading of an invoice: lines and cells rebuilt from words, labels found in six
languages, values taken where a label points, the combination that makes the invoice consistent."""
