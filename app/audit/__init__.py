"""操作日志: every state change's record (log.py), in the same transaction, and the guard
that tests a request never commits a change without one. The browser of the log is the
accounts part's (admin's 管理 section)."""
