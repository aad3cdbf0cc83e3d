"""Demo discussions (filled in by the discussions work)."""


def load_demo_discussions(users: dict) -> None:
    return None
