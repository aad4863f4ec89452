CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"nonce" text NOT NULL,
	"firm_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"actor" text NOT NULL,
	"api_key_id" uuid,
	"code_verifier_ciphertext" text,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"name" text NOT NULL,
	"connection_id" uuid,
	"ledger_account_external_id" text,
	"account_number" text,
	"iban" text,
	"currency" char(3) NOT NULL,
	"trust" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"statement_id" uuid,
	"dedupe_key" text NOT NULL,
	"booking_date" date NOT NULL,
	"value_date" date,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"counterparty_name" text,
	"counterparty_account" text,
	"end_to_end_id" text,
	"remittance" text,
	"check_number" text,
	"bank_reference" text,
	"transaction_code" text,
	"raw" jsonb NOT NULL,
	"origin" text DEFAULT 'statement' NOT NULL,
	"origin_ref" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"unapplied_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "bank_statements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"bank_account_id" uuid NOT NULL,
	"format" text NOT NULL,
	"file_name" text,
	"file_hash" text NOT NULL,
	"period_start" date,
	"period_end" date,
	"opening_balance_minor" bigint,
	"closing_balance_minor" bigint,
	"lines_read" bigint NOT NULL,
	"lines_new" bigint NOT NULL,
	"imported_by" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"source_key" text
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"code" text,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"class" text,
	"status" text NOT NULL,
	"is_bank" boolean NOT NULL,
	"bank_account_number" text,
	"currency" char(3),
	"is_receivable" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid,
	"origin" text NOT NULL,
	"key" text NOT NULL,
	"source" text NOT NULL,
	"source_external_id" text,
	"source_id" uuid,
	"invoice_id" uuid,
	"invoice_external_id" text NOT NULL,
	"date" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"decision_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"date" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"reference" text,
	"contact_external_id" text,
	"bank_ledger_account_external_id" text,
	"is_reconciled" boolean NOT NULL,
	"prepayment_external_id" text,
	"line_account_codes" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"account_number" text,
	"tax_number" text,
	"is_customer" boolean NOT NULL,
	"status" text NOT NULL,
	"parent_external_id" text
);
--> statement-breakpoint
CREATE TABLE "credit_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"number" text,
	"reference" text,
	"contact_external_id" text,
	"status" text NOT NULL,
	"issue_date" date NOT NULL,
	"currency" char(3) NOT NULL,
	"tax_mode" text NOT NULL,
	"subtotal_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"currency_rate" text NOT NULL,
	"base_total_minor" bigint NOT NULL,
	"provider_remaining_minor" bigint
);
--> statement-breakpoint
CREATE TABLE "gl_postings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"journal_external_id" text,
	"journal_number" integer,
	"date" date NOT NULL,
	"account_external_id" text,
	"account_code" text,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"source_type" text,
	"source_external_id" text,
	"description" text,
	"derived" boolean NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"external_id" text,
	"description" text NOT NULL,
	"quantity" text NOT NULL,
	"unit_amount" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"account_code" text,
	"tax_type" text,
	"item_code" text
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"number" text,
	"reference" text,
	"contact_external_id" text,
	"matter_external_id" text,
	"status" text NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date,
	"currency" char(3) NOT NULL,
	"tax_mode" text NOT NULL,
	"subtotal_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"currency_rate" text NOT NULL,
	"base_total_minor" bigint NOT NULL,
	"provider_amount_due_minor" bigint,
	"disputed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "matters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"contact_external_id" text,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"estimate_minor" bigint,
	"estimate_currency" char(3)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"date" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"currency_rate" text NOT NULL,
	"bank_amount_minor" bigint,
	"reference" text,
	"bank_ledger_account_external_id" text,
	"contact_external_id" text,
	"invoice_external_id" text,
	"credit_note_external_id" text,
	"prepayment_external_id" text,
	"is_reconciled" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prepayments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"contact_external_id" text,
	"status" text NOT NULL,
	"date" date NOT NULL,
	"currency" char(3) NOT NULL,
	"total_minor" bigint NOT NULL,
	"provider_remaining_minor" bigint,
	"bank_ledger_account_external_id" text,
	"reference" text,
	"direction" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "time_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"date" date NOT NULL,
	"duration_minutes" integer NOT NULL,
	"contact_external_id" text,
	"matter_external_id" text,
	"user_external_id" text,
	"user_name" text,
	"task_external_id" text,
	"task_name" text,
	"description" text,
	"hourly_rate" text,
	"rate_currency" char(3),
	"billable_status" text NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_kind" text,
	"subject_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"grant_id" uuid,
	"tenant_id" text,
	"provider_connection_id" text,
	"display_name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"gl_source" text DEFAULT 'journals' NOT NULL,
	"secret_ciphertext" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_error" text,
	"last_synced_at" timestamp (3) with time zone,
	"parked_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "firms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"base_currency" char(3) NOT NULL,
	"timezone" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"token_ciphertext" text,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"access_expires_at" timestamp (3) with time zone,
	"refresh_expires_at" timestamp (3) with time zone,
	"last_refreshed_at" timestamp (3) with time zone,
	"last_error" text,
	"refresh_hard_expires_at" timestamp (3) with time zone,
	"created_by" text,
	"pending_orgs" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deposit_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deposit_external_id" text NOT NULL,
	"linked_kind" text NOT NULL,
	"linked_external_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"sku" text,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"description" text,
	"unit_price" text,
	"income_account_external_id" text
);
--> statement-breakpoint
CREATE TABLE "report_rows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"report" text NOT NULL,
	"period_start" date,
	"period_end" date NOT NULL,
	"basis" text,
	"currency" char(3) NOT NULL,
	"position" integer NOT NULL,
	"row_type" text NOT NULL,
	"path" text[] NOT NULL,
	"path_ids" jsonb NOT NULL,
	"label" text,
	"entity_external_id" text,
	"date" date,
	"txn_type" text,
	"txn_external_id" text,
	"cells" jsonb NOT NULL,
	"amounts" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"dedupe_key" text,
	"group_id" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"visible_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease_token" uuid,
	"leased_at" timestamp (3) with time zone,
	"last_error" text,
	"dead_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "parked_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job" jsonb NOT NULL,
	"run_at" timestamp (3) with time zone NOT NULL,
	"claimed_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"every_seconds" integer NOT NULL,
	"next_run_at" timestamp (3) with time zone NOT NULL,
	"last_run_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"reason" text NOT NULL,
	"candidates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolved_by" text,
	"resolution" jsonb
);
--> statement-breakpoint
CREATE TABLE "reconciliation_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"method" text NOT NULL,
	"outcome" text NOT NULL,
	"confidence" integer NOT NULL,
	"evidence" jsonb NOT NULL,
	"decided_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_balance_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"reporting_category" text NOT NULL,
	"source_id" text,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"net_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"exchange_rate" text,
	"status" text NOT NULL,
	"stripe_created_at" timestamp (3) with time zone NOT NULL,
	"available_on" date NOT NULL,
	"fee_details" jsonb NOT NULL,
	"description" text,
	"payout_id" text
);
--> statement-breakpoint
CREATE TABLE "stripe_disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"charge_id" text,
	"payment_intent_id" text,
	"status" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"balance_net_minor" bigint NOT NULL,
	"invoice_number" text,
	"invoice_external_id" text,
	"stripe_created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"payment_intent_id" text,
	"state" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"amount_captured_minor" bigint NOT NULL,
	"amount_refunded_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"disputed" boolean NOT NULL,
	"stripe_created_at" timestamp (3) with time zone NOT NULL,
	"customer_id" text,
	"description" text,
	"invoice_number" text,
	"invoice_external_id" text,
	"balance_transaction_id" text,
	"settlement_amount_minor" bigint,
	"settlement_fee_minor" bigint,
	"settlement_net_minor" bigint,
	"settlement_currency" char(3),
	"exchange_rate" text,
	"settlement_status" text
);
--> statement-breakpoint
CREATE TABLE "stripe_payouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"automatic" boolean NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"arrival_date" date NOT NULL,
	"stripe_created_at" timestamp (3) with time zone NOT NULL,
	"balance_transaction_id" text,
	"failure_code" text,
	"statement_descriptor" text
);
--> statement-breakpoint
CREATE TABLE "stripe_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"vanished_at" timestamp (3) with time zone,
	"synced_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"charge_id" text,
	"payment_intent_id" text,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"balance_transaction_id" text,
	"stripe_created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_settlement_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"settlement_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"balance_transaction_id" text,
	"source_id" text,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"match_status" text,
	"invoice_id" uuid,
	"invoice_external_id" text,
	"application_id" uuid,
	"description" text
);
--> statement-breakpoint
CREATE TABLE "stripe_settlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"payout_external_id" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"arrival_date" date NOT NULL,
	"breakdown" jsonb NOT NULL,
	"bank_line_id" uuid,
	"reconciled_at" timestamp (3) with time zone,
	"reversed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_writes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"operation" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"subject" text NOT NULL,
	"request" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"external_id" text,
	"response" jsonb,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"cursor" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_cursors_connection_id_entity_pk" PRIMARY KEY("connection_id","entity")
);
--> statement-breakpoint
CREATE TABLE "sync_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"sync_run_id" uuid,
	"entity" text NOT NULL,
	"external_id" text,
	"field" text,
	"message" text NOT NULL,
	"raw" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"firm_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"status" text NOT NULL,
	"trigger" text DEFAULT 'manual' NOT NULL,
	"stats" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"firm_id" uuid,
	"connection_id" uuid,
	"tenant_id" text,
	"event_type" text NOT NULL,
	"resource_type" text,
	"resource_id" text,
	"occurred_at" timestamp (3) with time zone,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp (3) with time zone,
	"processed_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_statement_id_bank_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_statements" ADD CONSTRAINT "bank_statements_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "public"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_firm_id_firms_id_fk" FOREIGN KEY ("firm_id") REFERENCES "public"."firms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_settlement_lines" ADD CONSTRAINT "stripe_settlement_lines_settlement_id_stripe_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."stripe_settlements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_firm_idx" ON "api_keys" USING btree ("firm_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_states_nonce_uq" ON "oauth_states" USING btree ("nonce");--> statement-breakpoint
