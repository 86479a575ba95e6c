"""Browser tests (see conftest.py): a package, so that its browser and server end with it."""
