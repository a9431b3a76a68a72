-- One place that makes a table tenant-scoped, so no migration can forget a step:
-- row-level security enabled and forced (the owner is filtered too), a policy that fails closed
-- when no tenant is set, and the application role's rights. Migrations call it right after
-- creating a tenant table: select tessera_tenant_table('companies');
create function tessera_tenant_table(tbl regclass) returns void
language plpgsql as $$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format('alter table %s force row level security', tbl);
  execute format(
    'create policy tenant_isolation on %s '
    'using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
    'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)',
    tbl);
  execute format('grant select, insert, update, delete on %s to tessera_app', tbl);
end $$;

revoke all on function tessera_tenant_table(regclass) from public;
