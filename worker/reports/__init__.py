"""Reports for managers: specialization, coverage and role candidates, as self-contained
HTML (for browsers and email), CSV and JSON; and their delivery by email."""
