from tests.matrix import matrix_world, world  # noqa: F401 - the URL × role matrix's fixture
