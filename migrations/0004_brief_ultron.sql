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
ALTER TABLE "stripe_settlement_lines" ADD CONSTRAINT "stripe_settlement_lines_settlement_id_stripe_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."stripe_settlements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deposit_links_ext_uq" ON "deposit_links" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "deposit_links_linked_idx" ON "deposit_links" USING btree ("firm_id","linked_external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "items_ext_uq" ON "items" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_rows_ext_uq" ON "report_rows" USING btree ("firm_id","connection_id","external_id");--> statement-breakpoint
CREATE INDEX "report_rows_report_idx" ON "report_rows" USING btree ("firm_id","connection_id","report","period_end");--> statement-breakpoint
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
CREATE UNIQUE INDEX "webhook_events_dedupe_uq" ON "webhook_events" USING btree ("provider","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("created_at") WHERE status = 'received';--> statement-breakpoint
CREATE INDEX "webhook_events_conn_idx" ON "webhook_events" USING btree ("connection_id","created_at");