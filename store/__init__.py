"""The store: SQLAlchemy models, Alembic migrations, the write API and the read queries.

See ../shared/DESIGN.md ("The store"). Modules: `store.models` (tables), `store.types` (column
types), `store.keys` (matching keys), `store.db` (engine, sessions, `migrate`),
`store.repository` (writes), `store.queries` (reads), `store.errors` (exceptions),
`store.facts` (fact keys), `store.corrections` (editors' actions), `store.current` (the current
record: machine facts with corrections applied).
"""
