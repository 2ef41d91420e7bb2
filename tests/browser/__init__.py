"""Browser tests: a real JupyterLab in Debian's Chromium (see conftest.py)."""