CREATE INDEX "oauth_states_expires_idx" ON "oauth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_accounts_ledger_uq" ON "bank_accounts" USING btree ("firm_id","connection_id","ledger_account_external_id");--> statement-breakpoint
CREATE INDEX "bank_accounts_number_idx" ON "bank_accounts" USING btree ("firm_id","account_number");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_lines_dedupe_uq" ON "bank_lines" USING btree ("firm_id","bank_account_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "bank_lines_date_idx" ON "bank_lines" USING btree ("firm_id","booking_date");--> statement-breakpoint
CREATE INDEX "bank_statements_account_idx" ON "bank_statements" USING btree ("firm_id","bank_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_statements_source_uq" ON "bank_statements" USING btree ("firm_id","bank_account_id","source_key");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_ext_uq" ON "accounts" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_key_uq" ON "applications" USING btree ("firm_id","origin","key");--> statement-breakpoint
CREATE INDEX "applications_invoice_idx" ON "applications" USING btree ("firm_id","invoice_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_transactions_ext_uq" ON "bank_transactions" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_ext_uq" ON "contacts" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_ext_uq" ON "credit_notes" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gl_postings_ext_uq" ON "gl_postings" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "gl_postings_source_idx" ON "gl_postings" USING btree ("firm_id","source_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_lines_pos_uq" ON "invoice_lines" USING btree ("invoice_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_ext_uq" ON "invoices" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "invoices_firm_number_idx" ON "invoices" USING btree ("firm_id","number");--> statement-breakpoint
CREATE INDEX "invoices_firm_contact_idx" ON "invoices" USING btree ("firm_id","contact_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "matters_ext_uq" ON "matters" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_ext_uq" ON "payments" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "payments_firm_date_idx" ON "payments" USING btree ("firm_id","date");--> statement-breakpoint
CREATE UNIQUE INDEX "prepayments_ext_uq" ON "prepayments" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "time_entries_ext_uq" ON "time_entries" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "audit_firm_at_idx" ON "audit_log" USING btree ("firm_id","created_at");--> statement-breakpoint
CREATE INDEX "connections_firm_idx" ON "connections" USING btree ("firm_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connections_tenant_uq" ON "connections" USING btree ("firm_id","provider","tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "firms_name_uq" ON "firms" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "grants_firm_idx" ON "grants" USING btree ("firm_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deposit_links_ext_uq" ON "deposit_links" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "deposit_links_linked_idx" ON "deposit_links" USING btree ("firm_id","linked_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "items_ext_uq" ON "items" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_rows_ext_uq" ON "report_rows" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "report_rows_report_idx" ON "report_rows" USING btree ("firm_id","connection_id","report","period_end");--> statement-breakpoint
CREATE INDEX "jobs_visible_idx" ON "jobs" USING btree ("visible_at") WHERE state in ('queued', 'leased');--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_dedupe_queued_uq" ON "jobs" USING btree ("dedupe_key") WHERE state = 'queued' and dedupe_key is not null;--> statement-breakpoint
CREATE INDEX "jobs_dead_idx" ON "jobs" USING btree ("dead_at") WHERE state = 'dead';--> statement-breakpoint
CREATE INDEX "parked_jobs_run_at_idx" ON "parked_jobs" USING btree ("run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_dedupe_uq" ON "exceptions" USING btree ("firm_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "exceptions_list_idx" ON "exceptions" USING btree ("firm_id","status","kind","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_subject_uq" ON "reconciliation_decisions" USING btree ("firm_id","subject_kind","subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_btx_ext_uq" ON "stripe_balance_transactions" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "stripe_btx_payout_idx" ON "stripe_balance_transactions" USING btree ("firm_id","payout_id");--> statement-breakpoint
CREATE INDEX "stripe_btx_source_idx" ON "stripe_balance_transactions" USING btree ("firm_id","source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_disputes_ext_uq" ON "stripe_disputes" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_payments_ext_uq" ON "stripe_payments" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "stripe_payments_list_idx" ON "stripe_payments" USING btree ("firm_id","stripe_created_at");--> statement-breakpoint
CREATE INDEX "stripe_payments_pi_idx" ON "stripe_payments" USING btree ("firm_id","payment_intent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_payouts_ext_uq" ON "stripe_payouts" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "stripe_payouts_list_idx" ON "stripe_payouts" USING btree ("firm_id","arrival_date");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_refunds_ext_uq" ON "stripe_refunds" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_settlement_lines_uq" ON "stripe_settlement_lines" USING btree ("settlement_id","kind","balance_transaction_id");--> statement-breakpoint
CREATE INDEX "stripe_settlement_lines_source_idx" ON "stripe_settlement_lines" USING btree ("firm_id","source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_settlements_payout_uq" ON "stripe_settlements" USING btree ("firm_id","connection_id","payout_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_settlements_bank_line_uq" ON "stripe_settlements" USING btree ("firm_id","bank_line_id") WHERE bank_line_id is not null and status = 'reconciled';--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_writes_key_uq" ON "outbound_writes" USING btree ("firm_id","connection_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "sync_errors_conn_idx" ON "sync_errors" USING btree ("firm_id","connection_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_runs_conn_idx" ON "sync_runs" USING btree ("firm_id","connection_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_dedupe_uq" ON "webhook_events" USING btree ("provider","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("created_at") WHERE status = 'received';--> statement-breakpoint
CREATE INDEX "webhook_events_conn_idx" ON "webhook_events" USING btree ("connection_id","created_at");