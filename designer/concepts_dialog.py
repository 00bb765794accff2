"""Help → Concepts: docs/concepts.md rendered in a small browser, opened at a section when a
"Why?" text links to one (``docs/concepts.md#anchor``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from simcore.explain import concept_anchor
from simcore.paths import concepts_file


def concepts_text() -> str:
    try:
        return concepts_file().read_text(encoding="utf-8")
    except OSError:
        return "# Concepts\n\nThe concepts guide is missing from this installation."


def section_titles(markdown: str) -> list[str]:
    return [line[3:].strip() for line in markdown.splitlines() if line.startswith("## ")]


class ConceptsDialog(QDialog):
    """The concepts guide; ``show_section(anchor)`` scrolls to one of its sections."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Concepts")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self._markdown = concepts_text()
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # internal anchors are handled here
        self.browser.anchorClicked.connect(self._follow)
        self.browser.document().setDefaultStyleSheet("h2 { margin-top: 14px; }")
        self.browser.setMarkdown(self._markdown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addWidget(buttons)
        self.resize(720, 640)

    def show_section(self, anchor: str) -> bool:
        """Scroll so the section with ``anchor`` starts at the top; False if there is none."""
        anchor = anchor.split("#")[-1]
        for title in section_titles(self._markdown):
            if concept_anchor(title) == anchor:
                found = self.browser.document().find(
                    title, 0, QTextDocument.FindFlag.FindCaseSensitively)
                if found.isNull():
                    return False
                # scroll to the end first, so that the heading lands at the top, not the bottom
                self.browser.moveCursor(QTextCursor.MoveOperation.End)
                at = QTextCursor(self.browser.document())
                at.setPosition(found.selectionStart())
                self.browser.setTextCursor(at)
                self.browser.ensureCursorVisible()
                return True
        return False

    def _follow(self, url: QUrl) -> None:
        if url.hasFragment():
            self.show_section(url.fragment())


_open: ConceptsDialog | None = None


def show_concepts(parent=None, anchor: str | None = None) -> ConceptsDialog:
    """Show the (one) concepts window, at ``anchor`` when given."""
    global _open
    if _open is None or _open.parent() is not parent:
        _open = ConceptsDialog(parent)
    _open.show()
    _open.raise_()
    if anchor:
        _open.show_section(anchor)
    return _open
