"""Models of the safeguarding app."""
