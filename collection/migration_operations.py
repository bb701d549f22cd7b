"""Migration operations of the app's own."""

from __future__ import annotations

from django.db import models
from django.db.migrations.operations import AlterField
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.migrations.utils import field_is_referenced


class AlterFieldLabels(Operation):
    """Many ``AlterField`` operations whose fields change only their labels, applied as one.

    The database is altered exactly as by ``AlterField`` for each field (for a label, not at
    all); the migration state is changed for every field first and its models rendered once,
    where one ``AlterField`` per field renders the model and those related to it each time: for
    the dozens of fields a change of labels touches, that was most of the time a migration
    run took.
    """

    reversible = True

    def __init__(self, changes: list[tuple[str, str, models.Field]]) -> None:
        self.changes = [(model_name, name, field) for model_name, name, field in changes]

    def deconstruct(self) -> tuple[str, list, dict]:
        return self.__class__.__qualname__, [], {"changes": self.changes}

    def _each(self) -> list[AlterField]:
        return [AlterField(model_name=model_name, name=name, field=field) for model_name, name, field in self.changes]

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        delayed, at_once = set(), set()
        for model_name, name, field in self.changes:
            model_key = app_label, model_name.lower()
            fields = state.models[model_key].fields
            # What ProjectState.alter_field does, but for its reload of the model.
            if state._relations is not None:
                old_field = fields.pop(name)
                if old_field.is_relation:
                    state.resolve_model_field_relations(model_key, name, old_field)
                fields[name] = field
                if field.is_relation:
                    state.resolve_model_field_relations(model_key, name, field)
            else:
                fields[name] = field
            delay = not field.is_relation and not field_is_referenced(state, model_key, (name, field))
            (delayed if delay else at_once).add(model_key)
        if at_once:
            state.reload_models(sorted(at_once), delay=False)
        if delayed - at_once:
            state.reload_models(sorted(delayed - at_once), delay=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for operation in self._each():
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for operation in self._each():
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Alter the labels of {len(self.changes)} fields"

    @property
    def migration_name_fragment(self) -> str:
        return "field_labels"

    def references_model(self, name: str, app_label: str) -> bool:
        return any(operation.references_model(name, app_label) for operation in self._each())

    def references_field(self, model_name: str, name: str, app_label: str) -> bool:
        return any(operation.references_field(model_name, name, app_label) for operation in self._each())
