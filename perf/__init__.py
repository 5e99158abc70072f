"""Load and fault-injection runs of the sending pipeline (`make bench`, `make chaos`)."""
