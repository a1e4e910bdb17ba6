CREATE TABLE `cloud_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`device_id` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cloud_outbox_key_unique` ON `cloud_outbox` (`key`);--> statement-breakpoint
CREATE INDEX `cloud_outbox_kind_device` ON `cloud_outbox` (`kind`,`device_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`detail` text
);
--> statement-breakpoint
CREATE TABLE `commands` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`capability` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`occurrence` text,
	`error_code` text,
	`error_message` text,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`sent_at` integer,
	`acked_at` integer
);
--> statement-breakpoint
CREATE INDEX `commands_device_status` ON `commands` (`device_id`,`status`);--> statement-breakpoint
CREATE INDEX `commands_issued` ON `commands` (`issued_at`);--> statement-breakpoint
CREATE TABLE `device_state` (
	`device_id` text PRIMARY KEY NOT NULL,
	`reported` text NOT NULL,
	`reported_seq` integer DEFAULT -1 NOT NULL,
	`reported_at` integer,
	`desired` text NOT NULL,
	`desired_at` integer,
	`schedules_version` integer,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`room` text,
	`model` text NOT NULL,
	`firmware` text,
	`capabilities` text NOT NULL,
	`secret_hash` text NOT NULL,
	`online` integer DEFAULT false NOT NULL,
	`last_seen_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `discovered` (
	`claim_id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`firmware` text NOT NULL,
	`capabilities` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_device_at` ON `events` (`device_id`,`at`);--> statement-breakpoint
CREATE TABLE `mqtt_users` (
	`name` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`pub` text NOT NULL,
	`sub` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `state_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`seq` integer NOT NULL,
	`values` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `state_history_device_at` ON `state_history` (`device_id`,`at`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`role` text NOT NULL,
	`grants` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `firmware_images` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`version` text NOT NULL,
	`size` integer NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`uploaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `firmware_images_model_version` ON `firmware_images` (`model`,`version`);--> statement-breakpoint
CREATE TABLE `firmware_rollout_devices` (
	`rollout_id` text NOT NULL,
	`device_id` text NOT NULL,
	`wave` integer NOT NULL,
	`from_version` text,
	`status` text NOT NULL,
	`offered_at` integer,
	`done_at` integer,
	`reason` text,
	PRIMARY KEY(`rollout_id`, `device_id`),
	FOREIGN KEY (`rollout_id`) REFERENCES `firmware_rollouts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `firmware_rollout_devices_device` ON `firmware_rollout_devices` (`device_id`);--> statement-breakpoint
CREATE TABLE `firmware_rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`version` text NOT NULL,
	`image_id` text NOT NULL,
	`waves` text NOT NULL,
	`canary` integer NOT NULL,
	`max_failures` integer NOT NULL,
	`allow_downgrade` text,
	`status` text NOT NULL,
	`current_wave` integer NOT NULL,
	`halted_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`image_id`) REFERENCES `firmware_images`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `firmware_rollouts_status` ON `firmware_rollouts` (`status`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`command_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `schedule_pushes` (
	`device_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`digest` text NOT NULL,
	`pushed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `schedule_runs` (
	`occurrence` text PRIMARY KEY NOT NULL,
	`schedule_id` text NOT NULL,
	`device_id` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`ran_at` integer,
	`by` text NOT NULL,
	`status` text NOT NULL,
	`late` integer,
	`catch_up` integer DEFAULT false NOT NULL,
	`reason` text,
	`command_id` text,
	`error_code` text,
	`error_message` text,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedule_runs_schedule` ON `schedule_runs` (`schedule_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `schedule_runs_at` ON `schedule_runs` (`scheduled_at`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`name` text,
	`command` text NOT NULL,
	`cron` text,
	`at` integer,
	`sun_event` text,
	`sun_offset_minutes` integer,
	`tz` text NOT NULL,
	`enabled` integer NOT NULL,
	`catch_up` text NOT NULL,
	`last_evaluated_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `schedules_device` ON `schedules` (`device_id`);