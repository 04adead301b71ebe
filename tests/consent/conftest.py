from tests.sharing_fixtures import *  # noqa: F403
