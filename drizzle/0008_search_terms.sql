CREATE SEQUENCE "public"."search_doc_no" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "search_terms" (
	"service_id" uuid PRIMARY KEY NOT NULL,
	"doc_no" bigint NOT NULL,
	"tsv" "tsvector" NOT NULL,
	"name_tsv" "tsvector" NOT NULL
);
--> statement-breakpoint
DROP INDEX "search_services_tsv";--> statement-breakpoint
CREATE UNIQUE INDEX "search_terms_doc_no" ON "search_terms" USING btree ("doc_no");--> statement-breakpoint
CREATE INDEX "search_terms_tsv" ON "search_terms" USING gin ("tsv");--> statement-breakpoint
-- The rows already indexed move over, so the index keeps answering; every service is queued for the
-- search worker, which rewrites the rows with what this version adds (synonym phrases as lexemes).
INSERT INTO "search_terms" ("service_id", "doc_no", "tsv", "name_tsv")
SELECT "service_id", nextval('search_doc_no'), strip("tsv"), strip(to_tsvector('italian', f_unaccent(translate("name", '<>', '  ')))) FROM "search_services";--> statement-breakpoint
INSERT INTO "search_outbox" ("entity", "entity_id", "op") SELECT 'service', "service_id", 'upsert' FROM "search_services";
