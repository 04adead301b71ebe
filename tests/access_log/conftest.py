from tests.matrix import world  # noqa: F401 - the URL × role matrix's fixture
