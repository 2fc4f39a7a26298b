-- A key version's own states (architecture §5): enabled, disabled, pending_destruction, destroyed. D1 cannot
-- widen a CHECK in place, so key_versions is rebuilt; its rows are the vault's projection and are kept.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_key_versions` (
	`tenant_id` text NOT NULL,
	`key_id` text NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`projected_seq` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key_id`, `version`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "key_versions_state_check" CHECK(state IN ('enabled', 'disabled', 'pending_destruction', 'destroyed'))
);
--> statement-breakpoint
INSERT INTO `__new_key_versions`("tenant_id", "key_id", "version", "state", "created_at", "projected_seq") SELECT "tenant_id", "key_id", "version", "state", "created_at", "projected_seq" FROM `key_versions`;--> statement-breakpoint
DROP TABLE `key_versions`;--> statement-breakpoint
ALTER TABLE `__new_key_versions` RENAME TO `key_versions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;