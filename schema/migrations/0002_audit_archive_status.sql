-- Each audit log's archive lag (architecture §9), upserted by the kms vault after an archive attempt and read
-- by /ready and /metrics. One row per log: a tenant id or 'platform', so no foreign key.
CREATE TABLE `audit_archive_status` (
	`log` text PRIMARY KEY NOT NULL,
	`head_seq` integer NOT NULL,
	`archived_through` integer NOT NULL,
	`oldest_unarchived_at` integer,
	`last_error` text,
	`updated_at` integer NOT NULL
);
