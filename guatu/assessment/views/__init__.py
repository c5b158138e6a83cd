"""Assessment pages, one module per page family. Every view: rows through the access gateway → form →
service → redirect with a message."""
