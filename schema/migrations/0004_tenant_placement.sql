-- Every tenant created before placement was recorded keeps its Durable Objects in the default
-- namespace, whatever its jurisdiction: 'default' here, never the jurisdiction (schema/README.md).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`jurisdiction` text,
	`placement` text DEFAULT 'default' NOT NULL,
	`rate_per_second` integer,
	`burst` integer,
	`monthly_operations` integer,
	`max_keys` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "tenants_plan_check" CHECK(plan IN ('free', 'pro', 'enterprise')),
	CONSTRAINT "tenants_status_check" CHECK(status IN ('active', 'suspended')),
	CONSTRAINT "tenants_jurisdiction_check" CHECK(jurisdiction IS NULL OR jurisdiction IN ('eu', 'fedramp')),
	CONSTRAINT "tenants_placement_check" CHECK(placement IN ('default', 'eu', 'fedramp')),
	CONSTRAINT "tenants_limits_check" CHECK((rate_per_second IS NULL OR rate_per_second > 0) AND (burst IS NULL OR burst > 0) AND (monthly_operations IS NULL OR monthly_operations >= 0) AND (max_keys IS NULL OR max_keys >= 0))
);
--> statement-breakpoint
INSERT INTO `__new_tenants`("id", "name", "plan", "status", "jurisdiction", "placement", "rate_per_second", "burst", "monthly_operations", "max_keys", "created_at", "updated_at") SELECT "id", "name", "plan", "status", "jurisdiction", 'default', "rate_per_second", "burst", "monthly_operations", "max_keys", "created_at", "updated_at" FROM `tenants`;--> statement-breakpoint
DROP TABLE `tenants`;--> statement-breakpoint
ALTER TABLE `__new_tenants` RENAME TO `tenants`;--> statement-breakpoint
PRAGMA foreign_keys=ON;