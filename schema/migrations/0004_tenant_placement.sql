-- Every tenant created before placement was recorded keeps its Durable Objects in the default
-- namespace, whatever its jurisdiction: 'default' here, never the jurisdiction (schema/README.md).
-- The column is added in place, not by rebuilding the table: D1 keeps foreign keys on (PRAGMA
-- foreign_keys is ignored) and five tables reference tenants, so dropping it to rebuild fails on
-- any database that holds a tenant.
ALTER TABLE `tenants` ADD COLUMN `placement` text DEFAULT 'default' NOT NULL CONSTRAINT "tenants_placement_check" CHECK(placement IN ('default', 'eu', 'fedramp'));
