CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`token_hash` text NOT NULL,
	`pepper_version` integer NOT NULL,
	`scopes` text NOT NULL,
	`role` text,
	`key_ids` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_token_hash_idx` ON `api_keys` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_tenant_id_idx` ON `api_keys` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `api_keys_tenant_created_idx` ON `api_keys` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`tenant_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`time` integer NOT NULL,
	`api_key_id` text,
	`request_id` text,
	`operation` text NOT NULL,
	`key_id` text,
	`key_version` integer,
	`outcome` text NOT NULL,
	`rule` text,
	`severity` text NOT NULL,
	`hash` text NOT NULL,
	`prev_hash` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `seq`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "audit_events_outcome_check" CHECK(outcome IN ('allowed', 'denied', 'failed')),
	CONSTRAINT "audit_events_severity_check" CHECK(severity IN ('info', 'warning', 'critical'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_tenant_id_idx` ON `audit_events` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_tenant_time_idx` ON `audit_events` (`tenant_id`,`time`);--> statement-breakpoint
CREATE TABLE `key_versions` (
	`tenant_id` text NOT NULL,
	`key_id` text NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`projected_seq` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key_id`, `version`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "key_versions_state_check" CHECK(state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed'))
);
--> statement-breakpoint
CREATE TABLE `keys` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text,
	`algorithm` text NOT NULL,
	`purpose` text NOT NULL,
	`state` text NOT NULL,
	`primary_version` integer NOT NULL,
	`min_decryption_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deletion_date` integer,
	`projected_seq` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "keys_state_check" CHECK(state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed'))
);
--> statement-breakpoint
CREATE INDEX `keys_tenant_algorithm_idx` ON `keys` (`tenant_id`,`algorithm`);--> statement-breakpoint
CREATE TABLE `platform_settings` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`expires_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tenant_rules` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "tenant_rules_kind_check" CHECK(kind IN ('ip_allow', 'operation_deny'))
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`jurisdiction` text,
	`rate_per_second` integer,
	`burst` integer,
	`monthly_operations` integer,
	`max_keys` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "tenants_plan_check" CHECK(plan IN ('free', 'pro', 'enterprise')),
	CONSTRAINT "tenants_status_check" CHECK(status IN ('active', 'suspended')),
	CONSTRAINT "tenants_jurisdiction_check" CHECK(jurisdiction IS NULL OR jurisdiction IN ('eu', 'fedramp')),
	CONSTRAINT "tenants_limits_check" CHECK((rate_per_second IS NULL OR rate_per_second > 0) AND (burst IS NULL OR burst > 0) AND (monthly_operations IS NULL OR monthly_operations >= 0) AND (max_keys IS NULL OR max_keys >= 0))
);
--> statement-breakpoint
CREATE TABLE `usage` (
	`tenant_id` text NOT NULL,
	`period` text NOT NULL,
	`operations` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `period`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "usage_operations_check" CHECK(operations >= 0)
);
