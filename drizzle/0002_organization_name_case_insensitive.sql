DROP INDEX "organizations_name_live";--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_name_live" ON "organizations" USING btree (lower("name")) WHERE "organizations"."deleted_at" is null;