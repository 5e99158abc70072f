"""Forms of the interviews app: field mapping and validation only; saving is in services."""
