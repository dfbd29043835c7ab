"""End-to-end tests of the web pages in a real browser (Playwright driving Debian's chromium)."""
