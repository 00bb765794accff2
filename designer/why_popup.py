""""Why?" for a figure: a small popup with the formula and this design's numbers, one sentence
of meaning, and a link to the concept in the concepts guide. The texts come from simcore.explain,
so they are the same as ``skyline analyze --explain``."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

WIDTH = 470
ALIASES = {"under_load": "availability_under_load", "risks": "capacity_risks",
           "down": "downtime", "utilisation": "utilization"}
"""Figure keys a view may use for the explanations' figure names."""


def explanation_for(design, figure: str, ident: str | None = None):
    """The Explanation of ``figure`` (a summary figure, or with ``ident`` a component's or
    group's row), or a sentence saying why there is none."""
    from simcore.analysis import analyze
    from simcore.explain import explain_summary
    from simcore.explain_rows import explain_item
    from simcore.validate import validate

    if validate(design):
        return "The figures appear once the design's problems are fixed (see Problems)."
    result = analyze(design)
    if ident is not None and ident not in result.components and ident not in result.groups:
        return "Select a component or a group to see its figures explained."
    found = (explain_item(design, result, ident) if ident is not None
             else explain_summary(design, result))
    figure = ALIASES.get(figure, figure)
    for e in found:
        if e.figure == figure:
            return e
    return "This figure has no explanation yet."


class WhyPopup(QFrame):
    """One explanation, shown next to the figure it explains; closes on a click elsewhere."""

    def __init__(self, explanation, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("whyPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#whyPopup { background: #ffffff; border: 1px solid #b8c2cc; }"
                           "QLabel#whyTitle { font-size: 11pt; font-weight: 600; }"
                           "QLabel#whyMeaning { color: #475569; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(8)
        self.labels: list[QLabel] = []
        if isinstance(explanation, str):
            self._add(lay, escape(explanation), "whyMeaning")
        else:
            e = explanation
            self._add(lay, f"{escape(e.title)}: {escape(e.value)}", "whyTitle")
            self._add(lay, escape(e.formula), "whyFormula")
            self._add(lay, escape(e.meaning), "whyMeaning")
            link = self._add(lay, f"Concept: <a href='{escape(e.link)}'>{escape(e.concept)}</a>"
                                  " (opens the concepts guide)", "whyLink")
            link.linkActivated.connect(self._open_concept)
        self.explanation = explanation
        self.setFixedWidth(WIDTH)

    def _add(self, lay: QVBoxLayout, html: str, name: str) -> QLabel:
        label = QLabel(html)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setFixedWidth(WIDTH - 24)  # a wrapped label then knows its height
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        lay.addWidget(label)
        self.labels.append(label)
        return label

    def text(self) -> str:
        return "\n".join(label.text() for label in self.labels)

    def _open_concept(self, link: str) -> None:
        from designer.concepts_dialog import show_concepts

        self.close()
        show_concepts(self.parentWidget().window() if self.parentWidget() else None, link)

    def show_at(self, point: QPoint) -> None:
        """Show with its top-left at ``point`` (global), kept on the screen."""
        self.adjustSize()
        screen = QGuiApplication.screenAt(point) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(point.x(), area.left()), area.right() - self.width())
        y = point.y() if point.y() + self.height() <= area.bottom() else \
            point.y() - self.height() - 24
        self.move(x, max(area.top(), y))
        self.show()


def show_why(anchor: QWidget, design, figure: str, ident: str | None = None) -> WhyPopup:
    """Explain ``figure`` in a popup just below ``anchor`` (the widget that shows it)."""
    popup = WhyPopup(explanation_for(design, figure, ident), anchor)
    popup.show_at(anchor.mapToGlobal(QPoint(0, anchor.height() + 2)))
    return popup
