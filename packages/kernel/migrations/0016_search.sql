-- Search (issue 6, item 6): full-text search builds each entity's weighted tsvector on the fly
-- (no stored column, no per-entity expression index: entities and custom fields change at run
-- time), and pg_trgm's similarity() finds names despite typos. The role bootstrap creates the
-- extension as the connecting user (creating one needs CREATE on the database, which the owner
-- role lacks); this line is a no-op then, and otherwise fails with PostgreSQL's own message.
create extension if not exists pg_trgm with schema public;
