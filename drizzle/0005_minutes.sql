CREATE TYPE "public"."action_status" AS ENUM('aperta', 'in_corso', 'fatta', 'annullata');--> statement-breakpoint
CREATE TYPE "public"."minutes_status" AS ENUM('bozza', 'in_revisione', 'approvata');--> statement-breakpoint
CREATE TYPE "public"."privacy_flag_kind" AS ENUM('codice_fiscale', 'phone', 'email', 'birth_date', 'beneficiary_name');--> statement-breakpoint
CREATE TYPE "public"."privacy_resolution" AS ENUM('open', 'resolved', 'confirmed');--> statement-breakpoint
CREATE TABLE "action_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"meeting_id" uuid NOT NULL,
	"agenda_item_id" text,
	"description" text NOT NULL,
	"owner_user_id" uuid,
	"owner_organization_id" uuid,
	"due_date" date,
	"status" "action_status" DEFAULT 'aperta' NOT NULL,
	"status_updated_at" timestamp with time zone,
	"status_updated_by" uuid,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"meeting_id" uuid NOT NULL,
	"decision_id" text NOT NULL,
	"agenda_item_id" text,
	"position" integer NOT NULL,
	"text" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decisions_meeting_id_decision_id_pk" PRIMARY KEY("meeting_id","decision_id")
);
--> statement-breakpoint
CREATE TABLE "minutes" (
	"meeting_id" uuid PRIMARY KEY NOT NULL,
	"status" "minutes_status" DEFAULT 'bozza' NOT NULL,
	"review_until" timestamp with time zone,
	"review_started_at" timestamp with time zone,
	"review_started_by" uuid,
	"current_version" integer DEFAULT 0 NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "minutes_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"section_id" text,
	"section_title" text,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "minutes_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"content" jsonb NOT NULL,
	"text" text NOT NULL,
	"markdown" text NOT NULL,
	"approved_by" uuid NOT NULL,
	"approved_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approval_note" text,
	"change_note" text
);
--> statement-breakpoint
CREATE TABLE "privacy_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"kind" "privacy_flag_kind" NOT NULL,
	"fingerprint" text NOT NULL,
	"excerpt" text NOT NULL,
	"resolution" "privacy_resolution" DEFAULT 'open' NOT NULL,
	"note" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "action_items" ADD CONSTRAINT "action_items_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_items" ADD CONSTRAINT "action_items_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_items" ADD CONSTRAINT "action_items_owner_organization_id_organizations_id_fk" FOREIGN KEY ("owner_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "minutes" ADD CONSTRAINT "minutes_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "minutes_comments" ADD CONSTRAINT "minutes_comments_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "minutes_comments" ADD CONSTRAINT "minutes_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "minutes_versions" ADD CONSTRAINT "minutes_versions_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "minutes_versions" ADD CONSTRAINT "minutes_versions_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_flags" ADD CONSTRAINT "privacy_flags_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "action_items_meeting" ON "action_items" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "action_items_owner" ON "action_items" USING btree ("owner_user_id","status");--> statement-breakpoint
CREATE INDEX "action_items_org" ON "action_items" USING btree ("owner_organization_id","status");--> statement-breakpoint
CREATE INDEX "minutes_status" ON "minutes" USING btree ("status");--> statement-breakpoint
CREATE INDEX "minutes_comments_meeting" ON "minutes_comments" USING btree ("meeting_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "minutes_versions_number" ON "minutes_versions" USING btree ("meeting_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_flags_fingerprint" ON "privacy_flags" USING btree ("meeting_id","fingerprint");--> statement-breakpoint
CREATE INDEX "minutes_text_fts" ON "minutes" USING gin (to_tsvector('italian', f_unaccent("text")));
