"""``CreateModels``: a migration operation that creates several models of one app at once.

A ``CreateModel`` re-renders, in the migration state, every model related to the new one,
recursively: with every model pointing at the user model, that is every model created so
far, so an app's first migration costs time in the square of its number of models. The
squashed first migrations (``0001_squashed_*``) create their models through this operation
instead: the same ``CreateModel`` operations, the same tables, the same state, rendered once.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState


class CreateModels(Operation):
    reversible = True

    def __init__(self, *operations: migrations.CreateModel) -> None:
        self.operations = list(operations)

    def deconstruct(self):
        return (self.__class__.__qualname__, self.operations, {})

    def state_forwards(self, app_label, state) -> None:
        keys = []
        for op in self.operations:
            key = (app_label, op.name_lower)
            state.models[key] = ModelState(
                app_label,
                op.name,
                list(op.fields),
                dict(op.options),
                tuple(op.bases or (models.Model,)),  # as CreateModel.state_forwards
                list(op.managers or []),
            )
            if state._relations is not None:
                state.resolve_model_relations(key)
            keys.append(key)
        # What each CreateModel would have re-rendered, once (nothing if the state is not rendered).
        state.reload_models(keys, delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for op in self.operations:
            op.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for op in reversed(self.operations):
            op.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name, app_label):
        return True

    def describe(self) -> str:
        return "Create models " + ", ".join(op.name for op in self.operations)

    @property
    def migration_name_fragment(self) -> str:
        return "create_models"
