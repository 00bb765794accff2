"""The canvas: scene (the Design mirrored as items), view (zoom, pan, drops) and the items."""
