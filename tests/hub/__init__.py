"""JupyterHub classroom end-to-end test (see test_classroom.py)."""
