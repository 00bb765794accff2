"""Test-wide setup. Qt must run headless: without a display and without this variable Qt aborts
the whole process, so it is set here, before anything can import Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SKYLINE_NO_AUTOSAVE_PROMPT", "1")
