"""Undo commands of the designer. Every change to the Design is a list of small invertible
operations applied by DesignDocument's private mutators; a command redoes its operations in order
and undoes their inverses in reverse order, so undo restores exactly the previous design (order of
lists included). Commands never touch views: the document's signals do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:  # pragma: no cover
    from designer.document import DesignDocument


# --- operations ----------------------------------------------------------------------------


@dataclass
class Insert:
    """Insert ``obj`` (a pydantic Component/Link/Group) at ``index`` of ``collection``."""

    collection: str
    index: int
    obj: Any

    def apply(self, doc: DesignDocument) -> None:
        doc._insert(self.collection, self.index, self.obj.model_copy(deep=True))

    def inverse(self) -> Remove:
        return Remove(self.collection, self.index, self.obj)


@dataclass
class Remove:
    """Remove the item at ``index`` of ``collection`` (``obj`` is kept for the inverse)."""

    collection: str
    index: int
    obj: Any

    def apply(self, doc: DesignDocument) -> None:
        doc._remove(self.collection, self.index)

    def inverse(self) -> Insert:
        return Insert(self.collection, self.index, self.obj)


@dataclass
class SetFields:
    """Set fields of one component, link or group: ``old`` and ``new`` map field → value."""

    collection: str
    ident: str
    old: dict
    new: dict

    def apply(self, doc: DesignDocument) -> None:
        doc._set_fields(self.collection, self.ident, self.new)

    def inverse(self) -> SetFields:
        return SetFields(self.collection, self.ident, self.new, self.old)


@dataclass
class SetScenario:
    """Replace the scenario (as its file dict, or None for no scenario)."""

    old: dict | None
    new: dict | None

    def apply(self, doc: DesignDocument) -> None:
        doc._set_scenario(self.new)

    def inverse(self) -> SetScenario:
        return SetScenario(self.new, self.old)


@dataclass
class SetDesignField:
    """Set the design's ``name`` or ``description``."""

    field: str
    old: Any
    new: Any

    def apply(self, doc: DesignDocument) -> None:
        doc._set_design_field(self.field, self.new)

    def inverse(self) -> SetDesignField:
        return SetDesignField(self.field, self.new, self.old)


# --- commands ------------------------------------------------------------------------------


class EditCommand(QUndoCommand):
    """A named list of operations. Subclasses only name the gesture (and may merge)."""

    def __init__(self, doc: DesignDocument, text: str, ops: list):
        super().__init__(text)
        self._doc = doc
        self.ops = list(ops)

    def redo(self) -> None:
        with self._doc._writing():
            for op in self.ops:
                op.apply(self._doc)

    def undo(self) -> None:
        with self._doc._writing():
            for op in reversed(self.ops):
                op.inverse().apply(self._doc)


class AddComponentCommand(EditCommand):
    pass


class RemoveItemsCommand(EditCommand):
    pass


class MoveCommand(EditCommand):
    pass


class AddLinkCommand(EditCommand):
    pass


class RenameCommand(EditCommand):
    pass


class AddGroupCommand(EditCommand):
    pass


class GroupMembersCommand(EditCommand):
    pass


class PasteCommand(EditCommand):
    pass


class ScenarioCommand(EditCommand):
    """Scenario settings and events."""


class DesignInfoCommand(EditCommand):
    """The design's name and description."""


SET_PARAM_ID = 0x5C1
"""QUndoCommand.id() of parameter edits: consecutive edits of one field merge."""


class SetParamCommand(EditCommand):
    """Set (or, with None, remove) one parameter of a component, link or group. Consecutive
    edits of the same parameter of the same item merge into one undo step."""

    def __init__(self, doc: DesignDocument, text: str, collection: str, ident: str, key: str,
                 old_params: dict, new_params: dict):
        super().__init__(doc, text, [SetFields(collection, ident, {"params": old_params},
                                               {"params": new_params})])
        self.target = (collection, ident, key)

    def id(self) -> int:
        return SET_PARAM_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCommand) or other.target != self.target:
            return False
        mine, theirs = self.ops[0], other.ops[0]
        self.ops = [SetFields(mine.collection, mine.ident, mine.old, theirs.new)]
        if mine.old == theirs.new:
            self.setObsolete(True)
        return True
