-- The audit chain lives in each tenant's vault only (architecture §9): D1 no longer keeps a copy, so
-- no crypto operation writes to this shared database. No route ever read this table.
DROP TABLE `audit_events`;
