"""The product's rules as plain Python: stages, the sender's calendar, the cadence, the checks.

Nothing here imports Django or touches a database (an import-linter contract in
pyproject.toml holds it so): facts go in, answers come out, and each module is tested as a
table in tests/rules/.
"""
