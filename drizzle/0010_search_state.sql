CREATE TABLE "search_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "search_state" ("id", "version") VALUES (1, 0);--> statement-breakpoint
-- Every statement that writes search_terms raises the number (see searchState in the schema).
CREATE FUNCTION "search_terms_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "search_state" SET "version" = "version" + 1 WHERE "id" = 1;
	RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "search_terms_changed" AFTER INSERT OR UPDATE OR DELETE ON "search_terms"
	FOR EACH STATEMENT EXECUTE FUNCTION "search_terms_changed"();--> statement-breakpoint
CREATE TRIGGER "search_terms_truncated" AFTER TRUNCATE ON "search_terms"
	FOR EACH STATEMENT EXECUTE FUNCTION "search_terms_changed"();
