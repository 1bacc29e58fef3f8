CREATE TYPE "public"."location_type" AS ENUM('physical', 'postal', 'virtual');--> statement-breakpoint
CREATE TYPE "public"."service_status" AS ENUM('active', 'inactive', 'defunct', 'temporarily closed');--> statement-breakpoint
CREATE TYPE "public"."taxonomy" AS ENUM('categoria', 'destinatari');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"scope" text DEFAULT 'directory:read' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dir_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"service_id" uuid,
	"organization_id" uuid,
	"name" text,
	"title" text,
	"department" text,
	"email" text
);
--> statement-breakpoint
CREATE TABLE "dir_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resource_id" uuid NOT NULL,
	"resource_type" text NOT NULL,
	"last_action_date" timestamp with time zone DEFAULT now() NOT NULL,
	"last_action_type" text NOT NULL,
	"field_name" text,
	"previous_value" text,
	"replacement_value" text,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "dir_languages" (
	"service_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text,
	"note" text,
	CONSTRAINT "dir_languages_service_id_code_pk" PRIMARY KEY("service_id","code")
);
--> statement-breakpoint
CREATE TABLE "dir_locations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_id" text,
	"organization_id" uuid,
	"location_type" "location_type" DEFAULT 'physical' NOT NULL,
	"name" text,
	"description" text,
	"url" text,
	"address_1" text,
	"address_2" text,
	"city" text,
	"istat_code" text,
	"postal_code" text,
	"state_province" text,
	"region" text,
	"country" text DEFAULT 'IT' NOT NULL,
	"district" text,
	"latitude" double precision,
	"longitude" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "dir_organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_id" text,
	"name" text NOT NULL,
	"alternate_name" text,
	"description" text,
	"email" text,
	"website" text,
	"tax_id" text,
	"vat_number" text,
	"network_organization_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "dir_phones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"service_id" uuid,
	"location_id" uuid,
	"organization_id" uuid,
	"number" text NOT NULL,
	"extension" text,
	"type" text DEFAULT 'voice' NOT NULL,
	"description" text,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dir_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"service_id" uuid,
	"service_at_location_id" uuid,
	"weekday" integer NOT NULL,
	"opens_at" text NOT NULL,
	"closes_at" text NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "dir_service_at_locations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_id" text,
	"service_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"description" text
);
--> statement-breakpoint
CREATE TABLE "dir_service_terms" (
	"service_id" uuid NOT NULL,
	"term_id" uuid NOT NULL,
	CONSTRAINT "dir_service_terms_service_id_term_id_pk" PRIMARY KEY("service_id","term_id")
);
--> statement-breakpoint
CREATE TABLE "dir_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_id" text,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"alternate_name" text,
	"description" text,
	"url" text,
	"email" text,
	"status" "service_status" DEFAULT 'active' NOT NULL,
	"interpretation_services" text,
	"application_process" text,
	"fees_description" text,
	"eligibility_description" text,
	"minimum_age" integer,
	"maximum_age" integer,
	"assured_date" date,
	"assurer_id" uuid,
	"assurer_email" text,
	"is_public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "dir_taxonomy_terms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"taxonomy" "taxonomy" NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"parent_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"deleted_at" timestamp with time zone,
	"deleted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "network_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "search_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entity" text DEFAULT 'service' NOT NULL,
	"entity_id" uuid NOT NULL,
	"op" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "search_services" (
	"service_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_norm" text NOT NULL,
	"words_norm" text NOT NULL,
	"document" jsonb NOT NULL,
	"tsv" "tsvector" NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"targets" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"districts" text[] DEFAULT '{}'::text[] NOT NULL,
	"cities" text[] DEFAULT '{}'::text[] NOT NULL,
	"organization_id" uuid,
	"status" "service_status" NOT NULL,
	"is_public" boolean NOT NULL,
	"hours" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"assured_date" date,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_contacts" ADD CONSTRAINT "dir_contacts_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_contacts" ADD CONSTRAINT "dir_contacts_organization_id_dir_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."dir_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_languages" ADD CONSTRAINT "dir_languages_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_locations" ADD CONSTRAINT "dir_locations_organization_id_dir_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."dir_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_organizations" ADD CONSTRAINT "dir_organizations_network_organization_id_organizations_id_fk" FOREIGN KEY ("network_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_phones" ADD CONSTRAINT "dir_phones_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_phones" ADD CONSTRAINT "dir_phones_location_id_dir_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."dir_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_phones" ADD CONSTRAINT "dir_phones_organization_id_dir_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."dir_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_schedules" ADD CONSTRAINT "dir_schedules_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_schedules" ADD CONSTRAINT "dir_schedules_service_at_location_id_dir_service_at_locations_id_fk" FOREIGN KEY ("service_at_location_id") REFERENCES "public"."dir_service_at_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_service_at_locations" ADD CONSTRAINT "dir_service_at_locations_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_service_at_locations" ADD CONSTRAINT "dir_service_at_locations_location_id_dir_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."dir_locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_service_terms" ADD CONSTRAINT "dir_service_terms_service_id_dir_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."dir_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_service_terms" ADD CONSTRAINT "dir_service_terms_term_id_dir_taxonomy_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."dir_taxonomy_terms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_services" ADD CONSTRAINT "dir_services_organization_id_dir_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."dir_organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dir_services" ADD CONSTRAINT "dir_services_assurer_id_users_id_fk" FOREIGN KEY ("assurer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "dir_contacts_service" ON "dir_contacts" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "dir_history_resource" ON "dir_history" USING btree ("resource_id","last_action_date");--> statement-breakpoint
CREATE UNIQUE INDEX "dir_locations_external" ON "dir_locations" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "dir_locations_district" ON "dir_locations" USING btree ("district");--> statement-breakpoint
CREATE UNIQUE INDEX "dir_organizations_external" ON "dir_organizations" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "dir_organizations_network" ON "dir_organizations" USING btree ("network_organization_id");--> statement-breakpoint
CREATE INDEX "dir_phones_service" ON "dir_phones" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "dir_schedules_service" ON "dir_schedules" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "dir_schedules_sal" ON "dir_schedules" USING btree ("service_at_location_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dir_sal_pair" ON "dir_service_at_locations" USING btree ("service_id","location_id");--> statement-breakpoint
CREATE INDEX "dir_sal_location" ON "dir_service_at_locations" USING btree ("location_id");--> statement-breakpoint
CREATE INDEX "dir_service_terms_term" ON "dir_service_terms" USING btree ("term_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dir_services_external" ON "dir_services" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "dir_services_organization" ON "dir_services" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dir_terms_code" ON "dir_taxonomy_terms" USING btree ("taxonomy","code");--> statement-breakpoint
CREATE INDEX "search_outbox_pending" ON "search_outbox" USING btree ("processed_at","next_attempt_at");--> statement-breakpoint
CREATE INDEX "search_services_tsv" ON "search_services" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "search_services_name_trgm" ON "search_services" USING gin ("name_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "search_services_words_trgm" ON "search_services" USING gin ("words_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "search_services_categories" ON "search_services" USING gin ("categories");--> statement-breakpoint
CREATE INDEX "search_services_languages" ON "search_services" USING gin ("languages");--> statement-breakpoint
CREATE INDEX "search_services_districts" ON "search_services" USING gin ("districts");--> statement-breakpoint
CREATE INDEX "search_services_targets" ON "search_services" USING gin ("targets");