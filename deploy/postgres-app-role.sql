-- Haven on PostgreSQL: the application's role, which does not own the tables.
--
-- Migrations run as the owner of the tables; the web server and the worker run as this role,
-- which may read and write the application's tables but may only read and append to the audit
-- trail and to the requests as received (their raw input): it cannot UPDATE, DELETE or
-- TRUNCATE audit_auditevent, change a request's raw input, or ALTER, DISABLE or DROP the
-- triggers that guard them (only an owner may). Run it as the owner after every migrate
-- (new tables need their grants):
--
--   psql "postgres://OWNER@HOST/DB" -v app_role=haven_app -f deploy/postgres-app-role.sql
--
-- It creates the role (LOGIN, no password) when the owner may create roles; otherwise a
-- database administrator creates it first: CREATE ROLE haven_app LOGIN PASSWORD '...';
-- See docs/deployment.md.

\set ON_ERROR_STOP on
\if :{?app_role}
\else
  \set app_role haven_app
\endif

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app_role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec

-- Refuse a role that would make all of this pointless.
SELECT (rolsuper OR rolbypassrls) AS app_role_is_powerful FROM pg_roles WHERE rolname = :'app_role' \gset
\if :app_role_is_powerful
  \echo 'The application role must not be a superuser or bypass row security.'
  \quit 3
\endif
SELECT EXISTS (
  SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND pg_has_role(:'app_role', c.relowner, 'USAGE')
) AS app_role_owns_tables \gset
\if :app_role_owns_tables
  \echo 'The application role must not own (or be a member of the owner of) Haven''s tables.'
  \quit 3
\endif

SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
GRANT USAGE ON SCHEMA public TO :"app_role";

-- Everything else: read and write rows (sessions, cases, the cache table, tasks...).
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- The audit trail: read and append only.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_auditevent FROM :"app_role";

-- Requests as received: read and append; update only what changes after arrival (the
-- pipeline's flags, the public status, a re-issued status secret...), never the raw input
-- or what says when and how the request came in. Column grants: every column except those
-- named below, so a column added later is updatable once this script runs again after its
-- migration; a new write-once column must be added to the list.
REVOKE UPDATE, DELETE, TRUNCATE ON intake_request FROM :"app_role";
SELECT format('REVOKE UPDATE (%s) ON intake_request FROM %I',
              string_agg(quote_ident(column_name), ', '), :'app_role')
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = 'intake_request' \gexec
SELECT format('GRANT UPDATE (%s) ON intake_request TO %I',
              string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position), :'app_role')
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = 'intake_request'
  AND column_name NOT IN (
    'id', 'receipt_number', 'channel', 'received_at', 'raw_input', 'raw_content_type',
    'created_at'
  ) \gexec

\echo 'Granted: the application role reads and appends to the audit trail and the raw input.'
