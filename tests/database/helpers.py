"""Reading the migrated database's own catalogue: what the application installed in it."""

from django.db import connection


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def installed_functions() -> set[str]:
    """Signatures (name(arg types)) of the functions in the public schema that no extension
    owns: the ones the migrations created."""
    return {
        signature
        for (signature,) in rows(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                AND d.deptype = 'e')
            """
        )
    }


def installed_triggers() -> set[tuple[str, str]]:
    """(table, trigger) of every trigger a person wrote (not the ones behind constraints)."""
    return {
        (table, name)
        for table, name in rows(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        )
    }


def function_source(name: str) -> str:
    [(source,)] = rows(
        "SELECT prosrc FROM pg_proc WHERE proname = %s AND pronamespace = 'public'::regnamespace",
        [name],
    )
    return source


def table_columns(table: str) -> list[str]:
    return [
        column
        for (column,) in rows(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            [table],
        )
    ]


def squeeze(sql: str) -> str:
    """SQL with its runs of white space made one space: layout is not meaning."""
    return " ".join(sql.split())
