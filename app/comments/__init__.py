"""Comments shared by articles (comments) and discussions (replies)."""
