from tests.scoring.conftest import trial  # noqa: F401  (the same small trial)
