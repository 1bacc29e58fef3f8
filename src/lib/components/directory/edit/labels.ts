import { m } from '$lib/paraglide/messages';
import { t } from '$lib/i18n/t';

/** Message keys are snake_case: "postalCode" → "postal_code". */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const ROW_LABEL: Record<string, (n: number) => string> = {
	phones: (n) => m.dir_edit_phone_row({ n }),
	schedules: (n) => m.dir_edit_schedule_row({ n }),
	contacts: (n) => m.dir_edit_contact_row({ n }),
	languages: (n) => m.dir_edit_language_row({ n }),
	locations: (n) => m.dir_edit_location_row({ n })
};
const ROW_FIELD: Record<string, Record<string, string>> = {
	phones: { number: 'dir_edit_phone_number', extension: 'dir_edit_phone_extension', type: 'dir_edit_phone_type', description: 'dir_edit_phone_description', languages: 'dir_edit_phone_languages' },
	schedules: { weekday: 'dir_edit_weekday', opensAt: 'dir_edit_opens', closesAt: 'dir_edit_closes', notes: 'dir_edit_schedule_notes', validFrom: 'dir_edit_valid_from', validTo: 'dir_edit_valid_to' },
	contacts: { name: 'dir_edit_contact_name', title: 'dir_edit_contact_title', department: 'dir_edit_contact_department', email: 'dir_edit_contact_email' },
	languages: { code: 'dir_edit_language', note: 'dir_edit_language_note', name: 'dir_edit_language' }
};

/** A person's name for a field path of the service form ("Sede 1 › Orario 2 › Chiude"). */
export function fieldLabel(path: string): string {
	const parts = path.split('.');
	const out: string[] = [];
	let inLocation = false;
	while (parts.length) {
		const head = parts.shift()!;
		if (ROW_LABEL[head] && parts[0] !== undefined && /^\d+$/.test(parts[0])) {
			const n = Number(parts.shift()) + 1;
			out.push(ROW_LABEL[head]!(n));
			if (head === 'locations') {
				inLocation = true;
				continue;
			}
			const field = parts.shift();
			if (field) out.push(t(ROW_FIELD[head]?.[field] ?? '', {}, field));
			break;
		}
		if (ROW_LABEL[head] && !parts.length) {
			out.push(t(inLocation ? `dir_edit_loc_${snake(head)}` : `dir_edit_field_${snake(head)}`, {}, head));
			break;
		}
		out.push(head === 'id' && inLocation ? m.dir_edit_loc_existing() : t(inLocation ? `dir_edit_loc_${snake(head)}` : `dir_edit_field_${snake(head)}`, {}, head));
		break;
	}
	return out.join(' › ');
}

/** Fields in the order the form shows them (a location's own after the service's). */
const FORM_ORDER = [
	'organizationId', 'status', 'isPublic', 'name', 'alternateName', 'description', 'url', 'email',
	'eligibilityDescription', 'minimumAge', 'maximumAge', 'applicationProcess', 'feesDescription', 'categories', 'targets',
	'languages', 'code', 'note', 'interpretationServices', 'phones', 'number', 'extension', 'type', 'title', 'department',
	'contacts', 'schedules', 'weekday', 'opensAt', 'closesAt', 'notes', 'validFrom', 'validTo', 'locations', 'id',
	'locationType', 'address1', 'address2', 'postalCode', 'city', 'stateProvince', 'istatCode', 'district', 'region',
	'country', 'latitude', 'longitude', 'serviceDescription'
];

const LOCATION_ORDER = ['id', 'locationType', 'name', 'address1', 'address2', 'postalCode', 'city', 'stateProvince', 'istatCode', 'district', 'region', 'country', 'latitude', 'longitude', 'url', 'description', 'serviceDescription', 'phones', 'schedules'];

/** Sorts error paths the way a person meets the fields, top to bottom ("_form" first). */
export function compareFieldPaths(a: string, b: string): number {
	const key = (path: string) => {
		if (path === '_form') return [-1];
		const parts = path.split('.');
		// A place's own fields: as its card shows them.
		if (parts[0] === 'locations' && parts.length === 3) return [FORM_ORDER.indexOf('locations') + 1000, Number(parts[1]), LOCATION_ORDER.indexOf(parts[2]!) + 1000];
		return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : FORM_ORDER.indexOf(p) + 1000));
	};
	const ka = key(a);
	const kb = key(b);
	for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
		const d = (ka[i] ?? -2) - (kb[i] ?? -2);
		if (d) return d;
	}
	return 0;
}
