"""The palette: every component kind (and the zone/region containers) by category, with icons
and a search field. Drag a kind onto the canvas (mime type application/x-skyline-kind, payload =
the kind), or double-click / press Enter to add it at the centre of the view."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.icons import kind_icon
from simcore.components import kinds_by_category

KIND_MIME = "application/x-skyline-kind"
KIND_ROLE = Qt.ItemDataRole.UserRole + 1

GROUP_ENTRIES = [
    ("zone", "Zone", ("An availability zone: its members fail together with it (a common "
                      "cause). Drop components into its box.")),
    ("region", "Region", ("A region: a larger failure domain; links across regions default to "
                          "50 ms one way.")),
]


class _KindTree(QTreeWidget):
    def mimeTypes(self):
        return [KIND_MIME]

    def mimeData(self, items):
        kinds = [it.data(0, KIND_ROLE) for it in items if it.data(0, KIND_ROLE)]
        if not kinds:
            return None
        mime = QMimeData()
        mime.setData(KIND_MIME, kinds[0].encode("utf-8"))
        mime.setText(kinds[0])
        return mime

    def supportedDropActions(self):
        return Qt.DropAction.CopyAction


class PaletteWidget(QWidget):
    kindActivated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search components…")
        self.search.setClearButtonEnabled(True)
        self.tree = _KindTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(24, 24))
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(6)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setMinimumWidth(150)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._activate_first)
        self.tree.itemActivated.connect(self._on_activated)

    def _populate(self) -> None:
        sections = [(cat, [(s.kind, s.label, s.description) for s in specs])
                    for cat, specs in kinds_by_category()]
        sections.append(("Groups", GROUP_ENTRIES))
        for cat, entries in sections:
            head = QTreeWidgetItem(self.tree, [cat])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            f = head.font(0)
            f.setBold(True)
            head.setFont(0, f)
            head.setForeground(0, self.palette().placeholderText())
            for kind, label, description in entries:
                it = QTreeWidgetItem(head, [label])
                it.setIcon(0, kind_icon(kind))
                it.setData(0, KIND_ROLE, kind)
                it.setToolTip(0, f"<b>{label}</b><br>{description}<br><i>Drag onto the canvas "
                                 "or double-click to add.</i>")
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                            | Qt.ItemFlag.ItemIsDragEnabled)
                self._items[kind] = it
            head.setExpanded(True)

    def kinds(self) -> list[str]:
        return list(self._items)

    def item_for(self, kind: str) -> QTreeWidgetItem:
        return self._items[kind]

    def visible_kinds(self) -> list[str]:
        return [k for k, it in self._items.items() if not it.isHidden()]

    def filter(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                it = head.child(j)
                hay = " ".join([it.text(0), it.data(0, KIND_ROLE), it.toolTip(0),
                                head.text(0)]).lower()
                hide = bool(words) and not all(w in hay for w in words)
                it.setHidden(hide)
                shown += not hide
            head.setHidden(shown == 0)

    def _activate_first(self) -> None:
        visible = self.visible_kinds()
        if visible:
            self.kindActivated.emit(visible[0])

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.kindActivated.emit(kind)
