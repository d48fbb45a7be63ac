"""Helpers for migrations that take a foreign key across apps away and keep the column."""


def drop_foreign_keys(schema_editor, model, columns) -> None:
    """Drop the database's foreign-key constraints on `columns` of `model`'s table, if any (an
    existing database made before the key became a plain column); a fresh one has none."""
    connection = schema_editor.connection
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    names = [
        name
        for name, constraint in constraints.items()
        if constraint["foreign_key"] and set(constraint["columns"]) <= set(columns)
    ]
    if not names:
        return
    if connection.vendor == "sqlite":
        # SQLite cannot drop a constraint: rebuild the table from the model, rows included.
        schema_editor._remake_table(model)
        return
    for name in names:
        schema_editor.execute(
            schema_editor.sql_delete_fk
            % {"table": schema_editor.quote_name(table), "name": schema_editor.quote_name(name)}
        )
