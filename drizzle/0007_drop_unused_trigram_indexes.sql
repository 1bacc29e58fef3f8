DROP INDEX "search_services_name_trgm";--> statement-breakpoint
DROP INDEX "search_services_words_trgm";