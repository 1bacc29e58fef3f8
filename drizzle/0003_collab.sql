CREATE TABLE "collab_snapshots" (
	"doc" text PRIMARY KEY NOT NULL,
	"state" "bytea" NOT NULL,
	"compacted_rows" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collab_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"doc" text NOT NULL,
	"update" "bytea" NOT NULL,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "collab_updates_doc" ON "collab_updates" USING btree ("doc","id");