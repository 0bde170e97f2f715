"""
Reference implementations of the ports.

`dirsync.stores.memory` keeps everything in memory, for tests, demos and
small tools.  A host with its own database implements
`dirsync.ports.Store` and `dirsync.ports.Inbox` on it instead.
"""
