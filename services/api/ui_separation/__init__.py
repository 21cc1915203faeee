"""The registry's batch pages (issue 16): scanned piles and how they were separated into letters."""
