"""One renderer module per CMS family (portals.md §2); each defines `Site` subclasses."""
