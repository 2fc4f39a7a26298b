-- Key import (architecture §5): keys show their origin (generated or imported) and may wait in
-- pending_import. D1 cannot widen a CHECK in place, so keys is rebuilt; every key projected so far
-- was generated.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_keys` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text,
	`algorithm` text NOT NULL,
	`purpose` text NOT NULL,
	`state` text NOT NULL,
	`origin` text DEFAULT 'generated' NOT NULL,
	`primary_version` integer NOT NULL,
	`min_decryption_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deletion_date` integer,
	`projected_seq` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "keys_state_check" CHECK(state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed', 'pending_import')),
	CONSTRAINT "keys_origin_check" CHECK(origin IN ('generated', 'imported'))
);
--> statement-breakpoint
INSERT INTO `__new_keys`("tenant_id", "id", "name", "algorithm", "purpose", "state", "origin", "primary_version", "min_decryption_version", "created_at", "updated_at", "deletion_date", "projected_seq") SELECT "tenant_id", "id", "name", "algorithm", "purpose", "state", 'generated', "primary_version", "min_decryption_version", "created_at", "updated_at", "deletion_date", "projected_seq" FROM `keys`;--> statement-breakpoint
DROP TABLE `keys`;--> statement-breakpoint
ALTER TABLE `__new_keys` RENAME TO `keys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `keys_tenant_algorithm_idx` ON `keys` (`tenant_id`,`algorithm`);